package idstore

import (
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// alternateIdentifier is GetUserId's and GetGroupId's alternate_identifier:
// exactly one of external_id and unique_attribute (both: 400 IIC.1344,
// neither: 400 IIC.1348).
type alternateIdentifier struct {
	ExternalID      *groupExtIDDTO `json:"external_id"`
	UniqueAttribute *struct {
		Path  string `json:"attribute_path"`
		Value string `json:"attribute_value"`
	} `json:"unique_attribute"`
}

func (alt *alternateIdentifier) exactlyOne() error {
	switch {
	case alt == nil || alt.ExternalID == nil && alt.UniqueAttribute == nil:
		return apierr.IIC1348.New()
	case alt.ExternalID != nil && alt.UniqueAttribute != nil:
		return apierr.IIC1344.New()
	}
	return nil
}

// userKey is the user alt names: by external id (id and issuer required),
// user name (user_name, userName) or e-mail (emails.value, emails, email).
func (alt *alternateIdentifier) userKey() (identity.UserKey, error) {
	if alt == nil {
		return identity.UserKey{}, apierr.IIC1348.New()
	}
	if e := alt.ExternalID; e != nil && (e.ID == "" || e.Issuer == "") {
		return identity.UserKey{}, badRequest("external_id.id and external_id.issuer are required")
	}
	if err := alt.exactlyOne(); err != nil {
		return identity.UserKey{}, err
	}
	if e := alt.ExternalID; e != nil {
		return identity.UserByExternalID(store.ExternalID{Issuer: e.Issuer, ID: e.ID}), nil
	}
	u := alt.UniqueAttribute
	switch {
	case u.Value == "":
		return identity.UserKey{}, badRequest("unique_attribute.attribute_value is required")
	case u.Path == "user_name" || u.Path == "userName":
		return identity.UserByName(u.Value), nil
	case u.Path == "emails.value" || u.Path == "emails" || u.Path == "email":
		return identity.UserByEmail(u.Value), nil
	}
	return identity.UserKey{}, badRequest("unique_attribute.attribute_path must be user_name or emails.value, not %q", u.Path)
}

// groupKey is the group alt names: by external id or display name
// (display_name, displayName).
func (alt *alternateIdentifier) groupKey() (identity.GroupKey, error) {
	if err := alt.exactlyOne(); err != nil {
		return identity.GroupKey{}, err
	}
	if e := alt.ExternalID; e != nil {
		return identity.GroupByExternalID(store.ExternalID{Issuer: e.Issuer, ID: e.ID}), nil
	}
	if u := alt.UniqueAttribute; u.Path == "display_name" || u.Path == "displayName" {
		return identity.GroupByDisplayName(u.Value), nil
	}
	return identity.GroupKey{}, badRequest("unique_attribute.attribute_path must be display_name, not %q", alt.UniqueAttribute.Path)
}

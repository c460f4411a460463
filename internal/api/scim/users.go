package scim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// ExternalIDIssuer is the issuer under which a resource's SCIM externalId
// is kept among the identity store's external ids (which are per issuer):
// SCIM's single externalId is the store's external id of issuer "scim";
// external ids of other issuers (set through the identity-store API) are
// kept as they are and not shown by SCIM.
const ExternalIDIssuer = "scim"

// The wire shapes of a SCIM user (RFC 7643 §4.1, §4.3).
type scimName struct {
	Formatted       string `json:"formatted,omitempty"`
	FamilyName      string `json:"familyName,omitempty"`
	GivenName       string `json:"givenName,omitempty"`
	MiddleName      string `json:"middleName,omitempty"`
	HonorificPrefix string `json:"honorificPrefix,omitempty"`
	HonorificSuffix string `json:"honorificSuffix,omitempty"`
}

type scimMulti struct {
	Value   string   `json:"value,omitempty"`
	Display string   `json:"display,omitempty"`
	Type    string   `json:"type,omitempty"`
	Primary flexBool `json:"primary,omitempty"`
}

type scimAddress struct {
	Formatted     string   `json:"formatted,omitempty"`
	StreetAddress string   `json:"streetAddress,omitempty"`
	Locality      string   `json:"locality,omitempty"`
	Region        string   `json:"region,omitempty"`
	PostalCode    string   `json:"postalCode,omitempty"`
	Country       string   `json:"country,omitempty"`
	Type          string   `json:"type,omitempty"`
	Primary       flexBool `json:"primary,omitempty"`
}

type scimManager struct {
	Value       string `json:"value,omitempty"`
	Ref         string `json:"$ref,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
}

type scimEnterprise struct {
	EmployeeNumber string       `json:"employeeNumber,omitempty"`
	CostCenter     string       `json:"costCenter,omitempty"`
	Organization   string       `json:"organization,omitempty"`
	Division       string       `json:"division,omitempty"`
	Department     string       `json:"department,omitempty"`
	Manager        *scimManager `json:"manager,omitempty"`
}

type scimMeta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created"`
	LastModified string `json:"lastModified"`
	Location     string `json:"location"`
	Version      string `json:"version"`
}

type scimUser struct {
	Schemas           []string        `json:"schemas"`
	ID                string          `json:"id,omitempty"`
	ExternalID        string          `json:"externalId,omitempty"`
	UserName          string          `json:"userName"`
	Name              *scimName       `json:"name,omitempty"`
	DisplayName       string          `json:"displayName,omitempty"`
	NickName          string          `json:"nickName,omitempty"`
	ProfileURL        string          `json:"profileUrl,omitempty"`
	Title             string          `json:"title,omitempty"`
	UserType          string          `json:"userType,omitempty"`
	PreferredLanguage string          `json:"preferredLanguage,omitempty"`
	Locale            string          `json:"locale,omitempty"`
	Timezone          string          `json:"timezone,omitempty"`
	Active            *flexBool       `json:"active,omitempty"`
	Emails            []scimMulti     `json:"emails,omitempty"`
	PhoneNumbers      []scimMulti     `json:"phoneNumbers,omitempty"`
	Addresses         []scimAddress   `json:"addresses,omitempty"`
	Enterprise        *scimEnterprise `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	Meta              *scimMeta       `json:"meta,omitempty"`
}

// flexBool is a JSON boolean that also takes the strings "true"/"false" in
// any case (Microsoft Entra ID sends "False").
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	if v == nil {
		*b = false
		return nil
	}
	x, ok := asBool(v)
	if !ok {
		return fmt.Errorf("%s is not a boolean", bytes.TrimSpace(data))
	}
	*b = flexBool(x)
	return nil
}

func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func externalIDOf(ids []store.ExternalID) string {
	for _, e := range ids {
		if e.Issuer == ExternalIDIssuer {
			return e.ID
		}
	}
	return ""
}

// withExternalID returns ids with the SCIM issuer's entry set to id
// (removed when id is ""), other issuers' entries kept.
func withExternalID(ids []store.ExternalID, id string) []store.ExternalID {
	out := make([]store.ExternalID, 0, len(ids)+1)
	for _, e := range ids {
		if e.Issuer != ExternalIDIssuer {
			out = append(out, e)
		}
	}
	if id != "" {
		out = append(out, store.ExternalID{Issuer: ExternalIDIssuer, ID: id})
	}
	return out
}

// userWire renders a user as SCIM.
func (a *API) userWire(t tenant, u identity.User) scimUser {
	p := u.Profile
	active := flexBool(u.Enabled)
	su := scimUser{
		Schemas: []string{URNUser}, ID: u.ID, ExternalID: externalIDOf(u.ExternalIDs), UserName: u.UserName,
		Name: &scimName{Formatted: p.Name.Formatted, FamilyName: p.Name.FamilyName, GivenName: p.Name.GivenName, MiddleName: p.Name.MiddleName,
			HonorificPrefix: p.Name.HonorificPrefix, HonorificSuffix: p.Name.HonorificSuffix},
		DisplayName: u.DisplayName, NickName: p.Nickname, ProfileURL: p.ProfileURL, Title: p.Title, UserType: p.UserType,
		PreferredLanguage: p.PreferredLanguage, Locale: p.Locale, Timezone: p.Timezone, Active: &active,
		Meta: &scimMeta{ResourceType: "User", Created: timestamp(u.CreatedAt), LastModified: timestamp(u.UpdatedAt),
			Location: a.baseURL(t) + "/Users/" + u.ID, Version: etag(u.Version)},
	}
	for _, e := range p.Emails {
		su.Emails = append(su.Emails, scimMulti{Value: e.Value, Type: e.Type, Primary: flexBool(e.Primary)})
	}
	for _, ph := range p.PhoneNumbers {
		su.PhoneNumbers = append(su.PhoneNumbers, scimMulti{Value: ph.Value, Type: ph.Type, Primary: flexBool(ph.Primary)})
	}
	for _, ad := range p.Addresses {
		su.Addresses = append(su.Addresses, scimAddress{Formatted: ad.Formatted, StreetAddress: ad.StreetAddress, Locality: ad.Locality,
			Region: ad.Region, PostalCode: ad.PostalCode, Country: ad.Country, Type: ad.Type, Primary: flexBool(ad.Primary)})
	}
	if e := p.Enterprise; e != nil {
		su.Schemas = append(su.Schemas, URNEnterprise)
		su.Enterprise = &scimEnterprise{EmployeeNumber: e.EmployeeNumber, CostCenter: e.CostCenter, Organization: e.Organization,
			Division: e.Division, Department: e.Department}
		if e.Manager != nil {
			su.Enterprise.Manager = &scimManager{Value: e.Manager.Value, Ref: a.baseURL(t) + "/Users/" + e.Manager.Value}
		}
	}
	return su
}

// applyUserWire sets f from a SCIM user representation (PUT, POST, or the
// result of a PATCH): every readWrite attribute is replaced, absent ones
// cleared; readOnly ones (id, meta, groups) are ignored.
func applyUserWire(in scimUser, f *identity.UserFields) {
	p := identity.Profile{}
	if n := in.Name; n != nil {
		p.Name = identity.Name{Formatted: n.Formatted, FamilyName: n.FamilyName, GivenName: n.GivenName, MiddleName: n.MiddleName,
			HonorificPrefix: n.HonorificPrefix, HonorificSuffix: n.HonorificSuffix}
	}
	p.Nickname, p.ProfileURL, p.Title, p.UserType = in.NickName, in.ProfileURL, in.Title, in.UserType
	p.PreferredLanguage, p.Locale, p.Timezone = in.PreferredLanguage, in.Locale, in.Timezone
	for _, e := range in.Emails {
		p.Emails = append(p.Emails, identity.Email{Value: e.Value, Type: e.Type, Primary: bool(e.Primary)})
	}
	// One address without a primary flag is the primary one (IdPs that
	// PATCH emails[type eq "work"].value set no flag).
	if len(p.Emails) == 1 {
		p.Emails[0].Primary = true
	}
	for _, ph := range in.PhoneNumbers {
		p.PhoneNumbers = append(p.PhoneNumbers, identity.PhoneNumber{Value: ph.Value, Type: ph.Type, Primary: bool(ph.Primary)})
	}
	for _, ad := range in.Addresses {
		p.Addresses = append(p.Addresses, identity.Address{Formatted: ad.Formatted, StreetAddress: ad.StreetAddress, Locality: ad.Locality,
			Region: ad.Region, PostalCode: ad.PostalCode, Country: ad.Country, Type: ad.Type, Primary: bool(ad.Primary)})
	}
	if e := in.Enterprise; e != nil {
		p.Enterprise = &identity.Enterprise{EmployeeNumber: e.EmployeeNumber, CostCenter: e.CostCenter, Organization: e.Organization,
			Division: e.Division, Department: e.Department}
		if e.Manager != nil && e.Manager.Value != "" {
			p.Enterprise.Manager = &identity.Manager{Value: e.Manager.Value}
		}
	}
	f.Profile = p
	f.UserName = in.UserName
	f.DisplayName = in.DisplayName
	if f.DisplayName == "" {
		f.DisplayName = defaultDisplayName(in)
	}
	if in.Active != nil {
		f.Enabled = bool(*in.Active)
	}
	f.ExternalIDs = withExternalID(f.ExternalIDs, in.ExternalID)
}

// defaultDisplayName is the display name of a user sent without one (it is
// optional in SCIM, required in the identity store): the formatted name,
// else given and family name, else the user name.
func defaultDisplayName(in scimUser) string {
	if n := in.Name; n != nil {
		if n.Formatted != "" {
			return n.Formatted
		}
		if s := strings.TrimSpace(n.GivenName + " " + n.FamilyName); s != "" {
			return s
		}
	}
	return in.UserName
}

// decodeUser reads a SCIM user from a generic resource (canonical names).
func decodeUser(m map[string]any) (scimUser, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return scimUser{}, badRequest("invalidValue", err.Error())
	}
	var u scimUser
	if err := json.Unmarshal(b, &u); err != nil {
		return scimUser{}, badRequest("invalidValue", httpx.DescribeJSONError(err, "attribute"))
	}
	return u, nil
}

func (a *API) renderUser(t tenant, u identity.User) map[string]any {
	return toGeneric(a.userWire(t, u))
}

// toGeneric turns a wire struct into the generic form filters, PATCH and
// projection work on.
func toGeneric(v any) map[string]any {
	b, _ := json.Marshal(v)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	dec.Decode(&m)
	return m
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, t tenant) error {
	u, err := a.Identity.GetUser(r.Context(), t.StoreID, r.PathValue("id"))
	if err != nil {
		return aboutUser(err, r.PathValue("id"))
	}
	return a.writeResource(w, r, http.StatusOK, userType, a.renderUser(t, u), u.Version)
}

// readUserBody reads the user a POST or PUT carries; userName is required.
func readUserBody(r *http.Request) (scimUser, error) {
	m, err := readResource(r, userType)
	if err != nil {
		return scimUser{}, err
	}
	in, err := decodeUser(m)
	if err != nil {
		return scimUser{}, err
	}
	if in.UserName == "" {
		return scimUser{}, badRequest("invalidValue", "userName is required")
	}
	return in, nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, t tenant) error {
	in, err := readUserBody(r)
	if err != nil {
		return err
	}
	var f identity.UserFields
	f.Enabled = true
	applyUserWire(in, &f)
	if in.Name == nil {
		return badRequest("invalidValue", "name is required (givenName and familyName)")
	}
	id, err := a.Identity.CreateProvisionedUser(r.Context(), t.caller(), t.StoreID, f)
	if err != nil {
		return err
	}
	u, err := a.Identity.GetUser(r.Context(), t.StoreID, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", a.baseURL(t)+"/Users/"+id)
	return a.writeResource(w, r, http.StatusCreated, userType, a.renderUser(t, u), u.Version)
}

func (a *API) putUser(w http.ResponseWriter, r *http.Request, t tenant) error {
	in, err := readUserBody(r)
	if err != nil {
		return err
	}
	ifVersion, err := ifMatch(r)
	if err != nil {
		return err
	}
	u, _, err := a.Identity.EditUser(r.Context(), t.caller(), t.StoreID, r.PathValue("id"), ifVersion, func(old identity.User, f *identity.UserFields) error {
		if err := ifNoneMatch(r, old.Version); err != nil {
			return err
		}
		applyUserWire(in, f)
		return nil
	})
	if err != nil {
		return aboutUser(err, r.PathValue("id"))
	}
	return a.writeResource(w, r, http.StatusOK, userType, a.renderUser(t, u), u.Version)
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, t tenant) error {
	if err := a.checkIfMatchUser(r, t); err != nil {
		return err
	}
	if err := a.Identity.DeleteUser(r.Context(), t.StoreID, r.PathValue("id")); err != nil {
		return aboutUser(err, r.PathValue("id"))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkIfMatchUser answers 412 when If-Match names a version the user is
// not at, or If-None-Match one it is at.
func (a *API) checkIfMatchUser(r *http.Request, t tenant) error {
	v, err := ifMatch(r)
	if err != nil || (v == 0 && len(r.Header.Values("If-None-Match")) == 0) {
		return err
	}
	u, err := a.Identity.GetUser(r.Context(), t.StoreID, r.PathValue("id"))
	if err != nil {
		return aboutUser(err, r.PathValue("id"))
	}
	if v > 0 && u.Version != v {
		return errVersionMismatch
	}
	return ifNoneMatch(r, u.Version)
}

package idstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// UpdateUser and UpdateGroup carry operations[{attribute_path,
// attribute_value}]: set the attribute at the path to the value, or remove
// it when the value is null. Object and list attributes take their JSON
// text (e.g. `{"given_name":"A","family_name":"B"}` for name). This file
// turns them into changes of identity.UserFields / GroupFields; the
// identity service validates the result and writes it, all or nothing.

// attributeOp is one element of operations[] as the SDK sends it.
type attributeOp struct {
	AttributePath  string  `json:"attribute_path"`
	AttributeValue *string `json:"attribute_value"`
}

// updatableUserAttributes lists the attribute paths UpdateUser accepts
// (snake_case; camelCase spellings such as name.givenName are accepted too).
var updatableUserAttributes = []string{
	"user_name", "display_name",
	"name", "name.given_name", "name.family_name", "name.formatted", "name.middle_name", "name.honorific_prefix", "name.honorific_suffix",
	"emails", "emails.value", "addresses", "phone_numbers",
	"nickname", "title", "locale", "timezone", "preferred_language", "profile_url", "user_type",
	"enterprise", "enterprise.cost_center", "enterprise.department", "enterprise.division", "enterprise.employee_number",
	"enterprise.organization", "enterprise.manager", "enterprise.manager.value",
}

func badRequest(format string, args ...any) error {
	return apierr.IIC400_400.New(fmt.Sprintf(format, args...))
}

// userUpdates checks UpdateUser's operations: each names a path, there are
// 1 to 100 of them, and no path comes twice in either spelling (IIC.1349).
// It returns them with their paths in snake_case.
func userUpdates(in []attributeOp) ([]attributeOp, error) {
	for i, o := range in {
		if strings.TrimSpace(o.AttributePath) == "" {
			return nil, badRequest("operations[%d].attribute_path is required", i)
		}
	}
	if len(in) == 0 || len(in) > 100 {
		return nil, badRequest("operations must hold 1 to 100 items")
	}
	out := make([]attributeOp, len(in))
	seen := map[string]bool{}
	for i, o := range in {
		p := snakePath(strings.TrimSpace(o.AttributePath))
		if seen[p] {
			return nil, apierr.IIC1349.New()
		}
		seen[p] = true
		out[i] = attributeOp{AttributePath: p, AttributeValue: o.AttributeValue}
	}
	return out, nil
}

// snakePath turns "name.givenName" into "name.given_name".
func snakePath(p string) string {
	var b strings.Builder
	for i, r := range p {
		if unicode.IsUpper(r) {
			if i > 0 && p[i-1] != '.' {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// decodeStrict decodes the one JSON value in s into dst: unknown fields
// and anything after the value are errors.
func decodeStrict(s string, dst any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// applyUserUpdates applies ops (from userUpdates) to f, in order. A value
// of the wrong shape, removing a required attribute or an unknown path is
// a 400 naming it; everything else (lengths, e-mail syntax, uniqueness)
// is the identity service's to check.
func applyUserUpdates(f *identity.UserFields, ops []attributeOp) error {
	for _, op := range ops {
		if err := applyUserUpdate(f, op); err != nil {
			return err
		}
	}
	return nil
}

func applyUserUpdate(f *identity.UserFields, op attributeOp) error {
	p := &f.Profile
	path, value := op.AttributePath, op.AttributeValue
	str := func(dst *string, required bool) error {
		if value == nil {
			if required {
				return badRequest("attribute %s is required and cannot be removed", path)
			}
			*dst = ""
			return nil
		}
		*dst = *value
		return nil
	}
	// obj decodes the value into dst; absent reports a null value.
	obj := func(dst any, required bool) (absent bool, err error) {
		if value == nil {
			if required {
				return true, badRequest("attribute %s is required and cannot be removed", path)
			}
			return true, nil
		}
		if err := decodeStrict(*value, dst); err != nil {
			return false, badRequest("attribute_value of %s must be JSON of its type: %v", path, err)
		}
		return false, nil
	}
	ent := func() *identity.Enterprise {
		if p.Enterprise == nil {
			p.Enterprise = &identity.Enterprise{}
		}
		return p.Enterprise
	}
	switch path {
	case "user_name":
		return str(&f.UserName, true)
	case "display_name":
		return str(&f.DisplayName, true)
	case "name":
		var n nameWire
		if _, err := obj(&n, true); err != nil {
			return err
		}
		p.Name = identity.Name(n)
	case "name.given_name":
		return str(&p.Name.GivenName, true)
	case "name.family_name":
		return str(&p.Name.FamilyName, true)
	case "name.formatted":
		return str(&p.Name.Formatted, false)
	case "name.middle_name":
		return str(&p.Name.MiddleName, false)
	case "name.honorific_prefix":
		return str(&p.Name.HonorificPrefix, false)
	case "name.honorific_suffix":
		return str(&p.Name.HonorificSuffix, false)
	case "emails":
		var es []emailWire
		if _, err := obj(&es, true); err != nil {
			return err
		}
		if len(es) == 0 {
			return badRequest("emails must hold the user's primary e-mail address")
		}
		p.Emails = emailsIn(es)
	case "emails.value":
		if value == nil {
			return badRequest("attribute emails.value is required and cannot be removed")
		}
		if len(p.Emails) == 0 {
			p.Emails = []identity.Email{{Type: "work", Primary: true}}
		}
		p.Emails[0].Value = *value
	case "addresses":
		var as []addressWire
		if _, err := obj(&as, false); err != nil {
			return err
		}
		p.Addresses = addressesIn(as)
	case "phone_numbers":
		var ps []phoneNumberWire
		if _, err := obj(&ps, false); err != nil {
			return err
		}
		p.PhoneNumbers = phonesIn(ps)
	case "nickname":
		return str(&p.Nickname, false)
	case "title":
		return str(&p.Title, false)
	case "locale":
		return str(&p.Locale, false)
	case "timezone":
		return str(&p.Timezone, false)
	case "preferred_language":
		return str(&p.PreferredLanguage, false)
	case "profile_url":
		return str(&p.ProfileURL, false)
	case "user_type":
		return str(&p.UserType, false)
	case "enterprise":
		var e enterpriseWire
		absent, err := obj(&e, false)
		if err != nil {
			return err
		}
		p.Enterprise = nil
		if !absent {
			p.Enterprise = e.domain()
		}
	case "enterprise.cost_center":
		return str(&ent().CostCenter, false)
	case "enterprise.department":
		return str(&ent().Department, false)
	case "enterprise.division":
		return str(&ent().Division, false)
	case "enterprise.employee_number":
		return str(&ent().EmployeeNumber, false)
	case "enterprise.organization":
		return str(&ent().Organization, false)
	case "enterprise.manager":
		var m managerWire
		absent, err := obj(&m, false)
		if err != nil {
			return err
		}
		ent().Manager = nil
		if !absent {
			ent().Manager = &identity.Manager{Value: m.Value}
		}
	case "enterprise.manager.value":
		ent().Manager = nil
		if value != nil {
			ent().Manager = &identity.Manager{Value: *value}
		}
	default:
		return badRequest("attribute_path %q cannot be updated; use one of: %s", op.AttributePath, strings.Join(updatableUserAttributes, ", "))
	}
	return nil
}

// groupPath is the one spelling of a group attribute path (the SDK
// documents snake_case; camelCase names the same attribute).
func groupPath(p string) string {
	switch p {
	case "displayName":
		return "display_name"
	case "externalIds":
		return "external_ids"
	}
	return p
}

// groupUpdates checks UpdateGroup's operations: 1 to 100, no attribute
// twice (IIC.1349). It returns them with their paths in one spelling.
func groupUpdates(in []attributeOp) ([]attributeOp, error) {
	if len(in) == 0 || len(in) > 100 {
		return nil, badRequest("operations must hold 1 to 100 items")
	}
	out := make([]attributeOp, len(in))
	seen := map[string]bool{}
	for i, o := range in {
		p := groupPath(o.AttributePath)
		if seen[p] {
			return nil, apierr.IIC1349.New()
		}
		seen[p] = true
		out[i] = attributeOp{AttributePath: p, AttributeValue: o.AttributeValue}
	}
	return out, nil
}

// applyGroupUpdates applies ops (from groupUpdates) to f, in order.
func applyGroupUpdates(f *identity.GroupFields, ops []attributeOp) error {
	for i, op := range ops {
		switch op.AttributePath {
		case "display_name":
			if op.AttributeValue == nil {
				return apierr.IIC1353.New()
			}
			f.DisplayName = *op.AttributeValue
		case "description":
			f.Description = ""
			if op.AttributeValue != nil {
				f.Description = *op.AttributeValue
			}
		case "external_ids":
			var ext []store.ExternalID
			if v := op.AttributeValue; v != nil && *v != "" {
				var wire []struct {
					Issuer string `json:"issuer"`
					ID     string `json:"id"`
				}
				if err := decodeStrict(*v, &wire); err != nil {
					return badRequest(`attribute_value of external_ids must be a JSON array of {"issuer","id"} objects`)
				}
				for _, e := range wire {
					ext = append(ext, store.ExternalID{Issuer: e.Issuer, ID: e.ID})
				}
			}
			f.ExternalIDs = ext
		default:
			return badRequest("attribute_path must be display_name, description or external_ids, not %q", ops[i].AttributePath)
		}
	}
	return nil
}

package identity

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// AttributeUpdate is one UpdateUser operation: set the attribute at Path to
// Value, or remove it when Value is nil. Object and list attributes take
// their JSON text (e.g. `{"given_name":"A","family_name":"B"}` for name).
type AttributeUpdate struct {
	Path  string
	Value *string
}

// UpdatableUserAttributes lists the attribute paths UpdateUser accepts
// (snake_case; camelCase spellings such as name.givenName are accepted too).
var UpdatableUserAttributes = []string{
	"user_name", "display_name",
	"name", "name.given_name", "name.family_name", "name.formatted", "name.middle_name", "name.honorific_prefix", "name.honorific_suffix",
	"emails", "emails.value", "addresses", "phone_numbers",
	"nickname", "title", "locale", "timezone", "preferred_language", "profile_url", "user_type",
	"enterprise", "enterprise.cost_center", "enterprise.department", "enterprise.division", "enterprise.employee_number",
	"enterprise.organization", "enterprise.manager", "enterprise.manager.value",
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

// setVerification derives the e-mails' verification_status from the
// user's email_verified flag (clients cannot set it).
func setVerification(p *Profile, primary string, verified bool) {
	for i := range p.Emails {
		p.Emails[i].VerificationStatus = "NOT_VERIFIED"
		if verified && strings.EqualFold(p.Emails[i].Value, primary) {
			p.Emails[i].VerificationStatus = "VERIFIED"
		}
	}
}

// UpdateUser applies ops (1 to 100, each path at most once) to a user
// atomically: all apply or none. A taken user name is IIC.1310, a taken
// e-mail IIC.1321; a repeated path IIC.1349; an unknown path, a value of
// the wrong shape or removing a required attribute is 400 IIC.400.
// Changing the primary e-mail makes it unverified and voids the links
// mailed to the old address.
func (s *Service) UpdateUser(ctx context.Context, c Caller, storeID, userID string, ops []AttributeUpdate) error {
	if err := normalizeUserOps(ops); err != nil {
		return err
	}
	var userName, email string
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		return tx.Users().Update(ctx, storeID, userID, func(su *store.User) error {
			old, err := decodeUser(*su)
			if err != nil {
				return err
			}
			u, primary, err := applyUserOperations(old, ops)
			if err != nil {
				return err
			}
			userName, email = u.UserName, primary
			if !strings.EqualFold(email, su.Email) {
				su.EmailVerified = false
				// Links mailed to the old address must not work any more.
				if _, err := tx.UserSecrets().DeleteTokens(ctx, storeID, userID, ""); err != nil {
					return err
				}
			}
			setVerification(&u.Profile, email, su.EmailVerified)
			profile, err := json.Marshal(u.Profile)
			if err != nil {
				return err
			}
			su.UserName, su.DisplayName, su.Email, su.Profile = u.UserName, u.DisplayName, email, profile
			su.UpdatedAt, su.UpdatedBy = s.Now().UTC(), c.Actor
			return nil
		})
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apierr.IIC1312.New()
	}
	return userConflict(err, userName, email)
}

// normalizeUserOps checks that ops holds 1 to 100 operations with no path
// twice (IIC.1349) and rewrites each path to its snake_case form in place.
func normalizeUserOps(ops []AttributeUpdate) error {
	if len(ops) == 0 || len(ops) > 100 {
		return badRequest("operations must hold 1 to 100 items")
	}
	seen := map[string]bool{}
	for i := range ops {
		p := snakePath(strings.TrimSpace(ops[i].Path))
		if seen[p] {
			return apierr.IIC1349.New()
		}
		seen[p] = true
		ops[i].Path = p
	}
	return nil
}

// applyUserOperations applies normalized ops to a copy of u and validates
// the result: it returns the updated user and its primary e-mail, or an
// apierr 4xx naming what is wrong. It touches no store (the uniqueness of
// the user name and e-mail and the verification status are the caller's)
// and leaves u unchanged.
func applyUserOperations(u User, ops []AttributeUpdate) (User, string, error) {
	u.Profile = cloneProfile(u.Profile)
	for _, op := range ops {
		if err := applyUserAttribute(&u, op); err != nil {
			return User{}, "", err
		}
	}
	name, err := canonicalUserName(u.UserName)
	if err != nil {
		return User{}, "", err
	}
	u.UserName = name
	if err := checkLen("display_name", u.DisplayName, 1, 1024); err != nil {
		return User{}, "", err
	}
	email, err := validateProfile(&u.Profile)
	if err != nil {
		return User{}, "", err
	}
	return u, email, nil
}

// cloneProfile copies p deeply enough that applying operations to the copy
// leaves p unchanged.
func cloneProfile(p Profile) Profile {
	p.Emails = slices.Clone(p.Emails)
	p.Addresses = slices.Clone(p.Addresses)
	p.PhoneNumbers = slices.Clone(p.PhoneNumbers)
	if p.Enterprise != nil {
		e := *p.Enterprise
		if e.Manager != nil {
			m := *e.Manager
			e.Manager = &m
		}
		p.Enterprise = &e
	}
	return p
}

func applyUserAttribute(u *User, op AttributeUpdate) error {
	p := &u.Profile
	path := op.Path
	str := func(dst *string, required bool) error {
		if op.Value == nil {
			if required {
				return badRequest("attribute %s is required and cannot be removed", path)
			}
			*dst = ""
			return nil
		}
		*dst = *op.Value
		return nil
	}
	obj := func(dst any, clear func(), required bool) error {
		if op.Value == nil {
			if required {
				return badRequest("attribute %s is required and cannot be removed", path)
			}
			clear()
			return nil
		}
		if err := decodeStrict(*op.Value, dst); err != nil {
			return badRequest("attribute_value of %s must be JSON of its type: %v", path, err)
		}
		return nil
	}
	ent := func() *Enterprise {
		if p.Enterprise == nil {
			p.Enterprise = &Enterprise{}
		}
		return p.Enterprise
	}
	switch path {
	case "user_name":
		return str(&u.UserName, true)
	case "display_name":
		return str(&u.DisplayName, true)
	case "name":
		var n Name
		if err := obj(&n, nil, true); err != nil {
			return err
		}
		p.Name = n
		return nil
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
		var es []Email
		if err := obj(&es, nil, true); err != nil {
			return err
		}
		if len(es) == 0 {
			return badRequest("emails must hold the user's primary e-mail address")
		}
		p.Emails = es
		return nil
	case "emails.value":
		if op.Value == nil {
			return badRequest("attribute emails.value is required and cannot be removed")
		}
		if len(p.Emails) == 0 {
			p.Emails = []Email{{Type: "work", Primary: true}}
		}
		p.Emails[0].Value = *op.Value
		return nil
	case "addresses":
		var as []Address
		if err := obj(&as, func() { as = nil }, false); err != nil {
			return err
		}
		p.Addresses = as
		return nil
	case "phone_numbers":
		var ps []PhoneNumber
		if err := obj(&ps, func() { ps = nil }, false); err != nil {
			return err
		}
		p.PhoneNumbers = ps
		return nil
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
		var e Enterprise
		if err := obj(&e, func() {}, false); err != nil {
			return err
		}
		if op.Value == nil {
			p.Enterprise = nil
		} else {
			p.Enterprise = &e
		}
		return nil
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
		var m Manager
		if err := obj(&m, func() {}, false); err != nil {
			return err
		}
		if op.Value == nil {
			ent().Manager = nil
		} else {
			ent().Manager = &m
		}
		return nil
	case "enterprise.manager.value":
		if op.Value == nil {
			ent().Manager = nil
			return nil
		}
		ent().Manager = &Manager{Value: *op.Value}
		return nil
	}
	return badRequest("attribute_path %q cannot be updated; use one of: %s", op.Path, strings.Join(UpdatableUserAttributes, ", "))
}

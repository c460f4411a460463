package identity

import (
	"strings"

	"github.com/iic-project/iic/internal/store"
)

// The user attributes the identity store keeps besides its indexed columns,
// as domain values: each surface has its own wire names for them, and the
// store keeps them as one JSON object (profile_record.go).

// Name is a user's name parts.
type Name struct {
	FamilyName      string
	GivenName       string
	Formatted       string
	MiddleName      string
	HonorificPrefix string
	HonorificSuffix string
}

// Email is one of a user's addresses; exactly one is primary.
type Email struct {
	Value              string
	Type               string
	Primary            bool
	VerificationStatus string
}

// Address is a postal address.
type Address struct {
	Country       string
	Formatted     string
	Locality      string
	PostalCode    string
	Primary       bool
	Region        string
	StreetAddress string
	Type          string
}

// PhoneNumber is a telephone number.
type PhoneNumber struct {
	Primary bool
	Type    string
	Value   string
}

// Manager references a user's manager.
type Manager struct {
	Value string
}

// Enterprise holds the SCIM enterprise-extension attributes.
type Enterprise struct {
	CostCenter     string
	Department     string
	Division       string
	EmployeeNumber string
	Manager        *Manager
	Organization   string
}

// Profile is the attributes of a user beyond its indexed columns.
type Profile struct {
	Name              Name
	Emails            []Email
	Addresses         []Address
	PhoneNumbers      []PhoneNumber
	Nickname          string
	Title             string
	Locale            string
	Timezone          string
	PreferredLanguage string
	ProfileURL        string
	UserType          string
	Enterprise        *Enterprise
}

// User is a stored user with its profile decoded.
type User struct {
	store.User
	Profile Profile
}

// dropEmptyEntries removes the entries that hold no value, the way the
// product treats them: a phone number without a value, an address without
// any part, a manager without a value, an enterprise object with nothing in
// it. Clients send such placeholders for attributes they leave unset (the
// huaweicloud Terraform provider sends phone_numbers [{"primary": true,
// "type": "Work"}] and enterprise {"manager": {}} for a user without phone
// or enterprise data); they are neither stored nor returned, so create,
// update and describe agree. E-mails are not touched: one without a value
// stays an error.
func dropEmptyEntries(p *Profile) {
	phones := p.PhoneNumbers[:0:0]
	for _, ph := range p.PhoneNumbers {
		if ph.Value != "" {
			phones = append(phones, ph)
		}
	}
	p.PhoneNumbers = nilIfEmpty(phones)
	addrs := p.Addresses[:0:0]
	for _, a := range p.Addresses {
		if a.Country != "" || a.Formatted != "" || a.Locality != "" || a.PostalCode != "" || a.Region != "" || a.StreetAddress != "" {
			addrs = append(addrs, a)
		}
	}
	p.Addresses = nilIfEmpty(addrs)
	if e := p.Enterprise; e != nil {
		if e.Manager != nil && e.Manager.Value == "" {
			e.Manager = nil
		}
		if *e == (Enterprise{}) {
			p.Enterprise = nil
		}
	}
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// Attribute returns the value of u's attribute at path, named as UpdateUser
// names attributes (user_name, name.given_name, enterprise.department, …;
// center.AccessControlAttribute.UserAttribute). Multi-valued attributes
// (emails.value, phone_numbers.value, addresses.*) give their primary
// entry's value. An unset or unknown attribute is "".
func (u User) Attribute(path string) string {
	p := &u.Profile
	switch path {
	case "user_name":
		return u.UserName
	case "display_name":
		return u.DisplayName
	case "nickname":
		return p.Nickname
	case "title":
		return p.Title
	case "locale":
		return p.Locale
	case "timezone":
		return p.Timezone
	case "preferred_language":
		return p.PreferredLanguage
	case "profile_url":
		return p.ProfileURL
	case "user_type":
		return p.UserType
	case "name.given_name":
		return p.Name.GivenName
	case "name.family_name":
		return p.Name.FamilyName
	case "name.formatted":
		return p.Name.Formatted
	case "name.middle_name":
		return p.Name.MiddleName
	case "name.honorific_prefix":
		return p.Name.HonorificPrefix
	case "name.honorific_suffix":
		return p.Name.HonorificSuffix
	case "emails.value":
		for _, e := range p.Emails {
			if e.Primary {
				return e.Value
			}
		}
		return u.Email
	case "phone_numbers.value":
		for _, ph := range p.PhoneNumbers {
			if ph.Primary {
				return ph.Value
			}
		}
		return ""
	}
	if part, ok := strings.CutPrefix(path, "addresses."); ok {
		for _, a := range p.Addresses {
			if !a.Primary {
				continue
			}
			switch part {
			case "street_address":
				return a.StreetAddress
			case "locality":
				return a.Locality
			case "region":
				return a.Region
			case "postal_code":
				return a.PostalCode
			case "country":
				return a.Country
			case "formatted":
				return a.Formatted
			}
		}
		return ""
	}
	e := p.Enterprise
	if e == nil {
		return ""
	}
	switch path {
	case "enterprise.employee_number":
		return e.EmployeeNumber
	case "enterprise.cost_center":
		return e.CostCenter
	case "enterprise.organization":
		return e.Organization
	case "enterprise.division":
		return e.Division
	case "enterprise.department":
		return e.Department
	case "enterprise.manager.value":
		if e.Manager != nil {
			return e.Manager.Value
		}
	}
	return ""
}

package identity

import "github.com/iic-project/iic/internal/store"

// The user attributes the identity store keeps besides its indexed columns,
// with the identitycenterstore SDK's JSON names. They are stored as one JSON
// object in store.User.Profile.

// Name is a user's name parts.
type Name struct {
	FamilyName      string `json:"family_name"`
	GivenName       string `json:"given_name"`
	Formatted       string `json:"formatted,omitempty"`
	MiddleName      string `json:"middle_name,omitempty"`
	HonorificPrefix string `json:"honorific_prefix,omitempty"`
	HonorificSuffix string `json:"honorific_suffix,omitempty"`
}

// Email is one of a user's addresses; exactly one is primary.
type Email struct {
	Value              string `json:"value"`
	Type               string `json:"type"`
	Primary            bool   `json:"primary"`
	VerificationStatus string `json:"verification_status,omitempty"`
}

// Address is a postal address.
type Address struct {
	Country       string `json:"country,omitempty"`
	Formatted     string `json:"formatted,omitempty"`
	Locality      string `json:"locality,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Primary       bool   `json:"primary,omitempty"`
	Region        string `json:"region,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Type          string `json:"type,omitempty"`
}

// PhoneNumber is a telephone number.
type PhoneNumber struct {
	Primary bool   `json:"primary,omitempty"`
	Type    string `json:"type,omitempty"`
	Value   string `json:"value,omitempty"`
}

// Manager references a user's manager.
type Manager struct {
	Value string `json:"value,omitempty"`
}

// Enterprise holds the SCIM enterprise-extension attributes.
type Enterprise struct {
	CostCenter     string   `json:"cost_center,omitempty"`
	Department     string   `json:"department,omitempty"`
	Division       string   `json:"division,omitempty"`
	EmployeeNumber string   `json:"employee_number,omitempty"`
	Manager        *Manager `json:"manager,omitempty"`
	Organization   string   `json:"organization,omitempty"`
}

// Profile is the JSON document kept in store.User.Profile.
type Profile struct {
	Name              Name          `json:"name"`
	Emails            []Email       `json:"emails,omitempty"`
	Addresses         []Address     `json:"addresses,omitempty"`
	PhoneNumbers      []PhoneNumber `json:"phone_numbers,omitempty"`
	Nickname          string        `json:"nickname,omitempty"`
	Title             string        `json:"title,omitempty"`
	Locale            string        `json:"locale,omitempty"`
	Timezone          string        `json:"timezone,omitempty"`
	PreferredLanguage string        `json:"preferred_language,omitempty"`
	ProfileURL        string        `json:"profile_url,omitempty"`
	UserType          string        `json:"user_type,omitempty"`
	Enterprise        *Enterprise   `json:"enterprise,omitempty"`
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

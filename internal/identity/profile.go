package identity

import "github.com/iic-project/iic/internal/store"

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

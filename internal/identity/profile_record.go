package identity

import (
	"encoding/json"
	"fmt"

	"github.com/iic-project/iic/internal/convert"
)

// The stored form of a Profile: one JSON object in store.User.Profile. Its
// member names are a storage format that rows already written hold, not any
// surface's wire names; they must not change (TestStoredProfileFormat pins
// them). The leaf records have exactly their domain type's fields, so that
// each converts to the other.

type profileRecord struct {
	Name              nameRecord          `json:"name"`
	Emails            []emailRecord       `json:"emails,omitempty"`
	Addresses         []addressRecord     `json:"addresses,omitempty"`
	PhoneNumbers      []phoneNumberRecord `json:"phone_numbers,omitempty"`
	Nickname          string              `json:"nickname,omitempty"`
	Title             string              `json:"title,omitempty"`
	Locale            string              `json:"locale,omitempty"`
	Timezone          string              `json:"timezone,omitempty"`
	PreferredLanguage string              `json:"preferred_language,omitempty"`
	ProfileURL        string              `json:"profile_url,omitempty"`
	UserType          string              `json:"user_type,omitempty"`
	Enterprise        *enterpriseRecord   `json:"enterprise,omitempty"`
}

type nameRecord struct {
	FamilyName      string `json:"family_name"`
	GivenName       string `json:"given_name"`
	Formatted       string `json:"formatted,omitempty"`
	MiddleName      string `json:"middle_name,omitempty"`
	HonorificPrefix string `json:"honorific_prefix,omitempty"`
	HonorificSuffix string `json:"honorific_suffix,omitempty"`
}

type emailRecord struct {
	Value              string `json:"value"`
	Type               string `json:"type"`
	Primary            bool   `json:"primary"`
	VerificationStatus string `json:"verification_status,omitempty"`
}

type addressRecord struct {
	Country       string `json:"country,omitempty"`
	Formatted     string `json:"formatted,omitempty"`
	Locality      string `json:"locality,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Primary       bool   `json:"primary,omitempty"`
	Region        string `json:"region,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Type          string `json:"type,omitempty"`
}

type phoneNumberRecord struct {
	Primary bool   `json:"primary,omitempty"`
	Type    string `json:"type,omitempty"`
	Value   string `json:"value,omitempty"`
}

type enterpriseRecord struct {
	CostCenter     string         `json:"cost_center,omitempty"`
	Department     string         `json:"department,omitempty"`
	Division       string         `json:"division,omitempty"`
	EmployeeNumber string         `json:"employee_number,omitempty"`
	Manager        *managerRecord `json:"manager,omitempty"`
	Organization   string         `json:"organization,omitempty"`
}

type managerRecord struct {
	Value string `json:"value,omitempty"`
}

// encodeProfile is the stored form of p.
func encodeProfile(p Profile) ([]byte, error) {
	r := profileRecord{
		Name: nameRecord(p.Name), Nickname: p.Nickname, Title: p.Title, Locale: p.Locale, Timezone: p.Timezone,
		PreferredLanguage: p.PreferredLanguage, ProfileURL: p.ProfileURL, UserType: p.UserType,
		Emails:       convert.All(p.Emails, func(e Email) emailRecord { return emailRecord(e) }),
		Addresses:    convert.All(p.Addresses, func(a Address) addressRecord { return addressRecord(a) }),
		PhoneNumbers: convert.All(p.PhoneNumbers, func(n PhoneNumber) phoneNumberRecord { return phoneNumberRecord(n) }),
	}
	if e := p.Enterprise; e != nil {
		r.Enterprise = &enterpriseRecord{CostCenter: e.CostCenter, Department: e.Department, Division: e.Division,
			EmployeeNumber: e.EmployeeNumber, Organization: e.Organization}
		if e.Manager != nil {
			r.Enterprise.Manager = &managerRecord{Value: e.Manager.Value}
		}
	}
	return json.Marshal(r)
}

// decodeProfile reads a stored profile.
func decodeProfile(b []byte) (Profile, error) {
	var r profileRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return Profile{}, fmt.Errorf("profile: %w", err)
	}
	p := Profile{
		Name: Name(r.Name), Nickname: r.Nickname, Title: r.Title, Locale: r.Locale, Timezone: r.Timezone,
		PreferredLanguage: r.PreferredLanguage, ProfileURL: r.ProfileURL, UserType: r.UserType,
		Emails:       convert.All(r.Emails, func(e emailRecord) Email { return Email(e) }),
		Addresses:    convert.All(r.Addresses, func(a addressRecord) Address { return Address(a) }),
		PhoneNumbers: convert.All(r.PhoneNumbers, func(n phoneNumberRecord) PhoneNumber { return PhoneNumber(n) }),
	}
	if e := r.Enterprise; e != nil {
		p.Enterprise = &Enterprise{CostCenter: e.CostCenter, Department: e.Department, Division: e.Division,
			EmployeeNumber: e.EmployeeNumber, Organization: e.Organization}
		if e.Manager != nil {
			p.Enterprise.Manager = &Manager{Value: e.Manager.Value}
		}
	}
	return p, nil
}

package idstore

import (
	"github.com/iic-project/iic/internal/convert"
	"github.com/iic-project/iic/internal/identity"
)

// The user attributes as the identitycenterstore SDK names them (its
// model's Name, Email, Address, PhoneNumber, Enterprise and Manager), each
// with exactly its identity type's fields so that one converts to the
// other.

type nameWire struct {
	FamilyName      string `json:"family_name"`
	GivenName       string `json:"given_name"`
	Formatted       string `json:"formatted,omitempty"`
	MiddleName      string `json:"middle_name,omitempty"`
	HonorificPrefix string `json:"honorific_prefix,omitempty"`
	HonorificSuffix string `json:"honorific_suffix,omitempty"`
}

type emailWire struct {
	Value              string `json:"value"`
	Type               string `json:"type"`
	Primary            bool   `json:"primary"`
	VerificationStatus string `json:"verification_status,omitempty"`
}

type addressWire struct {
	Country       string `json:"country,omitempty"`
	Formatted     string `json:"formatted,omitempty"`
	Locality      string `json:"locality,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Primary       bool   `json:"primary,omitempty"`
	Region        string `json:"region,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Type          string `json:"type,omitempty"`
}

type phoneNumberWire struct {
	Primary bool   `json:"primary,omitempty"`
	Type    string `json:"type,omitempty"`
	Value   string `json:"value,omitempty"`
}

type enterpriseWire struct {
	CostCenter     string       `json:"cost_center,omitempty"`
	Department     string       `json:"department,omitempty"`
	Division       string       `json:"division,omitempty"`
	EmployeeNumber string       `json:"employee_number,omitempty"`
	Manager        *managerWire `json:"manager,omitempty"`
	Organization   string       `json:"organization,omitempty"`
}

type managerWire struct {
	Value string `json:"value,omitempty"`
}

func emailsIn(in []emailWire) []identity.Email {
	return convert.All(in, func(e emailWire) identity.Email { return identity.Email(e) })
}

func emailsOut(in []identity.Email) []emailWire {
	return convert.All(in, func(e identity.Email) emailWire { return emailWire(e) })
}

func addressesIn(in []addressWire) []identity.Address {
	return convert.All(in, func(a addressWire) identity.Address { return identity.Address(a) })
}

func addressesOut(in []identity.Address) []addressWire {
	return convert.All(in, func(a identity.Address) addressWire { return addressWire(a) })
}

func phonesIn(in []phoneNumberWire) []identity.PhoneNumber {
	return convert.All(in, func(p phoneNumberWire) identity.PhoneNumber { return identity.PhoneNumber(p) })
}

func phonesOut(in []identity.PhoneNumber) []phoneNumberWire {
	return convert.All(in, func(p identity.PhoneNumber) phoneNumberWire { return phoneNumberWire(p) })
}

func (e *enterpriseWire) domain() *identity.Enterprise {
	if e == nil {
		return nil
	}
	out := &identity.Enterprise{CostCenter: e.CostCenter, Department: e.Department, Division: e.Division,
		EmployeeNumber: e.EmployeeNumber, Organization: e.Organization}
	if e.Manager != nil {
		out.Manager = &identity.Manager{Value: e.Manager.Value}
	}
	return out
}

func enterpriseOut(e *identity.Enterprise) *enterpriseWire {
	if e == nil {
		return nil
	}
	out := &enterpriseWire{CostCenter: e.CostCenter, Department: e.Department, Division: e.Division,
		EmployeeNumber: e.EmployeeNumber, Organization: e.Organization}
	if e.Manager != nil {
		out.Manager = &managerWire{Value: e.Manager.Value}
	}
	return out
}

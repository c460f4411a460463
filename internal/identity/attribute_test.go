package identity

import "testing"

// Every attribute an access-control attribute may name (center's source
// paths, as UpdateUser names them) reads its value from the user.
func TestUserAttribute(t *testing.T) {
	u := User{Profile: Profile{
		Name:         Name{GivenName: "name.given_name", FamilyName: "name.family_name", Formatted: "name.formatted", MiddleName: "name.middle_name", HonorificPrefix: "name.honorific_prefix", HonorificSuffix: "name.honorific_suffix"},
		Emails:       []Email{{Value: "other", Primary: false}, {Value: "emails.value", Primary: true}},
		PhoneNumbers: []PhoneNumber{{Value: "phone_numbers.value", Primary: true}},
		Addresses: []Address{{Primary: true, StreetAddress: "addresses.street_address", Locality: "addresses.locality", Region: "addresses.region",
			PostalCode: "addresses.postal_code", Country: "addresses.country", Formatted: "addresses.formatted"}},
		Nickname: "nickname", Title: "title", Locale: "locale", Timezone: "timezone", PreferredLanguage: "preferred_language",
		ProfileURL: "profile_url", UserType: "user_type",
		Enterprise: &Enterprise{EmployeeNumber: "enterprise.employee_number", CostCenter: "enterprise.cost_center", Organization: "enterprise.organization",
			Division: "enterprise.division", Department: "enterprise.department", Manager: &Manager{Value: "enterprise.manager.value"}},
	}}
	u.UserName, u.DisplayName = "user_name", "display_name"
	for _, path := range []string{"user_name", "display_name", "nickname", "title", "locale", "timezone", "preferred_language", "profile_url",
		"user_type", "name.given_name", "name.family_name", "name.formatted", "name.middle_name", "name.honorific_prefix", "name.honorific_suffix",
		"emails.value", "phone_numbers.value", "addresses.street_address", "addresses.locality", "addresses.region", "addresses.postal_code",
		"addresses.country", "addresses.formatted", "enterprise.employee_number", "enterprise.cost_center", "enterprise.organization",
		"enterprise.division", "enterprise.department", "enterprise.manager.value"} {
		if got := u.Attribute(path); got != path {
			t.Errorf("Attribute(%q) = %q", path, got)
		}
	}
	if got := (User{}).Attribute("enterprise.department"); got != "" {
		t.Errorf("unset department = %q", got)
	}
	if got := u.Attribute("no.such"); got != "" {
		t.Errorf("unknown path = %q", got)
	}
}

package identity

import (
	"reflect"
	"testing"
)

// Rows already stored hold profiles in this form: the encoding must keep
// producing it byte for byte, and decode it back to the same Profile.
func TestStoredProfileFormat(t *testing.T) {
	full := Profile{Name: Name{GivenName: "Bob", FamilyName: "Builder", Formatted: "Bob the Builder", MiddleName: "T", HonorificPrefix: "Mr", HonorificSuffix: "Jr"},
		Emails:       []Email{{Value: "bob@example.com", Type: "work", Primary: true, VerificationStatus: "VERIFIED"}},
		Addresses:    []Address{{Country: "CN", Locality: "Shenzhen", Primary: true, StreetAddress: "1 Road", Type: "work"}},
		PhoneNumbers: []PhoneNumber{{Primary: true, Type: "work", Value: "+86 755 0000"}},
		Nickname:     "bobby", Title: "Builder", Locale: "en-US", Timezone: "Asia/Shanghai", PreferredLanguage: "en", ProfileURL: "https://example.com/bob", UserType: "Employee",
		Enterprise: &Enterprise{CostCenter: "cc", Department: "d", Division: "v", EmployeeNumber: "42", Organization: "o", Manager: &Manager{Value: "u2"}}}
	minimal := Profile{Name: Name{GivenName: "Alice", FamilyName: "Liddell"},
		Emails: []Email{{Value: "alice@example.com", Type: "work", Primary: true, VerificationStatus: "NOT_VERIFIED"}}}
	for _, c := range []struct {
		p      Profile
		stored string
	}{
		{full, `{"name":{"family_name":"Builder","given_name":"Bob","formatted":"Bob the Builder","middle_name":"T","honorific_prefix":"Mr","honorific_suffix":"Jr"},` +
			`"emails":[{"value":"bob@example.com","type":"work","primary":true,"verification_status":"VERIFIED"}],` +
			`"addresses":[{"country":"CN","locality":"Shenzhen","primary":true,"street_address":"1 Road","type":"work"}],` +
			`"phone_numbers":[{"primary":true,"type":"work","value":"+86 755 0000"}],"nickname":"bobby","title":"Builder","locale":"en-US",` +
			`"timezone":"Asia/Shanghai","preferred_language":"en","profile_url":"https://example.com/bob","user_type":"Employee",` +
			`"enterprise":{"cost_center":"cc","department":"d","division":"v","employee_number":"42","manager":{"value":"u2"},"organization":"o"}}`},
		{minimal, `{"name":{"family_name":"Liddell","given_name":"Alice"},"emails":[{"value":"alice@example.com","type":"work","primary":true,"verification_status":"NOT_VERIFIED"}]}`},
		{Profile{}, `{"name":{"family_name":"","given_name":""}}`},
		{Profile{Enterprise: &Enterprise{Department: "d"}}, `{"name":{"family_name":"","given_name":""},"enterprise":{"department":"d"}}`},
	} {
		b, err := encodeProfile(c.p)
		if err != nil || string(b) != c.stored {
			t.Errorf("encodeProfile = %s, %v\nwant %s", b, err, c.stored)
		}
		back, err := decodeProfile([]byte(c.stored))
		if err != nil || !reflect.DeepEqual(back, c.p) {
			t.Errorf("decodeProfile(%s) = %+v, %v\nwant %+v", c.stored, back, err, c.p)
		}
	}
	if _, err := decodeProfile([]byte(`{"name":5}`)); err == nil {
		t.Error("a malformed stored profile decodes")
	}
}

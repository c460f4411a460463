package identity

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// wireOps is the operations array of an UpdateUser or UpdateGroup request
// body, as the handler decodes it.
type wireOps []struct {
	AttributePath  string  `json:"attribute_path"`
	AttributeValue *string `json:"attribute_value"`
}

// fuzzUsers are the users the operations apply to: a minimal one as
// CreateUser makes it, and one with every optional attribute set.
func fuzzUsers() []User {
	minimal := User{User: store.User{ID: "u1", UserName: "alice", DisplayName: "Alice", Email: "alice@example.com"},
		Profile: Profile{Name: Name{GivenName: "Alice", FamilyName: "Liddell"},
			Emails: []Email{{Value: "alice@example.com", Type: "work", Primary: true, VerificationStatus: "NOT_VERIFIED"}}}}
	full := minimal
	full.Profile = Profile{Name: Name{GivenName: "Bob", FamilyName: "Builder", Formatted: "Bob the Builder", MiddleName: "T", HonorificPrefix: "Mr", HonorificSuffix: "Jr"},
		Emails:       []Email{{Value: "bob@example.com", Type: "work", Primary: true, VerificationStatus: "VERIFIED"}},
		Addresses:    []Address{{Country: "CN", Locality: "Shenzhen", Primary: true, StreetAddress: "1 Road", Type: "work"}},
		PhoneNumbers: []PhoneNumber{{Primary: true, Type: "work", Value: "+86 755 0000"}},
		Nickname:     "bobby", Title: "Builder", Locale: "en-US", Timezone: "Asia/Shanghai", PreferredLanguage: "en", ProfileURL: "https://example.com/bob", UserType: "Employee",
		Enterprise: &Enterprise{CostCenter: "cc", Department: "d", Division: "v", EmployeeNumber: "42", Organization: "o", Manager: &Manager{Value: "u2"}}}
	full.UserName, full.DisplayName, full.Email = "bob", "Bob", "bob@example.com"
	return []User{minimal, full}
}

func addUserSeeds(f *testing.F) {
	huge := strings.Repeat("é", 1025)
	seeds := []string{
		`[{"attribute_path":"name.given_name","attribute_value":"Alicia"}]`,
		`[{"attribute_path":"name.givenName","attribute_value":"Alicia"},{"attribute_path":"name.given_name","attribute_value":"B"}]`,
		`[{"attribute_path":"name","attribute_value":"{\"given_name\":\"A\",\"family_name\":\"B\"}"}]`,
		`[{"attribute_path":"name","attribute_value":"{\"given_name\":\"A\"}"},{"attribute_path":"name.family_name","attribute_value":"Z"}]`,
		`[{"attribute_path":"emails","attribute_value":"[{\"value\":\"new@example.com\",\"type\":\"work\",\"primary\":true}]"}]`,
		`[{"attribute_path":"emails","attribute_value":"[{\"value\":\"new@example.com\",\"primary\":false}]"}]`,
		`[{"attribute_path":"emails","attribute_value":"[]"}]`,
		`[{"attribute_path":"emails","attribute_value":"null"}]`,
		`[{"attribute_path":"emails.value","attribute_value":"x@example.com"}]`,
		`[{"attribute_path":"emails.value","attribute_value":"a@b(c)"}]`,
		`[{"attribute_path":"emails.value","attribute_value":"\"q\"@example.com"}]`,
		`[{"attribute_path":"emails.value","attribute_value":null}]`,
		`[{"attribute_path":"addresses","attribute_value":"[{\"country\":\"DE\",\"locality\":\"Köln\",\"primary\":true}]"}]`,
		`[{"attribute_path":"addresses","attribute_value":null},{"attribute_path":"phone_numbers","attribute_value":"[{\"value\":\"+1\"}]"}]`,
		`[{"attribute_path":"enterprise.manager.value","attribute_value":"u-123"}]`,
		`[{"attribute_path":"enterprise.manager","attribute_value":"{\"value\":\"u-9\"}"},{"attribute_path":"enterprise.cost_center","attribute_value":null}]`,
		`[{"attribute_path":"enterprise","attribute_value":"{\"department\":\"R&D\",\"manager\":{\"value\":\"m\"}}"}]`,
		`[{"attribute_path":"enterprise","attribute_value":null},{"attribute_path":"enterprise.division","attribute_value":"x"}]`,
		`[{"attribute_path":"user_name","attribute_value":"日本語ユーザー"},{"attribute_path":"display_name","attribute_value":"👩‍💻"}]`,
		`[{"attribute_path":"user_name","attribute_value":null}]`,
		`[{"attribute_path":"display_name","attribute_value":"a\u0000b"}]`,
		`[{"attribute_path":"nickname","attribute_value":"` + huge + `"}]`,
		`[{"attribute_path":"title","attribute_value":null},{"attribute_path":"locale","attribute_value":"zh-CN"},{"attribute_path":"timezone","attribute_value":""}]`,
		`[{"attribute_path":"name","attribute_value":"{\"given_name\":\"A\",\"family_name\":\"B\"} trailing"}]`,
		`[{"attribute_path":"name","attribute_value":"{\"given_name\":\"A\",\"family_name\":\"B\",\"extra\":1}"}]`,
		`[{"attribute_path":"password","attribute_value":"x"}]`,
		`[{"attribute_path":" Name.GivenName ","attribute_value":"x"}]`,
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
}

// checkClientError fails unless err is an apierr the API answers with 4xx.
func checkClientError(t *testing.T, err error) {
	t.Helper()
	ae, ok := apierr.From(err)
	if !ok {
		t.Fatalf("error is not an apierr (would be a 500): %#v", err)
	}
	if ae.Status() < 400 || ae.Status() > 499 {
		t.Fatalf("error is %d, not 4xx: %v", ae.Status(), err)
	}
}

// checkStorable fails if s could not be stored in a PostgreSQL text column.
func checkStorable(t *testing.T, field, s string) {
	t.Helper()
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		t.Fatalf("%s %q is not storable text", field, s)
	}
}

// FuzzUserOperations feeds UpdateUser's operations array to the parser:
// it never panics, refuses with a 4xx apierr, leaves the input user as it
// was, and what it accepts re-validates, survives the JSON round trip of
// the store, and does not change when the same operations apply again.
func FuzzUserOperations(f *testing.F) {
	addUserSeeds(f)
	f.Fuzz(func(t *testing.T, body string, full bool) {
		var wire wireOps
		if json.Unmarshal([]byte(body), &wire) != nil {
			return
		}
		ops := make([]AttributeUpdate, 0, len(wire))
		for _, o := range wire {
			ops = append(ops, AttributeUpdate{Path: o.AttributePath, Value: o.AttributeValue})
		}
		base := fuzzUsers()[0]
		if full {
			base = fuzzUsers()[1]
		}
		if err := normalizeUserOps(ops); err != nil {
			checkClientError(t, err)
			return
		}
		u, email, err := applyUserOperations(base, ops)
		want := fuzzUsers()[0]
		if full {
			want = fuzzUsers()[1]
		}
		if !reflect.DeepEqual(base, want) {
			t.Fatalf("applyUserOperations changed its input:\n%+v\nwant\n%+v", base, want)
		}
		if err != nil {
			checkClientError(t, err)
			return
		}
		checkUser(t, u, email)

		// The store keeps the profile as JSON: what comes back validates
		// the same.
		raw, err := json.Marshal(u.Profile)
		if err != nil {
			t.Fatal(err)
		}
		var back Profile
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, u.Profile) {
			t.Fatalf("profile changes in the JSON round trip:\n%+v\n%+v", u.Profile, back)
		}

		// Replace semantics: the same operations again change nothing.
		again, email2, err := applyUserOperations(u, ops)
		if err != nil {
			t.Fatalf("operations accepted once are refused the second time: %v", err)
		}
		if email2 != email || !reflect.DeepEqual(again, u) {
			t.Fatalf("operations are not idempotent:\n%+v\n%+v", u, again)
		}
	})
}

// checkUser asserts the invariants of a user that may be stored.
func checkUser(t *testing.T, u User, email string) {
	t.Helper()
	if err := validUserName(u.UserName); err != nil {
		t.Fatalf("accepted user_name %q: %v", u.UserName, err)
	}
	if n := utf8.RuneCountInString(u.DisplayName); n < 1 || n > 1024 {
		t.Fatalf("accepted display_name of %d characters", n)
	}
	p := u.Profile
	if n := utf8.RuneCountInString(p.Name.GivenName); n < 1 || n > 64 {
		t.Fatalf("accepted name.given_name of %d characters", n)
	}
	if n := utf8.RuneCountInString(p.Name.FamilyName); n < 1 || n > 64 {
		t.Fatalf("accepted name.family_name of %d characters", n)
	}
	if len(p.Emails) == 0 {
		t.Fatal("accepted a user without e-mail")
	}
	primaries := 0
	for _, e := range p.Emails {
		if e.Primary {
			primaries++
			if e.Value != email {
				t.Fatalf("primary e-mail %q, returned %q", e.Value, email)
			}
		}
	}
	if primaries != 1 {
		t.Fatalf("accepted %d primary e-mails", primaries)
	}
	if email == "" || len(email) > 254 || strings.ContainsAny(email, "<> \t\r\n(),;\"") {
		t.Fatalf("accepted e-mail %q", email)
	}
	for field, s := range map[string]string{"user_name": u.UserName, "display_name": u.DisplayName, "email": email} {
		checkStorable(t, field, s)
	}
	cp := cloneProfile(p)
	got, err := validateProfile(&cp)
	if err != nil || got != email {
		t.Fatalf("accepted profile does not re-validate: %q %v", got, err)
	}
}

// FuzzGroupOperations does for UpdateGroup what FuzzUserOperations does
// for UpdateUser.
func FuzzGroupOperations(f *testing.F) {
	for _, s := range []string{
		`[{"attribute_path":"display_name","attribute_value":"Engineering"}]`,
		`[{"attribute_path":"displayName","attribute_value":"X"},{"attribute_path":"display_name","attribute_value":"Y"}]`,
		`[{"attribute_path":"description","attribute_value":null}]`,
		`[{"attribute_path":"description","attribute_value":"` + strings.Repeat("ü", 1025) + `"}]`,
		`[{"attribute_path":"display_name","attribute_value":"   "}]`,
		`[{"attribute_path":"display_name","attribute_value":null}]`,
		`[{"attribute_path":"display_name","attribute_value":"a\u0000"}]`,
		`[{"attribute_path":"external_ids","attribute_value":"[{\"issuer\":\"scim\",\"id\":\"1\"}]"}]`,
		`[{"attribute_path":"external_ids","attribute_value":"[{\"issuer\":\"scim\",\"id\":\"1\"},{\"issuer\":\"scim\",\"id\":\"2\"}]"}]`,
		`[{"attribute_path":"externalIds","attribute_value":""},{"attribute_path":"external_ids","attribute_value":"null"}]`,
		`[{"attribute_path":"external_ids","attribute_value":"[{\"issuer\":\"a\",\"id\":\"1\"}] []"}]`,
		`[{"attribute_path":"members","attribute_value":"x"}]`,
	} {
		f.Add(s)
	}
	base := func() store.Group {
		return store.Group{IdentityStoreID: "d-1", ID: "g1", DisplayName: "Ops", Description: "the ops team",
			ExternalIDs: []store.ExternalID{{Issuer: "scim", ID: "ext-1"}}}
	}
	f.Fuzz(func(t *testing.T, body string) {
		var wire wireOps
		if json.Unmarshal([]byte(body), &wire) != nil {
			return
		}
		ops := make([]GroupAttributeOp, 0, len(wire))
		for _, o := range wire {
			ops = append(ops, GroupAttributeOp{Path: o.AttributePath, Value: o.AttributeValue})
		}
		if err := checkGroupOpPaths(ops); err != nil {
			checkClientError(t, err)
			return
		}
		in := base()
		g, err := applyGroupOperations(in, ops)
		if !reflect.DeepEqual(in, base()) {
			t.Fatalf("applyGroupOperations changed its input: %+v", in)
		}
		if err != nil {
			checkClientError(t, err)
			return
		}
		if err := validDisplayName(g.DisplayName); err != nil {
			t.Fatalf("accepted display_name %q: %v", g.DisplayName, err)
		}
		if utf8.RuneCountInString(g.Description) > 1024 {
			t.Fatal("accepted a description over 1024 characters")
		}
		if err := validGroupExternalIDs(g.ExternalIDs); err != nil {
			t.Fatalf("accepted external_ids %+v: %v", g.ExternalIDs, err)
		}
		checkStorable(t, "display_name", g.DisplayName)
		checkStorable(t, "description", g.Description)
		for _, e := range g.ExternalIDs {
			checkStorable(t, "external_ids.issuer", e.Issuer)
			checkStorable(t, "external_ids.id", e.ID)
		}
		again, err := applyGroupOperations(g, ops)
		if err != nil || !reflect.DeepEqual(again, g) {
			t.Fatalf("operations are not idempotent: %+v %+v %v", g, again, err)
		}
	})
}

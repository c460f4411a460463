package idstore

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// fuzzUsers are the users the operations apply to, as EditUser hands
// them to an edit: a minimal one as CreateUser makes it, and one with every
// optional attribute set.
func fuzzUsers() []identity.UserFields {
	minimal := identity.UserFields{UserName: "alice", DisplayName: "Alice", Enabled: true,
		Profile: identity.Profile{Name: identity.Name{GivenName: "Alice", FamilyName: "Liddell"},
			Emails: []identity.Email{{Value: "alice@example.com", Type: "work", Primary: true, VerificationStatus: "NOT_VERIFIED"}}}}
	full := minimal
	full.UserName, full.DisplayName = "bob", "Bob"
	full.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "ext-1"}}
	full.Profile = identity.Profile{Name: identity.Name{GivenName: "Bob", FamilyName: "Builder", Formatted: "Bob the Builder", MiddleName: "T", HonorificPrefix: "Mr", HonorificSuffix: "Jr"},
		Emails:       []identity.Email{{Value: "bob@example.com", Type: "work", Primary: true, VerificationStatus: "VERIFIED"}},
		Addresses:    []identity.Address{{Country: "CN", Locality: "Shenzhen", Primary: true, StreetAddress: "1 Road", Type: "work"}},
		PhoneNumbers: []identity.PhoneNumber{{Primary: true, Type: "work", Value: "+86 755 0000"}},
		Nickname:     "bobby", Title: "Builder", Locale: "en-US", Timezone: "Asia/Shanghai", PreferredLanguage: "en", ProfileURL: "https://example.com/bob", UserType: "Employee",
		Enterprise: &identity.Enterprise{CostCenter: "cc", Department: "d", Division: "v", EmployeeNumber: "42", Organization: "o", Manager: &identity.Manager{Value: "u2"}}}
	return []identity.UserFields{minimal, full}
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

// FuzzUserOperations feeds UpdateUser's operations array through the
// surface's translation and the service's validation, as UpdateUser does:
// nothing panics, every refusal is a 4xx apierr, and what is accepted
// re-validates unchanged, holds storable text, and does not change when
// the same operations apply again (replace semantics).
func FuzzUserOperations(f *testing.F) {
	addUserSeeds(f)
	f.Fuzz(func(t *testing.T, body string, full bool) {
		var wire []attributeOp
		if json.Unmarshal([]byte(body), &wire) != nil {
			return
		}
		ops, err := userUpdates(wire)
		if err != nil {
			checkClientError(t, err)
			return
		}
		fields := fuzzUsers()[0]
		if full {
			fields = fuzzUsers()[1]
		}
		u, email, err := editUser(fields, ops)
		if err != nil {
			checkClientError(t, err)
			return
		}
		checkUser(t, u, email)
		again, email2, err := editUser(u, ops)
		if err != nil {
			t.Fatalf("operations accepted once are refused the second time: %v", err)
		}
		if email2 != email || !reflect.DeepEqual(again, u) {
			t.Fatalf("operations are not idempotent:\n%+v\n%+v", u, again)
		}
	})
}

// editUser is what EditUser does with an edit, without the store: apply
// the operations, then validate.
func editUser(f identity.UserFields, ops []attributeOp) (identity.UserFields, string, error) {
	if err := applyUserUpdates(&f, ops); err != nil {
		return identity.UserFields{}, "", err
	}
	return identity.ValidateUserFields(f)
}

// checkUser asserts the invariants of a user that may be stored.
func checkUser(t *testing.T, u identity.UserFields, email string) {
	t.Helper()
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
	again, got, err := identity.ValidateUserFields(u)
	if err != nil || got != email || !reflect.DeepEqual(again, u) {
		t.Fatalf("accepted user does not re-validate to itself: %q %v\n%+v\n%+v", got, err, u, again)
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
	base := func() identity.GroupFields {
		return identity.GroupFields{DisplayName: "Ops", Description: "the ops team",
			ExternalIDs: []store.ExternalID{{Issuer: "scim", ID: "ext-1"}}}
	}
	f.Fuzz(func(t *testing.T, body string) {
		var wire []attributeOp
		if json.Unmarshal([]byte(body), &wire) != nil {
			return
		}
		ops, err := groupUpdates(wire)
		if err != nil {
			checkClientError(t, err)
			return
		}
		g, err := editGroup(base(), ops)
		if err != nil {
			checkClientError(t, err)
			return
		}
		if utf8.RuneCountInString(g.Description) > 1024 {
			t.Fatal("accepted a description over 1024 characters")
		}
		checkStorable(t, "display_name", g.DisplayName)
		checkStorable(t, "description", g.Description)
		for _, e := range g.ExternalIDs {
			checkStorable(t, "external_ids.issuer", e.Issuer)
			checkStorable(t, "external_ids.id", e.ID)
		}
		again, err := editGroup(g, ops)
		if err != nil || !reflect.DeepEqual(again, g) {
			t.Fatalf("operations are not idempotent: %+v %+v %v", g, again, err)
		}
	})
}

// editGroup is what EditGroup does with an edit, without the store.
func editGroup(f identity.GroupFields, ops []attributeOp) (identity.GroupFields, error) {
	if err := applyGroupUpdates(&f, ops); err != nil {
		return identity.GroupFields{}, err
	}
	return identity.ValidateGroupFields(f)
}

package mapping

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// The cases follow the examples of Keystone's mapping documentation
// ("Mapping Combinations") and its rule-engine tests.
func TestEvaluate(t *testing.T) {
	type want struct {
		user     User
		groupIDs []string
		names    []GroupName
		projects []Project
	}
	employee := `{"rules": [{
		"local": [{"user": {"name": "{0}"}}, {"group": {"id": "0cd5e9"}}],
		"remote": [{"type": "UserName"}, {"type": "orgPersonType", "not_any_of": ["Contractor", "Guest"]}]}]}`
	cases := []struct {
		name    string
		mapping string
		attrs   map[string]string
		want    *want // nil: ErrNoMatch
	}{
		{"not_any_of lets an employee in", employee,
			map[string]string{"UserName": "bob", "orgPersonType": "Employee"},
			&want{user: User{Name: "bob", Type: UserEphemeral}, groupIDs: []string{"0cd5e9"}}},
		{"not_any_of keeps a contractor out", employee,
			map[string]string{"UserName": "bob", "orgPersonType": "Contractor;Employee"}, nil},
		{"a missing attribute: the rule does not apply", employee,
			map[string]string{"orgPersonType": "Employee"}, nil},
		{"any_one_of", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}, {"group": {"id": "abc"}}],
			"remote": [{"type": "UserName"}, {"type": "orgPersonType", "any_one_of": ["Customer", "Tester"]}]}]}`,
			map[string]string{"UserName": "tom", "orgPersonType": "Guest;Tester"},
			&want{user: User{Name: "tom", Type: UserEphemeral}, groupIDs: []string{"abc"}}},
		{"any_one_of with regex matches anywhere in a value", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}, {"group": {"id": "contractors"}}],
			"remote": [{"type": "UserName"}, {"type": "HTTP_OIDC_GROUPIDS", "any_one_of": [".*Contractor.*", "^Intern$"], "regex": true}]}]}`,
			map[string]string{"UserName": "ann", "HTTP_OIDC_GROUPIDS": "Developers;Senior Contractors"},
			&want{user: User{Name: "ann", Type: UserEphemeral}, groupIDs: []string{"contractors"}}},
		{"not_any_of with regex", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}],
			"remote": [{"type": "UserName"}, {"type": "Email", "not_any_of": ["@example\\.org$"], "regex": true}]}]}`,
			map[string]string{"UserName": "eve", "Email": "eve@example.org"}, nil},
		{"two direct mappings and an e-mail", `{"rules": [{
			"local": [{"user": {"name": "{0} {1}", "email": "{2}"}}, {"group": {"id": "0cd5e9"}}],
			"remote": [{"type": "FirstName"}, {"type": "LastName"}, {"type": "Email"}]}]}`,
			map[string]string{"FirstName": "Jill", "LastName": "Smith", "Email": "jill@example.com"},
			&want{user: User{Name: "Jill Smith", Email: "jill@example.com", Type: UserEphemeral}, groupIDs: []string{"0cd5e9"}}},
		{"whitelist maps the listed groups only", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"id": "0cd5e9"}}],
			"remote": [{"type": "UserName"}, {"type": "HTTP_OIDC_GROUPIDS", "whitelist": ["Developers", "Contractors"]}]}]}`,
			map[string]string{"UserName": "joe", "HTTP_OIDC_GROUPIDS": "Developers;Managers;Contractors"},
			&want{user: User{Name: "joe", Type: UserEphemeral}, names: []GroupName{
				{Name: "Developers", Domain: &Domain{ID: "0cd5e9"}}, {Name: "Contractors", Domain: &Domain{ID: "0cd5e9"}}}}},
		{"blacklist drops the listed groups", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"name": "corp"}}],
			"remote": [{"type": "UserName"}, {"type": "HTTP_OIDC_GROUPIDS", "blacklist": ["Managers"]}]}]}`,
			map[string]string{"UserName": "joe", "HTTP_OIDC_GROUPIDS": "Developers;Managers;Contractors"},
			&want{user: User{Name: "joe", Type: UserEphemeral}, names: []GroupName{
				{Name: "Developers", Domain: &Domain{Name: "corp"}}, {Name: "Contractors", Domain: &Domain{Name: "corp"}}}}},
		{"blacklist with regex", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}, {"groups": "{1}"}],
			"remote": [{"type": "UserName"}, {"type": "groups", "blacklist": ["^admin"], "regex": true}]}]}`,
			map[string]string{"UserName": "joe", "groups": "admins;readers;administrators"},
			&want{user: User{Name: "joe", Type: UserEphemeral}, names: []GroupName{{Name: "readers"}}}},
		{"a whitelist that keeps nothing maps no group", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"id": "d"}}],
			"remote": [{"type": "UserName"}, {"type": "groups", "whitelist": ["Developers"]}]}]}`,
			map[string]string{"UserName": "joe", "groups": "Sales"},
			&want{user: User{Name: "joe", Type: UserEphemeral}}},
		{"Huawei's literal group list", `{"rules": [{
			"local": [{"user": {"name": "FederationUser"}}, {"groups": "[\"admin\",\"manager\"]"}],
			"remote": [{"type": "UserName", "any_one_of": ["alice"]}]}]}`,
			map[string]string{"UserName": "alice"},
			&want{user: User{Name: "FederationUser", Type: UserEphemeral}, names: []GroupName{{Name: "admin"}, {Name: "manager"}}}},
		{"group by name in a domain; a local user", `{"rules": [{
			"local": [{"user": {"name": "{0}", "type": "local", "domain": {"name": "corp"}}}, {"group": {"name": "devs", "domain": {"name": "corp"}}}],
			"remote": [{"type": "UserName"}]}]}`,
			map[string]string{"UserName": "kim"},
			&want{user: User{Name: "kim", Type: UserLocal, Domain: &Domain{Name: "corp"}}, names: []GroupName{{Name: "devs", Domain: &Domain{Name: "corp"}}}}},
		{"group_ids from an attribute, one or a list", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}, {"group_ids": "{1}"}, {"group_ids": "['x1', 'x2']"}],
			"remote": [{"type": "UserName"}, {"type": "GroupIds"}]}]}`,
			map[string]string{"UserName": "lee", "GroupIds": "abc123;ghi789;x1"},
			&want{user: User{Name: "lee", Type: UserEphemeral}, groupIDs: []string{"abc123", "ghi789", "x1", "x2"}}},
		{"several rules: the first user wins, groups add up", `{"rules": [
			{"local": [{"user": {"name": "{0}"}}, {"group": {"id": "g1"}}], "remote": [{"type": "UserName"}]},
			{"local": [{"user": {"name": "other-{0}"}}, {"group": {"id": "g2"}}, {"group": {"id": "g1"}}], "remote": [{"type": "UserName"}, {"type": "Dept", "any_one_of": ["IT"]}]},
			{"local": [{"group": {"id": "never"}}], "remote": [{"type": "Dept", "any_one_of": ["Sales"]}]}]}`,
			map[string]string{"UserName": "max", "Dept": "IT"},
			&want{user: User{Name: "max", Type: UserEphemeral}, groupIDs: []string{"g1", "g2"}}},
		{"a multi-valued attribute in a name is its list, as Keystone formats it", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "UserName"}]}]}`,
			map[string]string{"UserName": "a;b'c"},
			&want{user: User{Name: `['a', "b'c"]`, Type: UserEphemeral}}},
		{"a multi-valued attribute with text around it still gives groups back", `{"rules": [{
			"local": [{"user": {"name": "u"}}, {"groups": "{0}"}], "remote": [{"type": "G"}]}]}`,
			map[string]string{"G": "a\\b;c\"d;e'f"},
			&want{user: User{Name: "u", Type: UserEphemeral}, names: []GroupName{{Name: `a\b`}, {Name: `c"d`}, {Name: `e'f`}}}},
		{"projects with roles", `{"rules": [{
			"local": [{"user": {"name": "{0}"}}, {"projects": [{"name": "proj-{0}", "roles": [{"name": "member"}, {"name": "{1}"}]}]}],
			"remote": [{"type": "UserName"}, {"type": "Role"}]}]}`,
			map[string]string{"UserName": "sam", "Role": "reader"},
			&want{user: User{Name: "sam", Type: UserEphemeral}, projects: []Project{{Name: "proj-sam", Roles: []string{"member", "reader"}}}}},
		{"escaped braces and {}", `{"rules": [{
			"local": [{"user": {"name": "{{{}}} {}"}}], "remote": [{"type": "A"}, {"type": "B"}]}]}`,
			map[string]string{"A": "x", "B": "y"},
			&want{user: User{Name: "{x} y", Type: UserEphemeral}}},
		{"empty users and group names (as gophertelekomcloud sends them) name nobody", `{"rules": [
			{"local": [{"user": {"name": ""}, "group": {"name": ""}}, {"group_ids": ""}], "remote": [{"type": "UserName"}]},
			{"local": [{"user": {"name": "{0}"}, "group": {"name": "devs"}}], "remote": [{"type": "UserName"}]}]}`,
			map[string]string{"UserName": "zoe"},
			&want{user: User{Name: "zoe", Type: UserEphemeral}, names: []GroupName{{Name: "devs"}}}},
		{"an empty value is still a value", `{"rules": [{"local": [{"user": {"name": "[{0}]"}}], "remote": [{"type": "A"}]}]}`,
			map[string]string{"A": ""},
			&want{user: User{Name: "[]", Type: UserEphemeral}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := Parse([]byte(c.mapping))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := rs.Evaluate(SplitValues(c.attrs))
			if c.want == nil {
				if !errors.Is(err, ErrNoMatch) {
					t.Fatalf("Evaluate = %+v, %v; want ErrNoMatch", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			w := Result{User: c.want.user, GroupIDs: nonNil(c.want.groupIDs), GroupNames: c.want.names, Projects: c.want.projects}
			if w.GroupNames == nil {
				w.GroupNames = []GroupName{}
			}
			if w.Projects == nil {
				w.Projects = []Project{}
			}
			if !reflect.DeepEqual(got, w) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(w)
				t.Fatalf("Evaluate =\n %s\nwant\n %s", gj, wj)
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// A SAML attribute's values arrive as a list: a ';' inside one is part of
// the value, not a separator.
func TestEvaluateMultiValuedAttributes(t *testing.T) {
	rs, err := Parse([]byte(`{"rules": [{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "cn", "not_any_of": ["x"]}, {"type": "uid"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := rs.Evaluate(Attributes{"cn": {"a;x"}, "uid": {"u;1"}})
	if err != nil || got.User.Name != "u;1" {
		t.Fatalf("Evaluate = %+v, %v; want user u;1", got, err)
	}
	if _, err := rs.Evaluate(Attributes{"cn": {"a", "x"}, "uid": {"u"}}); !errors.Is(err, ErrNoMatch) {
		t.Fatalf("not_any_of over a list: %v, want ErrNoMatch", err)
	}
}

package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

// An action with documented alternates: a policy naming either is allowed;
// a Deny on either denies; NotAction excludes it when it names either.
func TestAlternates(t *testing.T) {
	req := &Request{Action: "IdentityCenter:user:list", Alternates: []string{"IdentityCenter:user:listSessions"}}
	for _, c := range []struct {
		doc   string
		allow bool
	}{
		{v5(`{"Effect":"Allow","Action":["identitycenter:user:list"]}`), true},
		{v5(`{"Effect":"Allow","Action":["IdentityCenter:user:listSessions"]}`), true},
		{v5(`{"Effect":"Allow","Action":["IdentityCenter:user:listS*"]}`), true},
		{v5(`{"Effect":"Allow","Action":["IdentityCenter:user:describe"]}`), false},
		{v5(`{"Effect":"Allow","Action":["IdentityCenter:*:*"]}`, `{"Effect":"Deny","Action":["IdentityCenter:user:listSessions"]}`), false},
		{v5(`{"Effect":"Allow","NotAction":["IdentityCenter:user:listSessions"]}`), false},
		{v5(`{"Effect":"Allow","NotAction":["IdentityCenter:group:*"]}`), true},
	} {
		c1 := mustCompile(t, c.doc)
		if got := Evaluate([]*Compiled{c1}, req).Allowed; got != c.allow {
			t.Errorf("%s: allowed=%v, want %v", c.doc, got, c.allow)
		}
		if got := Explain([]*Compiled{c1}, req).Decision.Allowed; got != c.allow {
			t.Errorf("Explain %s: allowed=%v, want %v", c.doc, got, c.allow)
		}
	}
	e := Explain([]*Compiled{mustCompile(t, v5(`{"Effect":"Allow","Action":["IdentityCenter:user:listSessions"]}`))}, req)
	if !strings.Contains(e.Statements[0].Action.Reason, `"IdentityCenter:user:listSessions" matches`) {
		t.Errorf("trace does not name the alternate: %q", e.Statements[0].Action.Reason)
	}
}

// A Legacy policy sees only the request's LegacyAction; the others only the
// documented names. Deny in either kind wins.
func TestLegacyPolicies(t *testing.T) {
	req := &Request{Action: "IdentityCenter:user:create", LegacyAction: "identitystore:user:create"}
	legacyAllow := mustCompile(t, v5(`{"Effect":"Allow","Action":["identitystore:*:*"]}`)).Legacy()
	legacyWide := mustCompile(t, v5(`{"Effect":"Allow","Action":["identitycenter:*:*"]}`)).Legacy()
	newAllow := mustCompile(t, v5(`{"Effect":"Allow","Action":["IdentityCenter:user:*"]}`))
	legacyDeny := mustCompile(t, v5(`{"Effect":"Allow","Action":["*"]}`, `{"Effect":"Deny","Action":["identitystore:user:create"]}`)).Legacy()
	for _, c := range []struct {
		name  string
		ps    []*Compiled
		allow bool
	}{
		{"legacy pattern over the old name", []*Compiled{legacyAllow}, true},
		{"old identitycenter:* does not reach the identity store", []*Compiled{legacyWide}, false},
		{"new policy", []*Compiled{newAllow}, true},
		{"legacy deny wins over a new allow", []*Compiled{newAllow, legacyDeny}, false},
	} {
		if got := Evaluate(c.ps, req).Allowed; got != c.allow {
			t.Errorf("%s: allowed=%v, want %v", c.name, got, c.allow)
		}
		if got := Explain(c.ps, req).Decision.Allowed; got != c.allow {
			t.Errorf("Explain %s: allowed=%v, want %v", c.name, got, c.allow)
		}
	}
	if !legacyAllow.IsLegacy() || newAllow.IsLegacy() {
		t.Fatal("IsLegacy")
	}
	// Without a LegacyAction a legacy policy sees the action itself.
	if !Evaluate([]*Compiled{legacyDeny}, &Request{Action: "iic:policy:list"}).Allowed {
		t.Fatal("legacy policy without LegacyAction")
	}
	if n := testing.AllocsPerRun(100, func() { Evaluate([]*Compiled{newAllow, legacyAllow}, req) }); n != 0 {
		t.Errorf("Evaluate with a legacy policy allocates %v times", n)
	}
}

// The explanation marshals to snake_case keys only (the statement texts
// keep the policy language's own keys, and are not part of a trace).
func TestExplanationJSONIsSnakeCase(t *testing.T) {
	c := mustCompile(t, v5(`{"Effect":"Allow","Action":["a:b:c"],"Condition":{"Bool":{"g:MFAPresent":["true"]}}}`))
	e := Explain([]*Compiled{c}, &Request{Action: "a:b:c"})
	e.SetPolicyNames([]string{"p"})
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	CheckSnakeCase(t, "", v)
}

// CheckSnakeCase fails t for every object key in v that is not lower
// snake_case.
func CheckSnakeCase(t testing.TB, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k != strings.ToLower(k) || strings.ContainsAny(k, "- ") {
				t.Errorf("%s: key %q is not snake_case", path, k)
			}
			CheckSnakeCase(t, path+"."+k, x)
		}
	case []any:
		for _, x := range v {
			CheckSnakeCase(t, path+"[]", x)
		}
	}
}

package e2e

import (
	"encoding/json"
	"testing"

	"github.com/iic-project/iic/internal/testenv"
)

// Mapping rules as other versions of gophertelekomcloud's mappings package
// send them: its history has LocalRuleOpts with struct (not pointer) user
// and group fields, which encoding/json never omits, so every local entry
// carries "user" and "group" objects, empty ones included. v0.9.3, which
// TestFederationThroughOTC drives, has pointers and sends neither when
// unset; this test keeps the struct-field form accepted, on create (PUT,
// 201) and update (PATCH, 200), and stored as sent.
func TestFederationOTCWireQuirks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		do := func(method, path, body string, want int) map[string]any {
			t.Helper()
			resp, b := srv.Do(t, method, path, []byte(body), nil, true)
			var m map[string]any
			if resp.StatusCode != want || json.Unmarshal(b, &m) != nil {
				t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, want)
			}
			return m
		}
		rules := `[{"local":[{"user":{"name":"{0}"},"group":{"name":""}},{"user":{"name":""},"group":{"name":""},"groups":"{1}"}],` +
			`"remote":[{"type":"UserName"},{"type":"Groups"},{"type":"orgPersonType","any_one_of":["Employee"]}]}]`
		var want any
		if err := json.Unmarshal([]byte(rules), &want); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			method string
			status int
		}{{"PUT", 201}, {"PATCH", 200}, {"GET", 200}} {
			body := `{"mapping":{"rules":` + rules + `}}`
			if step.method == "GET" {
				body = ""
			}
			m := do(step.method, "/v3/OS-FEDERATION/mappings/otc-map", body, step.status)
			if got, _ := m["mapping"].(map[string]any); got == nil || !jsonEqual(got["rules"], want) {
				t.Fatalf("%s mapping = %v, want the rules as sent", step.method, m)
			}
		}
	})
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

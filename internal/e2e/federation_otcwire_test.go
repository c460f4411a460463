package e2e

import (
	"encoding/json"
	"testing"

	"github.com/iic-project/iic/internal/testenv"
)

// gophertelekomcloud (Open Telekom Cloud's Keystone client, not on the
// module proxy) sends two things no other client does, reproduced here
// byte for byte from what its federation packages marshal: mapping rules
// whose local entries carry empty "user" and "group" objects (its
// LocalRuleOpts has struct fields, which encoding/json never omits), and a
// partial OpenID Connect update (every field omitempty) with the content
// type "application/json;charset=utf8".
func TestFederationOTCWireQuirks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		do := func(method, path, body string, headers map[string]string, want int) map[string]any {
			t.Helper()
			resp, b := srv.Do(t, method, path, []byte(body), headers, true)
			var m map[string]any
			if resp.StatusCode != want || json.Unmarshal(b, &m) != nil {
				t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, want)
			}
			return m
		}
		do("PUT", "/v3/OS-FEDERATION/identity_providers/otc", `{"identity_provider":{"description":"otc","enabled":true}}`, nil, 201)

		rules := `[{"local":[{"user":{"name":"{0}"},"group":{"name":""}},{"user":{"name":""},"group":{"name":""},"groups":"{1}"}],` +
			`"remote":[{"type":"UserName"},{"type":"Groups"},{"type":"orgPersonType","any_one_of":["Employee"]}]}]`
		m := do("PUT", "/v3/OS-FEDERATION/mappings/otc-map", `{"mapping":{"rules":`+rules+`}}`, nil, 201)
		var want any
		if err := json.Unmarshal([]byte(rules), &want); err != nil {
			t.Fatal(err)
		}
		if got, _ := m["mapping"].(map[string]any); got == nil || !jsonEqual(got["rules"], want) {
			t.Fatalf("mapping = %v, want the rules as sent", m)
		}
		do("PATCH", "/v3/OS-FEDERATION/mappings/otc-map", `{"mapping":{"rules":`+rules+`}}`, nil, 200)

		utf8 := map[string]string{"Content-Type": "application/json;charset=utf8"}
		do("POST", "/v3.0/OS-FEDERATION/identity-providers/otc/openid-connect-config", `{"openid_connect_config":{"access_mode":"program_console",`+
			`"idp_url":"https://accounts.example.com","client_id":"c1","authorization_endpoint":"https://accounts.example.com/authorize",`+
			`"scope":"openid","response_type":"id_token","response_mode":"form_post","signing_key":`+string(mustJSON(fedJWKS))+`}}`, utf8, 201)
		upd := do("PUT", "/v3.0/OS-FEDERATION/identity-providers/otc/openid-connect-config", `{"openid_connect_config":{"client_id":"c2"}}`, utf8, 200)
		c, _ := upd["openid_connect_config"].(map[string]any)
		if c["client_id"] != "c2" || c["scope"] != "openid" || c["authorization_endpoint"] != "https://accounts.example.com/authorize" || c["signing_key"] != fedJWKS {
			t.Fatalf("partial update = %v, want client_id changed and the rest kept", upd)
		}
		if got := do("GET", "/v3.0/OS-FEDERATION/identity-providers/otc/openid-connect-config", "", nil, 200); !jsonEqual(got, upd) {
			t.Fatalf("read back %v, updated %v", got, upd)
		}
	})
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

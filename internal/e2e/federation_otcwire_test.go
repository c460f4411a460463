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
// type "application/json;charset=utf8"; and the shapes its protocol and
// metadata packages send and decode.
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

		// Its protocols (PUT create, PATCH update; Content-Type on GET too)
		// and its metadata import (xaccount_type always sent, 201 expected
		// from the POST) and read (the document's fields at the top level).
		// It decodes the links of IdPs and protocols into map[string]string.
		jsonCT := map[string]string{"Content-Type": "application/json"}
		proto := do("PUT", "/v3/OS-FEDERATION/identity_providers/otc/protocols/saml", `{"protocol":{"mapping_id":"otc-map"}}`, nil, 201)
		do("PATCH", "/v3/OS-FEDERATION/identity_providers/otc/protocols/saml", `{"protocol":{"mapping_id":"otc-map"}}`, nil, 200)
		protos := do("GET", "/v3/OS-FEDERATION/identity_providers/otc/protocols", "", jsonCT, 200)
		idp := do("GET", "/v3/OS-FEDERATION/identity_providers/otc", "", nil, 200)
		var otcLinks struct {
			Protocol struct {
				Links map[string]string `json:"links"`
			} `json:"protocol"`
			IdP struct {
				Links map[string]string `json:"links"`
			} `json:"identity_provider"`
			Protocols []struct {
				Links map[string]string `json:"links"`
			} `json:"protocols"`
		}
		for _, m := range []map[string]any{proto, protos, idp} {
			if err := json.Unmarshal(mustJSON(m), &otcLinks); err != nil {
				t.Fatalf("links of %v do not decode as strings: %v", m, err)
			}
		}
		if otcLinks.Protocol.Links["self"] == "" || otcLinks.IdP.Links["protocols"] == "" || len(otcLinks.Protocols) != 1 {
			t.Fatalf("links = %+v", otcLinks)
		}
		_, b64 := validCert(t, "otc-idp")
		doc := idpMetadata("https://idp.otc.example", "https://idp.otc.example/sso", b64)
		imp := map[string]string{"xaccount_type": "", "domain_id": srv.App.Root.AccountID, "metadata": doc}
		do("POST", "/v3-ext/OS-FEDERATION/identity_providers/otc/protocols/saml/metadata", string(mustJSON(imp)), nil, 201)
		md := do("GET", "/v3-ext/OS-FEDERATION/identity_providers/otc/protocols/saml/metadata", "", jsonCT, 200)
		if md["idp_id"] != "otc" || md["protocol_id"] != "saml" || md["entity_id"] != "https://idp.otc.example" || md["data"] != doc ||
			md["domain_id"] != srv.App.Root.AccountID || md["xaccount_type"] != "" || md["id"] == "" || md["update_time"] == "" {
			t.Fatalf("metadata = %v", md)
		}
	})
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

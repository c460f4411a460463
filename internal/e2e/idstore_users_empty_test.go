package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// Entries without a value are not stored: the bodies below are exactly what
// the huaweicloud Terraform provider sends for a user whose phone number,
// address and enterprise data are unset (placeholders on create, JSON nulls
// in the update operations). Describe answers without them, so the
// provider's read-back matches its configuration; set values still round-trip.
func TestUserEntriesWithoutValueAreDropped(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, _, storeID := identityStore(t, dialect)
		base := "/v1/identity-stores/" + storeID + "/users"
		call := func(method, path, body string) map[string]any {
			t.Helper()
			resp, out := srv.Do(t, method, path, []byte(body), nil, true)
			if resp.StatusCode != 200 && resp.StatusCode != 201 {
				t.Fatalf("%s %s = %d %s", method, path, resp.StatusCode, out)
			}
			var m map[string]any
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, out)
			}
			return m
		}
		created := call("POST", base, `{"user_name":"tf-user","password_mode":"OTP","display_name":"TF User",
			"emails":[{"primary":true,"type":"Work","value":"tf@example.com"}],
			"name":{"family_name":"User","given_name":"TF"},
			"phone_numbers":[{"primary":true,"type":"Work"}],
			"enterprise":{"manager":{}}}`)
		id, _ := created["user_id"].(string)
		if id == "" {
			t.Fatalf("create = %v", created)
		}
		wantAbsent := func(when string, u map[string]any, keys ...string) {
			t.Helper()
			for _, k := range keys {
				if v, ok := u[k]; ok {
					t.Fatalf("%s: %s = %v, want it absent (entries without a value are not kept)", when, k, v)
				}
			}
		}
		wantAbsent("after create", call("GET", base+"/"+id, ""), "phone_numbers", "enterprise", "addresses")

		// The provider's update operations for cleared attributes.
		ops := func(pairs ...string) string {
			var b strings.Builder
			b.WriteString(`{"operations":[`)
			for i := 0; i < len(pairs); i += 2 {
				if i > 0 {
					b.WriteByte(',')
				}
				v, _ := json.Marshal(pairs[i+1])
				b.WriteString(`{"attribute_path":"` + pairs[i] + `","attribute_value":` + string(v) + `}`)
			}
			b.WriteString(`]}`)
			return b.String()
		}
		call("PUT", base+"/"+id, ops(
			"phone_numbers", `[{"primary":true,"type":"Work","value":"+86 10 1234 5678"}]`,
			"enterprise", `{"cost_center":null,"department":"R&D","division":null,"employee_number":null,"organization":null,"manager":{"value":"boss"}}`,
			"addresses", `[{"country":"CN","region":null,"locality":null,"postal_code":null,"street_address":null,"formatted":null}]`,
		))
		u := call("GET", base+"/"+id, "")
		phones, _ := u["phone_numbers"].([]any)
		ent, _ := u["enterprise"].(map[string]any)
		addrs, _ := u["addresses"].([]any)
		if len(phones) != 1 || phones[0].(map[string]any)["value"] != "+86 10 1234 5678" || ent == nil || ent["department"] != "R&D" ||
			ent["manager"].(map[string]any)["value"] != "boss" || len(addrs) != 1 || addrs[0].(map[string]any)["country"] != "CN" {
			t.Fatalf("after setting values: %v", u)
		}
		call("PUT", base+"/"+id, ops(
			"phone_numbers", `[{"primary":true,"type":"Work","value":null}]`,
			"enterprise", `{"cost_center":null,"department":null,"division":null,"employee_number":null,"organization":null,"manager":{"value":null}}`,
			"addresses", `[{"country":null,"region":null,"locality":null,"postal_code":null,"street_address":null,"formatted":null}]`,
		))
		wantAbsent("after clearing", call("GET", base+"/"+id, ""), "phone_numbers", "enterprise", "addresses")

		// An enterprise object keeps its other attributes when only the
		// manager is empty.
		call("PUT", base+"/"+id, ops("enterprise", `{"department":"Ops","manager":{}}`))
		u = call("GET", base+"/"+id, "")
		if ent, _ := u["enterprise"].(map[string]any); ent == nil || ent["department"] != "Ops" || ent["manager"] != nil {
			t.Fatalf("enterprise with an empty manager = %v, want {department: Ops}", u["enterprise"])
		}
		// An e-mail without a value is still refused.
		resp, out := srv.Do(t, "PUT", base+"/"+id, []byte(ops("emails", `[{"primary":true,"type":"Work"}]`)), nil, true)
		if resp.StatusCode != 400 {
			t.Fatalf("e-mail without a value = %d %s, want 400", resp.StatusCode, out)
		}
	})
}

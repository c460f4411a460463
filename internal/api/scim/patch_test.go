package scim

import (
	"testing"
)

func applyAll(t *testing.T, rt *resourceType, res map[string]any, body string) error {
	t.Helper()
	ops, err := readPatch([]byte(body))
	if err != nil {
		return err
	}
	for _, op := range ops {
		if err := applyPatch(rt, res, op); err != nil {
			return err
		}
	}
	return nil
}

// PATCH examples of RFC 7644 §3.5.2 and the shapes Okta and Microsoft
// Entra ID send.
func TestApplyPatch(t *testing.T) {
	base := `{"id":"2819c223","userName":"bjensen","name":{"givenName":"Barbara","familyName":"Jensen"},"active":true,
		"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"b@home.org","type":"home"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour"}}`
	for _, c := range []struct {
		name, ops, want string
	}{
		{"replace active with Entra's string boolean", `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, `"active":"False"`},
		{"replace a sub-attribute", `{"Operations":[{"op":"replace","path":"name.familyName","value":"Smith"}]}`, `"familyName":"Smith"`},
		{"value filter then sub-attribute", `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@example.com"}]}`, `"value":"new@example.com"`},
		{"Entra creates the value a filter describes", `{"Operations":[{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 555"}]}`, `"phoneNumbers":[{"type":"mobile","value":"+1 555"}]`},
		{"no path, keys that are paths (Entra)", `{"Operations":[{"op":"Replace","value":{"name.givenName":"Babs","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Sales"}}]}`, `"givenName":"Babs"`},
		{"no path, extension object", `{"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Ops"}}}]}`, `"department":"Ops"`},
		{"remove with a filter", `{"Operations":[{"op":"remove","path":"emails[type eq \"home\"]"}]}`, `"emails":[{"primary":true,"type":"work","value":"bjensen@example.com"}]`},
		{"add to a multi-valued attribute", `{"Operations":[{"op":"add","path":"emails","value":[{"value":"x@y.z","type":"other"}]}]}`, `"value":"x@y.z"`},
		{"no path, the resource's own id (Okta)", `{"Operations":[{"op":"replace","value":{"id":"2819c223","displayName":"Babs"}}]}`, `"displayName":"Babs"`},
		{"the manager as its bare id (Entra)", `{"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m-1"}]}`, `"manager":{"value":"m-1"}`},
		{"the manager as an object", `{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"m-2"}}]}`, `"manager":{"value":"m-2"}`},
		{"op names and paths in any case", `{"operations":[{"OP":"REPLACE","PATH":"Name.GivenName","value":"B"}]}`, `"givenName":"B"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := resource(t, base)
			if err := applyAll(t, userType, res, c.ops); err != nil {
				t.Fatal(err)
			}
			if got := jsonOf(res); !containsStr(got, c.want) {
				t.Fatalf("after %s:\n%s\nwant it to hold %s", c.ops, got, c.want)
			}
		})
	}
	for _, c := range []struct{ name, ops, scimType string }{
		{"remove without a path", `{"Operations":[{"op":"remove"}]}`, "noTarget"},
		{"remove a required attribute", `{"Operations":[{"op":"remove","path":"userName"}]}`, "mutability"},
		{"write a read-only attribute", `{"Operations":[{"op":"replace","path":"id","value":"x"}]}`, "mutability"},
		{"no path, another id", `{"Operations":[{"op":"replace","value":{"id":"other","displayName":"Babs"}}]}`, "mutability"},
		{"unknown attribute", `{"Operations":[{"op":"replace","path":"nope","value":"x"}]}`, "invalidPath"},
		{"malformed path", `{"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`, "invalidPath"},
		{"replace matching nothing, not an eq filter", `{"Operations":[{"op":"replace","path":"emails[value co \"zzz\"].type","value":"x"}]}`, "noTarget"},
		{"unknown op", `{"Operations":[{"op":"move","path":"title","value":"x"}]}`, "invalidSyntax"},
		{"no operations", `{"Operations":[]}`, "invalidSyntax"},
		{"add without a value", `{"Operations":[{"op":"add","path":"title"}]}`, "invalidValue"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := resource(t, base)
			err := applyAll(t, userType, res, c.ops)
			se, ok := err.(*Error)
			if !ok || se.ScimType != c.scimType || se.Status != 400 {
				t.Fatalf("%s: %v, want 400 %s", c.ops, err, c.scimType)
			}
		})
	}
}

func containsStr(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// Member operations fold, in order, into one bulk change.
func TestMemberOps(t *testing.T) {
	ops, err := readPatch([]byte(`{"Operations":[
		{"op":"add","path":"members","value":[{"value":"u1"},{"value":"u2"}]},
		{"op":"remove","path":"members[value eq \"u2\"]"},
		{"op":"Remove","path":"members","value":[{"value":"u3"}]},
		{"op":"replace","path":"displayName","value":"G"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	mc, rest, err := memberOps(ops)
	if err != nil {
		t.Fatal(err)
	}
	if jsonOf(mc.Add) != `["u1"]` || jsonOf(mc.Remove) != `["u2","u3"]` || mc.Replace || len(rest) != 1 {
		t.Fatalf("members = %+v, rest %+v", mc, rest)
	}
	ops, _ = readPatch([]byte(`{"Operations":[{"op":"replace","path":"members","value":[{"value":"a"}]},{"op":"add","value":{"members":[{"value":"b"}]}}]}`))
	mc, _, err = memberOps(ops)
	if err != nil || !mc.Replace || jsonOf(mc.Set) != `["a","b"]` {
		t.Fatalf("replace then add = %+v, %v", mc, err)
	}
	ops, _ = readPatch([]byte(`{"Operations":[{"op":"remove","path":"members"}]}`))
	if mc, _, err = memberOps(ops); err != nil || !mc.Replace || len(mc.Set) != 0 {
		t.Fatalf("remove all = %+v, %v", mc, err)
	}
	ops, _ = readPatch([]byte(`{"Operations":[{"op":"remove","path":"members[display co \"x\"]"}]}`))
	if _, _, err = memberOps(ops); err == nil {
		t.Fatal("a members filter other than value eq must be refused")
	}
}

func FuzzApplyPatch(f *testing.F) {
	f.Add(`{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x"}]}`)
	f.Add(`{"Operations":[{"op":"Add","value":{"name.givenName":"B","emails":[{"value":"a"}]}}]}`)
	f.Add(`{"Operations":[{"op":"remove","path":"members[value eq \"u\"]"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		ops, err := readPatch([]byte(body))
		if err != nil {
			return
		}
		res := map[string]any{"userName": "a", "emails": []any{map[string]any{"value": "x", "type": "work"}}}
		for _, op := range ops {
			if applyPatch(userType, res, op) != nil {
				return
			}
		}
		if _, err := decodeUser(res); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("decode error of another type: %v", err)
			}
		}
		memberOps(ops)
	})
}

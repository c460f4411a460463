package scim

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/identity"
)

// A body that is not UTF-8, or that escapes half a surrogate pair, is
// refused before decoding (encoding/json would store U+FFFD instead).
func TestDecodeObjectUnicode(t *testing.T) {
	for body, scimType := range map[string]string{
		"{\"displayName\":\"a\xffb\"}":            "invalidSyntax",
		"{\"\xc3\x28\":1}":                        "invalidSyntax",
		`{"displayName":"\ud800"}`:                "invalidValue",
		`{"displayName":"\udc00x"}`:               "invalidValue",
		`{"displayName":"\uD83Dx"}`:               "invalidValue",
		`{"displayName":"\ud83d\u0041"}`:          "invalidValue",
		`{"a":"\\\\", "displayName":"\ud800"}`:    "invalidValue",
		`{"displayName":"a\u0000"}`:               "invalidValue",
		`{"displayName":"\ud83d\ude00 \ud800"}`:   "invalidValue",
		`{"displayName":"x"} {"displayName":"y"}`: "invalidSyntax",
	} {
		_, err := decodeObject([]byte(body))
		se, ok := err.(*Error)
		if !ok || se.Status != 400 || se.ScimType != scimType {
			t.Errorf("%q: %v, want 400 %s", body, err, scimType)
		}
	}
	for _, body := range []string{
		`{"displayName":"\ud83d\ude00"}`, `{"displayName":"\uD83D\uDE00"}`, `{"displayName":"\\ud800"}`,
		`{"displayName":"\\\\\ud83d\ude00"}`, `{"displayName":"\ufffd"}`, "{\"displayName\":\"\xef\xbf\xbd ü 日本\"}", `{"a":"\\"}`,
	} {
		if _, err := decodeObject([]byte(body)); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
}

// If-None-Match on a write: "*" or the current version fails it.
func TestIfNoneMatchOnWrites(t *testing.T) {
	for _, c := range []struct {
		headers []string
		fails   bool
	}{
		{nil, false}, {[]string{"*"}, true}, {[]string{`W/"3"`}, true}, {[]string{`"3"`}, true},
		{[]string{`W/"2", W/"3"`}, true}, {[]string{`W/"2"`, `W/"3"`}, true}, {[]string{`W/"2"`}, false}, {[]string{"garbage"}, false},
	} {
		r := httptest.NewRequest("PUT", "/t/scim/v2/Users/u", nil)
		for _, h := range c.headers {
			r.Header.Add("If-None-Match", h)
		}
		if err := ifNoneMatch(r, 3); (err == errVersionMismatch) != c.fails {
			t.Errorf("If-None-Match %q at version 3: %v", c.headers, err)
		}
	}
}

// A path-less value's keys are paths: a key naming members' parts is
// refused as the path is, and the core URN's members are members.
func TestMemberOpsPathKeys(t *testing.T) {
	for _, k := range []string{`members.value`, `Members.display`, `members[value eq \"a\"]`, `members[value eq \"a\"].value`, URNGroup + `:members.value`} {
		ops, err := readPatch([]byte(`{"Operations":[{"op":"add","value":{"` + k + `":"x"}}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := memberOps(ops); err == nil || err.(*Error).ScimType != "mutability" {
			t.Errorf("key %s: %v, want a mutability error", k, err)
		}
	}
	ops, _ := readPatch([]byte(`{"Operations":[{"op":"add","value":{"` + URNGroup + `:members":[{"value":"a"}],"displayName":"G"}}]}`))
	mc, rest, err := memberOps(ops)
	if err != nil || jsonOf(mc.Add) != `["a"]` || len(rest) != 1 {
		t.Fatalf("URN-prefixed members = %+v, rest %+v, %v", mc, rest, err)
	}
}

// Adding values that are already there changes nothing, whatever their
// number; values are the same by their value sub-attribute, or whole.
func TestAppendUnique(t *testing.T) {
	list := []any{map[string]any{"value": "a", "type": "work"}, map[string]any{"type": "home"}, "s"}
	got := appendUnique(list, []any{
		map[string]any{"value": "a", "type": "other"}, // same value
		map[string]any{"type": "home"},                // same whole
		"s", map[string]any{"value": "b"}, map[string]any{"value": "b"}, map[string]any{"type": "mobile"}, "t",
	})
	if want := `[{"type":"work","value":"a"},{"type":"home"},"s",{"value":"b"},{"type":"mobile"},"t"]`; jsonOf(got) != want {
		t.Fatalf("appendUnique = %s, want %s", jsonOf(got), want)
	}
}

// The cost of a PATCH adding many distinct values (as many as fit in the
// body limit): it must grow with the body, not with its square.
func BenchmarkPatchAddDistinct(b *testing.B) {
	for _, n := range []int{1000, 10000, 40000} {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = fmt.Sprintf(`{"value":"u%d@x.org"}`, i)
		}
		emails, _ := readPatch([]byte(`{"Operations":[{"op":"add","path":"emails","value":[` + strings.Join(vals, ",") + `]}]}`))
		for i := range vals {
			vals[i] = fmt.Sprintf(`{"value":"%05d"}`, i)
		}
		members, _ := readPatch([]byte(`{"Operations":[{"op":"add","path":"members","value":[` + strings.Join(vals, ",") + `]}]}`))
		b.Run(fmt.Sprintf("emails-%d", n), func(b *testing.B) {
			for b.Loop() {
				applyPatch(userType, map[string]any{"userName": "a"}, emails[0])
			}
		})
		b.Run(fmt.Sprintf("members-%d", n), func(b *testing.B) {
			for b.Loop() {
				memberOps(members)
			}
		})
	}
}

// A POST or PUT body, read and validated as the handlers do (readUserBody
// or readGroupBody, then the identity store's rules), either passes or is
// a SCIM 400 with a scimType; never a panic or another status. What
// passes holds only UTF-8 text without NUL, and no U+FFFD the body did not
// have.
func FuzzDecodeResource(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","name":{"givenName":"B","familyName":"J"},` +
			`"emails":[{"value":"b@example.com","primary":"True"}],"active":"False","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"}}}`,
		`{"USERNAME":"x","Name":{"GivenName":"a","familyName":"b"},"emails":[{"value":"a@b.c"}],"phoneNumbers":[{}],"addresses":[{"country":"US"}]}`,
		`{"displayName":"Group","members":[{"value":"u1"},{"value":"u2","type":"User"}],"externalId":"e"}`,
		`{"urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"nested"},"id":5,"meta":"x"}`,
		`{"userName":"\ud83d\ude00x","name":{"givenName":"\ud800","familyName":"b"},"emails":[{"value":"a@b.c","primary":true}]}`,
		"{\"displayName\":\"a\xffb\"}", `{"displayName":"a\u0000b"}`, `{"displayName":[[[[1]]]]}`, `[]`, `null`, `{"members":"x","displayName":"g"}`,
	} {
		f.Add([]byte(s), strings.Contains(s, "displayName"))
	}
	f.Fuzz(func(t *testing.T, body []byte, group bool) {
		r := httptest.NewRequest(http.MethodPost, "/t/scim/v2/Users", nil)
		r = r.WithContext(context.WithValue(r.Context(), bulkKey{}, body))
		var err error
		if group {
			var in groupIn
			if in, _, err = readGroupBody(r); err == nil {
				_, err = identity.ValidateGroupFields(identity.GroupFields{DisplayName: in.DisplayName, ExternalIDs: withExternalID(nil, in.ExternalID)})
			}
		} else {
			var in scimUser
			if in, err = readUserBody(r); err == nil {
				uf := identity.UserFields{Enabled: true}
				applyUserWire(in, &uf)
				_, _, err = identity.ValidateUserFields(uf)
			}
		}
		if err != nil {
			if se := toError(r, err); se.Status != http.StatusBadRequest || se.ScimType == "" {
				t.Fatalf("%q: %d %q %v, want a 400 with a scimType", body, se.Status, se.ScimType, err)
			}
			return
		}
		m, err := decodeObject(body)
		if err != nil {
			t.Fatalf("%q passed, yet decodeObject refuses it: %v", body, err)
		}
		hadFFFD := bytes.Contains(body, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`))
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				if !utf8.ValidString(x) || strings.ContainsRune(x, 0) || (!hadFFFD && strings.ContainsRune(x, utf8.RuneError)) {
					t.Fatalf("%q passed with the string %q", body, x)
				}
			case map[string]any:
				for k, e := range x {
					walk(k)
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		walk(m)
	})
}

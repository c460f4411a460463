package mapping

import (
	"errors"
	"testing"
)

// FuzzParse: any input either parses or gives an *Error, and a mapping
// that parses evaluates without panicking against attributes drawn from
// the same input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"rules": [{"local": [{"user": {"name": "{0}"}}, {"group": {"id": "0cd5e9"}}], "remote": [{"type": "UserName"}, {"type": "orgPersonType", "not_any_of": ["Contractor", "Guest"]}]}]}`,
		`{"rules": [{"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"id": "d"}}], "remote": [{"type": "UserName"}, {"type": "G", "whitelist": ["a", "b"], "regex": true}]}]}`,
		`{"rules": [{"local": [{"projects": [{"name": "{0}", "roles": [{"name": "r"}]}], "group_ids": "['a']"}], "remote": [{"type": "X", "blacklist": ["^a"], "regex": true}]}]}`,
		`{"rules": [{"local": [{"user": {"name": "{{{}}}"}}], "remote": [{"type": "A"}]}]}`,
	} {
		f.Add([]byte(s), "UserName", "bob;x", "G", "a;b")
	}
	f.Fuzz(func(t *testing.T, doc []byte, k1, v1, k2, v2 string) {
		rs, err := Parse(doc)
		if err != nil {
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("Parse error %T %v is not an *Error", err, err)
			}
			return
		}
		res, err := rs.Evaluate(SplitValues(map[string]string{k1: v1, k2: v2, "UserName": v1, "orgPersonType": v2, "A": v1, "X": v2}))
		if err != nil && !errors.Is(err, ErrNoMatch) {
			t.Fatalf("Evaluate: %v", err)
		}
		if err == nil && res.User.Type != UserEphemeral && res.User.Type != UserLocal {
			t.Fatalf("user type %q", res.User.Type)
		}
	})
}

func FuzzNameList(f *testing.F) {
	f.Add(`['a', "b"]`)
	f.Add(`["\u00e9\x41"]`)
	f.Fuzz(func(t *testing.T, s string) {
		if got := nameList(s); len(got) == 0 && s != "" {
			if _, ok := parseStringList(s); !ok {
				t.Fatalf("nameList(%q) is empty but the input is not a list", s)
			}
		}
		// A list argString writes is read back as written.
		values := []string{s, "x"}
		back := nameList(argString(values))
		if len(back) != 2 || back[1] != "x" {
			t.Fatalf("round trip of %q = %q", values, back)
		}
	})
}

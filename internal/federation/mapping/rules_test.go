package mapping

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseRefuses(t *testing.T) {
	rule := func(local, remote string) string {
		return `{"rules": [{"local": ` + local + `, "remote": ` + remote + `}]}`
	}
	cases := []struct {
		doc, path, msg string
	}{
		{`[]`, "", "JSON object"},
		{`{"rules": {}}`, "rules", "array of rules"},
		{`{"rules": []}`, "rules", "at least one rule"},
		{`{}`, "", `"rules" is required`},
		{`{"rules": [{"local": []}]}`, "rules[0]", `"remote" is required`},
		{`{"rules": [{"remote": [{"type": "a"}]}]}`, "rules[0]", `"local" is required`},
		{`{"rules": [{"local": [], "remote": [], "extra": 1}]}`, "rules[0]", `unknown property "extra"`},
		{rule(`[]`, `[]`), "rules[0].remote", "at least one condition"},
		{rule(`[]`, `[{}]`), "rules[0].remote[0]", `"type"`},
		{rule(`[]`, `[{"type": 1}]`), "rules[0].remote[0].type", "string"},
		{rule(`[]`, `[{"type": ""}]`), "rules[0].remote[0].type", "empty"},
		{rule(`[]`, `[{"type": "a", "any_one_of": ["x"], "not_any_of": ["y"]}]`), "rules[0].remote[0]", "only one of"},
		{rule(`[]`, `[{"type": "a", "whitelist": ["x"], "blacklist": ["y"]}]`), "rules[0].remote[0]", "only one of"},
		{rule(`[]`, `[{"type": "a", "any_one_of": "x"}]`), "rules[0].remote[0].any_one_of", "array of strings"},
		{rule(`[]`, `[{"type": "a", "any_one_of": [1]}]`), "rules[0].remote[0].any_one_of[0]", "string"},
		{rule(`[]`, `[{"type": "a", "regex": true}]`), "rules[0].remote[0].regex", "applies only"},
		{rule(`[]`, `[{"type": "a", "any_one_of": ["x"], "regex": "yes"}]`), "rules[0].remote[0].regex", "true or false"},
		{rule(`[]`, `[{"type": "a", "any_one_of": ["(x"], "regex": true}]`), "rules[0].remote[0].any_one_of[0]", "regular expression"},
		{rule(`[]`, `[{"type": "a", "any_one_of": ["(?=x)"], "regex": true}]`), "rules[0].remote[0].any_one_of[0]", "regular expression"},
		{rule(`[]`, `[{"type": "a", "type": "b"}]`), "rules[0].remote[0]", "duplicate key"},
		{rule(`[{"user": {"name": "{1}"}}]`, `[{"type": "a"}]`), "rules[0].local[0].user.name", "refers to {1}"},
		{rule(`[{"user": {"name": "{0}"}}]`, `[{"type": "a", "any_one_of": ["x"]}]`), "rules[0].local[0].user.name", "0 direct mapping"},
		{rule(`[{"user": {"name": "{0.x}"}}]`, `[{"type": "a"}]`), "rules[0].local[0].user.name", "only {0}"},
		{rule(`[{"user": {"name": "{-1}"}}]`, `[{"type": "a"}]`), "rules[0].local[0].user.name", "only {0}"},
		{rule(`[{"user": {"name": "{0"}}]`, `[{"type": "a"}]`), "rules[0].local[0].user.name", "without its '}'"},
		{rule(`[{"user": {"name": "a}"}}]`, `[{"type": "a"}]`), "rules[0].local[0].user.name", "single '}'"},
		{rule(`[{"user": {"name": "{0}{}"}}]`, `[{"type": "a"}, {"type": "b"}]`), "rules[0].local[0].user.name", "mixes"},
		{rule(`[{"user": {"nick": "x"}}]`, `[{"type": "a"}]`), "rules[0].local[0].user", `unknown property "nick"`},
		{rule(`[{"user": {"type": "admin"}}]`, `[{"type": "a"}]`), "rules[0].local[0].user.type", "ephemeral"},
		{rule(`[{"group": {}}]`, `[{"type": "a"}]`), "rules[0].local[0].group", `"id" or "name"`},
		{rule(`[{"group": {"id": "x", "name": "y"}}]`, `[{"type": "a"}]`), "rules[0].local[0].group", "not both"},
		{rule(`[{"group": {"name": "y", "domain": {}}}]`, `[{"type": "a"}]`), "rules[0].local[0].group.domain", `"id" or "name"`},
		{rule(`[{"groups": ["a"]}]`, `[{"type": "a"}]`), "rules[0].local[0].groups", "string"},
		{rule(`[{"projects": [{"name": "p"}]}]`, `[{"type": "a"}]`), "rules[0].local[0].projects[0]", `"roles"`},
		{rule(`[{"projects": [{"name": "p", "roles": [{"nom": "r"}]}]}]`, `[{"type": "a"}]`), "rules[0].local[0].projects[0].roles[0]", "unknown property"},
		{rule(`[{"role": "x"}]`, `[{"type": "a"}]`), "rules[0].local[0]", `unknown property "role"`},
		{rule(`[{"user": {"name": "`+strings.Repeat("x", MaxValueBytes+1)+`"}}]`, `[{"type": "a"}]`), "rules[0].local[0].user.name", "at most"},
		{`{"rules": [` + strings.Repeat(`{"local": [], "remote": [{"type": "a"}]},`, MaxRules) + `{"local": [], "remote": [{"type": "a"}]}]}`, "rules", "at most 100"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.doc))
		var me *Error
		if !errors.As(err, &me) {
			t.Errorf("Parse(%.80s) = %v, want an *Error", c.doc, err)
			continue
		}
		if me.Path != c.path || !strings.Contains(me.Msg, c.msg) {
			t.Errorf("Parse(%.80s) = %q at %q, want %q at %q", c.doc, me.Msg, me.Path, c.msg, c.path)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, doc := range []string{
		`{"rules": [{"local": [], "remote": [{"type": "a"}]}], "id": "kept for Keystone"}`,
		`{"rules": [{"local": [{}], "remote": [{"type": "a", "whitelist": []}]}]}`,
		`{"rules": [{"local": [{"domain": {"id": "{0}"}, "groups": "{0}"}], "remote": [{"type": "a", "blacklist": ["x"], "regex": false}]}]}`,
	} {
		if _, err := Parse([]byte(doc)); err != nil {
			t.Errorf("Parse(%s): %v", doc, err)
		}
	}
}

func TestNameList(t *testing.T) {
	for in, want := range map[string][]string{
		`["a", "b"]`:        {"a", "b"},
		`['a', "b",]`:       {"a", "b"},
		`[]`:                {},
		` [ 'x\'y' ] `:      {"x'y"},
		`['\x41\u00e9\n']`:  {"A\u00e9\n"},
		`[a, b]`:            {"[a, b]"},
		`['a' 'b']`:         {"['a' 'b']"},
		`plain`:             {"plain"},
		`['unterminated]`:   {"['unterminated]"},
		`['bad \q escape']`: {`['bad \q escape']`},
	} {
		got := nameList(in)
		if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
			t.Errorf("nameList(%q) = %q, want %q", in, got, want)
		}
	}
}

// What argString writes for a list, nameList reads back.
func TestArgStringRoundTrip(t *testing.T) {
	values := []string{"a", `b"c`, "d'e", `f\g`, "h\ni", "\x01", "é", ""}
	got := nameList(argString(values))
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", values) {
		t.Fatalf("round trip = %q, want %q", got, values)
	}
}

package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatchWildcard(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"*", "", false, true},
		{"*", "anything:at:all", false, true},
		{"?", "", false, false},
		{"?", "é", false, true},
		{"a*b", "ab", false, true},
		{"a*b", "axxbyb", false, true},
		{"a*b", "axxbyc", false, false},
		{"a*b*c", "abcbc", false, true},
		{"*a*a*a*", "aaa", false, true},
		{"*a*a*a*", "aa", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"ABC", "abc", false, false},
		{"abc", "ABC", true, true},
		{"ecs:*:get*", "ECS:Servers:GetDetail", true, true},
		{"ecs:*:get*", "ECS:Servers:list", true, false},
		{"straße", "STRAßE", true, true},
		{"**", "", false, true},
		{"a**?", "ab", false, true},
	}
	for _, tc := range tests {
		if got := matchWildcard(tc.pattern, tc.s, tc.fold); got != tc.want {
			t.Errorf("matchWildcard(%q, %q, fold=%v) = %v, want %v", tc.pattern, tc.s, tc.fold, got, tc.want)
		}
	}
}

// referenceMatch is the obviously-correct matcher FuzzWildcard compares
// against: the pattern translated to an anchored regexp.
func referenceMatch(pattern, s string) bool {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String()).MatchString(s)
}

func FuzzWildcard(f *testing.F) {
	for _, seed := range [][2]string{
		{"*", ""}, {"a*b?c", "axxbyc"}, {"ecs:*:get*", "ecs:servers:getX"}, {"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaa"},
		{"?", "é"}, {"STRASSE", "strasse"}, {"İ*", "i̇x"}, {"a\\*", "a\\b"}, {"[.]", "[.]"}, {"\xff*", "\xfe"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 256 {
			return
		}
		got := matchWildcard(pattern, s, false)
		if utf8.ValidString(pattern) && utf8.ValidString(s) {
			if want := referenceMatch(pattern, s); got != want {
				t.Fatalf("matchWildcard(%q, %q) = %v, reference %v", pattern, s, got, want)
			}
		}
		if isASCII(s) && utf8.ValidString(pattern) {
			wp := compilePattern(pattern)
			if got, want := matchASCII(&wp, s), referenceMatch(pattern, s); got != want {
				t.Fatalf("matchASCII(%q, %q) = %v, reference %v", pattern, s, got, want)
			}
			if got2 := matchASCII(&wp, []byte(s)); got2 != got {
				t.Fatalf("matchASCII string/[]byte disagree on (%q, %q)", pattern, s)
			}
		}
		lp, ls := strings.ToLower(pattern), strings.ToLower(s)
		gotFold := matchWildcard(lp, s, true)
		if want := referenceMatch(lp, ls); gotFold != want {
			t.Fatalf("fold matchWildcard(%q, %q) = %v, reference on lower-cased %v", lp, s, gotFold, want)
		}
	})
}

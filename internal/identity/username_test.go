package identity

import (
	"testing"
	"unicode/utf8"
)

func TestCanonicalUserName(t *testing.T) {
	for in, want := range map[string]string{
		"alice":             "alice",
		"Alice@Example.com": "Alice@Example.com",
		"e\u0301lodie":      "\u00e9lodie", // decomposed é becomes NFC
		"ａｄｍｉｎ":             "admin",       // fullwidth letters are the ordinary ones
		"jürgen.müller":     "jürgen.müller",
		"李小龙":               "李小龙",
		"o'brien_x-1+tag":   "o'brien_x-1+tag",
	} {
		got, err := canonicalUserName(in)
		if err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"a b", "a\u200bb", "x", "smile😀", "a\u00a0b", "\u2126mega"} {
		if got, err := canonicalUserName(in); err == nil && got == in {
			t.Errorf("%q accepted unchanged, want it refused or mapped", in)
		}
	}
}

func FuzzCanonicalUserName(f *testing.F) {
	for _, s := range []string{"alice", "e\u0301", "ａｄｍｉｎ", "李", "a\u200bb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := canonicalUserName(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(out) {
			t.Fatalf("%q → invalid UTF-8", s)
		}
		again, err := canonicalUserName(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q → %q → %q, %v", s, out, again, err)
		}
		if lookupUserName(s) != out {
			t.Fatalf("look-up of %q is %q, the stored form %q", s, lookupUserName(s), out)
		}
	})
}

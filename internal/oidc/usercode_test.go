package oidc

import (
	"strings"
	"testing"
)

func TestNormalizeUserCode(t *testing.T) {
	for in, want := range map[string]string{
		"BCDF-GHJK":     "BCDF-GHJK",
		"bcdf-ghjk":     "BCDF-GHJK",
		"bcdfghjk":      "BCDF-GHJK",
		" BcDf GhJk ":   "BCDF-GHJK",
		"BC-DF-GH-JK":   "BCDF-GHJK",
		"zzzz-zzzz":     "ZZZZ-ZZZZ",
		"\tBCDF-GHJK\t": "BCDF-GHJK",
	} {
		if got, ok := NormalizeUserCode(in); !ok || got != want {
			t.Errorf("NormalizeUserCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{
		"", "BCDF-GHJ", "BCDF-GHJKL", "BCDA-GHJK", // A is not in the alphabet
		"BCDF-GHJ0", "BCDF_GHJK", "ＢCDF-GHJK", "BCDF-GHJK\x00", strings.Repeat("B", 65),
	} {
		if got, ok := NormalizeUserCode(in); ok {
			t.Errorf("NormalizeUserCode(%q) = %q, accepted", in, got)
		}
	}
}

// NormalizeUserCode accepts exactly the strings that are 8 alphabet letters
// in either case once dashes and blanks are dropped, and its result is a
// fixed point.
func FuzzNormalizeUserCode(f *testing.F) {
	for _, s := range []string{"BCDF-GHJK", "bcdfghjk", " b c d f g h j k ", "BCDA-GHJK", "", "----", "ｂcdfghjk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := NormalizeUserCode(in)
		stripped := strings.NewReplacer("-", "", " ", "", "\t", "").Replace(in)
		want := len(in) <= 64 && len(stripped) == userCodeLen
		for i := 0; want && i < len(stripped); i++ {
			if !strings.ContainsRune(UserCodeAlphabet, rune(stripped[i]&^0x20)) || (stripped[i] < 'A') {
				want = false
			}
		}
		if ok != want {
			t.Fatalf("NormalizeUserCode(%q) ok = %v, want %v", in, ok, want)
		}
		if !ok {
			return
		}
		if len(got) != 9 || got[4] != '-' || strings.ToUpper(stripped) != got[:4]+got[5:] {
			t.Fatalf("NormalizeUserCode(%q) = %q", in, got)
		}
		if again, ok := NormalizeUserCode(got); !ok || again != got {
			t.Fatalf("not a fixed point: %q → %q", got, again)
		}
	})
}

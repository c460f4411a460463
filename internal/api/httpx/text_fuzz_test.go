package httpx

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// HasLoneSurrogate never panics, and when it passes a UTF-8 JSON text that
// holds no U+FFFD of its own, encoding/json decodes it without inventing
// one (what a lone surrogate escape would become).
func FuzzHasLoneSurrogate(f *testing.F) {
	for _, s := range []string{`{"a":"\ud800"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\\ud800"}`, `["\udc00"]`, `"\ud800\u0041"`, `{"\ud800":1}`, `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lone := HasLoneSurrogate([]byte(s))
		if lone || !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) || strings.Contains(strings.ToLower(s), `\ufffd`) {
			return
		}
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		out, _ := json.Marshal(v)
		if strings.ContainsRune(string(out), utf8.RuneError) || strings.Contains(string(out), `\ufffd`) {
			t.Fatalf("%q passed but decodes to U+FFFD: %s", s, out)
		}
	})
}

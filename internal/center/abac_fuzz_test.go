package center

import (
	"testing"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// FuzzAccessControlAttributes feeds arbitrary keys and sources to the
// access-control attribute validation: it never panics, a rejection is a
// 400, and an accepted attribute has a key within the tag-key rules and a
// source that resolves to an identity-store attribute.
func FuzzAccessControlAttributes(f *testing.F) {
	for _, s := range [][2]string{
		{"department", "${path:enterprise.department}"}, {"email", "${user:email}"},
		{"mail", "${path:emails[primary eq true].value}"}, {"_sys_x", "${path:userName}"},
		{" k", "${path:userName}"}, {"k", "${path:"}, {"k", "${}"}, {"k", "$path:userName}"},
		{"k\x00", "${user:}"}, {"", ""}, {"ключ", "${path:displayName}"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, key, source string) {
		err := validateAttributes([]store.AccessControlAttribute{{Key: key, Source: []string{source}}})
		if err != nil {
			if e, ok := apierr.From(err); !ok || e.Status() != 400 {
				t.Fatalf("(%q, %q): rejection %v is not a 400 API error", key, source, err)
			}
			return
		}
		if n := utf8.RuneCountInString(key); n == 0 || n > MaxAttributeKeyLen || !utf8.ValidString(key) {
			t.Fatalf("accepted key %q", key)
		}
		if _, attr, ok := resolveSource(source); !ok || attr == "" {
			t.Fatalf("accepted source %q that does not resolve", source)
		}
	})
}

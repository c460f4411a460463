package identity

import (
	"bytes"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
)

// fuzzPolicy turns fuzz bytes into a policy within the API's ranges.
func fuzzPolicy(minLen uint8, flags uint8) PasswordPolicy {
	return PasswordPolicy{MinimumLength: MinPolicyLength + int(minLen)%(MaxPolicyLength-MinPolicyLength+1),
		RequireLowercase: flags&1 != 0, RequireUppercase: flags&2 != 0, RequireNumbers: flags&4 != 0, RequireSymbols: flags&8 != 0}
}

// FuzzCheckComplexity: the password check never panics, refuses only with
// IIC.1314, and what it accepts has the policy's length and classes; a
// password from GeneratePassword always passes the policy it was made for.
func FuzzCheckComplexity(f *testing.F) {
	for _, s := range []string{"", "Passw0rd!", "password", "PASSWORD1!", "Pässwörd1!", "密码密码密码密码A1!a", "Tab\tTab1!a", "a\x00B1!aaaaa",
		"\xff\xfeAbc1!xyz", "ǅǅǅǅǅǅǅǅ1!", "Aa1!" + string(make([]byte, 200)), "👩‍💻👩‍💻Aa1!aaaa", "Ａａ１！ａａａａ"} {
		f.Add(s, uint8(0), uint8(15), []byte{1, 2, 3})
	}
	f.Fuzz(func(t *testing.T, password string, minLen, flags uint8, random []byte) {
		p := fuzzPolicy(minLen, flags)
		err := p.CheckComplexity(password)
		if err != nil {
			if !apierr.IIC1314.Is(err) {
				t.Fatalf("CheckComplexity(%q) = %v, want IIC.1314", password, err)
			}
		} else {
			n := utf8.RuneCountInString(password)
			if !utf8.ValidString(password) || n < p.MinimumLength || n > MaxPasswordLength {
				t.Fatalf("accepted %q (%d characters) under minimum %d", password, n, p.MinimumLength)
			}
			var lower, upper, digit, symbol bool
			for _, r := range password {
				if unicode.IsControl(r) {
					t.Fatalf("accepted control character %U", r)
				}
				lower = lower || unicode.IsLower(r)
				upper = upper || unicode.IsUpper(r)
				digit = digit || unicode.IsDigit(r)
				symbol = symbol || (!unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r))
			}
			if p.RequireLowercase && !lower || p.RequireUppercase && !upper || p.RequireNumbers && !digit || p.RequireSymbols && !symbol {
				t.Fatalf("accepted %q under %+v", password, p)
			}
		}
		// A reader that runs dry makes GeneratePassword fail, never loop.
		pw, err := GeneratePassword(bytes.NewReader(random), p)
		if err != nil {
			return
		}
		if err := p.CheckComplexity(pw); err != nil {
			t.Fatalf("generated %q fails its policy %+v: %v", pw, p, err)
		}
	})
}

// FuzzValidUserName: user-name validation never panics, refuses with a
// 400, and what it accepts is 1 to 128 characters of storable text without
// spaces or control characters.
func FuzzValidUserName(f *testing.F) {
	for _, s := range []string{"alice", "", " ", "a b", "a\x00", "a\x7f", "日本語", "\xff", "a@example.com", "ǅ", "a\u00a0b", "a\u200bb", "a\u2028b", "x", string(make([]byte, 129))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := validUserName(name)
		if err != nil {
			checkClientError(t, err)
			return
		}
		if n := utf8.RuneCountInString(name); n < 2 || n > 128 {
			t.Fatalf("accepted %q of %d characters", name, n)
		}
		checkStorable(t, "user_name", name)
		for _, r := range name {
			if r < 0x21 || r == 0x7f || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("accepted %q", name)
			}
		}
	})
}

package identity

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

func TestCheckComplexity(t *testing.T) {
	all := DefaultPasswordPolicy
	cases := []struct {
		policy   PasswordPolicy
		password string
		ok       bool
		mention  string
	}{
		{all, "Abcdef1!", true, ""},
		{all, "Abcde1!", false, "8 to 128"},
		{all, "abcdef1!", false, "upper-case"},
		{all, "ABCDEF1!", false, "lower-case"},
		{all, "Abcdefg!", false, "digit"},
		{all, "Abcdefg1", false, "symbol"},
		{all, "Abcdefg 1", false, "symbol"}, // a space is not a symbol
		{all, "Äbcdéf1€", true, ""},         // letters and symbols beyond ASCII count
		{all, "Abcdef1!\x00", false, "control"},
		{all, "Abcdef1!" + strings.Repeat("x", 121), false, "8 to 128"},
		{all, "Abcdef1!" + strings.Repeat("x", 120), true, ""},
		{all, "Abcdef1\xff!", false, ""}, // invalid UTF-8
		{PasswordPolicy{MinimumLength: 12}, "aaaaaaaaaaaa", true, ""},
		{PasswordPolicy{MinimumLength: 12}, "aaaaaaaaaaa", false, "12 to 128"},
		{PasswordPolicy{MinimumLength: 8, RequireNumbers: true}, "abcdefgh", false, "digit"},
	}
	for _, c := range cases {
		err := c.policy.CheckComplexity(c.password)
		if c.ok {
			if err != nil {
				t.Errorf("%q under %+v: %v", c.password, c.policy, err)
			}
			continue
		}
		if !apierr.IIC1314.Is(err) {
			t.Errorf("%q under %+v: got %v, want IIC.1314", c.password, c.policy, err)
		} else if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%q: message %q does not mention %q", c.password, err.Error(), c.mention)
		}
	}
}

func mustHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCheckNewPassword(t *testing.T) {
	p := DefaultPasswordPolicy
	// The user name, in any case, is refused even when it is complex.
	if err := checkNewPassword(p, "Alice.Smith1!", "alice.smith1!", nil); !apierr.IIC1324.Is(err) {
		t.Fatalf("password = user name: %v", err)
	}
	if err := checkNewPassword(p, "alice", "weak", nil); !apierr.IIC1314.Is(err) {
		t.Fatalf("weak: %v", err)
	}
	cur := &store.Password{Hash: mustHash(t, "Current1!"), History: []string{mustHash(t, "Previous1!"), mustHash(t, "Older1!")}}
	if err := checkNewPassword(p, "alice", "Current1!", cur); !apierr.IIC1315.Is(err) {
		t.Fatalf("same as current (e.g. the one-time password): %v", err)
	}
	// ReusePrevention 1 counts only the current password.
	if err := checkNewPassword(p, "alice", "Previous1!", cur); err != nil {
		t.Fatalf("previous password with reuse prevention 1: %v", err)
	}
	p.ReusePrevention = 2
	if err := checkNewPassword(p, "alice", "Previous1!", cur); !apierr.IIC1315.Is(err) {
		t.Fatalf("previous password with reuse prevention 2: %v", err)
	}
	if err := checkNewPassword(p, "alice", "Older1!x", cur); err != nil {
		t.Fatalf("new password: %v", err)
	}
	// Reuse prevention 0 still refuses the current password.
	p.ReusePrevention = 0
	if err := checkNewPassword(p, "alice", "Current1!", cur); !apierr.IIC1315.Is(err) {
		t.Fatalf("current password with reuse prevention 0: %v", err)
	}
}

func TestPasswordHash(t *testing.T) {
	h := mustHash(t, "Secret1!")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not an Argon2id PHC string", h)
	}
	if h2 := mustHash(t, "Secret1!"); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !CheckPasswordHash(h, "Secret1!") || CheckPasswordHash(h, "Secret1?") || CheckPasswordHash(h, "") {
		t.Fatal("argon2id verification is wrong")
	}
	// Other parameters in the hash are honoured.
	low := phc("pw", []byte("saltsaltsaltsalt"), 1024, 1, 1, 32)
	if !CheckPasswordHash(low, "pw") {
		t.Fatal("hash with other parameters not verified")
	}
	b, _ := bcrypt.GenerateFromPassword([]byte("Imported1!"), bcrypt.MinCost)
	if !CheckPasswordHash(string(b), "Imported1!") || CheckPasswordHash(string(b), "imported1!") {
		t.Fatal("bcrypt verification is wrong")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", strings.Replace(h, "$v=19$", "$v=16$", 1)} {
		if CheckPasswordHash(bad, "pw") {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
}

// Generated one-time passwords are stored as salted SHA-256.
func TestGeneratedPasswordHash(t *testing.T) {
	h, err := hashGenerated("k7#Qm9x!Rt2v@Wz4")
	if err != nil || !strings.HasPrefix(h, "$sha256$") {
		t.Fatalf("hashGenerated = %q, %v", h, err)
	}
	if h2, _ := hashGenerated("k7#Qm9x!Rt2v@Wz4"); h2 == h {
		t.Fatal("two hashes of one one-time password are equal: no salt")
	}
	if !CheckPasswordHash(h, "k7#Qm9x!Rt2v@Wz4") || CheckPasswordHash(h, "k7#Qm9x!Rt2v@Wz5") || CheckPasswordHash(h, "") {
		t.Fatal("sha256 verification is wrong")
	}
	salt, _, _ := strings.Cut(strings.TrimPrefix(h, "$sha256$"), "$")
	for _, bad := range []string{"$sha256$", "$sha256$$", "$sha256$" + salt, "$sha256$" + salt + "$", "$sha256$!!$AAAA", h[:len(h)-2] + "AA"} {
		if CheckPasswordHash(bad, "k7#Qm9x!Rt2v@Wz4") {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	for _, p := range []PasswordPolicy{DefaultPasswordPolicy, {MinimumLength: 40, RequireSymbols: true}, {MinimumLength: 8}} {
		seen := map[string]bool{}
		for i := 0; i < 50; i++ {
			pw, err := GeneratePassword(nil, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.CheckComplexity(pw); err != nil {
				t.Fatalf("generated %q fails %+v: %v", pw, p, err)
			}
			if err := DefaultPasswordPolicy.CheckComplexity(pw); err != nil {
				t.Fatalf("generated %q lacks a class: %v", pw, err)
			}
			if len(pw) < max(16, p.MinimumLength) || strings.IndexFunc(pw, unicode.IsSpace) >= 0 {
				t.Fatalf("generated %q too short or has spaces", pw)
			}
			if seen[pw] {
				t.Fatalf("generated %q twice", pw)
			}
			seen[pw] = true
		}
	}
}

func TestValidUserName(t *testing.T) {
	for name, ok := range map[string]bool{
		"alice": true, "jean.dupont@example.com": true, "élève": true, "日本語": true, "ab": true,
		"a": false, "": false, "a b": false, "a\u00a0b": false, "a\u200bb": false, "a\u2060b": false,
		"a\u2028b": false, "a\u202eb": false, "a\tb": false, "a\x7fb": false, string(make([]rune, 129)): false,
	} {
		if err := validUserName(name); (err == nil) != ok {
			t.Errorf("validUserName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

package signin_test

import (
	"testing"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/testenv"
)

// FuzzParseCredential: what the browser posts as its credential, parsed
// as an assertion and as an attestation, never panics; what cannot be read
// is 400 IIC.1740 and nothing else.
func FuzzParseCredential(f *testing.F) {
	key := testenv.NewAuthenticator(f, origin)
	f.Add(key.Register(f, `{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","user":{"id":"dXNlcg"}}`))
	f.Add(key.Assert(f, `{"challenge":"AAAAAAAAAAAAAAAAAAAAAA"}`))
	for _, s := range []string{"", "{}", "null", "[]", `{"id":"","type":"public-key"}`, `{"id":"AA","rawId":"AA","type":"public-key","response":{}}`,
		`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`,
		`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AA","signature":"AA"}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if p, err := signin.ParseAssertion(raw); err != nil && !apierr.IIC1740.Is(err) {
			t.Fatalf("assertion %q: %v", raw, err)
		} else if err == nil && p == nil {
			t.Fatalf("assertion %q: nil without an error", raw)
		}
		if p, err := signin.ParseAttestation(raw); err != nil && !apierr.IIC1740.Is(err) {
			t.Fatalf("attestation %q: %v", raw, err)
		} else if err == nil && p == nil {
			t.Fatalf("attestation %q: nil without an error", raw)
		}
	})
}

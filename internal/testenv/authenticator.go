package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"testing"
)

// Authenticator is a software WebAuthn authenticator for tests: one ECDSA
// P-256 credential, attestation format "none", authenticator data with
// the rpIdHash, the UP/UV/BE/AT flags and a signature counter, the public
// key as a COSE_Key; an assertion signs authenticatorData ||
// SHA-256(clientDataJSON). Its fields are what a test may change to forge
// an answer: RPID (the rpIdHash it signs for), Origin (in the client
// data), Count (the counter; each assertion adds one first).
type Authenticator struct {
	RPID   string
	Origin string
	// Count is the signature counter; 0 with NoCounter means an
	// authenticator without one.
	Count     uint32
	NoCounter bool
	// UV sets the user-verified flag; BackupEligible the BE flag (a
	// synced passkey); Attachment is authenticatorAttachment
	// ("cross-platform" by default); Discoverable is what credProps.rk
	// reports.
	UV             bool
	BackupEligible bool
	Attachment     string
	Discoverable   bool

	key        *ecdsa.PrivateKey
	id         []byte
	userHandle []byte
}

// NewAuthenticator is an authenticator for the relying party at origin
// (its host is the RP ID): a roaming security key with a counter.
func NewAuthenticator(t testing.TB, origin string) *Authenticator {
	t.Helper()
	u, err := url.Parse(origin)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &Authenticator{RPID: u.Hostname(), Origin: origin, Attachment: "cross-platform", key: key, id: id}
}

// Forge is a copy of a with another key pair: the same credential id and
// user handle, signatures the registered public key does not verify.
func (a *Authenticator) Forge(t testing.TB) *Authenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := *a
	f.key = key
	return &f
}

// CredentialID is the credential's id, base64url.
func (a *Authenticator) CredentialID() string { return b64(a.id) }

var b64 = base64.RawURLEncoding.EncodeToString

func unb64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("base64url %q: %v", s, err)
	}
	return b
}

// Register answers PublicKeyCredentialCreationOptions (their JSON form)
// with a RegistrationResponseJSON.
func (a *Authenticator) Register(t testing.TB, optionsJSON string) string {
	t.Helper()
	var o struct {
		Challenge string `json:"challenge"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal([]byte(optionsJSON), &o); err != nil {
		t.Fatalf("creation options %q: %v", optionsJSON, err)
	}
	a.userHandle = unb64(t, o.User.ID)
	cd := a.clientData("webauthn.create", o.Challenge)
	flags := byte(0x01 | 0x40) // UP, AT
	authData := a.authData(flags)
	authData = append(authData, make([]byte, 16)...) // AAGUID: zero
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(a.id)))
	authData = append(authData, a.id...)
	authData = append(authData, a.coseKey()...)
	att := []byte{0xa3}
	att = append(att, cborText("fmt")...)
	att = append(att, cborText("none")...)
	att = append(att, cborText("attStmt")...)
	att = append(att, 0xa0)
	att = append(att, cborText("authData")...)
	att = append(att, cborBytes(authData)...)
	return mustJSON(t, map[string]any{
		"id": b64(a.id), "rawId": b64(a.id), "type": "public-key", "authenticatorAttachment": a.Attachment,
		"clientExtensionResults": map[string]any{"credProps": map[string]any{"rk": a.Discoverable}},
		"response":               map[string]any{"clientDataJSON": b64(cd), "attestationObject": b64(att), "transports": []string{"usb"}},
	})
}

// Assert answers PublicKeyCredentialRequestOptions (their JSON form) with
// an AuthenticationResponseJSON, adding one to Count first (unless
// NoCounter).
func (a *Authenticator) Assert(t testing.TB, optionsJSON string) string {
	t.Helper()
	var o struct {
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal([]byte(optionsJSON), &o); err != nil {
		t.Fatalf("request options %q: %v", optionsJSON, err)
	}
	if !a.NoCounter {
		a.Count++
	}
	return a.AssertAt(t, o.Challenge, a.Count)
}

// AssertAt is an assertion over challenge (base64url) with counter count,
// Count left as it is.
func (a *Authenticator) AssertAt(t testing.TB, challenge string, count uint32) string {
	t.Helper()
	cd := a.clientData("webauthn.get", challenge)
	saved := a.Count
	a.Count = count
	authData := a.authData(0x01) // UP
	a.Count = saved
	digest := sha256.Sum256(cd)
	signed := sha256.Sum256(append(append([]byte{}, authData...), digest[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, signed[:])
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, map[string]any{
		"id": b64(a.id), "rawId": b64(a.id), "type": "public-key", "authenticatorAttachment": a.Attachment, "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64(cd), "authenticatorData": b64(authData), "signature": b64(sig), "userHandle": b64(a.userHandle)},
	})
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

// authData is rpIdHash || flags || signCount (without attested data).
func (a *Authenticator) authData(flags byte) []byte {
	if a.UV {
		flags |= 0x04
	}
	if a.BackupEligible {
		flags |= 0x08
	}
	h := sha256.Sum256([]byte(a.RPID))
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, a.Count)
}

// coseKey is the public key as a COSE_Key: EC2, ES256, P-256, x, y.
func (a *Authenticator) coseKey() []byte {
	pub, err := a.key.PublicKey.ECDH()
	if err != nil {
		panic(err)
	}
	raw := pub.Bytes() // 0x04 || x || y
	out := []byte{0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21}
	out = append(out, cborBytes(raw[1:33])...)
	out = append(out, 0x22)
	return append(out, cborBytes(raw[33:65])...)
}

func cborHead(major byte, n int) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 256:
		return []byte{major<<5 | 24, byte(n)}
	default:
		return []byte{major<<5 | 25, byte(n >> 8), byte(n)}
	}
}

func cborBytes(b []byte) []byte { return append(cborHead(2, len(b)), b...) }
func cborText(s string) []byte  { return append(cborHead(3, len(s)), s...) }

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package aksk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	exAK = "EXAMPLEAK0000000000A"
	exSK = "exampleSecretKey0000000000000000000000000"
)

// Worked examples produced by the real SDK's signer (see docs/signing.md).
func TestSDKWorkedExamples(t *testing.T) {
	cases := []struct {
		name, method, target, auth string
		headers                    map[string]string
		body                       string
		canonicalHash              string
	}{
		{
			name: "ListInstances global", method: "GET", target: "/v1/instances",
			auth: "SDK-HMAC-SHA256 Access=EXAMPLEAK0000000000A, SignedHeaders=user-agent;x-domain-id;x-sdk-date, Signature=2b33d96f27c1538555587189b64bbe9f3b7daf6eca0e8e16e3b57b0a0ca4fc2e",
			headers: map[string]string{"User-Agent": "huaweicloud-usdk-go/3.0; signexample", "X-Domain-Id": "0123456789abcdef0123456789abcdef",
				"X-Sdk-Date": "20250101T000000Z", "Content-Type": "application/json"},
			canonicalHash: "52c4969219eddf972e0749a98d880d8ff62c7f8ad7f9b34aec7567c868d73bcb",
		},
		{
			name: "ListUsers basic with escaped query", method: "GET", target: "/v1/identity-stores/d-1234567890/users?limit=2&marker=m%201%2F%C3%A9",
			auth: "SDK-HMAC-SHA256 Access=EXAMPLEAK0000000000A, SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=32f8734dab3651101a4a8bec2c8c0f1af6f6c2787d04b031c39c485e48f6937a",
			headers: map[string]string{"User-Agent": "huaweicloud-usdk-go/3.0; signexample", "X-Project-Id": "fedcba9876543210fedcba9876543210",
				"X-Sdk-Date": "20250101T000000Z", "Content-Type": "application/json"},
		},
		{
			name: "CreatePermissionSet temporary with body", method: "POST", target: "/v1/instances/ins-0123456789abcdef/permission-sets",
			auth: "SDK-HMAC-SHA256 Access=EXAMPLEAK0000000000A, SignedHeaders=user-agent;x-domain-id;x-sdk-date;x-security-token, Signature=184fd03bddd7d6d8230cf14e2b9eef12827dc4231eda0931b7d0d4b5007c7363",
			headers: map[string]string{"User-Agent": "huaweicloud-usdk-go/3.0; signexample", "X-Domain-Id": "0123456789abcdef0123456789abcdef",
				"X-Sdk-Date": "20250101T000000Z", "X-Security-Token": "EXAMPLE-SECURITY-TOKEN", "Content-Type": "application/json"},
			body: "{\"name\":\"ReadOnly\",\"session_duration\":\"PT8H\"}\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			a, err := ParseAuthorization(c.auth)
			if err != nil {
				t.Fatal(err)
			}
			if c.canonicalHash != "" {
				ph, _ := PayloadHash(r, a.SignedHeaders, []byte(c.body), false)
				cr, _ := CanonicalRequest(r, a.SignedHeaders, ph)
				if got := StringToSign("20250101T000000Z", cr); !strings.HasSuffix(got, c.canonicalHash) {
					t.Fatalf("string to sign %q, want hash %s", got, c.canonicalHash)
				}
			}
			ok, err := Verify(r, a, []byte(c.body), "20250101T000000Z", []byte(exSK), false)
			if err != nil || !ok {
				t.Fatalf("Verify = %v, %v; want true", ok, err)
			}
			if ok, _ := Verify(r, a, []byte(c.body+" "), "20250101T000000Z", []byte(exSK), false); ok {
				t.Fatal("tampered body accepted")
			}
			if ok, _ := Verify(r, a, []byte(c.body), "20250101T000001Z", []byte(exSK), false); ok {
				t.Fatal("other date accepted")
			}
			if ok, _ := Verify(r, a, []byte(c.body), "20250101T000000Z", []byte(exSK+"x"), false); ok {
				t.Fatal("wrong secret accepted")
			}
		})
	}
}

func TestColonInPathSegment(t *testing.T) {
	r := httptest.NewRequest("POST", "/v1/instances/identitycenter:permissionset/ps-0123456789abcdef/tags/create", nil)
	cr, _ := CanonicalRequest(r, nil, "")
	if !strings.Contains(cr, "\n/v1/instances/identitycenter%3Apermissionset/ps-0123456789abcdef/tags/create/\n") {
		t.Fatalf("canonical URI wrong:\n%s", cr)
	}
}

func TestSignThenVerify(t *testing.T) {
	body := []byte(`{"region_id":"cn-north-4"}`)
	r := httptest.NewRequest("POST", "/v1/register-regions?b=2&a=1&a=0", bytes.NewReader(body))
	r.Header.Set("X-Domain-Id", "d")
	r.Header.Set("User-Agent", "ua")
	Sign(r, "AK", "SK", body, time.Now())
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.SignedHeaders, ";") != "user-agent;x-domain-id;x-sdk-date" {
		t.Fatalf("signed headers %v", a.SignedHeaders)
	}
	if ok, _ := Verify(r, a, body, r.Header.Get(DateHeader), []byte("SK"), false); !ok {
		t.Fatal("own signature rejected")
	}
	r.Header.Set("X-Domain-Id", "other")
	if ok, _ := Verify(r, a, body, r.Header.Get(DateHeader), []byte("SK"), false); ok {
		t.Fatal("altered signed header accepted")
	}
}

func TestHostHeaderFromRequest(t *testing.T) {
	r := httptest.NewRequest("GET", "http://example.test:8080/v1/instances", nil)
	r.Header = http.Header{}
	r.Host = "example.test:8080"
	cr, _ := CanonicalRequest(r, []string{"host"}, "")
	if !strings.Contains(cr, "\nhost:example.test:8080\n") {
		t.Fatalf("host line missing:\n%s", cr)
	}
}

func TestParseAuthorizationErrors(t *testing.T) {
	sig := strings.Repeat("ab", 32)
	cases := map[string]error{
		"":                         ErrMissing,
		"Bearer x":                 ErrAlgorithm,
		"SDK-HMAC-SM3 Access=a":    ErrAlgorithm,
		"SDK-HMAC-SHA256 Access=a": ErrMalformed,
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=" + sig + ", Access=b":       ErrMalformed,
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=X-Sdk-Date, Signature=" + sig:                      ErrBadSignedList,
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=a;;b, Signature=" + sig:                            ErrBadSignedList,
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=abc":                         ErrBadSignature,
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=" + strings.Repeat("zz", 32): ErrBadSignature,
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Bogus=1":                               ErrMalformed,
	}
	for in, want := range cases {
		if _, err := ParseAuthorization(in); err != want {
			t.Errorf("ParseAuthorization(%q) = %v, want %v", in, err, want)
		}
	}
	if _, err := ParseAuthorization("SDK-HMAC-SHA256 Access=a,SignedHeaders=x-sdk-date,Signature=" + sig); err != nil {
		t.Errorf("compact separators rejected: %v", err)
	}
}

// A captured request cannot carry another body: the payload line is always
// computed from the bytes received, and an X-Sdk-Content-Sha256 header
// counts only when signed, and then only when it is that hash (or
// UNSIGNED-PAYLOAD where the operation allows it).
func TestBodyCannotBeSwapped(t *testing.T) {
	orig := []byte(`{"description":"read-only key","policy_ids":["ro"]}`)
	evil := []byte(`{"description":"attacker","policy_ids":["full"]}`)
	sum := sha256.Sum256(orig)
	origHash := hex.EncodeToString(sum[:])

	signed := func(contentHash string) (*http.Request, Authorization) {
		r := httptest.NewRequest("POST", "/v1/iic/access-keys", bytes.NewReader(orig))
		r.Header.Set("User-Agent", "ua")
		if contentHash != "" {
			r.Header.Set(ContentHashHeader, contentHash)
		}
		Sign(r, "AK", "SK", orig, time.Now())
		a, err := ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			t.Fatal(err)
		}
		return r, a
	}
	date := func(r *http.Request) string { return r.Header.Get(DateHeader) }

	t.Run("unsigned header naming the original hash", func(t *testing.T) {
		r, a := signed("")
		if ok, err := Verify(r, a, orig, date(r), []byte("SK"), false); !ok || err != nil {
			t.Fatalf("original rejected: %v %v", ok, err)
		}
		r.Header.Set(ContentHashHeader, origHash) // added by the attacker, not signed
		if ok, _ := Verify(r, a, evil, date(r), []byte("SK"), false); ok {
			t.Fatal("swapped body accepted with an unsigned X-Sdk-Content-Sha256")
		}
		if ok, err := Verify(r, a, orig, date(r), []byte("SK"), false); !ok || err != nil {
			t.Fatalf("an unsigned header must be ignored, not fatal: %v %v", ok, err)
		}
	})
	t.Run("signed header equal to the body hash", func(t *testing.T) {
		r, a := signed(origHash)
		if ok, err := Verify(r, a, orig, date(r), []byte("SK"), false); !ok || err != nil {
			t.Fatalf("rejected: %v %v", ok, err)
		}
		if _, err := Verify(r, a, evil, date(r), []byte("SK"), false); err != ErrPayloadHash {
			t.Fatalf("swapped body: err %v, want ErrPayloadHash", err)
		}
	})
	t.Run("signed header in upper-case hex", func(t *testing.T) {
		r, a := signed(strings.ToUpper(origHash))
		if ok, err := Verify(r, a, orig, date(r), []byte("SK"), false); !ok || err != nil {
			t.Fatalf("rejected: %v %v", ok, err)
		}
	})
	t.Run("signed UNSIGNED-PAYLOAD", func(t *testing.T) {
		r, a := signed(UnsignedPayload)
		if _, err := Verify(r, a, evil, date(r), []byte("SK"), false); err != ErrUnsignedPayload {
			t.Fatalf("err %v, want ErrUnsignedPayload", err)
		}
		if ok, err := Verify(r, a, []byte("SAMLResponse=x"), date(r), []byte("SK"), true); !ok || err != nil {
			t.Fatalf("allowed unsigned payload rejected: %v %v", ok, err)
		}
	})
	t.Run("repeated header", func(t *testing.T) {
		r, a := signed(origHash)
		r.Header.Add(ContentHashHeader, origHash)
		if _, err := Verify(r, a, orig, date(r), []byte("SK"), false); err != ErrRepeatedContentHash {
			t.Fatalf("err %v, want ErrRepeatedContentHash", err)
		}
	})
}

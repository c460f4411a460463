package aksk

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzMatchesReference checks that parsing, the payload line, the
// canonical request and verification give exactly what the reference
// implementation (reference_test.go) gives, errors included, for arbitrary
// Authorization headers, paths, queries, headers and bodies, on one Key
// reused across calls.
func FuzzMatchesReference(f *testing.F) {
	sig := hex.EncodeToString(make([]byte, 32))
	f.Add("SDK-HMAC-SHA256 Access=AK, SignedHeaders=user-agent;x-sdk-date, Signature="+sig,
		"/v1/instances", "limit=2&marker=m%201", "ua", "", []byte("{}"), false)
	f.Add("SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-content-sha256;x-sdk-date, Signature="+strings.ToUpper(sig),
		"/a/b:c//", "b=2&a=1&a=0&a&&=x&%41=%42+c", "", "UNSIGNED-PAYLOAD", []byte(nil), true)
	f.Add("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-content-sha256, Signature="+sig,
		"", "a=%zz;b", "\t v \t", "44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A", []byte(`{"a":1}`), false)
	f.Add("SDK-HMAC-SHA256 Access=a,SignedHeaders=a;;b,Signature=zz", "/%", strings.Repeat("k=v&", 20), "", "", []byte{0}, false)
	key := NewKey([]byte("secret"))
	f.Fuzz(func(t *testing.T, auth, path, rawQuery, ua, contentHash string, body []byte, allowUnsigned bool) {
		a, err := ParseAuthorization(auth)
		ra, rerr := refParseAuthorization(auth)
		if err != rerr || err == nil && !reflect.DeepEqual(a, ra) {
			t.Fatalf("ParseAuthorization(%q) = %+v, %v; reference %+v, %v", auth, a, err, ra, rerr)
		}
		if err != nil {
			return
		}
		r := &http.Request{Method: "PUT", URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: http.Header{}, Host: "h"}
		r.Header.Set("User-Agent", ua)
		r.Header.Set(DateHeader, "20250101T000000Z")
		if contentHash != "" {
			r.Header[ContentHashHeader] = strings.Split(contentHash, ",")
		}

		ph, err := PayloadHash(r, a.SignedHeaders, body, allowUnsigned)
		rph, rerr := refPayloadHash(r, a.SignedHeaders, body, allowUnsigned)
		if ph != rph || err != rerr {
			t.Fatalf("PayloadHash = %q, %v; reference %q, %v", ph, err, rph, rerr)
		}
		cr, err := CanonicalRequest(r, a.SignedHeaders, ph)
		rcr, rerr := refCanonicalRequest(r, a.SignedHeaders, ph)
		if cr != rcr || err != rerr {
			t.Fatalf("CanonicalRequest = %q, %v; reference %q, %v", cr, err, rcr, rerr)
		}

		// A signature that is right, and one that is not.
		good := a
		copy(good.Signature[:], Signature([]byte("secret"), StringToSign("20250101T000000Z", rcr)))
		for i, a := range []Authorization{a, good} {
			ok, err := VerifyKey(r, a, body, "20250101T000000Z", key, allowUnsigned)
			rok, rerr := refVerify(r, a, body, "20250101T000000Z", []byte("secret"), allowUnsigned)
			if ok != rok || err != rerr {
				t.Fatalf("VerifyKey = %v, %v; reference %v, %v", ok, err, rok, rerr)
			}
			if i == 1 && rerr == nil && !ok {
				t.Fatal("the right signature rejected")
			}
		}
	})
}

func TestEmptyBodyHash(t *testing.T) {
	sum := sha256.Sum256(nil)
	if emptyBodyHash != hex.EncodeToString(sum[:]) {
		t.Fatalf("emptyBodyHash %s is not the SHA-256 of no bytes", emptyBodyHash)
	}
	for _, body := range [][]byte{nil, {}, []byte("x"), make([]byte, 1000)} {
		if got, want := string(appendBodyHash([]byte("p:"), body)), "p:"+refBodyHash(body); got != want {
			t.Errorf("appendBodyHash(%d bytes) = %s, want %s", len(body), got, want)
		}
	}
}

package aksk

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary Authorization headers, paths, queries, headers
// and bodies. It checks that nothing panics, that a request signed with the
// right key verifies, and that the signature never verifies once any signed
// part or the body changes or under another secret.
func FuzzVerify(f *testing.F) {
	f.Add("SDK-HMAC-SHA256 Access=AK, SignedHeaders=user-agent;x-sdk-date, Signature="+hex.EncodeToString(make([]byte, 32)),
		"/v1/instances", "limit=2&marker=m%201", "ua", []byte("{}"), "x")
	f.Add("SDK-HMAC-SHA256 Access=, SignedHeaders=;, Signature=00", "/a/b:c//", "a=%zz", "\t v \t", []byte(nil), "")
	f.Add("SDK-HMAC-SHA256  Access==, SignedHeaders=host, Signature=", "/", "k&k=&=v", "", []byte{0xff}, "\x00")
	f.Fuzz(func(t *testing.T, auth, path, rawQuery, ua string, body []byte, mutation string) {
		_, _ = ParseAuthorization(auth) // must not panic

		u := &url.URL{Path: path, RawQuery: rawQuery}
		r := &http.Request{Method: "POST", URL: u, Header: http.Header{}, Host: "h"}
		r.Header.Set("User-Agent", ua)
		Sign(r, "AK", "secret", body, time.Unix(1700000000, 0))
		a, err := ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			// Sign produces only well-formed headers.
			t.Fatalf("own header unparsable: %v", err)
		}
		date := r.Header.Get(DateHeader)
		ok, err := Verify(r, a, body, date, []byte("secret"), false)
		if err != nil {
			if err != ErrBadQuery {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !ok {
			t.Fatal("correctly signed request rejected")
		}
		if ok, _ := Verify(r, a, body, date, []byte("secreT"), false); ok {
			t.Fatal("accepted under another secret")
		}
		if ok, _ := Verify(r, a, append(bytes.Clone(body), mutation...), date, []byte("secret"), false); ok && mutation != "" {
			t.Fatal("accepted with an altered body")
		}
		if mutation != "" && mutation != ua {
			r.Header.Set("User-Agent", mutation)
			if ok, _ := Verify(r, a, body, date, []byte("secret"), false); ok && trimmed(mutation) != trimmed(ua) {
				t.Fatal("accepted with an altered signed header")
			}
		}
	})
}

func trimmed(s string) string { return string(bytes.TrimSpace([]byte(s))) }

// FuzzPayloadSwap signs a request over one body (with or without a signed
// X-Sdk-Content-Sha256), lets an attacker add or change that header and
// send another body, and asserts that no accepted request has a body whose
// hash differs from the one signed, except a signed UNSIGNED-PAYLOAD where
// the operation allows it.
func FuzzPayloadSwap(f *testing.F) {
	f.Add([]byte(`{"a":1}`), []byte(`{"a":2}`), "", "", false)
	f.Add([]byte(`{"a":1}`), []byte(`{"a":2}`), "", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", false)
	f.Add([]byte(`x`), []byte(`y`), "UNSIGNED-PAYLOAD", "", true)
	f.Add([]byte(`x`), []byte(`y`), "UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD", false)
	f.Fuzz(func(t *testing.T, signedBody, sentBody []byte, signedHash, injected string, allowUnsigned bool) {
		u := &url.URL{Path: "/v1/iic/access-keys"}
		r := &http.Request{Method: "POST", URL: u, Header: http.Header{}, Host: "h"}
		r.Header.Set("User-Agent", "ua")
		if signedHash != "" {
			r.Header.Set(ContentHashHeader, signedHash)
		}
		Sign(r, "AK", "secret", signedBody, time.Unix(1700000000, 0))
		a, err := ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			t.Fatalf("own header unparsable: %v", err)
		}
		if injected != "" {
			r.Header.Set(ContentHashHeader, injected) // the attacker's
		}
		ok, _ := Verify(r, a, sentBody, r.Header.Get(DateHeader), []byte("secret"), allowUnsigned)
		if !ok || bytes.Equal(signedBody, sentBody) {
			return
		}
		if allowUnsigned && signedHash == UnsignedPayload && (injected == "" || injected == UnsignedPayload) {
			return // the client chose not to sign the body, and the operation allows it
		}
		t.Fatalf("accepted body %q signed over %q (signed hash %q, injected %q)", sentBody, signedBody, signedHash, injected)
	})
}

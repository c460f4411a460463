package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/authz"
)

// fakeAuth is an authenticator presented by one header; it counts its
// calls and makes root principals whose AccessKey is its name.
type fakeAuth struct {
	name, header            string
	authenticated, released int
}

func (f *fakeAuth) Credential() string             { return f.name + " (" + f.header + ")" }
func (f *fakeAuth) Presented(r *http.Request) bool { return r.Header[f.header] != nil }
func (f *fakeAuth) Authenticate(r *http.Request, _ []byte, _ AuthOp) (*authz.Principal, error) {
	f.authenticated++
	if r.Header.Get(f.header) != "good" {
		return nil, authn.Unauthorized("bad " + f.name)
	}
	return &authz.Principal{Kind: authz.KindRoot, AccountID: "acct", AccessKey: f.name}, nil
}
func (f *fakeAuth) Release(_ *http.Request, p *authz.Principal) error {
	if p.AccessKey == f.name {
		f.released++
	}
	return nil
}

func request(headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v1/instances", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	return r
}

// OneOf hands a request to the authenticator whose credential it presents,
// to the first when it presents none, and refuses one presenting two kinds
// without checking either.
func TestOneOfPicksTheAuthenticatorOfThePresentedCredential(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers []string
		want    string // the principal's AccessKey, or a fragment of the error
		calls   [2]int // Authenticate calls of signature, token
	}{
		{"signature", []string{"Authorization", "good"}, "signature", [2]int{1, 0}},
		{"token", []string{"X-Auth-Token", "good"}, "token", [2]int{0, 1}},
		{"none goes to the first", nil, "Bad signature", [2]int{1, 0}},
		{"a bad token is the token's answer", []string{"X-Auth-Token", "forged"}, "Bad token", [2]int{0, 1}},
		{"both", []string{"Authorization", "good", "X-Auth-Token", "good"},
			"two kinds of credential, signature (Authorization) and token (X-Auth-Token): send one", [2]int{0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, tok := &fakeAuth{name: "signature", header: "Authorization"}, &fakeAuth{name: "token", header: "X-Auth-Token"}
			auth := OneOf(authn.Unauthorized, sig, tok)
			p, err := auth.Authenticate(request(tc.headers...), nil, AuthOp{})
			switch {
			case err == nil && p.AccessKey != tc.want:
				t.Errorf("authenticated as %q, want %q", p.AccessKey, tc.want)
			case err != nil && !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			case err != nil && !apierr.IIC1410_401.Is(err):
				t.Errorf("error %v, want 401 IIC.1410", err)
			}
			if got := [2]int{sig.authenticated, tok.authenticated}; got != tc.calls {
				t.Errorf("Authenticate calls (signature, token) = %v, want %v", got, tc.calls)
			}
		})
	}
	one := &fakeAuth{name: "signature", header: "Authorization"}
	if OneOf(authn.Unauthorized, one) != Authenticator(one) {
		t.Error("OneOf of one authenticator is not that authenticator")
	}
}

// A mount behind the Guard takes the composition: each credential reaches
// the handler as its principal, two credentials are refused in the
// product's envelope, and a server fault releases through the authenticator
// that authenticated the request.
func TestGuardMountWithComposedAuthenticator(t *testing.T) {
	sig, tok := &fakeAuth{name: "signature", header: "Authorization"}, &fakeAuth{name: "token", header: "X-Auth-Token"}
	rt := NewRouter()
	g := &Guard{Authz: authz.RootOnly{}, Now: time.Now}
	g.Mount(rt, OneOf(authn.Unauthorized, sig, tok), []Op{{Name: "ListInstances", Pattern: "GET /v1/instances",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			if r.URL.Query().Get("fail") != "" {
				return errors.New("store down")
			}
			WriteJSON(w, http.StatusOK, map[string]string{"caller": authz.PrincipalFrom(r.Context()).AccessKey})
			return nil
		}}})

	for _, name := range []string{"signature", "token"} {
		header := map[string]string{"signature": "Authorization", "token": "X-Auth-Token"}[name]
		rec, body, _ := serve(t, rt, request(header, "good"))
		if rec.Code != http.StatusOK || body["caller"] != name {
			t.Errorf("%s: %d %v, want 200 caller %s", name, rec.Code, body, name)
		}
	}
	rec, body, _ := serve(t, rt, request("Authorization", "good", "X-Auth-Token", "good"))
	if rec.Code != http.StatusUnauthorized || body["error_code"] != "IIC.1410" || !strings.Contains(body["error_msg"], "two kinds of credential") {
		t.Errorf("both credentials: %d %v, want 401 IIC.1410", rec.Code, body)
	}

	r := request("X-Auth-Token", "good")
	r.URL.RawQuery = "fail=1"
	if rec, _, _ := serve(t, rt, r); rec.Code != http.StatusInternalServerError {
		t.Fatalf("failing handler: %d, want 500", rec.Code)
	}
	if sig.released != 0 || tok.released != 1 {
		t.Errorf("released (signature, token) = (%d, %d), want (0, 1)", sig.released, tok.released)
	}
}

// AK/SK presents itself by the signature's Authorization header and by the
// security token of temporary credentials, not by another header, so that
// OneOf refuses a token beside either.
func TestAKSKPresentedByItsHeaders(t *testing.T) {
	a := AKSK(nil) // Presented reads headers only
	for _, tc := range []struct {
		headers []string
		want    bool
	}{
		{[]string{"Authorization", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=00"}, true},
		{[]string{"X-Security-Token", "tok"}, true},
		{[]string{"X-Auth-Token", "tok"}, false},
		{[]string{"X-Sdk-Date", "20260101T000000Z"}, false},
		{nil, false},
	} {
		if got := a.Presented(request(tc.headers...)); got != tc.want {
			t.Errorf("Presented(%v) = %v, want %v", tc.headers, got, tc.want)
		}
	}
	if NoCredential.Presented(request("Authorization", "x")) {
		t.Error("NoCredential presented")
	}
	if p, err := NoCredential.Authenticate(request(), nil, AuthOp{}); err != nil || p.Kind != authz.KindAnonymous {
		t.Errorf("NoCredential = %v, %v; want an anonymous principal", p, err)
	}
}

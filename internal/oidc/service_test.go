package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

var ctx = context.Background()

type fixture struct {
	svc    *Service
	now    time.Time
	alice  UserRef
	client Registration
}

func newFixture(t testing.TB, dialect string, cfg Config, grants ...string) *fixture {
	t.Helper()
	st := sqltest.Open(t, dialect).Store()
	f := &fixture{now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	f.svc = &Service{Store: st, Now: func() time.Time { return f.now }, PublicURL: "https://iic.example", Config: cfg}
	f.alice = UserRef{IdentityStoreID: "d-00000000a1", UserID: "u-alice"}
	if err := st.Users().Create(ctx, store.User{IdentityStoreID: f.alice.IdentityStoreID, ID: f.alice.UserID, UserName: "alice", Enabled: true, CreatedAt: f.now, UpdatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	if len(grants) == 0 {
		grants = []string{GrantDeviceCode}
	}
	var err error
	f.client, err = f.svc.RegisterClient(ctx, NewClient{Name: "cli", Type: "public", TokenEndpointAuthMethod: "client_secret_post", GrantTypes: grants, Scopes: []string{"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) start(t *testing.T) DeviceStart {
	t.Helper()
	d, err := f.svc.StartDeviceAuthorization(ctx, f.client.Client.ID, f.client.Secret, "https://iic.example/start")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func wantCode(t *testing.T, what string, err error, def apierr.Def) {
	t.Helper()
	if !def.Is(err) {
		t.Fatalf("%s: %v, want %s", what, err, def.Code)
	}
}

// wrongCode returns a well-formed user code that is not code.
func wrongCode(code string, i int) string {
	b := []byte(strings.ReplaceAll(code, "-", ""))
	b[7] = UserCodeAlphabet[(strings.IndexByte(UserCodeAlphabet, b[7])+1+i%19)%len(UserCodeAlphabet)]
	b[6] = UserCodeAlphabet[(i/19)%len(UserCodeAlphabet)]
	if string(b) == strings.ReplaceAll(code, "-", "") {
		b[5] = UserCodeAlphabet[(strings.IndexByte(UserCodeAlphabet, b[5])+1)%len(UserCodeAlphabet)]
	}
	return string(b)
}

// GuessesPerKey wrong codes from one address lock that address out for the
// rest of the window — even the right code is then not checked — while
// another address, and the next window, may go on.
func TestGuessesPerAddress(t *testing.T) {
	f := newFixture(t, "sqlite", Config{GuessesPerKey: 3, DeviceTTL: time.Hour})
	d := f.start(t)
	bob := UserRef{IdentityStoreID: f.alice.IdentityStoreID, UserID: "u-bob"}
	for i := range 3 {
		wantCode(t, "a wrong code", f.svc.ApproveDevice(ctx, wrongCode(d.UserCode, i), f.alice, "198.51.100.7"), apierr.IIC1704)
	}
	wantCode(t, "the right code after 3 wrong ones", f.svc.ApproveDevice(ctx, d.UserCode, bob, "198.51.100.7"), apierr.IIC1722)
	wantCode(t, "the same user from elsewhere", f.svc.ApproveDevice(ctx, d.UserCode, f.alice, "198.51.100.8"), apierr.IIC1722)
	f.now = f.now.Add(Default.GuessWindow)
	if err := f.svc.ApproveDevice(ctx, d.UserCode, f.alice, "198.51.100.7"); err != nil {
		t.Fatalf("the next window: %v", err)
	}
}

// Addresses of one IPv6 /64 share their count.
func TestGuessesPerIPv6Prefix(t *testing.T) {
	f := newFixture(t, "sqlite", Config{GuessesPerKey: 2})
	d := f.start(t)
	for i, addr := range []string{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"} {
		u := UserRef{IdentityStoreID: f.alice.IdentityStoreID, UserID: "u" + string(rune('a'+i))}
		wantCode(t, "a wrong code", f.svc.ApproveDevice(ctx, wrongCode(d.UserCode, i), u, addr), apierr.IIC1704)
	}
	other := UserRef{IdentityStoreID: f.alice.IdentityStoreID, UserID: "u-other"}
	wantCode(t, "a third address of the /64", f.svc.ApproveDevice(ctx, d.UserCode, other, "[2001:db8:1:2::77]:443"), apierr.IIC1722)
	if err := f.svc.ApproveDevice(ctx, d.UserCode, other, "2001:db8:1:3::1"); err != nil {
		t.Fatalf("another /64: %v", err)
	}
}

// A pending authorization dies once GuessesPerCode wrong codes were entered
// anywhere while it was pending: its right code is refused and its poll
// answers expired_token.
func TestGuessesPerCode(t *testing.T) {
	f := newFixture(t, "sqlite", Config{GuessesPerKey: 100, GuessesPerCode: 5})
	d := f.start(t)
	for i := range 5 {
		u := UserRef{IdentityStoreID: f.alice.IdentityStoreID, UserID: "guesser"}
		wantCode(t, "a wrong code", f.svc.ApproveDevice(ctx, wrongCode(d.UserCode, i), u, "203.0.113."+string(rune('1'+i))), apierr.IIC1704)
	}
	wantCode(t, "the right code of a guessed-at authorization", f.svc.ApproveDevice(ctx, d.UserCode, f.alice, "192.0.2.1"), apierr.IIC1704)
	_, err := f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantDeviceCode, DeviceCode: d.DeviceCode})
	if OAuthCode(err) != "expired_token" {
		t.Fatalf("poll: %v (%s), want expired_token", err, OAuthCode(err))
	}
	// An authorization started after the guesses is unaffected.
	d2 := f.start(t)
	if err := f.svc.ApproveDevice(ctx, d2.UserCode, f.alice, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	f := newFixture(t, "sqlite", Config{}, GrantAuthorizationCode)
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	issue := func(redirect, ch, method string) (string, error) {
		return f.svc.IssueAuthorizationCode(ctx, CodeRequest{ClientID: f.client.Client.ID, User: f.alice, RedirectURI: redirect, CodeChallenge: ch, CodeChallengeMethod: method})
	}
	for _, bad := range []string{"https://evil.example/cb", "http://evil.example/cb", "http://127.0.0.1.evil.example/cb", "http://user@127.0.0.1/cb", "urn:ietf:wg:oauth:2.0:oob"} {
		_, err := issue(bad, challenge, "S256")
		wantCode(t, "redirect "+bad, err, apierr.IIC1606_400)
	}
	_, err := issue("http://127.0.0.1:7777/cb", challenge, "plain")
	wantCode(t, "plain PKCE", err, apierr.IIC1606_400)

	redirect := "http://127.0.0.1:7777/cb"
	code, err := issue(redirect, challenge, "S256")
	if err != nil {
		t.Fatal(err)
	}
	req := TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantAuthorizationCode, Code: code, RedirectURI: redirect, CodeVerifier: strings.Repeat("w", 50)}
	_, err = f.svc.CreateToken(ctx, req)
	if OAuthCode(err) != "invalid_grant" {
		t.Fatalf("a wrong verifier: %v", err)
	}
	// The code was spent by the failed attempt.
	req.CodeVerifier = verifier
	if _, err = f.svc.CreateToken(ctx, req); OAuthCode(err) != "invalid_grant" {
		t.Fatalf("a spent code: %v", err)
	}
	code, err = issue(redirect, challenge, "S256")
	if err != nil {
		t.Fatal(err)
	}
	req.Code = code
	tok, err := f.svc.CreateToken(ctx, req)
	if err != nil {
		t.Fatalf("the right verifier: %v", err)
	}
	if who, err := f.svc.Authenticate(ctx, tok.AccessToken); err != nil || who.User != f.alice {
		t.Fatalf("Authenticate = %+v, %v", who, err)
	}
	// Without PKCE there is no code; a client's own request errors are
	// OAuth errors (sent back to the redirect URI), the client's and the
	// redirect URI's are not.
	_, err = issue("http://localhost:9/cb", "", "")
	if OAuthCode(err) != "invalid_request" {
		t.Fatalf("no PKCE: %v (%s)", err, OAuthCode(err))
	}
	_, err = f.svc.IssueAuthorizationCode(ctx, CodeRequest{ClientID: f.client.Client.ID, User: f.alice, RedirectURI: redirect, CodeChallenge: challenge, CodeChallengeMethod: "S256", Scopes: []string{"admin"}})
	if OAuthCode(err) != "invalid_scope" {
		t.Fatalf("an unregistered scope: %v (%s)", err, OAuthCode(err))
	}
	_, err = f.svc.IssueAuthorizationCode(ctx, CodeRequest{ClientID: "0123456789abcdef0123456789abcdef", User: f.alice, RedirectURI: redirect, CodeChallenge: challenge, CodeChallengeMethod: "S256"})
	wantCode(t, "an unknown client", err, apierr.IIC1600)
	if OAuthCode(err) != "" {
		t.Fatalf("an unknown client is an OAuth error %q", OAuthCode(err))
	}
	// A code is bound to its redirect_uri.
	code, err = issue("http://localhost:9/cb", challenge, "S256")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantAuthorizationCode, Code: code, RedirectURI: "http://localhost:10/cb", CodeVerifier: verifier})
	if OAuthCode(err) != "invalid_grant" {
		t.Fatalf("another redirect_uri: %v", err)
	}
}

// A disabled user's tokens stop authenticating and are revoked.
func TestDisabledUserTokens(t *testing.T) {
	f := newFixture(t, "sqlite", Config{})
	d := f.start(t)
	if err := f.svc.ApproveDevice(ctx, d.UserCode, f.alice, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	tok, err := f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantDeviceCode, DeviceCode: d.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Store.Users().Update(ctx, f.alice.IdentityStoreID, f.alice.UserID, func(u *store.User) error { u.Enabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Authenticate(ctx, tok.AccessToken)
	wantCode(t, "a disabled user's access token", err, apierr.IIC1604)
	if _, err := f.svc.Store.OIDC().GetToken(ctx, hashToken(tok.RefreshToken)); err == nil {
		t.Fatal("the disabled user's refresh token survived")
	}
}

func hashToken(tok string) []byte { return secrets.TokenHash(tok) }

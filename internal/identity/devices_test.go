package identity_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

var ctx = context.Background()

const (
	acct    = "0123456789abcdef0123456789abcdef"
	storeID = "d-0123456789"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newService returns a service over a fresh SQLite store holding one
// instance (store storeID of account acct) and the users named.
func newService(t *testing.T, users ...string) (*identity.Service, *clock) {
	t.Helper()
	st := sqltest.Open(t, "sqlite").Store()
	clk := &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	keys, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Accounts().Create(ctx, store.Account{ID: acct, Name: "root", Email: "root@example.com", IsManagement: true, CreatedAt: clk.t}); err != nil {
		t.Fatal(err)
	}
	if err := st.Instances().Create(ctx, store.Instance{ID: "ins-0123456789abcdef", AccountID: acct, IdentityStoreID: storeID, RegionID: "cn-north-4", CreatedAt: clk.t}); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if err := st.Users().Create(ctx, store.User{IdentityStoreID: storeID, ID: u, UserName: u, Enabled: true, CreatedAt: clk.t, UpdatedAt: clk.t}); err != nil {
			t.Fatal(err)
		}
	}
	svc := &identity.Service{Store: st, Now: clk.Now, Keys: keys, Paging: paging.NewSigner(keys.Derive("paging")), PublicURL: "https://iic.example.com"}
	return svc, clk
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	e, ok := apierr.From(err)
	if !ok || e.Def.Code != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

func tokenOf(t *testing.T, link identity.MFARegistrationLink) string {
	t.Helper()
	u, err := url.Parse(link.RedirectURL)
	if err != nil || u.Scheme != "https" || u.Host != "iic.example.com" || u.Path != identity.MFARegisterPath {
		t.Fatalf("redirect url %q", link.RedirectURL)
	}
	if tok := u.Query().Get("token"); tok != link.Token || len(tok) < 40 {
		t.Fatalf("token in url %q, link token %q", tok, link.Token)
	}
	return link.Token
}

func registerTOTP(t *testing.T, svc *identity.Service, clk *clock, user, name string) (identity.MFADevice, string) {
	t.Helper()
	link, err := svc.RegisterMfaDevice(ctx, identity.Caller{Actor: "admin"}, storeID, user)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := svc.BeginTOTPRegistration(ctx, tokenOf(t, link))
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(setup.Secret, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.CompleteTOTPRegistration(ctx, link.Token, code, name)
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	return d, setup.Secret
}

func TestTOTPRegistrationAndSignIn(t *testing.T) {
	svc, clk := newService(t, "alice", "bob")
	link, err := svc.RegisterMfaDevice(ctx, identity.Caller{Actor: "admin"}, storeID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	token := tokenOf(t, link)
	if !link.ExpiresAt.Equal(clk.Now().Add(identity.MFARegistrationTTL)) {
		t.Fatalf("expires %v", link.ExpiresAt)
	}
	// Only the token's hash is stored.
	sum := sha256.Sum256([]byte(token))
	if r, err := svc.Store.Devices().GetRegistration(ctx, sum[:]); err != nil || r.UserID != "alice" || r.CreatedBy != "admin" {
		t.Fatalf("registration by hash = %+v, %v", r, err)
	}
	_, err = svc.CompleteTOTPRegistration(ctx, token, "123456", "")
	wantCode(t, "complete before begin", err, "IIC.1721")

	setup, err := svc.BeginTOTPRegistration(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if setup.UserID != "alice" || !strings.HasPrefix(setup.URL, "otpauth://totp/") || !strings.Contains(setup.URL, "secret="+setup.Secret) {
		t.Fatalf("setup = %+v", setup)
	}
	good, _ := totp.GenerateCode(setup.Secret, clk.Now())
	bad := "000000"
	if bad == good {
		bad = "111111"
	}
	_, err = svc.CompleteTOTPRegistration(ctx, token, bad, "")
	wantCode(t, "wrong code", err, "IIC.1726")
	_, err = svc.CompleteTOTPRegistration(ctx, token, good, strings.Repeat("x", 65))
	wantCode(t, "long display name", err, "IIC.400")

	dev, err := svc.CompleteTOTPRegistration(ctx, token, good, "")
	if err != nil {
		t.Fatal(err)
	}
	if dev.Type != identity.MFATypeTOTP || dev.DisplayName != "Authenticator app" || dev.ID == "" || !dev.CreatedAt.Equal(clk.Now()) {
		t.Fatalf("device = %+v", dev)
	}
	// The link is used up.
	_, err = svc.BeginTOTPRegistration(ctx, token)
	wantCode(t, "reuse link", err, "IIC.1721")
	_, err = svc.CompleteTOTPRegistration(ctx, token, good, "")
	wantCode(t, "complete twice", err, "IIC.1721")

	// The seed is sealed at rest, bound to the device row.
	stored, err := svc.Store.Devices().GetDevice(ctx, storeID, "alice", dev.ID)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(setup.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored.SecretSealed, seed) || bytes.Contains(stored.SecretSealed, []byte(setup.Secret)) {
		t.Fatal("seed stored in the clear")
	}
	if got, err := svc.Keys.Open(stored.SecretSealed, []byte("mfa-device:"+storeID+":"+dev.ID)); err != nil || !bytes.Equal(got, seed) {
		t.Fatalf("sealed seed opens to %x, %v", got, err)
	}

	// Sign-in: the registration code's step is used up; the next step works once.
	_, err = svc.VerifyTOTP(ctx, storeID, "alice", good)
	wantCode(t, "replay of the registration code", err, "IIC.1726")
	clk.Add(30 * time.Second)
	next, _ := totp.GenerateCode(setup.Secret, clk.Now())
	got, err := svc.VerifyTOTP(ctx, storeID, "alice", next)
	if err != nil || got.ID != dev.ID || !got.LastUsedAt.Equal(clk.Now()) {
		t.Fatalf("VerifyTOTP = %+v, %v", got, err)
	}
	_, err = svc.VerifyTOTP(ctx, storeID, "alice", next)
	wantCode(t, "replay", err, "IIC.1726")
	// A code of the previous step is no longer acceptable either (older than the last use).
	_, err = svc.VerifyTOTP(ctx, storeID, "alice", good)
	wantCode(t, "older step", err, "IIC.1726")
	// One step of clock skew is tolerated, two are not.
	clk.Add(60 * time.Second)
	early, _ := totp.GenerateCode(setup.Secret, clk.Now().Add(30*time.Second))
	if _, err := svc.VerifyTOTP(ctx, storeID, "alice", early); err != nil {
		t.Fatalf("code one step ahead: %v", err)
	}
	clk.Add(5 * time.Minute)
	far, _ := totp.GenerateCode(setup.Secret, clk.Now().Add(90*time.Second))
	_, err = svc.VerifyTOTP(ctx, storeID, "alice", far)
	wantCode(t, "code three steps ahead", err, "IIC.1726")
	// Bob has no device: nothing verifies.
	now, _ := totp.GenerateCode(setup.Secret, clk.Now())
	_, err = svc.VerifyTOTP(ctx, storeID, "bob", now)
	wantCode(t, "other user", err, "IIC.1726")
	_, err = svc.VerifyTOTP(ctx, storeID, "alice", "12345")
	wantCode(t, "short code", err, "IIC.1726")
}

func TestMFARegistrationLinks(t *testing.T) {
	svc, clk := newService(t, "alice")
	c := identity.Caller{Actor: "admin"}
	_, err := svc.RegisterMfaDevice(ctx, c, storeID, "nobody")
	wantCode(t, "unknown user", err, "IIC.1312")

	first, _ := svc.RegisterMfaDevice(ctx, c, storeID, "alice")
	second, _ := svc.RegisterMfaDevice(ctx, c, storeID, "alice")
	if first.Token == second.Token {
		t.Fatal("two links share a token")
	}
	_, err = svc.BeginTOTPRegistration(ctx, first.Token)
	wantCode(t, "superseded link", err, "IIC.1721")
	_, err = svc.BeginTOTPRegistration(ctx, "not-a-token")
	wantCode(t, "unknown link", err, "IIC.1721")
	clk.Add(identity.MFARegistrationTTL)
	_, err = svc.BeginTOTPRegistration(ctx, second.Token)
	wantCode(t, "expired link", err, "IIC.1721")
	if n, err := svc.SweepExpired(ctx); err != nil || n != 1 {
		t.Fatalf("SweepExpired = %d, %v; want the expired registration", n, err)
	}
}

func TestMFADeviceLimit(t *testing.T) {
	svc, clk := newService(t, "alice", "bob")
	c := identity.Caller{Actor: "admin"}
	registerTOTP(t, svc, clk, "alice", "one")
	clk.Add(time.Second)
	registerTOTP(t, svc, clk, "alice", "two")
	_, err := svc.RegisterMfaDevice(ctx, c, storeID, "alice")
	wantCode(t, "third device", err, "IIC.1388")
	devs, err := svc.ListMfaDevices(ctx, storeID, "alice")
	if err != nil || len(devs) != 2 || devs[0].DisplayName != "one" || devs[1].DisplayName != "two" {
		t.Fatalf("devices = %+v, %v", devs, err)
	}
	// Deleting one frees a slot.
	if err := svc.DeleteMfaDevice(ctx, storeID, "alice", devs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RegisterMfaDevice(ctx, c, storeID, "alice"); err != nil {
		t.Fatalf("register after delete: %v", err)
	}

	// A link issued while slots were free cannot exceed the quota when the
	// devices arrived meanwhile (e.g. registered by the user in the portal).
	link, err := svc.RegisterMfaDevice(ctx, c, storeID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	setup, err := svc.BeginTOTPRegistration(ctx, link.Token)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"w1", "w2"} {
		d := store.MFADevice{IdentityStoreID: storeID, UserID: "bob", ID: id, Type: identity.MFATypeWebAuthn, SecretSealed: []byte{1}, CreatedAt: clk.Now()}
		if err := svc.Store.Devices().CreateDevice(ctx, d, 0); err != nil {
			t.Fatal(err)
		}
	}
	code, _ := totp.GenerateCode(setup.Secret, clk.Now())
	_, err = svc.CompleteTOTPRegistration(ctx, link.Token, code, "")
	wantCode(t, "complete over the quota", err, "IIC.1388")
	if devs, _ := svc.ListMfaDevices(ctx, storeID, "bob"); len(devs) != 2 {
		t.Fatalf("bob has %d devices", len(devs))
	}
}

func TestMFADeviceRenameAndDelete(t *testing.T) {
	svc, clk := newService(t, "alice", "bob")
	dev, _ := registerTOTP(t, svc, clk, "alice", "phone")
	if err := svc.UpdateMfaDevice(ctx, storeID, "alice", dev.ID, "work phone"); err != nil {
		t.Fatal(err)
	}
	devs, _ := svc.ListMfaDevices(ctx, storeID, "alice")
	if len(devs) != 1 || devs[0].DisplayName != "work phone" || devs[0].DeviceName != "Authenticator app" {
		t.Fatalf("after rename: %+v", devs)
	}
	for _, bad := range []string{"", strings.Repeat("n", 65), "tab\there"} {
		wantCode(t, "display name "+bad, svc.UpdateMfaDevice(ctx, storeID, "alice", dev.ID, bad), "IIC.400")
	}
	err := svc.UpdateMfaDevice(ctx, storeID, "bob", dev.ID, "x")
	wantCode(t, "another user's device", err, "IIC.1387")
	if e, _ := apierr.From(err); !strings.Contains(e.Message, dev.ID) {
		t.Fatalf("message %q does not name the device", e.Message)
	}
	wantCode(t, "unknown user", svc.UpdateMfaDevice(ctx, storeID, "nobody", dev.ID, "x"), "IIC.1312")
	wantCode(t, "delete unknown device", svc.DeleteMfaDevice(ctx, storeID, "alice", "nope"), "IIC.1387")
	wantCode(t, "delete for unknown user", svc.DeleteMfaDevice(ctx, storeID, "nobody", dev.ID), "IIC.1312")

	batch, err := svc.BatchListMfaDevices(ctx, storeID, []string{"bob", "alice", "nobody", "alice"})
	if err != nil || len(batch) != 2 || batch[0].UserID != "bob" || len(batch[0].Devices) != 0 || batch[1].UserID != "alice" || len(batch[1].Devices) != 1 {
		t.Fatalf("batch = %+v, %v", batch, err)
	}
	_, err = svc.BatchListMfaDevices(ctx, storeID, nil)
	wantCode(t, "empty batch", err, "IIC.400")
	_, err = svc.BatchListMfaDevices(ctx, storeID, make([]string, 101))
	wantCode(t, "batch of 101", err, "IIC.400")

	if err := svc.DeleteMfaDevice(ctx, storeID, "alice", dev.ID); err != nil {
		t.Fatal(err)
	}
	if devs, _ := svc.ListMfaDevices(ctx, storeID, "alice"); len(devs) != 0 {
		t.Fatalf("left: %+v", devs)
	}
}

func TestSessions(t *testing.T) {
	svc, clk := newService(t, "alice", "bob")
	token, sess, err := svc.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: "alice", SourceIP: "192.0.2.1", UserAgent: "ua", AuthMethods: []string{"pwd", "totp"}})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(token))
	if !bytes.Equal(sess.TokenHash, sum[:]) || strings.Contains(string(sess.TokenHash), token) || !sess.ExpiresAt.Equal(clk.Now().Add(identity.DefaultSessionTTL)) {
		t.Fatalf("session = %+v", sess)
	}
	got, err := svc.SessionByToken(ctx, token)
	if err != nil || got.ID != sess.ID || got.UserID != "alice" {
		t.Fatalf("SessionByToken = %+v, %v", got, err)
	}
	_, err = svc.SessionByToken(ctx, token+"x")
	wantCode(t, "wrong token", err, "IIC.1410")
	_, _, err = svc.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: "nobody"})
	wantCode(t, "unknown user", err, "IIC.1312")

	short, _, err := svc.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: "alice", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	_, bobSess, _ := svc.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: "bob"})
	list, err := svc.ListSessions(ctx, storeID, "alice")
	if err != nil || len(list) != 2 {
		t.Fatalf("ListSessions = %+v, %v", list, err)
	}
	clk.Add(time.Minute)
	_, err = svc.SessionByToken(ctx, short)
	wantCode(t, "expired", err, "IIC.1410")
	if list, _ := svc.ListSessions(ctx, storeID, "alice"); len(list) != 1 || list[0].ID != sess.ID {
		t.Fatalf("after expiry: %+v", list)
	}
	_, err = svc.ListSessions(ctx, storeID, "nobody")
	wantCode(t, "list for unknown user", err, "IIC.1312")

	wantCode(t, "no ids", svc.BatchDeleteSessions(ctx, storeID, "alice", nil), "IIC.400")
	wantCode(t, "101 ids", svc.BatchDeleteSessions(ctx, storeID, "alice", make([]string, 101)), "IIC.400")
	wantCode(t, "empty id", svc.BatchDeleteSessions(ctx, storeID, "alice", []string{""}), "IIC.400")
	wantCode(t, "unknown user", svc.BatchDeleteSessions(ctx, storeID, "nobody", []string{sess.ID}), "IIC.1312")
	// Another user's session id is ignored.
	if err := svc.BatchDeleteSessions(ctx, storeID, "alice", []string{bobSess.ID, "unknown"}); err != nil {
		t.Fatal(err)
	}
	if list, _ := svc.ListSessions(ctx, storeID, "bob"); len(list) != 1 {
		t.Fatalf("bob's session deleted through alice: %+v", list)
	}
	if err := svc.BatchDeleteSessions(ctx, storeID, "alice", []string{sess.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.SessionByToken(ctx, token)
	wantCode(t, "deleted session", err, "IIC.1410")

	// A disabled user's sessions stop working.
	bobToken, _, _ := svc.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: "bob"})
	if err := svc.Store.Users().Update(ctx, storeID, "bob", func(u *store.User) error { u.Enabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	_, err = svc.SessionByToken(ctx, bobToken)
	wantCode(t, "disabled user", err, "IIC.1410")
	if list, _ := svc.Store.Sessions().List(ctx, storeID, "bob", clk.Now()); len(list) != 0 {
		t.Fatalf("disabled user's sessions kept: %+v", list)
	}
	_, _, err = svc.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: "bob"})
	wantCode(t, "session for a disabled user", err, "IIC.1312")

	// Sign out everywhere, and Logout.
	a1, _, _ := svc.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: "alice"})
	svc.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: "alice"})
	if err := svc.EndSession(ctx, a1); err != nil {
		t.Fatal(err)
	}
	if err := svc.EndSession(ctx, a1); err != nil {
		t.Fatalf("second logout: %v", err)
	}
	// Left: the second new session and the expired short one.
	if n, err := svc.DeleteSessionsOfUser(ctx, storeID, "alice"); err != nil || n != 2 {
		t.Fatalf("DeleteSessionsOfUser = %d, %v; want 2", n, err)
	}
}

// Concurrent sign-ins with one code: exactly one is accepted.
func TestTOTPReplayIsAtomic(t *testing.T) {
	svc, clk := newService(t, "alice")
	_, secret := registerTOTP(t, svc, clk, "alice", "phone")
	clk.Add(30 * time.Second)
	code, _ := totp.GenerateCode(secret, clk.Now())
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.VerifyTOTP(ctx, storeID, "alice", code)
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if e, isAPI := apierr.From(err); !isAPI || e.Def.Code != "IIC.1726" {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d of 8 concurrent uses of one code were accepted", ok)
	}
}

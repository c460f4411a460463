package authn_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

type fixture struct {
	st    store.Store
	a     *authn.Authenticator
	root  account.RootCredentials
	now   time.Time
	sweep func() (int, error)
}

func newFixture(t *testing.T) *fixture {
	db := sqltest.Open(t, "sqlite")
	keys, _ := secrets.New(make([]byte, 32))
	f := &fixture{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	root, err := (&account.Service{Store: db.Store(), Keys: keys, Now: clock}).Bootstrap(context.Background(), account.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.st, f.root, f.a = db.Store(), root, authn.New(db.Store(), keys, clock)
	f.sweep = func() (int, error) { return f.a.SweepSignatures(context.Background()) }
	return f
}

func (f *fixture) signed(method, path string, body []byte) *http.Request {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	r.Header.Set("User-Agent", "test")
	aksk.Sign(r, f.root.AccessKey, f.root.SecretKey, body, f.now)
	return r
}

func want401(t *testing.T, err error, fragment string) {
	t.Helper()
	e, ok := apierr.From(err)
	if !ok || e.Status() != 401 || e.Def.Code != "IIC.1410" || !strings.Contains(e.Message, fragment) {
		t.Fatalf("got %v, want 401 IIC.1410 containing %q", err, fragment)
	}
}

// Two Authorization, X-Sdk-Date, X-Security-Token, X-Domain-Id or
// X-Project-Id headers are refused, even when the first set is valid.
func TestRepeatedHeadersRefused(t *testing.T) {
	f := newFixture(t)
	for _, h := range []string{"Authorization", "X-Sdk-Date", "X-Security-Token", "X-Domain-Id", "X-Project-Id"} {
		r := f.signed("GET", "/v1/instances", nil)
		v := r.Header.Get(h)
		if v == "" {
			v = "x"
			r.Header.Set(h, v)
		}
		r.Header.Add(h, v)
		_, err := f.a.Authenticate(context.Background(), r, nil, authn.Options{})
		want401(t, err, "more than once")
	}
}

// A signed write is accepted once; a read may be repeated; a released
// write may be sent again; the record expires with the date window.
func TestReplayGuard(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	body := []byte(`{"user_name":"alice"}`)
	w := f.signed("POST", "/v1/identity-stores/d-1/users", body)
	p, err := f.a.Authenticate(ctx, w, body, authn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ReplayKey) != 32 {
		t.Fatalf("replay key %x", p.ReplayKey)
	}
	// Within the grace the same signature is an identical request signed
	// in the same second, which the SDK does send.
	f.now = f.now.Add(authn.ReplayGrace - time.Millisecond)
	if _, err := f.a.Authenticate(ctx, w, body, authn.Options{}); err != nil {
		t.Fatalf("identical request within the grace: %v", err)
	}
	f.now = f.now.Add(time.Millisecond)
	_, err = f.a.Authenticate(ctx, w, body, authn.Options{})
	want401(t, err, "Replayed request")

	// The same request signed again is another request.
	w2 := f.signed("POST", "/v1/identity-stores/d-1/users", body)
	if _, err := f.a.Authenticate(ctx, w2, body, authn.Options{}); err != nil {
		t.Fatalf("re-signed write: %v", err)
	}

	// Reads are not guarded.
	g := f.signed("GET", "/v1/instances", nil)
	for i := 0; i < 3; i++ {
		p, err := f.a.Authenticate(ctx, g, nil, authn.Options{})
		if err != nil || p.ReplayKey != nil {
			t.Fatalf("read %d: %v, key %x", i, err, p.ReplayKey)
		}
	}

	// Release (after a server fault) lets the same request through again.
	f.now = f.now.Add(authn.ReplayGrace)
	if _, err := f.a.Authenticate(ctx, w, body, authn.Options{}); err == nil {
		t.Fatal("replay accepted")
	}
	if err := f.a.Release(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Authenticate(ctx, w, body, authn.Options{}); err != nil {
		t.Fatalf("released write: %v", err)
	}

	// Every method but GET, HEAD and OPTIONS is a write.
	for _, m := range []string{"PUT", "DELETE", "PATCH"} {
		r := f.signed(m, "/v1/identity-stores/d-1/users/u", nil)
		if _, err := f.a.Authenticate(ctx, r, nil, authn.Options{}); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(authn.ReplayGrace)
		_, err := f.a.Authenticate(ctx, r, nil, authn.Options{})
		want401(t, err, "Replayed request")
	}

	// Past the window the request is refused as expired, and the sweep
	// removes its record.
	f.now = f.now.Add(authn.MaxSkew + 2*time.Second)
	_, err = f.a.Authenticate(ctx, w, body, authn.Options{})
	want401(t, err, "expired")
	if n, err := f.sweep(); err != nil || n != 5 {
		t.Fatalf("sweep = %d, %v; want the 5 records", n, err)
	}
}

// A failed verification records nothing: an attacker cannot use up a
// signature by sending it with another body first.
func TestFailedWriteRecordsNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	body := []byte(`{"a":1}`)
	w := f.signed("POST", "/v1/x", body)
	if _, err := f.a.Authenticate(ctx, w, []byte(`{"a":2}`), authn.Options{}); err == nil {
		t.Fatal("swapped body accepted")
	}
	if _, err := f.a.Authenticate(ctx, w, body, authn.Options{}); err != nil {
		t.Fatalf("original after a failed attempt: %v", err)
	}
}

// The body hash header is honoured only when signed and equal to the body
// hash; UNSIGNED-PAYLOAD only where the operation allows it.
func TestContentHashHeader(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	body := []byte("SAMLResponse=abc")
	r := httptest.NewRequest("POST", "/v3/OS-FEDERATION/x", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(aksk.ContentHashHeader, aksk.UnsignedPayload)
	aksk.Sign(r, f.root.AccessKey, f.root.SecretKey, body, f.now)
	_, err := f.a.Authenticate(ctx, r, body, authn.Options{})
	want401(t, err, "UNSIGNED-PAYLOAD is not accepted here")
	if _, err := f.a.Authenticate(ctx, r, body, authn.Options{UnsignedPayload: true}); err != nil {
		t.Fatalf("allowed unsigned payload: %v", err)
	}
}

// SetCacheTTL(0) makes a deleted key stop at once on every replica.
func TestCacheTTLZero(t *testing.T) {
	f := newFixture(t)
	f.a.SetCacheTTL(0)
	ctx := context.Background()
	if _, err := f.a.Authenticate(ctx, f.signed("GET", "/v1/instances", nil), nil, authn.Options{}); err != nil {
		t.Fatal(err)
	}
	f.st.Credentials().Delete(ctx, f.root.AccessKey)
	if _, err := f.a.Authenticate(ctx, f.signed("GET", "/v1/instances", nil), nil, authn.Options{}); err == nil {
		t.Fatal("deleted key accepted with the cache off")
	}
}

// A POST whose operation only reads (GetUserId, IsMemberInGroups) is not
// replay-guarded.
func TestReadOnlyPostNotGuarded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	body := []byte(`{"group_ids":["g"]}`)
	r := f.signed("POST", "/v1/identity-stores/d-1/is-member-in-groups", body)
	for i := 0; i < 2; i++ {
		p, err := f.a.Authenticate(ctx, r, body, authn.Options{ReadOnly: true})
		if err != nil || p.ReplayKey != nil {
			t.Fatalf("read-only POST %d: %v, key %x", i, err, p.ReplayKey)
		}
		f.now = f.now.Add(authn.ReplayGrace)
	}
}

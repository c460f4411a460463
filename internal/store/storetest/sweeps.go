package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// sweepTests check the expiry deletes the periodic sweeps run: each deletes
// only expired rows, at most limit per call.
var sweepTests = []namedTest{
	{"SweepSessionsBounded", testSweepSessions},
	{"SweepRegistrationsBounded", testSweepRegistrations},
	{"SweepTokensBounded", testSweepTokens},
	{"SweepCredentialsBounded", testSweepCredentials},
}

// wantBatches calls sweep until it deletes nothing and checks the sizes.
func wantBatches(t *testing.T, what string, sweep func(limit int) (int, error), want ...int) {
	t.Helper()
	var got []int
	for {
		n, err := sweep(2)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		got = append(got, n)
		if n == 0 || len(got) > 10 {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s deleted %v per call (limit 2), want %v", what, got, want)
	}
}

func testSweepSessions(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	for i, exp := range []time.Duration{-3 * time.Minute, -2 * time.Minute, 0, time.Minute} {
		x := devSession("u1", fmt.Sprint("s", i), t0.Add(-time.Hour), t0.Add(exp))
		if err := s.Sessions().Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	wantBatches(t, "DeleteExpiredSessions", func(n int) (int, error) { return s.Sessions().DeleteExpired(ctx, t0, n) }, 2, 1, 0)
	if _, err := s.Sessions().GetByToken(ctx, []byte("tok-s3")); err != nil {
		t.Fatalf("live session: %v", err)
	}
}

func testSweepRegistrations(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	for i, exp := range []time.Duration{-3 * time.Minute, -2 * time.Minute, 0, time.Minute} {
		r := store.MFARegistration{TokenHash: []byte(fmt.Sprint("r", i)), IdentityStoreID: devStore, UserID: "u1", CreatedAt: t0, ExpiresAt: t0.Add(exp)}
		if err := s.Devices().CreateRegistration(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	wantBatches(t, "DeleteExpiredRegistrations", func(n int) (int, error) { return s.Devices().DeleteExpiredRegistrations(ctx, t0, n) }, 2, 1, 0)
	if _, err := s.Devices().GetRegistration(ctx, []byte("r3")); err != nil {
		t.Fatalf("live registration: %v", err)
	}
}

func testSweepTokens(t *testing.T, s store.Store) {
	const sid = "d-00000000e1"
	mustUser(t, s, sid, "u1")
	for i, exp := range []time.Duration{-3 * time.Minute, -2 * time.Minute, 0, time.Minute} {
		tok := store.UserToken{Hash: fmt.Sprint("h", i), IdentityStoreID: sid, UserID: "u1", Purpose: store.TokenVerifyEmail,
			ExpiresAt: t0.Add(exp), CreatedAt: t0.Add(-time.Hour)}
		if err := s.UserSecrets().CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	wantBatches(t, "DeleteExpiredTokens", func(n int) (int, error) { return s.UserSecrets().DeleteExpiredTokens(ctx, t0, n) }, 2, 1, 0)
	if _, err := s.UserSecrets().ConsumeToken(ctx, "h3", store.TokenVerifyEmail, t0); err != nil {
		t.Fatalf("live token: %v", err)
	}
}

func testSweepCredentials(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	mk := func(ak string, kind store.CredentialKind, exp time.Time) {
		t.Helper()
		if err := s.Credentials().Create(ctx, store.Credential{AccessKey: ak, AccountID: a.ID, Kind: kind, SecretSealed: []byte{1},
			TokenHash: []byte(ak), ExpiresAt: exp, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		mk(fmt.Sprint("OLD", i), store.KindTemporary, t0.Add(-time.Duration(i+1)*time.Minute))
	}
	mk("LIVE", store.KindTemporary, t0.Add(time.Minute))
	mk("ROOT", store.KindRoot, time.Time{})
	wantBatches(t, "DeleteExpired credentials", func(n int) (int, error) { return s.Credentials().DeleteExpired(ctx, t0, n) }, 2, 1, 0)
	for _, ak := range []string{"LIVE", "ROOT"} {
		if _, err := s.Credentials().Get(ctx, ak); err != nil {
			t.Fatalf("%s: %v", ak, err)
		}
	}
}

package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// signInTests are the conformance tests of the sign-in state.
var signInTests = []namedTest{
	{"SignInFailures", testSignInFailures},
	{"SignInFailuresConcurrent", testSignInFailuresConcurrent},
	{"SignInContexts", testSignInContexts},
	{"SignInChallenges", testSignInChallenges},
	{"SignInStateCascadesWithUser", testSignInCascade},
}

func testSignInFailures(t *testing.T, s store.Store) {
	si := s.SignIns()
	_, err := si.GetFailures(ctx, devStore, "k1")
	wantErr(t, "missing record", err, store.ErrNotFound)
	// A record starts from zero with its key set, for any name.
	err = si.UpdateFailures(ctx, devStore, "k1", func(f *store.SignInFailures) error {
		if f.IdentityStoreID != devStore || f.UserKey != "k1" || f.Failures != 0 || !f.LastFailureAt.IsZero() || !f.LockedUntil.IsZero() {
			t.Errorf("fresh record = %+v", *f)
		}
		f.Failures, f.Lockouts, f.LastFailureAt, f.LockedUntil = 5, 1, t0, t0.Add(time.Minute)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := store.SignInFailures{IdentityStoreID: devStore, UserKey: "k1", Failures: 5, Lockouts: 1, LastFailureAt: t0, LockedUntil: t0.Add(time.Minute)}
	if got, err := si.GetFailures(ctx, devStore, "k1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("GetFailures = %+v, %v; want %+v", got, err, want)
	}
	// An error from fn writes nothing.
	boom := errors.New("boom")
	if err := si.UpdateFailures(ctx, devStore, "k1", func(f *store.SignInFailures) error { f.Failures = 99; return boom }); !errors.Is(err, boom) {
		t.Fatalf("UpdateFailures error = %v", err)
	}
	if got, _ := si.GetFailures(ctx, devStore, "k1"); got.Failures != 5 {
		t.Fatalf("a refused update was written: %+v", got)
	}
	// Keys are per store.
	if _, err := si.GetFailures(ctx, "d-other", "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another store's record: %v", err)
	}
	if err := si.UpdateFailures(ctx, devStore, "k2", func(f *store.SignInFailures) error { f.Failures, f.LastFailureAt = 1, t0.Add(-2*time.Hour); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := si.UpdateFailures(ctx, devStore, "k3", func(f *store.SignInFailures) error { f.Failures, f.LastFailureAt = 1, t0; return nil }); err != nil {
		t.Fatal(err)
	}
	// Stale: last failure at or before `before` and not locked at now. k1
	// is locked until t0+1m, k3 failed after `before`.
	n, err := si.DeleteStaleFailures(ctx, t0.Add(-time.Hour), t0, 10)
	if err != nil || n != 1 {
		t.Fatalf("DeleteStaleFailures = %d, %v; want 1 (k2)", n, err)
	}
	if _, err := si.GetFailures(ctx, devStore, "k2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("k2 not swept: %v", err)
	}
	if n, _ := si.DeleteStaleFailures(ctx, t0, t0, 10); n != 1 {
		t.Fatalf("DeleteStaleFailures at t0 = %d; want 1 (k3; k1 still locked)", n)
	}
	if n, _ := si.DeleteStaleFailures(ctx, t0, t0.Add(time.Minute), 10); n != 1 {
		t.Fatalf("DeleteStaleFailures after the lock = %d; want 1 (k1)", n)
	}
	if err := si.UpdateFailures(ctx, devStore, "k4", func(f *store.SignInFailures) error { f.Failures = 1; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := si.DeleteFailures(ctx, devStore, "k4"); err != nil {
		t.Fatal(err)
	}
	if err := si.DeleteFailures(ctx, devStore, "k4"); err != nil {
		t.Fatalf("deleting an absent record: %v", err)
	}
	if _, err := si.GetFailures(ctx, devStore, "k4"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("k4 after delete: %v", err)
	}
	for i := range 5 {
		if err := si.UpdateFailures(ctx, devStore, fmt.Sprint("b", i), func(f *store.SignInFailures) error { f.LastFailureAt = t0; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	wantBatches(t, "DeleteStaleFailures", func(n int) (int, error) { return si.DeleteStaleFailures(ctx, t0, t0, n) }, 2, 2, 1, 0)
}

// Concurrent failures of one name are all counted.
func testSignInFailuresConcurrent(t *testing.T, s store.Store) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.SignIns().UpdateFailures(ctx, devStore, "name", func(f *store.SignInFailures) error { f.Failures++; return nil })
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if f, err := s.SignIns().GetFailures(ctx, devStore, "name"); err != nil || f.Failures != n {
		t.Fatalf("after %d concurrent failures: %+v, %v", n, f, err)
	}
}

func testSignInContexts(t *testing.T, s store.Store) {
	si := s.SignIns()
	devUser(t, s, devStore, "u1")
	devUser(t, s, devStore, "u2")
	c := func(user, kind, v string, at time.Time) store.SignInContext {
		return store.SignInContext{IdentityStoreID: devStore, UserID: user, Kind: kind, Value: []byte(v), LastSeenAt: at}
	}
	wantErr(t, "unknown user", si.RememberContext(ctx, c("nobody", "device", "x", t0), 3), store.ErrNotFound)
	for i, v := range []string{"a", "b", "c"} {
		if err := si.RememberContext(ctx, c("u1", "device", v, t0.Add(time.Duration(i)*time.Minute)), 3); err != nil {
			t.Fatal(err)
		}
	}
	if err := si.RememberContext(ctx, c("u1", "address", "a", t0), 3); err != nil {
		t.Fatal(err)
	}
	if err := si.RememberContext(ctx, c("u2", "device", "z", t0), 3); err != nil {
		t.Fatal(err)
	}
	known, err := si.KnownContexts(ctx, devStore, "u1", "device", [][]byte{[]byte("a"), []byte("z"), []byte("c")})
	if err != nil || len(known) != 2 {
		t.Fatalf("KnownContexts = %q, %v; want a and c (z is u2's)", known, err)
	}
	if known, _ := si.KnownContexts(ctx, devStore, "u1", "agent", [][]byte{[]byte("a")}); len(known) != 0 {
		t.Fatalf("kinds are separate: %q", known)
	}
	if known, err := si.KnownContexts(ctx, devStore, "u1", "device", nil); err != nil || len(known) != 0 {
		t.Fatalf("KnownContexts(nil) = %q, %v", known, err)
	}
	// Seeing "a" again makes it the most recent; a fourth value then drops
	// the least recently seen ("b").
	if err := si.RememberContext(ctx, c("u1", "device", "a", t0.Add(time.Hour)), 3); err != nil {
		t.Fatal(err)
	}
	if err := si.RememberContext(ctx, c("u1", "device", "d", t0.Add(2*time.Hour)), 3); err != nil {
		t.Fatal(err)
	}
	list, err := si.ListContexts(ctx, devStore, "u1", "device")
	var got []string
	for _, x := range list {
		got = append(got, string(x.Value))
	}
	if err != nil || !reflect.DeepEqual(got, []string{"d", "a", "c"}) {
		t.Fatalf("contexts = %v, %v; want [d a c]", got, err)
	}
	if !list[1].LastSeenAt.Equal(t0.Add(time.Hour)) || list[1].UserID != "u1" || list[1].Kind != "device" || list[1].IdentityStoreID != devStore {
		t.Fatalf("context read back as %+v", list[1])
	}
	if l, _ := si.ListContexts(ctx, devStore, "u1", "address"); len(l) != 1 {
		t.Fatalf("the device limit touched other kinds: %+v", l)
	}

	// Several kinds at once: one upsert, each kind trimmed to keep on its
	// own; MatchContexts matches kind and value together.
	wantErr(t, "unknown user, several", si.RememberContexts(ctx, []store.SignInContext{c("nobody", "device", "x", t0), c("nobody", "agent", "x", t0)}, 3), store.ErrNotFound)
	at := t0.Add(3 * time.Hour)
	if err := si.RememberContexts(ctx, []store.SignInContext{c("u1", "device", "e", at), c("u1", "address", "b", at), c("u1", "agent", "a", at)}, 3); err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[string][]string{"device": {"e", "d", "a"}, "address": {"b", "a"}, "agent": {"a"}} {
		list, err := si.ListContexts(ctx, devStore, "u1", kind)
		var got []string
		for _, x := range list {
			got = append(got, string(x.Value))
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s contexts after RememberContexts = %v, %v; want %v", kind, got, err, want)
		}
	}
	match, err := si.MatchContexts(ctx, devStore, "u1", []store.SignInContext{
		{Kind: "device", Value: []byte("e")}, {Kind: "address", Value: []byte("e")}, {Kind: "agent", Value: []byte("a")}, {Kind: "device", Value: []byte("z")}})
	if err != nil || len(match) != 2 || match[0].Kind != "device" || string(match[0].Value) != "e" || match[1].Kind != "agent" {
		t.Fatalf("MatchContexts = %+v, %v; want device e and agent a", match, err)
	}
	if match, err := si.MatchContexts(ctx, devStore, "u2", []store.SignInContext{{Kind: "device", Value: []byte("e")}}); err != nil || len(match) != 0 {
		t.Fatalf("MatchContexts of another user = %+v, %v", match, err)
	}
	if match, err := si.MatchContexts(ctx, devStore, "u1", nil); err != nil || len(match) != 0 {
		t.Fatalf("MatchContexts(nil) = %+v, %v", match, err)
	}
}

func testSignInChallenges(t *testing.T, s store.Store) {
	si := s.SignIns()
	devUser(t, s, devStore, "u1")
	c := store.SignInChallenge{TokenHash: []byte("h1"), IdentityStoreID: devStore, UserID: "u1", UserKey: "key", Kind: "MFA",
		Methods: []string{"TOTP", "WEBAUTHN"}, AuthMethods: []string{"pwd"}, PasswordChange: "EXPIRED", CodeHash: []byte("code"),
		SourceIP: "192.0.2.1", UserAgent: "UA", DeviceID: "dev", CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
	if err := si.CreateChallenge(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := si.GetChallenge(ctx, []byte("h1"))
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("GetChallenge =\n%+v, %v\nwant\n%+v", got, err, c)
	}
	wantErr(t, "duplicate", si.CreateChallenge(ctx, c), store.ErrConflict)
	orphan := c
	orphan.TokenHash, orphan.UserID = []byte("h2"), "nobody"
	wantErr(t, "unknown user", si.CreateChallenge(ctx, orphan), store.ErrNotFound)
	bare := store.SignInChallenge{TokenHash: []byte("h3"), IdentityStoreID: devStore, UserID: "u1", Kind: "ENROL", CreatedAt: t0, ExpiresAt: t0}
	if err := si.CreateChallenge(ctx, bare); err != nil {
		t.Fatal(err)
	}
	if got, _ := si.GetChallenge(ctx, []byte("h3")); got.CodeHash != nil || got.Methods == nil || len(got.Methods) != 0 || got.AuthMethods == nil {
		t.Fatalf("empty fields read back as %+v", got)
	}
	for want := 1; want <= 2; want++ {
		if n, err := si.AddChallengeAttempt(ctx, []byte("h1")); err != nil || n != want {
			t.Fatalf("AddChallengeAttempt = %d, %v; want %d", n, err, want)
		}
	}
	_, err = si.AddChallengeAttempt(ctx, []byte("nope"))
	wantErr(t, "attempt on a missing challenge", err, store.ErrNotFound)
	if n, err := si.DeleteExpiredChallenges(ctx, t0, 10); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredChallenges = %d, %v; want 1 (h3)", n, err)
	}
	if err := si.DeleteChallenge(ctx, []byte("h1")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "second use", si.DeleteChallenge(ctx, []byte("h1")), store.ErrNotFound)
	_, err = si.GetChallenge(ctx, []byte("h1"))
	wantErr(t, "deleted challenge", err, store.ErrNotFound)
	for i := range 3 {
		x := bare
		x.TokenHash = []byte(fmt.Sprint("e", i))
		if err := si.CreateChallenge(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	wantBatches(t, "DeleteExpiredChallenges", func(n int) (int, error) { return si.DeleteExpiredChallenges(ctx, t0, n) }, 2, 1, 0)
}

// Deleting a user deletes its contexts and challenges; failure counters are
// per name and stay (until swept).
func testSignInCascade(t *testing.T, s store.Store) {
	si := s.SignIns()
	devUser(t, s, devStore, "u1")
	if err := si.RememberContext(ctx, store.SignInContext{IdentityStoreID: devStore, UserID: "u1", Kind: "device", Value: []byte("a"), LastSeenAt: t0}, 3); err != nil {
		t.Fatal(err)
	}
	if err := si.CreateChallenge(ctx, store.SignInChallenge{TokenHash: []byte("h"), IdentityStoreID: devStore, UserID: "u1", Kind: "MFA", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := si.UpdateFailures(ctx, devStore, "u1-key", func(f *store.SignInFailures) error { f.Failures = 1; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Users().Delete(ctx, devStore, "u1"); err != nil {
		t.Fatal(err)
	}
	_, err := si.GetChallenge(ctx, []byte("h"))
	wantErr(t, "challenge of a deleted user", err, store.ErrNotFound)
	devUser(t, s, devStore, "u1")
	if known, _ := si.KnownContexts(ctx, devStore, "u1", "device", [][]byte{[]byte("a")}); len(known) != 0 || !bytes.Equal(bytes.Join(known, nil), nil) {
		t.Fatalf("a recreated user inherits contexts: %q", known)
	}
	if _, err := si.GetFailures(ctx, devStore, "u1-key"); err != nil {
		t.Fatalf("failure counter of the name: %v", err)
	}
}

package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// sessionTests are the conformance tests of the portal sessions.
var sessionTests = []namedTest{
	{"Sessions", testSessions},
}

func devSession(userID, id string, created, expires time.Time) store.Session {
	return store.Session{IdentityStoreID: devStore, UserID: userID, ID: id, TokenHash: []byte("tok-" + id), CreatedAt: created,
		LastSeenAt: created, ExpiresAt: expires, SourceIP: "192.0.2.7", UserAgent: "Mozilla/5.0", AuthMethods: []string{"pwd", "totp"}}
}

func testSessions(t *testing.T, s store.Store) {
	dv := s.Sessions()
	devUser(t, s, devStore, "u1")
	devUser(t, s, devStore, "u2")
	a := devSession("u1", "s-a", t0.Add(time.Second), t0.Add(time.Hour))
	b := devSession("u1", "s-b", t0, t0.Add(2*time.Hour)) // older, listed first
	old := devSession("u1", "s-old", t0.Add(-2*time.Hour), t0)
	other := devSession("u2", "s-u2", t0, t0.Add(time.Hour))
	other.AuthMethods = nil
	for _, x := range []store.Session{a, b, old, other} {
		if err := dv.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	dup := a
	dup.ID = "s-dup"
	wantErr(t, "duplicate token hash", dv.Create(ctx, dup), store.ErrConflict)
	dup = a
	dup.TokenHash = []byte("fresh")
	wantErr(t, "duplicate id", dv.Create(ctx, dup), store.ErrConflict)
	orphan := devSession("nobody", "s-x", t0, t0.Add(time.Hour))
	wantErr(t, "unknown user", dv.Create(ctx, orphan), store.ErrNotFound)
	devUser(t, s, devStore, "u-off")
	if err := s.Users().Update(ctx, devStore, "u-off", func(u *store.User) error { u.Enabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "disabled user", dv.Create(ctx, devSession("u-off", "s-off", t0, t0.Add(time.Hour))), store.ErrNotFound)

	got, err := dv.GetByToken(ctx, []byte("tok-s-a"))
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("GetByToken =\n%+v, %v\nwant\n%+v", got, err, a)
	}
	if got, err := dv.GetByToken(ctx, []byte("tok-s-old")); err != nil || got.ID != "s-old" {
		t.Fatalf("expired session by token = %+v, %v; want it returned", got, err)
	}
	if got, _ := dv.GetByToken(ctx, []byte("tok-s-u2")); got.AuthMethods == nil || len(got.AuthMethods) != 0 {
		t.Fatalf("nil auth methods read back as %#v, want empty", got.AuthMethods)
	}
	_, err = dv.GetByToken(ctx, []byte("nope"))
	wantErr(t, "unknown token", err, store.ErrNotFound)

	list, err := dv.List(ctx, devStore, "u1", t0)
	if err != nil || len(list) != 2 || list[0].ID != "s-b" || !reflect.DeepEqual(list[1], a) {
		t.Fatalf("List = %+v, %v; want s-b, s-a (s-old expired at t0)", list, err)
	}
	if list, _ := dv.List(ctx, devStore, "u1", t0.Add(90*time.Minute)); len(list) != 1 || list[0].ID != "s-b" {
		t.Fatalf("List later = %+v", list)
	}

	if err := dv.Touch(ctx, devStore, "s-a", t0.Add(time.Minute), t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = dv.GetByToken(ctx, []byte("tok-s-a"))
	if !got.LastSeenAt.Equal(t0.Add(time.Minute)) || !got.ExpiresAt.Equal(t0.Add(3*time.Hour)) || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("touch not saved: %+v", got)
	}
	wantErr(t, "touch missing", dv.Touch(ctx, devStore, "nope", t0, t0), store.ErrNotFound)

	// DeleteSessions ignores unknown ids and other users' sessions.
	n, err := dv.Delete(ctx, devStore, "u1", []string{"s-a", "nope", "s-u2"})
	if err != nil || n != 1 {
		t.Fatalf("Delete = %d, %v; want 1", n, err)
	}
	if _, err := dv.GetByToken(ctx, []byte("tok-s-u2")); err != nil {
		t.Fatalf("another user's session was deleted: %v", err)
	}
	if n, err := dv.Delete(ctx, devStore, "u1", nil); err != nil || n != 0 {
		t.Fatalf("Delete(nil) = %d, %v", n, err)
	}
	if n, err := dv.DeleteExpired(ctx, t0, 100); err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1 (s-old)", n, err)
	}
	if n, err := dv.DeleteOfUser(ctx, devStore, "u1"); err != nil || n != 1 {
		t.Fatalf("DeleteOfUser = %d, %v; want 1 (s-b)", n, err)
	}
	if list, _ := dv.List(ctx, devStore, "u1", t0.Add(-time.Hour)); len(list) != 0 {
		t.Fatalf("sessions left: %+v", list)
	}
	if list, _ := dv.List(ctx, devStore, "u2", t0); len(list) != 1 {
		t.Fatalf("u2 sessions = %+v", list)
	}
}

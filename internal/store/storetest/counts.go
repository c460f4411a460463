package storetest

import (
	"errors"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

// Users().Count and Groups().Count follow every create and delete, per
// store, including ones that fail and transactions that roll back.
func testCounts(t *testing.T, s store.Store) {
	const a, b = "d-00000000c1", "d-00000000c2"
	want := func(what string, storeID string, users, groups int) {
		t.Helper()
		nu, err1 := s.Users().Count(ctx, storeID)
		ng, err2 := s.Groups().Count(ctx, storeID)
		if err1 != nil || err2 != nil || nu != users || ng != groups {
			t.Fatalf("%s: %s counts users=%d groups=%d (%v, %v), want %d, %d", what, storeID, nu, ng, err1, err2, users, groups)
		}
	}
	want("empty", a, 0, 0)
	for _, id := range []string{"u1", "u2", "u3"} {
		mustUser(t, s, a, id)
	}
	mustUser(t, s, b, "u1")
	for _, id := range []string{"g1", "g2"} {
		if err := s.Groups().Create(ctx, store.Group{IdentityStoreID: a, ID: id, DisplayName: id, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	want("after creates", a, 3, 2)
	want("the other store", b, 1, 0)

	dup := store.User{IdentityStoreID: a, ID: "u9", UserName: "name-u1", CreatedAt: t0, UpdatedAt: t0}
	wantErr(t, "duplicate user name", s.Users().Create(ctx, dup), store.ErrConflict)
	wantErr(t, "duplicate group", s.Groups().Create(ctx, store.Group{IdentityStoreID: a, ID: "g1", DisplayName: "other", CreatedAt: t0, UpdatedAt: t0}), store.ErrConflict)
	wantErr(t, "delete a missing user", s.Users().Delete(ctx, a, "nobody"), store.ErrNotFound)
	want("after failed writes", a, 3, 2)

	rollback := errors.New("roll back")
	err := s.WithTx(ctx, func(tx store.Store) error {
		mustUser(t, tx, a, "u4")
		if err := tx.Users().Delete(ctx, a, "u1"); err != nil {
			return err
		}
		if err := tx.Groups().Delete(ctx, a, "g1"); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	want("after a rolled-back transaction", a, 3, 2)

	if err := s.Users().Delete(ctx, a, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Groups().Delete(ctx, a, "g2"); err != nil {
		t.Fatal(err)
	}
	want("after deletes", a, 2, 1)
	want("the other store at the end", b, 1, 0)
}

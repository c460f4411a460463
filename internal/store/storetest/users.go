package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

func testUsers(t *testing.T, s store.Store) {
	const sid = "d-0000000001"
	u := store.User{IdentityStoreID: sid, ID: "u1", UserName: "Alice", DisplayName: "Alice A", Email: "Alice@Example.com",
		ExternalIDs: []store.ExternalID{{Issuer: "scim", ID: "x1"}}, Enabled: true, Profile: []byte(`{"title":"eng"}`),
		CreatedAt: t0, CreatedBy: "root", UpdatedAt: t0, UpdatedBy: "root"}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := s.Users().Get(ctx, sid, "u1")
	if err != nil {
		t.Fatal(err)
	}
	u.Seq, u.Version = got.Seq, 1 // a new user is at version 1, whatever the caller set
	if fmt.Sprint(got) != fmt.Sprint(u) {
		t.Fatalf("Get =\n%+v\nwant\n%+v", got, u)
	}
	dupName := u
	dupName.ID, dupName.UserName, dupName.Email = "u2", "ALICE", "other@example.com"
	wantErr(t, "user name differing only in case", s.Users().Create(ctx, dupName), store.ErrConflict)
	dupMail := u
	dupMail.ID, dupMail.UserName, dupMail.Email = "u2", "bob", "alice@example.COM"
	wantErr(t, "email differing only in case", s.Users().Create(ctx, dupMail), store.ErrConflict)
	// Same name in another store is fine; empty emails do not collide.
	other := u
	other.IdentityStoreID = "d-0000000002"
	if err := s.Users().Create(ctx, other); err != nil {
		t.Fatalf("same user name in another store: %v", err)
	}
	for i, name := range []string{"carol", "dave"} {
		if err := s.Users().Create(ctx, store.User{IdentityStoreID: sid, ID: fmt.Sprint("n", i), UserName: name, Enabled: true, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatalf("user without email %d: %v", i, err)
		}
	}
	if err := s.Users().Update(ctx, sid, "n0", func(u *store.User) error { u.UserName = "alice"; return nil }); !isConflict(err) {
		t.Fatalf("rename onto a taken name: %v", err)
	}
	if err := s.Users().Update(ctx, sid, "n0", func(u *store.User) error { u.Enabled = false; u.DisplayName = "C"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Users().Get(ctx, sid, "n0"); got.Enabled || got.DisplayName != "C" {
		t.Fatalf("update lost: %+v", got)
	}
	list, err := s.Users().List(ctx, sid, store.UserFilter{}, 0, 2)
	if err != nil || len(list) != 2 || list[0].ID != "u1" || list[1].ID != "n0" {
		t.Fatalf("List page 1 = %v, %v", ids(list), err)
	}
	list, _ = s.Users().List(ctx, sid, store.UserFilter{}, list[1].Seq, 2)
	if len(list) != 1 || list[0].ID != "n1" {
		t.Fatalf("List page 2 = %v", ids(list))
	}
	list, _ = s.Users().List(ctx, sid, store.UserFilter{UserName: "ALICE"}, 0, 10)
	if len(list) != 1 || list[0].ID != "u1" {
		t.Fatalf("List by user name = %v", ids(list))
	}
	if n, err := s.Users().Count(ctx, sid); err != nil || n != 3 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	many, err := s.Users().GetMany(ctx, sid, []string{"n1", "missing", "u1", "n1"})
	if err != nil || fmt.Sprint(ids(many)) != "[u1 n1]" {
		t.Fatalf("GetMany = %v, %v; want the existing ones in creation order", ids(many), err)
	}
	if many, err := s.Users().GetMany(ctx, "d-other00000", []string{"u1"}); err != nil || len(many) != 0 {
		t.Fatalf("GetMany in another store = %v, %v", ids(many), err)
	}
	if err := s.Users().Delete(ctx, sid, "u1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.Users().Delete(ctx, sid, "u1"), store.ErrNotFound)
	_, err = s.Users().Get(ctx, sid, "u1")
	wantErr(t, "get deleted", err, store.ErrNotFound)
	// The freed name and email can be used again.
	u.ID = "u3"
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatalf("reuse of a deleted user's name: %v", err)
	}
	testUserUpdates(t, s, sid)
}

// testUserUpdates: Update saves every field or nothing, and keeps the
// e-mail and external-id indexes in step.
func testUserUpdates(t *testing.T, s store.Store, sid string) {
	boom := errors.New("boom")
	if err := s.Users().Update(ctx, sid, "n1", func(u *store.User) error { u.DisplayName = "lost"; return boom }); !errorsIs(err, boom) {
		t.Fatalf("updater error not returned: %v", err)
	}
	if got, _ := s.Users().Get(ctx, sid, "n1"); got.DisplayName == "lost" {
		t.Fatal("a failed update was saved")
	}
	wantErr(t, "update missing", s.Users().Update(ctx, sid, "nope", func(*store.User) error { return nil }), store.ErrNotFound)
	if err := s.Users().Update(ctx, sid, "n1", func(u *store.User) error { u.Email = "ALICE@example.com"; return nil }); !isConflict(err) {
		t.Fatalf("update onto a taken e-mail: %v", err)
	}
	err := s.Users().Update(ctx, sid, "n1", func(u *store.User) error {
		u.Email, u.EmailVerified, u.Profile = "Dave@Example.com", true, []byte(`{"nickname":"d"}`)
		u.ExternalIDs = []store.ExternalID{{Issuer: "idp", ID: "dave"}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Users().GetByEmail(ctx, sid, "dave@example.COM")
	if err != nil || got.ID != "n1" || !got.EmailVerified || string(got.Profile) != `{"nickname":"d"}` || got.Email != "Dave@Example.com" {
		t.Fatalf("GetByEmail after update = %+v, %v", got, err)
	}
	if got, err := s.Users().GetByExternalID(ctx, sid, store.ExternalID{Issuer: "idp", ID: "dave"}); err != nil || got.ID != "n1" {
		t.Fatalf("GetByExternalID after update = %+v, %v", got, err)
	}
	// Another user cannot take the external id.
	if err := s.Users().Update(ctx, sid, "n0", func(u *store.User) error { u.ExternalIDs = []store.ExternalID{{Issuer: "idp", ID: "dave"}}; return nil }); !isConflict(err) {
		t.Fatalf("taken external id: %v", err)
	}
	// Dropping the external id frees it.
	if err := s.Users().Update(ctx, sid, "n1", func(u *store.User) error { u.ExternalIDs = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	_, err = s.Users().GetByExternalID(ctx, sid, store.ExternalID{Issuer: "idp", ID: "dave"})
	wantErr(t, "dropped external id", err, store.ErrNotFound)
	_, err = s.Users().GetByEmail(ctx, sid, "")
	wantErr(t, "empty e-mail", err, store.ErrNotFound)
}

func isConflict(err error) bool {
	return err != nil && errorsIs(err, store.ErrConflict)
}

func ids(us []store.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

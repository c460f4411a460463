package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

var containingTests = []namedTest{
	{"UsersContaining", testUsersContaining},
	{"UsersContainingFollowsWrites", testUsersContainingFollowsWrites},
}

func mustTextUser(t *testing.T, s store.Store, storeID, id, name, email string) {
	t.Helper()
	u := store.User{IdentityStoreID: storeID, ID: id, UserName: name, Email: email, Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
}

// containing is Containing's ids, or the error.
func containing(s store.Store, storeID string, text store.UserText, sub string, max int) string {
	list, err := s.Users().Containing(ctx, storeID, text, sub, max)
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprint(ids(list))
}

func testUsersContaining(t *testing.T, s store.Store) {
	const sid, other = "d-0000000001", "d-0000000002"
	mustTextUser(t, s, sid, "u1", "Alice.Smith", "alice@example.com")
	mustTextUser(t, s, sid, "u2", "bob", "BOB@Sample.org")
	mustTextUser(t, s, sid, "u3", "100%real", "")
	mustTextUser(t, s, sid, "u4", "palex", "")
	mustTextUser(t, s, sid, "u5", "carol_x", "")
	mustTextUser(t, s, sid, "u6", `o"neil`, "")
	mustTextUser(t, s, sid, "u7", `back\slash`, "")
	mustTextUser(t, s, sid, "u8", "Jörg.Müller", "")
	mustTextUser(t, s, other, "o1", "Alice.Smith", "alice@example.com")
	for _, tc := range []struct {
		text store.UserText
		sub  string
		want string
	}{
		{store.UserTextUserName, "smith", "[u1]"},
		{store.UserTextUserName, "ALICE.S", "[u1]"},  // case-insensitive, only this store's
		{store.UserTextUserName, "0%r", "[u3]"},      // % is a character
		{store.UserTextUserName, "l_x", "[u5]"},      // _ is a character: not palex
		{store.UserTextUserName, `o"n`, "[u6]"},      // a double quote
		{store.UserTextUserName, `k\s`, "[u7]"},      // a backslash
		{store.UserTextUserName, "MÜL", "[u8]"},      // three characters, not three bytes
		{store.UserTextUserName, "example", "[]"},    // the e-mail is not the user name
		{store.UserTextUserName, "nobody", "[]"},     //
		{store.UserTextEmail, "example.com", "[u1]"}, //
		{store.UserTextEmail, "sample.ORG", "[u2]"},  //
		{store.UserTextEmail, "bob", "[u2]"},         //
		{store.UserTextEmail, "palex", "[]"},         // the user name is not the e-mail
		{store.UserTextUserName, "al", "error: " + store.ErrTooShort.Error()},
		{store.UserTextEmail, "", "error: " + store.ErrTooShort.Error()},
	} {
		if got := containing(s, sid, tc.text, tc.sub, 10); got != tc.want {
			t.Errorf("Containing(%d, %q) = %s, want %s", tc.text, tc.sub, got, tc.want)
		}
	}
	// Bounded: more than max matches is ErrLimit; up to max, all in Seq order.
	for i := range 5 {
		mustTextUser(t, s, sid, fmt.Sprint("m", i), fmt.Sprint("member-", 4-i), "")
	}
	if _, err := s.Users().Containing(ctx, sid, store.UserTextUserName, "member-", 4); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("5 matches, max 4: %v, want ErrLimit", err)
	}
	list, err := s.Users().Containing(ctx, sid, store.UserTextUserName, "member-", 5)
	if err != nil || !slices.Equal(ids(list), []string{"m0", "m1", "m2", "m3", "m4"}) {
		t.Fatalf("5 matches, max 5: %v, %v", ids(list), err)
	}
	for i := 1; i < len(list); i++ {
		if list[i-1].Seq >= list[i].Seq {
			t.Fatalf("not in Seq order: %v", list)
		}
	}
	if list[0].UserName != "member-4" {
		t.Fatalf("whole users are returned: %+v", list[0])
	}
}

// The search follows renames, e-mail changes and deletes.
func testUsersContainingFollowsWrites(t *testing.T, s store.Store) {
	const sid = "d-0000000001"
	mustTextUser(t, s, sid, "u1", "first.name", "first@example.com")
	mustTextUser(t, s, sid, "u2", "second.name", "second@example.com")
	if err := s.Users().Update(ctx, sid, "u1", func(u *store.User) error {
		u.UserName, u.Email = "renamed", "moved@example.net"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text      store.UserText
		sub, want string
	}{
		{store.UserTextUserName, "first", "[]"},
		{store.UserTextUserName, "renamed", "[u1]"},
		{store.UserTextUserName, ".name", "[u2]"},
		{store.UserTextEmail, "example.com", "[u2]"},
		{store.UserTextEmail, "moved", "[u1]"},
	} {
		if got := containing(s, sid, tc.text, tc.sub, 10); got != tc.want {
			t.Errorf("after update, Containing(%d, %q) = %s, want %s", tc.text, tc.sub, got, tc.want)
		}
	}
	// An update that leaves the keys alone keeps the user findable.
	if err := s.Users().Update(ctx, sid, "u2", func(u *store.User) error { u.DisplayName = "Second"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := containing(s, sid, store.UserTextUserName, "second", 10); got != "[u2]" {
		t.Errorf("after a display-name change: %s", got)
	}
	if err := s.Users().Delete(ctx, sid, "u2"); err != nil {
		t.Fatal(err)
	}
	if got := containing(s, sid, store.UserTextUserName, "second", 10); got != "[]" {
		t.Errorf("after delete: %s", got)
	}
}

package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

// The identity store's unique keys, limits, versions and bulk memberships.
var identityKeyTests = []namedTest{
	{"ConflictNamesTheKey", testConflictNamesTheKey},
	{"CreateWithinIsExactUnderConcurrency", testCreateWithinConcurrent},
	{"VersionsCountChanges", testVersionsCountChanges},
	{"BulkMembers", testBulkMembers},
}

func wantKey(t *testing.T, what string, err error, key string) {
	t.Helper()
	if !errors.Is(err, store.ErrConflict) || store.ConflictKey(err) != key {
		t.Fatalf("%s: got %v (key %q), want a conflict on %q", what, err, store.ConflictKey(err), key)
	}
}

func testConflictNamesTheKey(t *testing.T, s store.Store) {
	const sid = "d-00000000k1"
	u := store.User{IdentityStoreID: sid, ID: "u1", UserName: "alice", Email: "a@example.com",
		ExternalIDs: []store.ExternalID{{Issuer: "scim", ID: "x1"}}, Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	clash := func(mut func(*store.User)) error {
		v := store.User{IdentityStoreID: sid, ID: "u2", UserName: "bob", Email: "b@example.com", Enabled: true, CreatedAt: t0, UpdatedAt: t0}
		mut(&v)
		return s.Users().Create(ctx, v)
	}
	wantKey(t, "same id", clash(func(v *store.User) { v.ID = "u1" }), store.KeyID)
	wantKey(t, "user name in another case", clash(func(v *store.User) { v.UserName = "ALICE" }), store.KeyUserName)
	wantKey(t, "e-mail in another case", clash(func(v *store.User) { v.Email = "A@EXAMPLE.COM" }), store.KeyEmail)
	wantKey(t, "external id", clash(func(v *store.User) { v.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "x1"}} }), store.KeyExternalID)
	if n, _ := s.Users().Count(ctx, sid); n != 1 {
		t.Fatalf("count after refused creates = %d, want 1 (nothing written)", n)
	}
	if err := clash(func(*store.User) {}); err != nil {
		t.Fatal(err)
	}
	err := s.Users().Update(ctx, sid, "u2", func(v *store.User) error { v.UserName = "Alice"; return nil })
	wantKey(t, "update to a taken user name", err, store.KeyUserName)
	err = s.Users().Update(ctx, sid, "u2", func(v *store.User) error { v.Email = "a@example.com"; return nil })
	wantKey(t, "update to a taken e-mail", err, store.KeyEmail)

	g := mkGroup("g1", "Eng")
	g.IdentityStoreID = sid
	g.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "gx"}}
	if err := s.Groups().Create(ctx, g); err != nil {
		t.Fatal(err)
	}
	g2 := mkGroup("g2", "eng")
	g2.IdentityStoreID = sid
	wantKey(t, "group name in another case", s.Groups().Create(ctx, g2), store.KeyDisplayName)
	g2.DisplayName, g2.ExternalIDs = "Sales", []store.ExternalID{{Issuer: "scim", ID: "gx"}}
	wantKey(t, "group external id", s.Groups().Create(ctx, g2), store.KeyExternalID)

	m := store.Membership{IdentityStoreID: sid, ID: "m1", GroupID: "g1", UserID: "u1", CreatedAt: t0}
	if err := s.Memberships().Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	m.ID = "m2"
	wantKey(t, "the same membership twice", s.Memberships().Create(ctx, m), store.KeyMember)
	m.UserID = "nobody"
	wantKey(t, "a membership of a missing user", s.Memberships().Create(ctx, m), store.KeyReference)
}

func testCreateWithinConcurrent(t *testing.T, s store.Store) {
	const sid, limit, tries = "d-00000000q1", 7, 20
	var wg sync.WaitGroup
	errs := make([]error, tries)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Users().CreateWithin(ctx, store.User{IdentityStoreID: sid, ID: fmt.Sprintf("u%d", i), UserName: fmt.Sprintf("user-%d", i),
				Enabled: true, CreatedAt: t0, UpdatedAt: t0}, limit)
		}()
	}
	wg.Wait()
	created := 0
	for i, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, store.ErrLimit):
			t.Fatalf("create %d: %v, want nil or ErrLimit", i, err)
		}
	}
	n, err := s.Users().Count(ctx, sid)
	if created != limit || n != limit || err != nil {
		t.Fatalf("%d creates succeeded, Count = %d (%v); want exactly %d", created, n, err, limit)
	}
	if list, _ := s.Users().List(ctx, sid, store.UserFilter{}, 0, 100); len(list) != limit {
		t.Fatalf("%d users stored, want %d", len(list), limit)
	}
	// Deleting frees exactly as many places as it deletes, however the
	// counts are kept (concurrent refills again stop at the limit).
	for i := range 3 {
		if err := s.Users().Delete(ctx, sid, fmt.Sprintf("u%d", firstCreated(errs)[i])); err != nil {
			t.Fatal(err)
		}
	}
	refill := make([]error, tries)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refill[i] = s.Users().CreateWithin(ctx, store.User{IdentityStoreID: sid, ID: fmt.Sprintf("r%d", i), UserName: fmt.Sprintf("refill-%d", i),
				Enabled: true, CreatedAt: t0, UpdatedAt: t0}, limit)
		}()
	}
	wg.Wait()
	if got := len(firstCreated(refill)); got != 3 {
		t.Fatalf("%d refills after 3 deletes, want 3", got)
	}
	if n, err := s.Users().Count(ctx, sid); n != limit || err != nil {
		t.Fatalf("Count after refills = %d (%v), want %d", n, err, limit)
	}
	// Groups: the same contract.
	for i := range 3 {
		g := mkGroup(fmt.Sprintf("g%d", i), fmt.Sprintf("group-%d", i))
		g.IdentityStoreID = sid
		err := s.Groups().CreateWithin(ctx, g, 2)
		if (i < 2) != (err == nil) || (i == 2 && !errors.Is(err, store.ErrLimit)) {
			t.Fatalf("group %d within 2: %v", i, err)
		}
	}
	// A refused create leaves nothing behind: not the row, not its external ids.
	g := mkGroup("g9", "group-9")
	g.IdentityStoreID, g.ExternalIDs = sid, []store.ExternalID{{Issuer: "scim", ID: "late"}}
	if err := s.Groups().CreateWithin(ctx, g, 2); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := s.Groups().GetByExternalID(ctx, sid, store.ExternalID{Issuer: "scim", ID: "late"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("external id of a refused group: %v, want ErrNotFound", err)
	}
}

func testVersionsCountChanges(t *testing.T, s store.Store) {
	const sid = "d-00000000v1"
	mustGroupUser(t, s, sid, "u1")
	mustGroupUser(t, s, sid, "u2")
	userVersion := func() int64 {
		u, err := s.Users().Get(ctx, sid, "u1")
		if err != nil {
			t.Fatal(err)
		}
		return u.Version
	}
	if v := userVersion(); v != 1 {
		t.Fatalf("new user at version %d, want 1", v)
	}
	for want := int64(2); want <= 3; want++ {
		if err := s.Users().Update(ctx, sid, "u1", func(u *store.User) error { u.DisplayName += "x"; return nil }); err != nil {
			t.Fatal(err)
		}
		if v := userVersion(); v != want {
			t.Fatalf("after an update: version %d, want %d", v, want)
		}
	}
	// A refused update changes nothing, its version included.
	if err := s.Users().Update(ctx, sid, "u1", func(*store.User) error { return errors.New("no") }); err == nil {
		t.Fatal("a failing fn must fail the update")
	}
	if v := userVersion(); v != 3 {
		t.Fatalf("after a refused update: version %d, want 3", v)
	}

	g := mkGroup("g1", "Versioned")
	g.IdentityStoreID = sid
	mustGroup(t, s, g)
	groupVersion := func() int64 {
		got, err := s.Groups().Get(ctx, sid, "g1")
		if err != nil {
			t.Fatal(err)
		}
		return got.Version
	}
	steps := []struct {
		what string
		do   func() error
	}{
		{"update", func() error {
			return s.Groups().Update(ctx, sid, "g1", func(g *store.Group) error { g.Description = "d"; return nil })
		}},
		{"membership create", func() error {
			return s.Memberships().Create(ctx, store.Membership{IdentityStoreID: sid, ID: "m1", GroupID: "g1", UserID: "u1", CreatedAt: t0})
		}},
		{"membership delete", func() error { return s.Memberships().Delete(ctx, sid, "m1") }},
		{"AddMembers", func() error {
			_, err := s.Memberships().AddMembers(ctx, sid, "g1", []string{"u1", "u2"}, []string{"m2", "m3"}, t0)
			return err
		}},
		{"RemoveMembers", func() error {
			_, err := s.Memberships().RemoveMembers(ctx, sid, "g1", []string{"u2"})
			return err
		}},
	}
	for i, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		if v := groupVersion(); v != int64(i+2) {
			t.Fatalf("after %s: group version %d, want %d", st.what, v, i+2)
		}
	}
	// Adding members that already are, or removing non-members, changes nothing.
	if added, err := s.Memberships().AddMembers(ctx, sid, "g1", []string{"u1"}, []string{"m9"}, t0); err != nil || len(added) != 0 {
		t.Fatalf("re-adding a member: %v, %v", added, err)
	}
	if removed, err := s.Memberships().RemoveMembers(ctx, sid, "g1", []string{"u2"}); err != nil || len(removed) != 0 {
		t.Fatalf("removing a non-member: %v, %v", removed, err)
	}
	if v := groupVersion(); v != int64(len(steps)+1) {
		t.Fatalf("after no-op member writes: version %d, want %d", v, len(steps)+1)
	}
}

func testBulkMembers(t *testing.T, s store.Store) {
	const sid, n = "d-00000000b1", 1203 // more than two statements' worth
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("u%04d", i)
	}
	for _, id := range users {
		mustGroupUser(t, s, sid, id)
	}
	g := mkGroup("g1", "Big")
	g.IdentityStoreID = sid
	mustGroup(t, s, g)
	ids := func(prefix string, us []string) []string {
		out := make([]string, len(us))
		for i, u := range us {
			out[i] = prefix + u
		}
		return out
	}
	// Every other user first, then all: only the missing half is added, in order.
	half := []string{}
	for i := 0; i < n; i += 2 {
		half = append(half, users[i])
	}
	added, err := s.Memberships().AddMembers(ctx, sid, "g1", half, ids("a-", half), t0)
	if err != nil || !slices.Equal(added, half) {
		t.Fatalf("AddMembers(half) = %d added, %v", len(added), err)
	}
	rev := slices.Clone(users)
	slices.Reverse(rev)
	added, err = s.Memberships().AddMembers(ctx, sid, "g1", rev, ids("b-", rev), t0)
	if err != nil || len(added) != n-len(half) {
		t.Fatalf("AddMembers(all) = %d added, %v; want %d", len(added), err, n-len(half))
	}
	for i := 1; i < len(added); i++ {
		if added[i] > added[i-1] {
			t.Fatalf("added not in the order given: %s before %s", added[i-1], added[i])
		}
	}
	members, err := s.Memberships().MemberIDs(ctx, sid, "g1")
	sort.Strings(members)
	if err != nil || !slices.Equal(members, users) {
		t.Fatalf("MemberIDs = %d ids, %v; want %d", len(members), err, n)
	}
	// A missing user refuses the whole call.
	_, err = s.Memberships().AddMembers(ctx, sid, "g1", []string{"ghost"}, []string{"c-ghost"}, t0)
	wantKey(t, "AddMembers with a missing user", err, store.KeyReference)
	_, err = s.Memberships().AddMembers(ctx, sid, "no-group", []string{users[0]}, []string{"c-0"}, t0)
	wantKey(t, "AddMembers to a missing group", err, store.KeyReference)
	// Remove: the members among those asked, in the order asked.
	ask := []string{users[5], "ghost", users[3], users[5]}
	removed, err := s.Memberships().RemoveMembers(ctx, sid, "g1", ask)
	if err != nil || !slices.Equal(removed, []string{users[5], users[3]}) {
		t.Fatalf("RemoveMembers = %v, %v", removed, err)
	}
	if _, err := s.Memberships().Find(ctx, sid, "g1", users[5]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removed member still found: %v", err)
	}
	members, _ = s.Memberships().MemberIDs(ctx, sid, "g1")
	if len(members) != n-2 {
		t.Fatalf("%d members after removing 2 of %d", len(members), n)
	}
}

// firstCreated lists the indexes of errs that are nil.
func firstCreated(errs []error) []int {
	var out []int
	for i, err := range errs {
		if err == nil {
			out = append(out, i)
		}
	}
	return out
}

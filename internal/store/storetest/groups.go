package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

// groupTests are the conformance tests of this area.
var groupTests = []namedTest{
	{"Groups", testGroups},
	{"GroupUpdate", testGroupUpdate},
	{"GroupListAndGetMany", testGroupList},
	{"Memberships", testMemberships},
	{"MembershipLists", testMembershipLists},
	{"MembershipCascades", testMembershipCascades},
}

const gsid = "d-00000000g1"

func mkGroup(id, name string) store.Group {
	return store.Group{IdentityStoreID: gsid, ID: id, DisplayName: name, CreatedAt: t0, CreatedBy: "root", UpdatedAt: t0, UpdatedBy: "root"}
}

func mustGroup(t *testing.T, s store.Store, g store.Group) store.Group {
	t.Helper()
	if err := s.Groups().Create(ctx, g); err != nil {
		t.Fatalf("create group %s: %v", g.ID, err)
	}
	got, err := s.Groups().Get(ctx, g.IdentityStoreID, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustGroupUser(t *testing.T, s store.Store, storeID, id string) {
	t.Helper()
	if err := s.Users().Create(ctx, store.User{IdentityStoreID: storeID, ID: id, UserName: "name-" + id, Enabled: true, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatalf("create user %s: %v", id, err)
	}
}

func groupIDs(gs []store.Group) []string {
	out := []string{}
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}

func testGroups(t *testing.T, s store.Store) {
	g := mkGroup("g1", "Engineering")
	g.Description = "builds things"
	g.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "x1"}, {Issuer: "okta", ID: "x1"}}
	got := mustGroup(t, s, g)
	g.Seq, g.Version = got.Seq, 1
	if !reflect.DeepEqual(got, g) {
		t.Fatalf("Get =\n%+v\nwant\n%+v", got, g)
	}
	plain := mustGroup(t, s, mkGroup("g2", "Sales"))
	if plain.ExternalIDs == nil || len(plain.ExternalIDs) != 0 || plain.Description != "" || plain.Seq <= g.Seq {
		t.Fatalf("group without extras read back as %+v", plain)
	}
	dup := mkGroup("g3", "ENGINEERING")
	wantErr(t, "display name differing only in case", s.Groups().Create(ctx, dup), store.ErrConflict)
	dupID := mkGroup("g1", "Other")
	wantErr(t, "duplicate id", s.Groups().Create(ctx, dupID), store.ErrConflict)
	dupExt := mkGroup("g3", "Marketing")
	dupExt.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "x1"}}
	wantErr(t, "external id taken", s.Groups().Create(ctx, dupExt), store.ErrConflict)
	if _, err := s.Groups().Get(ctx, gsid, "g3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a group whose external id conflicted was kept: %v", err)
	}
	other := g
	other.IdentityStoreID = "d-00000000g2"
	if err := s.Groups().Create(ctx, other); err != nil {
		t.Fatalf("same name and external id in another store: %v", err)
	}

	if got, err := s.Groups().GetByDisplayName(ctx, gsid, "engineering"); err != nil || got.ID != "g1" {
		t.Fatalf("GetByDisplayName = %+v, %v", got, err)
	}
	_, err := s.Groups().GetByDisplayName(ctx, gsid, "Engineer")
	wantErr(t, "display name prefix", err, store.ErrNotFound)
	if got, err := s.Groups().GetByExternalID(ctx, gsid, store.ExternalID{Issuer: "okta", ID: "x1"}); err != nil || got.ID != "g1" || got.IdentityStoreID != gsid {
		t.Fatalf("GetByExternalID = %+v, %v", got, err)
	}
	_, err = s.Groups().GetByExternalID(ctx, gsid, store.ExternalID{Issuer: "other", ID: "x1"})
	wantErr(t, "external id of another issuer", err, store.ErrNotFound)
	_, err = s.Groups().Get(ctx, "d-00000000g9", "g1")
	wantErr(t, "group of another store", err, store.ErrNotFound)

	if n, err := s.Groups().Count(ctx, gsid); err != nil || n != 2 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	if err := s.Groups().Delete(ctx, gsid, "g1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.Groups().Delete(ctx, gsid, "g1"), store.ErrNotFound)
	_, err = s.Groups().Get(ctx, gsid, "g1")
	wantErr(t, "get deleted", err, store.ErrNotFound)
	_, err = s.Groups().GetByExternalID(ctx, gsid, store.ExternalID{Issuer: "scim", ID: "x1"})
	wantErr(t, "external id of a deleted group", err, store.ErrNotFound)
	// The deleted group's name and external ids are free again; the other
	// store's copy is untouched.
	g.ID = "g4"
	mustGroup(t, s, g)
	if _, err := s.Groups().Get(ctx, "d-00000000g2", "g1"); err != nil {
		t.Fatalf("other store's group: %v", err)
	}
}

func testGroupUpdate(t *testing.T, s store.Store) {
	mustGroup(t, s, mkGroup("g1", "Alpha"))
	mustGroup(t, s, mkGroup("g2", "Beta"))
	t1 := t0.Add(3600e9)
	if err := s.Groups().Update(ctx, gsid, "g1", func(g *store.Group) error {
		g.DisplayName, g.Description, g.UpdatedAt, g.UpdatedBy = "Gamma", "third", t1, "alice"
		g.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "e1"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Groups().Get(ctx, gsid, "g1")
	if got.DisplayName != "Gamma" || got.Description != "third" || !got.UpdatedAt.Equal(t1) || got.UpdatedBy != "alice" || !got.CreatedAt.Equal(t0) || len(got.ExternalIDs) != 1 {
		t.Fatalf("update not saved: %+v", got)
	}
	if g, err := s.Groups().GetByDisplayName(ctx, gsid, "ALPHA"); err == nil {
		t.Fatalf("old display name still finds %+v", g)
	}
	if g, err := s.Groups().GetByExternalID(ctx, gsid, store.ExternalID{Issuer: "scim", ID: "e1"}); err != nil || g.ID != "g1" {
		t.Fatalf("new external id: %+v, %v", g, err)
	}
	wantErr(t, "rename onto a taken name", s.Groups().Update(ctx, gsid, "g2", func(g *store.Group) error { g.DisplayName = "gamma"; return nil }), store.ErrConflict)
	wantErr(t, "take another group's external id", s.Groups().Update(ctx, gsid, "g2", func(g *store.Group) error {
		g.Description = "lost"
		g.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "e1"}}
		return nil
	}), store.ErrConflict)
	boom := errors.New("boom")
	if err := s.Groups().Update(ctx, gsid, "g2", func(g *store.Group) error { g.Description = "lost"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("updater error not returned: %v", err)
	}
	if got, _ := s.Groups().Get(ctx, gsid, "g2"); got.Description != "" || got.DisplayName != "Beta" || len(got.ExternalIDs) != 0 {
		t.Fatalf("failed updates were saved: %+v", got)
	}
	// Changing only the case of one's own name is fine.
	if err := s.Groups().Update(ctx, gsid, "g2", func(g *store.Group) error { g.DisplayName = "BETA"; return nil }); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "update missing", s.Groups().Update(ctx, gsid, "nope", func(*store.Group) error { return nil }), store.ErrNotFound)
}

func testGroupList(t *testing.T, s store.Store) {
	for i, name := range []string{"Dev Team", "Ops team", "Finance", "100% Club", "a_b"} {
		mustGroup(t, s, mkGroup(fmt.Sprint("g", i), name))
	}
	other := mkGroup("x", "Dev Team")
	other.IdentityStoreID = "d-00000000g2"
	mustGroup(t, s, other)

	list, err := s.Groups().List(ctx, gsid, store.GroupFilter{}, 0, 2)
	if err != nil || !reflect.DeepEqual(groupIDs(list), []string{"g0", "g1"}) {
		t.Fatalf("page 1 = %v, %v", groupIDs(list), err)
	}
	list, _ = s.Groups().List(ctx, gsid, store.GroupFilter{}, list[1].Seq, 10)
	if !reflect.DeepEqual(groupIDs(list), []string{"g2", "g3", "g4"}) {
		t.Fatalf("page 2 = %v", groupIDs(list))
	}
	for filter, want := range map[string][]string{
		"TEAM": {"g0", "g1"}, "fin": {"g2"}, "%": {"g3"}, "_": {"g4"}, "nothing": {}, "100% c": {"g3"},
	} {
		list, err := s.Groups().List(ctx, gsid, store.GroupFilter{DisplayNameContains: filter}, 0, 10)
		if err != nil || !reflect.DeepEqual(groupIDs(list), want) {
			t.Errorf("List contains %q = %v, %v; want %v", filter, groupIDs(list), err, want)
		}
	}
	list, _ = s.Groups().List(ctx, gsid, store.GroupFilter{DisplayNameContains: "team"}, 0, 1)
	if list2, _ := s.Groups().List(ctx, gsid, store.GroupFilter{DisplayNameContains: "team"}, list[0].Seq, 1); !reflect.DeepEqual(groupIDs(list2), []string{"g1"}) {
		t.Fatalf("filtered page 2 = %v", groupIDs(list2))
	}

	many, err := s.Groups().GetMany(ctx, gsid, []string{"g3", "missing", "g0", "x"})
	if err != nil || !reflect.DeepEqual(groupIDs(many), []string{"g0", "g3"}) {
		t.Fatalf("GetMany = %v, %v", groupIDs(many), err)
	}
	if many[1].DisplayName != "100% Club" {
		t.Fatalf("GetMany row = %+v", many[1])
	}
	if many, err := s.Groups().GetMany(ctx, gsid, nil); err != nil || len(many) != 0 {
		t.Fatalf("GetMany(nil) = %v, %v", many, err)
	}
}

func testMemberships(t *testing.T, s store.Store) {
	mustGroup(t, s, mkGroup("g1", "One"))
	mustGroup(t, s, mkGroup("g2", "Two"))
	mustGroupUser(t, s, gsid, "u1")
	mustGroupUser(t, s, "d-00000000g2", "u9")
	m := store.Membership{IdentityStoreID: gsid, ID: "m1", GroupID: "g1", UserID: "u1", CreatedAt: t0}
	if err := s.Memberships().Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := s.Memberships().Get(ctx, gsid, "m1")
	m.Seq = got.Seq
	if err != nil || got != m {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, m)
	}
	if got, err := s.Memberships().Find(ctx, gsid, "g1", "u1"); err != nil || got != m {
		t.Fatalf("Find = %+v, %v", got, err)
	}
	_, err = s.Memberships().Find(ctx, gsid, "g2", "u1")
	wantErr(t, "find absent pair", err, store.ErrNotFound)
	_, err = s.Memberships().Get(ctx, "d-00000000g2", "m1")
	wantErr(t, "get in another store", err, store.ErrNotFound)

	for what, bad := range map[string]store.Membership{
		"same pair":             {IdentityStoreID: gsid, ID: "m2", GroupID: "g1", UserID: "u1", CreatedAt: t0},
		"same id":               {IdentityStoreID: gsid, ID: "m1", GroupID: "g2", UserID: "u1", CreatedAt: t0},
		"unknown group":         {IdentityStoreID: gsid, ID: "m3", GroupID: "nope", UserID: "u1", CreatedAt: t0},
		"unknown user":          {IdentityStoreID: gsid, ID: "m4", GroupID: "g1", UserID: "nope", CreatedAt: t0},
		"user of another store": {IdentityStoreID: gsid, ID: "m5", GroupID: "g1", UserID: "u9", CreatedAt: t0},
	} {
		wantErr(t, what, s.Memberships().Create(ctx, bad), store.ErrConflict)
	}
	if err := s.Memberships().Create(ctx, store.Membership{IdentityStoreID: gsid, ID: "m2", GroupID: "g2", UserID: "u1", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	in, err := s.Memberships().MemberOf(ctx, gsid, "u1", []string{"g1", "g2", "nope", "g1"})
	if err != nil || !reflect.DeepEqual(in, map[string]bool{"g1": true, "g2": true}) {
		t.Fatalf("MemberOf = %v, %v", in, err)
	}
	if in, err := s.Memberships().MemberOf(ctx, gsid, "u9", []string{"g1"}); err != nil || len(in) != 0 {
		t.Fatalf("MemberOf other store's user = %v, %v", in, err)
	}
	if in, err := s.Memberships().MemberOf(ctx, gsid, "u1", nil); err != nil || len(in) != 0 {
		t.Fatalf("MemberOf no groups = %v, %v", in, err)
	}
	if err := s.Memberships().Delete(ctx, gsid, "m1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.Memberships().Delete(ctx, gsid, "m1"), store.ErrNotFound)
	if in, _ := s.Memberships().MemberOf(ctx, gsid, "u1", []string{"g1", "g2"}); !reflect.DeepEqual(in, map[string]bool{"g2": true}) {
		t.Fatalf("MemberOf after delete = %v", in)
	}
	// The pair may be added again after removal.
	if err := s.Memberships().Create(ctx, store.Membership{IdentityStoreID: gsid, ID: "m6", GroupID: "g1", UserID: "u1", CreatedAt: t0}); err != nil {
		t.Fatalf("re-add: %v", err)
	}
}

func membershipIDs(ms []store.Membership) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func testMembershipLists(t *testing.T, s store.Store) {
	for _, g := range []string{"g1", "g2", "g3"} {
		mustGroup(t, s, mkGroup(g, "name "+g))
	}
	for _, u := range []string{"u1", "u2", "u3"} {
		mustGroupUser(t, s, gsid, u)
	}
	add := func(id, g, u string) {
		if err := s.Memberships().Create(ctx, store.Membership{IdentityStoreID: gsid, ID: id, GroupID: g, UserID: u, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	add("m1", "g1", "u1")
	add("m2", "g2", "u1")
	add("m3", "g1", "u2")
	add("m4", "g1", "u3")
	add("m5", "g3", "u1")
	page, err := s.Memberships().ListByGroup(ctx, gsid, "g1", 0, 2)
	if err != nil || !reflect.DeepEqual(membershipIDs(page), []string{"m1", "m3"}) {
		t.Fatalf("ListByGroup page 1 = %v, %v", membershipIDs(page), err)
	}
	page, _ = s.Memberships().ListByGroup(ctx, gsid, "g1", page[1].Seq, 2)
	if !reflect.DeepEqual(membershipIDs(page), []string{"m4"}) {
		t.Fatalf("ListByGroup page 2 = %v", membershipIDs(page))
	}
	page, err = s.Memberships().ListByUser(ctx, gsid, "u1", 0, 2)
	if err != nil || !reflect.DeepEqual(membershipIDs(page), []string{"m1", "m2"}) || page[1].GroupID != "g2" || page[1].UserID != "u1" {
		t.Fatalf("ListByUser page 1 = %+v, %v", page, err)
	}
	page, _ = s.Memberships().ListByUser(ctx, gsid, "u1", page[1].Seq, 2)
	if !reflect.DeepEqual(membershipIDs(page), []string{"m5"}) {
		t.Fatalf("ListByUser page 2 = %v", membershipIDs(page))
	}
	if page, _ := s.Memberships().ListByUser(ctx, "d-00000000g2", "u1", 0, 10); len(page) != 0 {
		t.Fatalf("another store lists %v", membershipIDs(page))
	}
}

func testMembershipCascades(t *testing.T, s store.Store) {
	mustGroup(t, s, mkGroup("g1", "One"))
	mustGroup(t, s, mkGroup("g2", "Two"))
	mustGroupUser(t, s, gsid, "u1")
	mustGroupUser(t, s, gsid, "u2")
	for i, p := range [][2]string{{"g1", "u1"}, {"g1", "u2"}, {"g2", "u1"}, {"g2", "u2"}} {
		if err := s.Memberships().Create(ctx, store.Membership{IdentityStoreID: gsid, ID: fmt.Sprint("m", i), GroupID: p[0], UserID: p[1], CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Groups().Delete(ctx, gsid, "g1"); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Memberships().ListByUser(ctx, gsid, "u1", 0, 10); !reflect.DeepEqual(membershipIDs(l), []string{"m2"}) {
		t.Fatalf("u1's memberships after deleting g1 = %v", membershipIDs(l))
	}
	if err := s.Users().Delete(ctx, gsid, "u2"); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Memberships().ListByGroup(ctx, gsid, "g2", 0, 10); !reflect.DeepEqual(membershipIDs(l), []string{"m2"}) {
		t.Fatalf("g2's memberships after deleting u2 = %v", membershipIDs(l))
	}
	_, err := s.Memberships().Get(ctx, gsid, "m3")
	wantErr(t, "membership of a deleted user", err, store.ErrNotFound)
	// A new group or user with the old id starts with no memberships.
	mustGroup(t, s, mkGroup("g1", "One"))
	if l, _ := s.Memberships().ListByGroup(ctx, gsid, "g1", 0, 10); len(l) != 0 {
		t.Fatalf("re-created g1 has memberships %v", membershipIDs(l))
	}
}

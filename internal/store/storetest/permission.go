package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// permissionTests are the conformance tests of this area.
var permissionTests = []namedTest{
	{"PermissionSets", testPermissionSets},
	{"PermissionSetList", testPermissionSetList},
	{"Assignments", testAssignments},
	{"AssignmentsManyPrincipals", testAssignmentsManyPrincipals},
	{"Agencies", testAgencies},
	{"Requests", testRequests},
	{"PermissionCascades", testPermissionCascades},
}

// mustPermInstance creates an account and its instance ins-<n>.
func mustPermInstance(t *testing.T, s store.Store, n string) store.Instance {
	t.Helper()
	acct := fmt.Sprintf("%032s", n)
	mustAccount(t, s, acct)
	in := store.Instance{ID: "ins-" + n, AccountID: acct, IdentityStoreID: "d-" + n, RegionID: "cn-north-4", CreatedAt: t0}
	if err := s.Instances().Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	return in
}

func mkPermissionSet(inst, id, name string) store.PermissionSet {
	return store.PermissionSet{InstanceID: inst, ID: id, Name: name, Description: "d", RelayState: "https://x", SessionDuration: "PT2H",
		Policies: store.PolicySet{ManagedPolicies: []string{"p1", "p2"}, ManagedRoles: []string{"r1"}, CustomPolicy: `{"Version":"5.0"}`},
		Tags:     []store.Tag{{Key: "env", Value: "dev"}, {Key: "empty", Value: ""}}, Version: 1, CreatedAt: t0, UpdatedAt: t0}
}

func mustPermissionSet(t *testing.T, s store.Store, p store.PermissionSet) store.PermissionSet {
	t.Helper()
	if err := s.PermissionSets().Create(ctx, p); err != nil {
		t.Fatalf("create permission set %s: %v", p.ID, err)
	}
	got, err := s.PermissionSets().Get(ctx, p.InstanceID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func testPermissionSets(t *testing.T, s store.Store) {
	in := mustPermInstance(t, s, "a1")
	p := mkPermissionSet(in.ID, "ps-1", "Admins")
	got := mustPermissionSet(t, s, p)
	p.Seq = got.Seq
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("Get = %+v, want %+v", got, p)
	}
	if f, err := s.PermissionSets().Find(ctx, "ps-1"); err != nil || f.InstanceID != in.ID {
		t.Fatalf("Find = %+v, %v", f, err)
	}
	wantErr(t, "duplicate id", s.PermissionSets().Create(ctx, mkPermissionSet(in.ID, "ps-1", "Other")), store.ErrConflict)
	wantErr(t, "duplicate name", s.PermissionSets().Create(ctx, mkPermissionSet(in.ID, "ps-2", "Admins")), store.ErrConflict)
	wantErr(t, "no instance", s.PermissionSets().Create(ctx, mkPermissionSet("ins-none", "ps-3", "X")), store.ErrConflict)
	if _, err := s.PermissionSets().Get(ctx, "ins-other", "ps-1"); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("Get in another instance: %v", err)
	}
	err := s.PermissionSets().Update(ctx, in.ID, "ps-1", func(p *store.PermissionSet) error {
		p.Description, p.Version = "new", p.Version+1
		p.Policies.ManagedPolicies = nil
		p.Tags = nil
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.PermissionSets().Get(ctx, in.ID, "ps-1")
	if got.Description != "new" || got.Version != 2 || len(got.Policies.ManagedPolicies) != 0 || len(got.Tags) != 0 || got.Policies.CustomPolicy == "" {
		t.Fatalf("after update: %+v", got)
	}
	boom := fmt.Errorf("boom")
	if err := s.PermissionSets().Update(ctx, in.ID, "ps-1", func(p *store.PermissionSet) error { p.Name = "zzz"; return boom }); err != boom {
		t.Fatalf("failing update: %v", err)
	}
	if got, _ := s.PermissionSets().Get(ctx, in.ID, "ps-1"); got.Name != "Admins" {
		t.Fatalf("a failed update wrote: %+v", got)
	}
	wantErr(t, "update missing", s.PermissionSets().Update(ctx, in.ID, "ps-9", func(*store.PermissionSet) error { return nil }), store.ErrNotFound)
	if n, err := s.PermissionSets().Count(ctx, in.ID); err != nil || n != 1 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	if err := s.PermissionSets().Delete(ctx, in.ID, "ps-1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.PermissionSets().Delete(ctx, in.ID, "ps-1"), store.ErrNotFound)
}

func testPermissionSetList(t *testing.T, s store.Store) {
	in := mustPermInstance(t, s, "a1")
	other := mustPermInstance(t, s, "a2")
	for i := range 5 {
		mustPermissionSet(t, s, mkPermissionSet(in.ID, fmt.Sprintf("ps-%d", i), fmt.Sprintf("n%d", i)))
	}
	mustPermissionSet(t, s, mkPermissionSet(other.ID, "ps-x", "n0"))
	page, err := s.PermissionSets().List(ctx, in.ID, store.PermissionSetFilter{}, 0, 3)
	if err != nil || len(page) != 3 || page[0].ID != "ps-0" {
		t.Fatalf("page 1 = %+v, %v", page, err)
	}
	rest, _ := s.PermissionSets().List(ctx, in.ID, store.PermissionSetFilter{}, page[2].Seq, 10)
	if len(rest) != 2 || rest[1].ID != "ps-4" {
		t.Fatalf("page 2 = %+v", rest)
	}
	for f, want := range map[store.PermissionSetFilter]int{{Name: "n0"}: 1, {ID: "ps-3"}: 1, {ID: "ps-x"}: 0, {Name: "n1", ID: "ps-2"}: 0} {
		got, err := s.PermissionSets().List(ctx, in.ID, f, 0, 10)
		if err != nil || len(got) != want {
			t.Errorf("filter %+v: %d, %v", f, len(got), err)
		}
	}
}

func mkAssignment(inst, acct, ps, typ, principal string) store.Assignment {
	return store.Assignment{InstanceID: inst, AccountID: acct, PermissionSetID: ps, PrincipalType: typ, PrincipalID: principal, CreatedAt: t0}
}

func testAssignments(t *testing.T, s store.Store) {
	in := mustPermInstance(t, s, "a1")
	mustPermissionSet(t, s, mkPermissionSet(in.ID, "ps-1", "one"))
	mustPermissionSet(t, s, mkPermissionSet(in.ID, "ps-2", "two"))
	member := mustAccount(t, s, fmt.Sprintf("%032s", "m1")).ID
	a := mkAssignment(in.ID, member, "ps-1", store.PrincipalUser, "u1")
	if err := s.Assignments().Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "duplicate", s.Assignments().Create(ctx, a), store.ErrConflict)
	wantErr(t, "no permission set", s.Assignments().Create(ctx, mkAssignment(in.ID, member, "ps-9", store.PrincipalUser, "u1")), store.ErrConflict)
	wantErr(t, "no account", s.Assignments().Create(ctx, mkAssignment(in.ID, fmt.Sprintf("%032s", "zz"), "ps-1", store.PrincipalUser, "u1")), store.ErrConflict)
	for _, b := range []store.Assignment{
		mkAssignment(in.ID, member, "ps-1", store.PrincipalGroup, "g1"),
		mkAssignment(in.ID, member, "ps-2", store.PrincipalUser, "u1"),
		mkAssignment(in.ID, in.AccountID, "ps-1", store.PrincipalUser, "u2"),
	} {
		if err := s.Assignments().Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := s.Assignments().Exists(ctx, a); !ok || err != nil {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	if ok, _ := s.Assignments().Exists(ctx, mkAssignment(in.ID, member, "ps-1", store.PrincipalGroup, "u1")); ok {
		t.Fatal("Exists matches another principal type")
	}
	list, err := s.Assignments().ListByAccount(ctx, in.ID, member, "", 0, 10)
	if err != nil || len(list) != 3 || !reflect.DeepEqual(list[0], func() store.Assignment { x := a; x.Seq = list[0].Seq; return x }()) {
		t.Fatalf("ListByAccount = %+v, %v", list, err)
	}
	if list, _ := s.Assignments().ListByAccount(ctx, in.ID, member, "ps-2", 0, 10); len(list) != 1 {
		t.Fatalf("ListByAccount ps-2 = %+v", list)
	}
	if list, _ := s.Assignments().ListByAccount(ctx, in.ID, member, "", list[0].Seq, 1); len(list) != 1 || list[0].PrincipalID != "g1" {
		t.Fatalf("ListByAccount page 2 = %+v", list)
	}
	if list, _ := s.Assignments().ListByPrincipals(ctx, in.ID, []string{"u1", "g1"}, "", 0, 10); len(list) != 3 {
		t.Fatalf("ListByPrincipals = %+v", list)
	}
	if list, _ := s.Assignments().ListByPrincipals(ctx, in.ID, []string{"u1", "u2"}, in.AccountID, 0, 10); len(list) != 1 || list[0].PrincipalID != "u2" {
		t.Fatalf("ListByPrincipals in account = %+v", list)
	}
	if list, err := s.Assignments().ListByPrincipals(ctx, in.ID, nil, "", 0, 10); len(list) != 0 || err != nil {
		t.Fatalf("ListByPrincipals none = %+v %v", list, err)
	}
	for _, c := range []struct {
		ps, acct string
		want     int
	}{{"ps-1", "", 3}, {"ps-1", member, 2}, {"ps-2", in.AccountID, 0}} {
		if n, err := s.Assignments().CountFor(ctx, in.ID, c.ps, c.acct); n != c.want || err != nil {
			t.Errorf("CountFor(%s, %s) = %d, %v", c.ps, c.acct, n, err)
		}
	}
	if n, _ := s.Assignments().CountByPrincipal(ctx, in.ID, "u1"); n != 2 {
		t.Fatalf("CountByPrincipal = %d", n)
	}
	if err := s.Assignments().Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.Assignments().Delete(ctx, a), store.ErrNotFound)
}

func testAgencies(t *testing.T, s store.Store) {
	in := mustPermInstance(t, s, "a1")
	mustPermissionSet(t, s, mkPermissionSet(in.ID, "ps-1", "one"))
	mustPermissionSet(t, s, mkPermissionSet(in.ID, "ps-2", "two"))
	member := mustAccount(t, s, fmt.Sprintf("%032s", "m1")).ID
	ag := store.Agency{InstanceID: in.ID, AccountID: member, PermissionSetID: "ps-1", Name: "one", URN: "iam::" + member + ":agency:one", Version: 1,
		Policies: store.PolicySet{ManagedRoles: []string{"r1"}, CustomRole: "{}"}, SessionDuration: "PT1H", CreatedAt: t0, UpdatedAt: t0}
	if err := s.Agencies().Put(ctx, ag); err != nil {
		t.Fatal(err)
	}
	got, err := s.Agencies().Get(ctx, in.ID, member, "ps-1")
	ag.Seq = got.Seq
	if err != nil || !reflect.DeepEqual(got, ag) {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, ag)
	}
	up := ag
	up.Version, up.Policies, up.UpdatedAt, up.CreatedAt = 2, store.PolicySet{ManagedPolicies: []string{"p9"}}, t0.Add(time.Second), t0.Add(5*time.Second)
	if err := s.Agencies().Put(ctx, up); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Agencies().Get(ctx, in.ID, member, "ps-1")
	if got.Version != 2 || got.Seq != ag.Seq || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0.Add(time.Second)) || got.Policies.ManagedPolicies[0] != "p9" {
		t.Fatalf("after re-put: %+v", got)
	}
	other := ag
	other.PermissionSetID, other.Version = "ps-2", 1
	if err := s.Agencies().Put(ctx, other); err != nil {
		t.Fatal(err)
	}
	// ps-1 is at version 1, its agency at 2: not current; ps-2's is.
	yes, no := true, false
	for _, c := range []struct {
		f    store.AgencyFilter
		want int
	}{{store.AgencyFilter{}, 2}, {store.AgencyFilter{Current: &yes}, 1}, {store.AgencyFilter{Current: &no}, 1}} {
		list, err := s.Agencies().ListByAccount(ctx, in.ID, member, c.f, 0, 10)
		if err != nil || len(list) != c.want {
			t.Errorf("ListByAccount %v = %d, %v", c.f.Current, len(list), err)
		}
	}
	if list, _ := s.Agencies().ListByPermissionSet(ctx, in.ID, "ps-2", store.AgencyFilter{Current: &yes}, 0, 10); len(list) != 1 || list[0].AccountID != member {
		t.Fatalf("ListByPermissionSet = %+v", list)
	}
	if list, _ := s.Agencies().ListByPermissionSet(ctx, in.ID, "ps-1", store.AgencyFilter{Current: &yes}, 0, 10); len(list) != 0 {
		t.Fatalf("ListByPermissionSet current ps-1 = %+v", list)
	}
	if n, _ := s.Agencies().CountByAccount(ctx, in.ID, member); n != 2 {
		t.Fatalf("CountByAccount = %d", n)
	}
	if err := s.Agencies().Delete(ctx, in.ID, member, "ps-1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.Agencies().Delete(ctx, in.ID, member, "ps-1"), store.ErrNotFound)
	if _, err := s.Agencies().Get(ctx, in.ID, member, "ps-1"); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("Get deleted: %v", err)
	}
}

func testRequests(t *testing.T, s store.Store) {
	in := mustPermInstance(t, s, "a1")
	mk := func(id, kind string) store.Request {
		return store.Request{InstanceID: in.ID, ID: id, Kind: kind, Status: store.StatusInProgress, PermissionSetID: "ps-1",
			PrincipalType: store.PrincipalUser, PrincipalID: "u1", TargetType: "ACCOUNT", TargetID: "acct", CreatedAt: t0, UpdatedAt: t0}
	}
	r := mk("r1", store.RequestAssignmentCreate)
	for _, x := range []store.Request{r, mk("r2", store.RequestAssignmentCreate), mk("r3", store.RequestAssignmentDelete), mk("r4", store.RequestProvision)} {
		if err := s.Requests().Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "duplicate", s.Requests().Create(ctx, r), store.ErrConflict)
	got, err := s.Requests().Get(ctx, in.ID, store.RequestAssignmentCreate, "r1")
	r.Seq = got.Seq
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := s.Requests().Get(ctx, in.ID, store.RequestAssignmentDelete, "r1"); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("Get with the wrong kind: %v", err)
	}
	err = s.WithTx(ctx, func(tx store.Store) error {
		c, err := tx.Requests().Claim(ctx, "r1")
		if err != nil || c.Status != store.StatusInProgress {
			return fmt.Errorf("claim: %+v %v", c, err)
		}
		return tx.Requests().Finish(ctx, "r1", store.StatusFailed, "why", t0.Add(time.Second))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.Requests().Get(ctx, in.ID, store.RequestAssignmentCreate, "r1")
	if got.Status != store.StatusFailed || got.FailureReason != "why" || got.Attempts != 1 || !got.UpdatedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("after Finish: %+v", got)
	}
	wantErr(t, "finish missing", s.Requests().Finish(ctx, "r9", store.StatusFailed, "", t0), store.ErrNotFound)
	if _, err := s.Requests().Claim(ctx, "r9"); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("Claim missing: %v", err)
	}
	if list, _ := s.Requests().List(ctx, in.ID, store.RequestAssignmentCreate, "", 0, 10); len(list) != 2 {
		t.Fatalf("List = %+v", list)
	}
	if list, _ := s.Requests().List(ctx, in.ID, store.RequestAssignmentCreate, store.StatusInProgress, 0, 10); len(list) != 1 || list[0].ID != "r2" {
		t.Fatalf("List in progress = %+v", list)
	}
}

// Deleting a permission set removes its assignments and agencies; deleting
// the instance removes its permission sets and requests.
func testPermissionCascades(t *testing.T, s store.Store) {
	in := mustPermInstance(t, s, "a1")
	mustPermissionSet(t, s, mkPermissionSet(in.ID, "ps-1", "one"))
	if err := s.Assignments().Create(ctx, mkAssignment(in.ID, in.AccountID, "ps-1", store.PrincipalUser, "u1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Agencies().Put(ctx, store.Agency{InstanceID: in.ID, AccountID: in.AccountID, PermissionSetID: "ps-1", Name: "one", URN: "u", Version: 1, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.Requests().Create(ctx, store.Request{InstanceID: in.ID, ID: "r1", Kind: store.RequestProvision, Status: store.StatusInProgress, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.PermissionSets().Delete(ctx, in.ID, "ps-1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Assignments().CountFor(ctx, in.ID, "ps-1", ""); n != 0 {
		t.Fatalf("assignments left: %d", n)
	}
	if n, _ := s.Agencies().CountByAccount(ctx, in.ID, in.AccountID); n != 0 {
		t.Fatalf("agencies left: %d", n)
	}
	mustPermissionSet(t, s, mkPermissionSet(in.ID, "ps-2", "two"))
	if err := s.Instances().Delete(ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PermissionSets().Find(ctx, "ps-2"); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("permission set outlived its instance: %v", err)
	}
	if _, err := s.Requests().Claim(ctx, "r1"); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("a request outlived its instance: %v", err)
	}
}

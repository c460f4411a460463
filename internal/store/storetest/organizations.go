package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// organizationTests are the Organizations conformance tests.
var organizationTests = []namedTest{
	{"Organizations", testOrganizations},
	{"OrgUnitsAndMembers", testOrgUnitsAndMembers},
	{"OrgCreateAccountRequests", testOrgRequests},
	{"OrgServicesAndDelegates", testOrgServicesAndDelegates},
	{"OrgTags", testOrgTags},
	{"OrgDeleteCascades", testOrgDeleteCascades},
}

const (
	orgMgmt   = "0000000000000000000000000000000a"
	orgMember = "0000000000000000000000000000000b"
	orgOther  = "0000000000000000000000000000000c"
)

// newOrg creates the management account and its organization, with the
// management account as a member under the root.
func newOrg(t *testing.T, s store.Store) store.Organization {
	t.Helper()
	mustAccount(t, s, orgMgmt)
	o := store.Organization{ID: "o-1", ManagementAccountID: orgMgmt, RootID: "r-1", CreatedAt: t0}
	if err := s.Organizations().Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	mustMember(t, s, o, orgMgmt, o.RootID)
	return o
}

func mustMember(t *testing.T, s store.Store, o store.Organization, accountID, parent string) store.Member {
	t.Helper()
	m := store.Member{AccountID: accountID, OrganizationID: o.ID, ParentID: parent, JoinMethod: "created", Status: store.MemberActive, JoinedAt: t0}
	if err := s.Organizations().AddMember(ctx, m); err != nil {
		t.Fatalf("add member %s: %v", accountID, err)
	}
	got, err := s.Organizations().GetMember(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func testOrganizations(t *testing.T, s store.Store) {
	orgs := s.Organizations()
	if v, err := orgs.AdminView(ctx, orgMgmt, "svc"); err != nil || v != (store.AdminView{}) {
		t.Fatalf("AdminView of an account in no organization = %+v, %v", v, err)
	}
	o := newOrg(t, s)
	if got, err := orgs.Get(ctx, o.ID); err != nil || got != o {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if got, err := orgs.GetByManagement(ctx, orgMgmt); err != nil || got != o {
		t.Fatalf("GetByManagement = %+v, %v", got, err)
	}
	wantErr(t, "second organization of one management account", orgs.Create(ctx, store.Organization{ID: "o-2", ManagementAccountID: orgMgmt, RootID: "r-2", CreatedAt: t0}), store.ErrConflict)
	_, err := orgs.Get(ctx, "o-missing")
	wantErr(t, "missing", err, store.ErrNotFound)
	_, err = orgs.GetByManagement(ctx, orgOther)
	wantErr(t, "missing by management", err, store.ErrNotFound)
	if v, err := orgs.AdminView(ctx, orgMgmt, "svc"); err != nil || v != (store.AdminView{OrganizationID: o.ID, ManagementAccountID: orgMgmt}) {
		t.Fatalf("AdminView = %+v, %v", v, err)
	}
	if n, err := orgs.CountMembers(ctx, o.ID); err != nil || n != 1 {
		t.Fatalf("CountMembers = %d, %v", n, err)
	}
}

func testOrgUnitsAndMembers(t *testing.T, s store.Store) {
	orgs := s.Organizations()
	o := newOrg(t, s)
	ou1 := store.OrgUnit{ID: "ou-1", OrganizationID: o.ID, ParentID: o.RootID, Name: "eng", Depth: 1, CreatedAt: t0}
	ou2 := store.OrgUnit{ID: "ou-2", OrganizationID: o.ID, ParentID: "ou-1", Name: "eng", Depth: 2, CreatedAt: t0}
	for _, u := range []store.OrgUnit{ou1, ou2} {
		if err := orgs.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "sibling with the same name", orgs.CreateUnit(ctx, store.OrgUnit{ID: "ou-3", OrganizationID: o.ID, ParentID: o.RootID, Name: "eng", Depth: 1, CreatedAt: t0}), store.ErrConflict)
	got, err := orgs.GetUnit(ctx, o.ID, "ou-2")
	if err != nil || got.ParentID != "ou-1" || got.Depth != 2 || !got.CreatedAt.Equal(t0) || got.Seq == 0 {
		t.Fatalf("GetUnit = %+v, %v", got, err)
	}
	_, err = orgs.GetUnit(ctx, "o-other", "ou-2")
	wantErr(t, "unit of another organization", err, store.ErrNotFound)
	under, err := orgs.ListUnits(ctx, o.ID, o.RootID, 0, 10)
	if err != nil || len(under) != 1 || under[0].ID != "ou-1" {
		t.Fatalf("ListUnits(root) = %+v, %v", under, err)
	}
	all, err := orgs.ListUnits(ctx, o.ID, "", 0, 10)
	if err != nil || len(all) != 2 {
		t.Fatalf("ListUnits = %+v, %v", all, err)
	}
	page, _ := orgs.ListUnits(ctx, o.ID, "", all[0].Seq, 10)
	if len(page) != 1 || page[0].ID != "ou-2" {
		t.Fatalf("ListUnits after = %+v", page)
	}
	if err := orgs.CreateUnit(ctx, store.OrgUnit{ID: "ou-3", OrganizationID: o.ID, ParentID: o.RootID, Name: "ops", Depth: 1, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "rename onto a sibling's name", orgs.RenameUnit(ctx, o.ID, "ou-3", "eng"), store.ErrConflict)
	wantErr(t, "rename missing", orgs.RenameUnit(ctx, o.ID, "ou-9", "x"), store.ErrNotFound)
	if err := orgs.RenameUnit(ctx, o.ID, "ou-3", "ops2"); err != nil {
		t.Fatal(err)
	}

	mustAccount(t, s, orgMember)
	mustMember(t, s, o, orgMember, "ou-1")
	wantErr(t, "member twice", orgs.AddMember(ctx, store.Member{AccountID: orgMember, OrganizationID: o.ID, ParentID: o.RootID, JoinMethod: "created", Status: store.MemberActive, JoinedAt: t0}), store.ErrConflict)
	if n, err := orgs.CountChildren(ctx, o.ID, "ou-1"); err != nil || n != 2 {
		t.Fatalf("CountChildren(ou-1) = %d, %v (a unit and an account)", n, err)
	}
	if n, _ := orgs.CountChildren(ctx, o.ID, "ou-3"); n != 0 {
		t.Fatalf("CountChildren(ou-3) = %d", n)
	}
	ms, err := orgs.ListMembers(ctx, o.ID, "ou-1", 0, 10)
	if err != nil || len(ms) != 1 || ms[0].AccountID != orgMember {
		t.Fatalf("ListMembers(ou-1) = %+v, %v", ms, err)
	}
	if ms, _ := orgs.ListMembers(ctx, o.ID, "", 0, 10); len(ms) != 2 {
		t.Fatalf("ListMembers = %+v", ms)
	}
	if err := orgs.UpdateMember(ctx, orgMember, func(m *store.Member) error {
		m.ParentID, m.Description, m.Status = "ou-3", "moved", store.MemberPendingClosure
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m, _ := orgs.GetMember(ctx, orgMember)
	if m.ParentID != "ou-3" || m.Description != "moved" || m.Status != store.MemberPendingClosure || !m.JoinedAt.Equal(t0) {
		t.Fatalf("after UpdateMember: %+v", m)
	}
	boom := errors.New("boom")
	if err := orgs.UpdateMember(ctx, orgMember, func(m *store.Member) error { m.ParentID = "x"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("UpdateMember error = %v", err)
	}
	if m, _ := orgs.GetMember(ctx, orgMember); m.ParentID != "ou-3" {
		t.Fatal("a failed UpdateMember wrote")
	}
	wantErr(t, "update missing", orgs.UpdateMember(ctx, orgOther, func(*store.Member) error { return nil }), store.ErrNotFound)
	if err := orgs.DeleteUnit(ctx, o.ID, "ou-2"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete unit twice", orgs.DeleteUnit(ctx, o.ID, "ou-2"), store.ErrNotFound)
	if err := orgs.RemoveMember(ctx, orgMember); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "remove twice", orgs.RemoveMember(ctx, orgMember), store.ErrNotFound)
	_, err = orgs.GetMember(ctx, orgMember)
	wantErr(t, "removed member", err, store.ErrNotFound)
}

func testOrgRequests(t *testing.T, s store.Store) {
	orgs := s.Organizations()
	o := newOrg(t, s)
	tags := []store.Tag{{Key: "env", Value: "dev"}, {Key: "team", Value: ""}}
	for i, id := range []string{"cas-1", "cas-2", "cas-3"} {
		r := store.CreateAccountRequest{ID: id, OrganizationID: o.ID, AccountName: "acct" + id, Email: id + "@example.com", Description: "d",
			State: store.CreateInProgress, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
		if i == 0 {
			r.Tags = tags
		}
		if err := orgs.CreateRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "id taken", orgs.CreateRequest(ctx, store.CreateAccountRequest{ID: "cas-1", OrganizationID: o.ID, AccountName: "x", State: store.CreateInProgress, CreatedAt: t0}), store.ErrConflict)
	r, err := orgs.GetRequest(ctx, o.ID, "cas-1")
	if err != nil || !reflect.DeepEqual(r.Tags, tags) || r.Email != "cas-1@example.com" || !r.CompletedAt.IsZero() || r.State != store.CreateInProgress {
		t.Fatalf("GetRequest = %+v, %v", r, err)
	}
	_, err = orgs.GetRequest(ctx, "o-other", "cas-1")
	wantErr(t, "request of another organization", err, store.ErrNotFound)
	if r, err := orgs.GetRequestByID(ctx, "cas-2"); err != nil || r.AccountName != "acctcas-2" || r.Tags != nil {
		t.Fatalf("GetRequestByID = %+v, %v", r, err)
	}
	if ids, err := orgs.PendingRequests(ctx, 10); err != nil || !reflect.DeepEqual(ids, []string{"cas-1", "cas-2", "cas-3"}) {
		t.Fatalf("PendingRequests = %v, %v", ids, err)
	}
	done := t0.Add(time.Minute)
	if err := orgs.FinishRequest(ctx, "cas-1", store.CreateSucceeded, orgMember, "", done); err != nil {
		t.Fatal(err)
	}
	if err := orgs.FinishRequest(ctx, "cas-2", store.CreateFailed, "", "EMAIL_ALREADY_EXISTS", done); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "finish twice", orgs.FinishRequest(ctx, "cas-1", store.CreateFailed, "", "x", done), store.ErrNotFound)
	if r, _ := orgs.GetRequest(ctx, o.ID, "cas-1"); r.State != store.CreateSucceeded || r.AccountID != orgMember || !r.CompletedAt.Equal(done) {
		t.Fatalf("finished request = %+v", r)
	}
	if ids, _ := orgs.PendingRequests(ctx, 10); !reflect.DeepEqual(ids, []string{"cas-3"}) {
		t.Fatalf("PendingRequests after finishing = %v", ids)
	}
	failed, err := orgs.ListRequests(ctx, o.ID, []string{store.CreateFailed, store.CreateInProgress}, 0, 10)
	if err != nil || len(failed) != 2 || failed[0].ID != "cas-2" || failed[1].ID != "cas-3" {
		t.Fatalf("ListRequests(failed, in_progress) = %+v, %v", failed, err)
	}
	if all, _ := orgs.ListRequests(ctx, o.ID, nil, 0, 2); len(all) != 2 || all[0].ID != "cas-1" {
		t.Fatalf("ListRequests(limit 2) = %+v", all)
	}

	mustAccount(t, s, orgMember)
	mustMember(t, s, o, orgMember, o.RootID)
	if err := orgs.PutCloseRequest(ctx, store.CloseAccountRequest{AccountID: orgMember, OrganizationID: o.ID, State: store.MemberPendingClosure, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := orgs.PutCloseRequest(ctx, store.CloseAccountRequest{AccountID: orgMember, OrganizationID: o.ID, State: store.MemberSuspended, CreatedAt: done, UpdatedAt: done}); err != nil {
		t.Fatal(err)
	}
	cl, err := orgs.ListCloseRequests(ctx, o.ID, []string{store.MemberSuspended})
	if err != nil || len(cl) != 1 || !cl[0].CreatedAt.Equal(t0) || !cl[0].UpdatedAt.Equal(done) {
		t.Fatalf("ListCloseRequests = %+v, %v", cl, err)
	}
	if cl, _ := orgs.ListCloseRequests(ctx, o.ID, []string{store.MemberPendingClosure}); len(cl) != 0 {
		t.Fatalf("ListCloseRequests(pending) = %+v", cl)
	}
}

func testOrgServicesAndDelegates(t *testing.T, s store.Store) {
	orgs := s.Organizations()
	o := newOrg(t, s)
	mustAccount(t, s, orgMember)
	mustMember(t, s, o, orgMember, o.RootID)
	const svc = "service.IdentityCenter"
	if err := orgs.EnableService(ctx, store.TrustedService{OrganizationID: o.ID, ServicePrincipal: svc, EnabledAt: t0}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "enable twice", orgs.EnableService(ctx, store.TrustedService{OrganizationID: o.ID, ServicePrincipal: svc, EnabledAt: t0}), store.ErrConflict)
	if err := orgs.EnableService(ctx, store.TrustedService{OrganizationID: o.ID, ServicePrincipal: "service.Other", EnabledAt: t0}); err != nil {
		t.Fatal(err)
	}
	if ts, err := orgs.ListServices(ctx, o.ID, 0, 10); err != nil || len(ts) != 2 || ts[0].ServicePrincipal != svc || !ts[0].EnabledAt.Equal(t0) {
		t.Fatalf("ListServices = %+v, %v", ts, err)
	}
	if err := orgs.AddDelegate(ctx, store.DelegatedAdmin{OrganizationID: o.ID, AccountID: orgMember, ServicePrincipal: svc, EnabledAt: t0}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delegate twice", orgs.AddDelegate(ctx, store.DelegatedAdmin{OrganizationID: o.ID, AccountID: orgMember, ServicePrincipal: svc, EnabledAt: t0}), store.ErrConflict)
	if err := orgs.AddDelegate(ctx, store.DelegatedAdmin{OrganizationID: o.ID, AccountID: orgMember, ServicePrincipal: "service.Other", EnabledAt: t0}); err != nil {
		t.Fatal(err)
	}
	if v, _ := orgs.AdminView(ctx, orgMember, svc); !v.Trusted || !v.Delegated || v.ManagementAccountID != orgMgmt {
		t.Fatalf("AdminView(delegate) = %+v", v)
	}
	if v, _ := orgs.AdminView(ctx, orgMgmt, svc); !v.Trusted || v.Delegated {
		t.Fatalf("AdminView(management) = %+v", v)
	}
	if ds, err := orgs.ListDelegates(ctx, o.ID, "", svc, 0, 10); err != nil || len(ds) != 1 || ds[0].AccountID != orgMember {
		t.Fatalf("ListDelegates(svc) = %+v, %v", ds, err)
	}
	if ds, _ := orgs.ListDelegates(ctx, o.ID, orgMember, "", 0, 10); len(ds) != 2 {
		t.Fatalf("ListDelegates(account) = %+v", ds)
	}
	// Disabling a service ends its delegations.
	if err := orgs.DisableService(ctx, o.ID, svc); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "disable twice", orgs.DisableService(ctx, o.ID, svc), store.ErrNotFound)
	if v, _ := orgs.AdminView(ctx, orgMember, svc); v.Trusted || v.Delegated {
		t.Fatalf("AdminView after disabling = %+v", v)
	}
	if ds, _ := orgs.ListDelegates(ctx, o.ID, orgMember, "", 0, 10); len(ds) != 1 || ds[0].ServicePrincipal != "service.Other" {
		t.Fatalf("ListDelegates after disabling = %+v", ds)
	}
	if err := orgs.RemoveDelegate(ctx, o.ID, orgMember, "service.Other"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "remove delegate twice", orgs.RemoveDelegate(ctx, o.ID, orgMember, "service.Other"), store.ErrNotFound)
}

func testOrgTags(t *testing.T, s store.Store) {
	orgs := s.Organizations()
	o := newOrg(t, s)
	mustAccount(t, s, orgMember)
	mustMember(t, s, o, orgMember, o.RootID)
	if err := orgs.SetTags(ctx, o.ID, orgMember, []store.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: ""}}); err != nil {
		t.Fatal(err)
	}
	if err := orgs.SetTags(ctx, o.ID, orgMember, []store.Tag{{Key: "b", Value: "2"}}); err != nil {
		t.Fatal(err)
	}
	got, err := orgs.Tags(ctx, o.ID, orgMember)
	if err != nil || !reflect.DeepEqual(got, []store.Tag{{Key: "a", Value: ""}, {Key: "b", Value: "2"}}) {
		t.Fatalf("Tags = %+v, %v", got, err)
	}
	if err := orgs.RemoveTags(ctx, o.ID, orgMember, []string{"a", "missing"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := orgs.Tags(ctx, o.ID, orgMember); !reflect.DeepEqual(got, []store.Tag{{Key: "b", Value: "2"}}) {
		t.Fatalf("Tags after remove = %+v", got)
	}
	if got, _ := orgs.Tags(ctx, "o-other", orgMember); len(got) != 0 {
		t.Fatalf("tags seen through another organization: %+v", got)
	}
	// Removing the member removes its tags.
	if err := orgs.RemoveMember(ctx, orgMember); err != nil {
		t.Fatal(err)
	}
	if got, _ := orgs.Tags(ctx, o.ID, orgMember); len(got) != 0 {
		t.Fatalf("tags left after removal: %+v", got)
	}
}

func testOrgDeleteCascades(t *testing.T, s store.Store) {
	orgs := s.Organizations()
	o := newOrg(t, s)
	if err := orgs.CreateUnit(ctx, store.OrgUnit{ID: "ou-1", OrganizationID: o.ID, ParentID: o.RootID, Name: "eng", Depth: 1, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := orgs.EnableService(ctx, store.TrustedService{OrganizationID: o.ID, ServicePrincipal: "svc", EnabledAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := orgs.SetTags(ctx, o.ID, "ou-1", []store.Tag{{Key: "k", Value: "v"}}); err != nil {
		t.Fatal(err)
	}
	if err := orgs.CreateRequest(ctx, store.CreateAccountRequest{ID: "cas-1", OrganizationID: o.ID, AccountName: "x", State: store.CreateInProgress, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := orgs.Delete(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete twice", orgs.Delete(ctx, o.ID), store.ErrNotFound)
	if _, err := orgs.GetMember(ctx, orgMgmt); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("member left: %v", err)
	}
	if ids, _ := orgs.PendingRequests(ctx, 10); len(ids) != 0 {
		t.Fatalf("requests left: %v", ids)
	}
	// The management account may found a new organization.
	if err := orgs.Create(ctx, store.Organization{ID: "o-2", ManagementAccountID: orgMgmt, RootID: "r-2", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if got, _ := orgs.Tags(ctx, "o-2", "ou-1"); len(got) != 0 {
		t.Fatalf("tags left: %+v", got)
	}
	if _, err := s.Accounts().Get(ctx, orgMgmt); err != nil {
		t.Fatalf("the account went with its organization: %v", err)
	}
}

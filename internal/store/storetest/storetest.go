// Package storetest is the store conformance suite: the executable
// specification of the store contract. Every backend runs it:
//
//	storetest.Run(t, func(t *testing.T) store.Store { ... fresh, empty store ... })
//
// Each subtest gets its own fresh store from the factory.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// Factory returns a fresh, empty, migrated store; it registers its own cleanup.
type Factory func(t *testing.T) store.Store

// namedTest is one conformance test.
type namedTest struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// Run runs every conformance test against stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	tests := []namedTest{
		{"Settings", testSettings},
		{"Accounts", testAccounts},
		{"Projects", testProjects},
		{"Credentials", testCredentials},
		{"CredentialsExpiry", testCredentialsExpiry},
		{"CredentialsEphemeral", testCredentialsEphemeral},
		{"CredentialUpdateIsAtomic", testCredentialUpdateAtomic},
		{"Regions", testRegions},
		{"Instances", testInstances},
		{"InstancePaging", testInstancePaging},
		{"Users", testUsers},
		{"Policies", testPolicies},
		{"Signatures", testSignatures},
		{"SignaturesConcurrent", testSignaturesConcurrent},
		{"TxCommitAndRollback", testTx},
		{"TxPanicRollsBack", testTxPanic},
		{"Ping", func(t *testing.T, s store.Store) {
			if err := s.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	// One list per area, each in its own file.
	tests = append(tests, userSecretTests...)
	tests = append(tests, groupTests...)
	tests = append(tests, identityKeyTests...)
	tests = append(tests, containingTests...)
	tests = append(tests, deviceTests...)
	tests = append(tests, sessionTests...)
	tests = append(tests, signInTests...)
	tests = append(tests, sourceTests...)
	tests = append(tests, organizationTests...)
	tests = append(tests, permissionTests...)
	tests = append(tests, jobTests...)
	tests = append(tests, sweepTests...)
	tests = append(tests, instanceSettingsTests...)
	tests = append(tests, oidcTests...)
	tests = append(tests, federationTests...)
	tests = append(tests, keystoneTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

var ctx = context.Background()

// t0 is a fixed time with millisecond precision (what the store keeps).
var t0 = time.Date(2026, 11, 22, 10, 0, 0, 123e6, time.UTC)

func mustAccount(t *testing.T, s store.Store, id string) store.Account {
	t.Helper()
	a := store.Account{ID: id, Name: "acct-" + id, Email: id + "@example.com", IsManagement: true, CreatedAt: t0}
	if err := s.Accounts().Create(ctx, a); err != nil {
		t.Fatalf("create account: %v", err)
	}
	return a
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

func testSettings(t *testing.T, s store.Store) {
	_, err := s.Settings().Get(ctx, "k")
	wantErr(t, "get missing", err, store.ErrNotFound)
	v, err := s.Settings().PutIfAbsent(ctx, "k", "first")
	if err != nil || v != "first" {
		t.Fatalf("PutIfAbsent = %q, %v", v, err)
	}
	v, err = s.Settings().PutIfAbsent(ctx, "k", "second")
	if err != nil || v != "first" {
		t.Fatalf("second PutIfAbsent = %q, %v; want the first value kept", v, err)
	}
	if v, _ := s.Settings().Get(ctx, "k"); v != "first" {
		t.Fatalf("Get = %q", v)
	}
}

func testAccounts(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "0123456789abcdef0123456789abcdef")
	got, err := s.Accounts().Get(ctx, a.ID)
	if err != nil || got != a {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, a)
	}
	wantErr(t, "duplicate id", s.Accounts().Create(ctx, a), store.ErrConflict)
	b := a
	b.ID = "ffffffffffffffffffffffffffffffff"
	wantErr(t, "duplicate name", s.Accounts().Create(ctx, b), store.ErrConflict)
	_, err = s.Accounts().Get(ctx, "missing")
	wantErr(t, "get missing", err, store.ErrNotFound)
}

func testProjects(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	p1 := store.Project{ID: "p1", AccountID: a.ID, Name: "cn-north-4", CreatedAt: t0}
	p2 := store.Project{ID: "p2", AccountID: a.ID, Name: "ap-southeast-1", CreatedAt: t0}
	for _, p := range []store.Project{p1, p2} {
		if err := s.Projects().Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	dup := p1
	dup.ID = "p3"
	wantErr(t, "same account and name", s.Projects().Create(ctx, dup), store.ErrConflict)
	orphan := store.Project{ID: "p4", AccountID: "nobody", Name: "x", CreatedAt: t0}
	wantErr(t, "unknown account", s.Projects().Create(ctx, orphan), store.ErrConflict)
	got, err := s.Projects().Get(ctx, "p1")
	if err != nil || got != p1 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	list, err := s.Projects().ListByAccount(ctx, a.ID)
	if err != nil || len(list) != 2 || list[0] != p2 || list[1] != p1 {
		t.Fatalf("ListByAccount = %+v, %v; want ordered by name", list, err)
	}
}

func testCredentials(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	c := store.Credential{
		AccessKey: "AK1", AccountID: a.ID, Kind: store.KindTemporary, SecretSealed: []byte{1, 2, 3},
		TokenHash: []byte{9, 9}, ExpiresAt: t0.Add(time.Hour), Description: "d", UserID: "u", UserName: "alice",
		SessionName: "s", AgencyURN: "iam::a1:agency:x", PrincipalTags: map[string]string{"team": "blue"},
		PolicyIDs: []string{"p1", "p2"}, Agency: store.AgencyRef{InstanceID: "ins-1", PermissionSetID: "ps-1"}, Session: "sess-1",
		CreatedAt: t0,
	}
	if err := s.Credentials().Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "duplicate", s.Credentials().Create(ctx, c), store.ErrConflict)
	got, err := s.Credentials().Get(ctx, "AK1")
	if err != nil {
		t.Fatal(err)
	}
	c.Seq = got.Seq
	if fmt.Sprint(got) != fmt.Sprint(c) {
		t.Fatalf("Get =\n%+v\nwant\n%+v", got, c)
	}
	plain := store.Credential{AccessKey: "AK2", AccountID: a.ID, Kind: store.KindRoot, SecretSealed: []byte{4}, CreatedAt: t0}
	if err := s.Credentials().Create(ctx, plain); err != nil {
		t.Fatal(err)
	}
	got2, _ := s.Credentials().Get(ctx, "AK2")
	if got2.TokenHash != nil || !got2.ExpiresAt.IsZero() || len(got2.PolicyIDs) != 0 || got2.Seq <= got.Seq ||
		got2.Agency != (store.AgencyRef{}) || got2.Session != "" {
		t.Fatalf("plain credential read back as %+v", got2)
	}
	if err := s.Credentials().Update(ctx, "AK2", func(c *store.Credential) error {
		c.Disabled = true
		c.PolicyIDs = []string{"ro"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got2, _ = s.Credentials().Get(ctx, "AK2")
	if !got2.Disabled || len(got2.PolicyIDs) != 1 {
		t.Fatalf("update not saved: %+v", got2)
	}
	boom := errors.New("boom")
	if err := s.Credentials().Update(ctx, "AK2", func(c *store.Credential) error { c.Disabled = false; return boom }); !errors.Is(err, boom) {
		t.Fatalf("updater error not returned: %v", err)
	}
	if got2, _ = s.Credentials().Get(ctx, "AK2"); !got2.Disabled {
		t.Fatal("failed update was saved")
	}
	wantErr(t, "update missing", s.Credentials().Update(ctx, "nope", func(*store.Credential) error { return nil }), store.ErrNotFound)
	list, err := s.Credentials().ListByAccount(ctx, a.ID, 0, 1)
	if err != nil || len(list) != 1 || list[0].AccessKey != "AK1" {
		t.Fatalf("list page 1 = %+v, %v", list, err)
	}
	list, _ = s.Credentials().ListByAccount(ctx, a.ID, list[0].Seq, 10)
	if len(list) != 1 || list[0].AccessKey != "AK2" {
		t.Fatalf("list page 2 = %+v", list)
	}
	if err := s.Credentials().Delete(ctx, "AK1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.Credentials().Delete(ctx, "AK1"), store.ErrNotFound)
	_, err = s.Credentials().Get(ctx, "AK1")
	wantErr(t, "get deleted", err, store.ErrNotFound)

	// DeleteBySession removes exactly the session's credentials, in batches.
	for _, ak := range []string{"S1", "S2", "S3"} {
		if err := s.Credentials().Create(ctx, store.Credential{AccessKey: ak, AccountID: a.ID, Kind: store.KindTemporary, SecretSealed: []byte{1},
			Session: "sess-2", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Credentials().Create(ctx, store.Credential{AccessKey: "S4", AccountID: a.ID, Kind: store.KindTemporary, SecretSealed: []byte{1},
		Session: "sess-3", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if aks, err := s.Credentials().DeleteBySession(ctx, "sess-2", 2); err != nil || fmt.Sprint(aks) != "[S1 S2]" {
		t.Fatalf("DeleteBySession = %v, %v", aks, err)
	}
	if aks, err := s.Credentials().DeleteBySession(ctx, "sess-2", 2); err != nil || fmt.Sprint(aks) != "[S3]" {
		t.Fatalf("DeleteBySession again = %v, %v", aks, err)
	}
	if aks, err := s.Credentials().DeleteBySession(ctx, "", 10); err != nil || len(aks) != 0 {
		t.Fatalf("DeleteBySession of no session = %v, %v", aks, err)
	}
	if _, err := s.Credentials().Get(ctx, "S4"); err != nil {
		t.Fatalf("another session's credential: %v", err)
	}
	if _, err := s.Credentials().Get(ctx, "AK2"); err != nil {
		t.Fatalf("a credential of no session: %v", err)
	}
}

// CreateEphemeral stores what Create stores, visible at once to every
// reader, refuses a duplicate, and inside a transaction is undone with it.
func testCredentialsEphemeral(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	c := store.Credential{AccessKey: "EPH1", AccountID: a.ID, Kind: store.KindTemporary, SecretSealed: []byte{1, 2},
		TokenHash: []byte{7}, ExpiresAt: t0.Add(time.Hour), UserID: "u", UserName: "alice", AgencyURN: "iam::a1:agency:x",
		PrincipalTags: map[string]string{"team": "red"}, Agency: store.AgencyRef{InstanceID: "ins-1", PermissionSetID: "ps-1"},
		Session: "sess-1", CreatedAt: t0}
	if err := s.Credentials().CreateEphemeral(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Credentials().Get(ctx, "EPH1")
	if err != nil {
		t.Fatal(err)
	}
	c.Seq = got.Seq
	if fmt.Sprint(got) != fmt.Sprint(c) {
		t.Fatalf("Get =\n%+v\nwant\n%+v", got, c)
	}
	wantErr(t, "duplicate", s.Credentials().CreateEphemeral(ctx, c), store.ErrConflict)
	wantErr(t, "duplicate of Create's", s.Credentials().Create(ctx, c), store.ErrConflict)
	list, err := s.Credentials().ListByAccount(ctx, a.ID, 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListByAccount = %+v, %v", list, err)
	}
	boom := errors.New("boom")
	err = s.WithTx(ctx, func(tx store.Store) error {
		c2 := c
		c2.AccessKey = "EPH2"
		if err := tx.Credentials().CreateEphemeral(ctx, c2); err != nil {
			return err
		}
		if _, err := tx.Credentials().Get(ctx, "EPH2"); err != nil {
			return fmt.Errorf("inside the transaction: %w", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx = %v", err)
	}
	_, err = s.Credentials().Get(ctx, "EPH2")
	wantErr(t, "after the rollback", err, store.ErrNotFound)
}

func testCredentialsExpiry(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	mk := func(ak string, kind store.CredentialKind, exp time.Time) {
		if err := s.Credentials().Create(ctx, store.Credential{AccessKey: ak, AccountID: a.ID, Kind: kind, SecretSealed: []byte{1}, ExpiresAt: exp, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	mk("OLD", store.KindTemporary, t0.Add(-time.Minute))
	mk("NEW", store.KindTemporary, t0.Add(time.Minute))
	mk("ROOT", store.KindRoot, time.Time{})
	n, err := s.Credentials().DeleteExpired(ctx, t0, 100)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1", n, err)
	}
	for ak, want := range map[string]error{"OLD": store.ErrNotFound, "NEW": nil, "ROOT": nil} {
		_, err := s.Credentials().Get(ctx, ak)
		wantErr(t, ak, err, want)
	}
}

// Concurrent read-modify-write through Update loses no write.
func testCredentialUpdateAtomic(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	if err := s.Credentials().Create(ctx, store.Credential{AccessKey: "AK", AccountID: a.ID, Kind: store.KindScoped, SecretSealed: []byte{1}, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				err := s.Credentials().Update(ctx, "AK", func(c *store.Credential) error {
					c.PolicyIDs = append(c.PolicyIDs, fmt.Sprintf("p-%02d-%d", i, j))
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		}(i)
	}
	wg.Wait()
	c, _ := s.Credentials().Get(ctx, "AK")
	if len(c.PolicyIDs) != 80 {
		t.Fatalf("got %d policy ids after 80 concurrent appends", len(c.PolicyIDs))
	}
	sort.Strings(c.PolicyIDs)
	for i := 1; i < len(c.PolicyIDs); i++ {
		if c.PolicyIDs[i] == c.PolicyIDs[i-1] {
			t.Fatalf("duplicate %s", c.PolicyIDs[i])
		}
	}
}

func testRegions(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	_, err := s.Regions().Get(ctx, a.ID)
	wantErr(t, "get before register", err, store.ErrNotFound)
	r := store.RegisteredRegion{AccountID: a.ID, RegionID: "cn-north-4", CreatedAt: t0}
	if err := s.Regions().Register(ctx, r); err != nil {
		t.Fatal(err)
	}
	r2 := r
	r2.RegionID = "ap-southeast-1"
	wantErr(t, "second region", s.Regions().Register(ctx, r2), store.ErrConflict)
	if got, err := s.Regions().Get(ctx, a.ID); err != nil || got != r {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if err := s.Regions().Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.Regions().Delete(ctx, a.ID), store.ErrNotFound)
}

func testInstances(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	in := store.Instance{ID: "ins-0000000000000001", AccountID: a.ID, IdentityStoreID: "d-0000000001", RegionID: "cn-north-4", CreatedAt: t0}
	if err := s.Instances().Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	second := in
	second.ID, second.IdentityStoreID = "ins-0000000000000002", "d-0000000002"
	wantErr(t, "second instance in one account", s.Instances().Create(ctx, second), store.ErrConflict)
	got, err := s.Instances().Get(ctx, in.ID)
	in.Seq = got.Seq
	if err != nil || got != in {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, in)
	}
	if got, err := s.Instances().GetByIdentityStore(ctx, "d-0000000001"); err != nil || got != in {
		t.Fatalf("GetByIdentityStore = %+v, %v", got, err)
	}
	if err := s.Instances().Update(ctx, in.ID, func(i *store.Instance) error { i.Alias = "corp"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Instances().Get(ctx, in.ID); got.Alias != "corp" {
		t.Fatalf("alias not saved: %+v", got)
	}
	if err := s.Instances().Delete(ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.Instances().Delete(ctx, in.ID), store.ErrNotFound)
	_, err = s.Instances().GetByIdentityStore(ctx, "d-0000000001")
	wantErr(t, "get deleted", err, store.ErrNotFound)
	// The account may enable a new instance after deleting the old one.
	if err := s.Instances().Create(ctx, second); err != nil {
		t.Fatalf("re-create after delete: %v", err)
	}
}

func testInstancePaging(t *testing.T, s store.Store) {
	var want []string
	for i := 0; i < 7; i++ {
		a := mustAccount(t, s, fmt.Sprintf("acct%d", i))
		id := fmt.Sprintf("ins-%016d", i)
		want = append(want, id)
		if err := s.Instances().Create(ctx, store.Instance{ID: id, AccountID: a.ID, IdentityStoreID: fmt.Sprintf("d-%010d", i), RegionID: "r", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	// Each account sees only its own instance.
	for i, id := range want {
		list, err := s.Instances().ListByAccount(ctx, fmt.Sprintf("acct%d", i), 0, 100)
		if err != nil || len(list) != 1 || list[0].ID != id {
			t.Fatalf("account %d sees %+v, %v", i, list, err)
		}
		if more, _ := s.Instances().ListByAccount(ctx, fmt.Sprintf("acct%d", i), list[0].Seq, 100); len(more) != 0 {
			t.Fatalf("page after the last row = %+v", more)
		}
	}
}

func testTx(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.WithTx(ctx, func(tx store.Store) error {
		mustAccount(t, tx, "rolled")
		if _, err := tx.Accounts().Get(ctx, "rolled"); err != nil {
			t.Errorf("read own write inside tx: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx = %v, want boom", err)
	}
	_, err = s.Accounts().Get(ctx, "rolled")
	wantErr(t, "rolled-back row", err, store.ErrNotFound)

	err = s.WithTx(ctx, func(tx store.Store) error {
		mustAccount(t, tx, "kept")
		// Nested WithTx joins the outer transaction.
		return tx.WithTx(ctx, func(inner store.Store) error {
			return inner.Regions().Register(ctx, store.RegisteredRegion{AccountID: "kept", RegionID: "r", CreatedAt: t0})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Regions().Get(ctx, "kept"); err != nil {
		t.Fatalf("committed nested write missing: %v", err)
	}
	// A constraint failure inside a transaction surfaces as ErrConflict and
	// rolls back the earlier writes of the same transaction.
	err = s.WithTx(ctx, func(tx store.Store) error {
		mustAccount(t, tx, "partial")
		return tx.Regions().Register(ctx, store.RegisteredRegion{AccountID: "kept", RegionID: "r2", CreatedAt: t0})
	})
	wantErr(t, "conflict in tx", err, store.ErrConflict)
	_, err = s.Accounts().Get(ctx, "partial")
	wantErr(t, "partial write", err, store.ErrNotFound)
}

func testTxPanic(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic was swallowed")
			}
		}()
		_ = s.WithTx(ctx, func(tx store.Store) error {
			mustAccount(t, tx, "panicked")
			panic("boom")
		})
	}()
	_, err := s.Accounts().Get(ctx, "panicked")
	wantErr(t, "write of a panicked tx", err, store.ErrNotFound)
	// The store still works afterwards (the connection went back clean).
	mustAccount(t, s, "after")
}

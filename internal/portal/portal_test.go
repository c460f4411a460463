package portal_test

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/portal"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// fixture is a management account with an instance, two users (alice in
// engineering, bob in sales) in group "ops", and helpers to provision
// permission sets the way the permission service's jobs leave them.
type fixture struct {
	t        testing.TB
	st       store.Store
	keys     *secrets.Keyring
	root     account.RootCredentials
	inst     store.Instance
	svc      *portal.Service
	ident    *identity.Service
	center   *center.Service
	authn    *authn.Authenticator
	authz    *authz.Policies
	alice    portal.User
	bob      portal.User
	carol    portal.User // in no group, assigned nothing
	group    string
	seq      int
	accounts []string
}

var ctx = context.Background()

func newFixture(t testing.TB, dialect string) *fixture {
	t.Helper()
	st := sqltest.Open(t, dialect).Store()
	keys, _ := secrets.New(make([]byte, 32))
	gen := ids.Generator{}
	acc := &account.Service{Store: st, Keys: keys, IDs: gen, Now: time.Now}
	root, err := acc.Bootstrap(ctx, account.BootstrapOptions{Regions: []string{"cn-north-4"}})
	if err != nil {
		t.Fatal(err)
	}
	pager := paging.NewSigner(keys.Derive("paging"))
	f := &fixture{t: t, st: st, keys: keys, root: root}
	f.center = &center.Service{Store: st, IDs: gen, Now: time.Now, Paging: pager, Regions: []string{"cn-north-4"}}
	if err := f.center.RegisterRegion(ctx, root.AccountID, "cn-north-4"); err != nil {
		t.Fatal(err)
	}
	if f.inst, err = f.center.Start(ctx, root.AccountID); err != nil {
		t.Fatal(err)
	}
	f.ident = &identity.Service{Store: st, IDs: gen, Now: time.Now, Paging: pager, Keys: keys, Quotas: identity.DefaultQuotas}
	f.authn = authn.New(st, keys, time.Now)
	f.authz = authz.NewPolicies(st)
	f.authz.CacheTTL = -1 // read agencies on every request
	f.svc = &portal.Service{Store: st, Keys: keys, IDs: gen, Now: time.Now, Paging: pager, Identity: f.ident, Center: f.center,
		InvalidateKey: f.authn.Invalidate, CacheTTL: -1}
	f.alice = f.user("alice", "engineering")
	f.bob = f.user("bob", "sales")
	f.carol = f.user("carol", "engineering")
	if f.group, err = f.ident.CreateGroup(ctx, identity.Caller{Actor: "test"}, f.inst.IdentityStoreID, identity.NewGroup{DisplayName: "ops"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []portal.User{f.alice, f.bob} {
		if _, err := f.ident.CreateGroupMembership(ctx, f.inst.IdentityStoreID, f.group, u.UserID); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) user(name, department string) portal.User {
	f.t.Helper()
	id, _, err := f.ident.CreateUser(ctx, identity.Caller{Actor: "test"}, f.inst.IdentityStoreID, identity.NewUser{
		UserName: name, DisplayName: name, PasswordMode: identity.PasswordModeNone,
		Profile: identity.Profile{Name: identity.Name{GivenName: name, FamilyName: "Example"},
			Emails:     []identity.Email{{Value: name + "@example.com", Type: "work", Primary: true}},
			Enterprise: &identity.Enterprise{Department: department}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return portal.User{IdentityStoreID: f.inst.IdentityStoreID, UserID: id, Session: "session-of-" + name}
}

// memberAccount adds an account (assignments and agencies need one).
func (f *fixture) memberAccount() string {
	f.t.Helper()
	f.seq++
	id := ids.Generator{}.AccountID()
	if err := f.st.Accounts().Create(ctx, store.Account{ID: id, Name: "member-" + id[:8], Email: id[:8] + "@example.com", CreatedAt: time.Now()}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// provision creates permission set name with policies and duration,
// assigned to principal (USER or GROUP) in accountID, with its agency, as
// a SUCCEEDED assignment leaves them.
func (f *fixture) provision(name, duration string, pol store.PolicySet, typ, principal, accountID string) store.Agency {
	f.t.Helper()
	now := time.Now()
	psID := "ps-" + ids.Generator{}.Hex(8)
	if err := f.st.PermissionSets().Create(ctx, store.PermissionSet{InstanceID: f.inst.ID, ID: psID, Name: name, Description: name + " access",
		SessionDuration: duration, Policies: pol, Version: 1, CreatedAt: now, UpdatedAt: now}); err != nil {
		f.t.Fatal(err)
	}
	f.assign(psID, typ, principal, accountID)
	agName := "IdentityCenter_" + name
	ag := store.Agency{InstanceID: f.inst.ID, AccountID: accountID, PermissionSetID: psID, Name: agName, URN: permission.AgencyURN(accountID, agName),
		Version: 1, Policies: pol, SessionDuration: duration, CreatedAt: now, UpdatedAt: now}
	if err := f.st.Agencies().Put(ctx, ag); err != nil {
		f.t.Fatal(err)
	}
	ag, err := f.st.Agencies().Get(ctx, f.inst.ID, accountID, psID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ag
}

func (f *fixture) assign(psID, typ, principal, accountID string) {
	f.t.Helper()
	if err := f.st.Assignments().Create(ctx, store.Assignment{InstanceID: f.inst.ID, AccountID: accountID, PermissionSetID: psID,
		PrincipalType: typ, PrincipalID: principal, CreatedAt: time.Now()}); err != nil {
		f.t.Fatal(err)
	}
}

func managedID(t testing.TB, name string) string {
	t.Helper()
	p, err := managed.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// call authenticates a request signed with c (as the SDK signs it) and
// authorizes operation op with it, as httpx.Guard does.
func (f *fixture) call(c portal.Credentials, op string) (*authz.Principal, error) {
	f.t.Helper()
	r := httptest.NewRequest("GET", "/v1/instances", nil)
	r.Header.Set(aksk.SecurityTokenHeader, c.SessionToken)
	aksk.Sign(r, c.AccessKey, c.SecretKey, nil, time.Now())
	p, err := f.authn.Authenticate(ctx, r, nil, authn.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	o := authz.OperationByName(op)
	if o == nil {
		f.t.Fatalf("no operation %s", op)
	}
	return p, f.authz.Authorize(ctx, p, &authz.Request{Action: o.Action, Alternates: o.Alternates, LegacyAction: o.LegacyAction,
		Dependencies: o.Dependencies, SourceIP: netip.MustParseAddr("127.0.0.1"), Time: time.Now()})
}

func wantCode(t testing.TB, err error, status int, code string) {
	t.Helper()
	e, ok := apierr.From(err)
	if !ok || e.Status() != status || e.Def.Code != code {
		t.Fatalf("error = %v, want %d %s", err, status, code)
	}
}

func TestPortal(t *testing.T) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) { testPortal(t, d) })
	}
}

func testPortal(t *testing.T, dialect string) {
	f := newFixture(t, dialect)
	ro := store.PolicySet{ManagedPolicies: []string{managedID(t, "IdentityCenter ReadOnlyAccess")}}
	mgmt := f.root.AccountID
	acctA, acctB := f.memberAccount(), f.memberAccount()
	// alice directly in the management account; the group ops in acctA
	// (twice: two permission sets) and acctB; bob only through the group.
	direct := f.provision("ReadOnly", "PT2H", ro, store.PrincipalUser, f.alice.UserID, mgmt)
	opsA := f.provision("OpsA", "PT1H", ro, store.PrincipalGroup, f.group, acctA)
	opsA2 := f.provision("OpsA2", "PT1H", ro, store.PrincipalGroup, f.group, acctA)
	f.assign(opsA2.PermissionSetID, store.PrincipalUser, f.alice.UserID, acctA) // also directly: listed once
	opsB := f.provision("OpsB", "PT12H", ro, store.PrincipalGroup, f.group, acctB)
	// An assignment whose agency is not provisioned (yet) lists nothing.
	acctC := f.memberAccount()
	psC := "ps-unprovisioned0"
	if err := f.st.PermissionSets().Create(ctx, store.PermissionSet{InstanceID: f.inst.ID, ID: psC, Name: "Later", SessionDuration: "PT1H",
		Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f.assign(psC, store.PrincipalUser, f.bob.UserID, acctC)

	t.Run("accounts", func(t *testing.T) {
		accountIDs := func(u portal.User, limit int) []string {
			var out []string
			marker := ""
			for {
				p, err := f.svc.Accounts(ctx, u, limit, marker)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Accounts) > limit {
					t.Fatalf("page of %d > limit %d", len(p.Accounts), limit)
				}
				for _, a := range p.Accounts {
					out = append(out, a.ID)
					if a.Name == "" {
						t.Errorf("account %s without name", a.ID)
					}
				}
				if marker = p.NextMarker; marker == "" {
					return out
				}
			}
		}
		for _, limit := range []int{1, 2, 100} {
			if got := accountIDs(f.alice, limit); !equal(got, mgmt, acctA, acctB) {
				t.Errorf("alice's accounts (limit %d) = %v", limit, got)
			}
			if got := accountIDs(f.bob, limit); !equal(got, acctA, acctB) { // through the group only; acctC is not provisioned
				t.Errorf("bob's accounts (limit %d) = %v", limit, got)
			}
		}
		if got := accountIDs(f.carol, 10); len(got) != 0 {
			t.Errorf("carol's accounts = %v", got)
		}
		_, err := f.svc.Accounts(ctx, f.alice, 10, "bogus-marker")
		wantCode(t, err, 400, "IIC.400")
	})

	t.Run("agencies", func(t *testing.T) {
		p, err := f.svc.Agencies(ctx, f.alice, acctA, 1, "")
		if err != nil || len(p.Agencies) != 1 || p.NextMarker == "" {
			t.Fatalf("page 1 = %+v, %v", p, err)
		}
		a := p.Agencies[0]
		if a.URN != opsA.URN || a.Name != "IdentityCenter_OpsA" || a.PermissionSetName != "OpsA" || a.Description != "OpsA access" || a.AccountID != acctA {
			t.Errorf("agency = %+v", a)
		}
		p, err = f.svc.Agencies(ctx, f.alice, acctA, 1, p.NextMarker)
		if err != nil || len(p.Agencies) != 1 || p.Agencies[0].URN != opsA2.URN || p.NextMarker != "" {
			t.Fatalf("page 2 = %+v, %v", p, err)
		}
		if p, err := f.svc.Agencies(ctx, f.bob, mgmt, 10, ""); err != nil || len(p.Agencies) != 0 {
			t.Errorf("bob in the management account = %+v, %v", p, err)
		}
		_, err = f.svc.Agencies(ctx, f.alice, "not-an-account", 10, "")
		wantCode(t, err, 400, "IIC.1606")
	})

	t.Run("credentials", func(t *testing.T) {
		before := time.Now()
		c, err := f.svc.Credentials(ctx, f.alice, mgmt, direct.URN)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.AccessKey) != 20 || len(c.SecretKey) != 40 || len(c.SessionToken) < 40 {
			t.Errorf("credentials = %+v", c)
		}
		if d := c.Expiration.Sub(before); d < 2*time.Hour-time.Minute || d > 2*time.Hour+time.Minute { // PT2H
			t.Errorf("lifetime %v, want the agency's PT2H", d)
		}
		stored, err := f.st.Credentials().Get(ctx, c.AccessKey)
		if err != nil || stored.Kind != store.KindTemporary || stored.AccountID != mgmt || stored.SessionName != "alice" ||
			stored.AgencyURN != direct.URN || stored.Agency != (store.AgencyRef{InstanceID: f.inst.ID, PermissionSetID: direct.PermissionSetID}) ||
			len(stored.PolicyIDs) != 0 || stored.Session != "session-of-alice" || string(stored.TokenHash) != string(secrets.TokenHash(c.SessionToken)) {
			t.Fatalf("stored = %+v, %v", stored, err)
		}
		if string(stored.SecretSealed) == c.SecretKey {
			t.Error("secret stored in clear")
		}

		// Through the group: bob, 12 hours.
		cb, err := f.svc.Credentials(ctx, f.bob, acctB, opsB.URN)
		if err != nil {
			t.Fatal(err)
		}
		if d := cb.Expiration.Sub(before); d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
			t.Errorf("lifetime %v, want PT12H", d)
		}

		// Refused: not assigned, another account's URN, unknown agency,
		// unprovisioned, malformed, a disabled or unknown user.
		for _, tc := range []struct {
			u           portal.User
			acct, urn   string
			status      int
			code        string
			description string
		}{
			{f.carol, mgmt, direct.URN, 403, "IIC.1269", "carol is not assigned"},
			{f.bob, mgmt, direct.URN, 403, "IIC.1269", "bob is not assigned in the management account"},
			{f.alice, acctB, opsA.URN, 403, "IIC.1269", "the URN of another account's agency"},
			{f.alice, acctA, permission.AgencyURN(acctA, "IdentityCenter_Nope"), 403, "IIC.1269", "no such agency"},
			{f.bob, acctC, permission.AgencyURN(acctC, "IdentityCenter_Later"), 403, "IIC.1269", "not provisioned"},
			{f.alice, "xyz", direct.URN, 400, "IIC.1606", "malformed account"},
			{f.alice, mgmt, "", 400, "IIC.1606", "no URN"},
			{portal.User{IdentityStoreID: f.inst.IdentityStoreID, UserID: "nobody"}, mgmt, direct.URN, 401, "IIC.1604", "unknown user"},
			{portal.User{IdentityStoreID: "d-0000000000", UserID: f.alice.UserID}, mgmt, direct.URN, 401, "IIC.1604", "unknown store"},
		} {
			_, err := f.svc.Credentials(ctx, tc.u, tc.acct, tc.urn)
			if e, ok := apierr.From(err); !ok || e.Status() != tc.status || e.Def.Code != tc.code {
				t.Errorf("%s: %v, want %d %s", tc.description, err, tc.status, tc.code)
			}
		}
		if err := f.ident.SetUserEnabled(ctx, identity.Caller{Actor: "test"}, f.inst.IdentityStoreID, f.carol.UserID, false); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Accounts(ctx, f.carol, 10, "")
		wantCode(t, err, 401, "IIC.1604")
	})

	t.Run("exactly the agency's policies", func(t *testing.T) {
		c, err := f.svc.Credentials(ctx, f.alice, mgmt, direct.URN)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.call(c, "ListInstances")
		if err != nil {
			t.Fatalf("ListInstances with IdentityCenter ReadOnlyAccess: %v", err)
		}
		if urn := authz.PrincipalURN(p); urn != "sts::"+mgmt+":assumed-agency:IdentityCenter_ReadOnly/alice" {
			t.Errorf("principal URN %s", urn)
		}
		_, err = f.call(c, "StartIdentityCenter")
		wantCode(t, err, 403, "IIC.1000")

		// Re-provisioned with a custom policy only: live sessions follow
		// the agency.
		if err := f.st.Agencies().Put(ctx, store.Agency{InstanceID: f.inst.ID, AccountID: mgmt, PermissionSetID: direct.PermissionSetID,
			Name: direct.Name, URN: direct.URN, Version: 2, SessionDuration: "PT2H", UpdatedAt: time.Now(),
			Policies: store.PolicySet{CustomPolicy: `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:instance:startIdentityCenter"]}]}`}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.call(c, "StartIdentityCenter"); err != nil {
			t.Errorf("StartIdentityCenter after re-provisioning: %v", err)
		}
		_, err = f.call(c, "ListInstances")
		wantCode(t, err, 403, "IIC.1000")

		// Deprovisioned (the agency is gone): nothing is allowed.
		if err := f.st.Agencies().Delete(ctx, f.inst.ID, mgmt, direct.PermissionSetID); err != nil {
			t.Fatal(err)
		}
		_, err = f.call(c, "StartIdentityCenter")
		wantCode(t, err, 403, "IIC.1000")
	})

	t.Run("principal tags from the user's attributes", func(t *testing.T) {
		if err := f.center.CreateAccessControlConfiguration(ctx, f.inst, []store.AccessControlAttribute{
			{Key: "department", Source: []string{"${path:enterprise.department}"}},
			{Key: "email", Source: []string{"${user:email}"}},
			{Key: "title", Source: []string{"${path:title}"}}, // unset: no tag
		}); err != nil {
			t.Fatal(err)
		}
		acct := f.memberAccount()
		eng := f.provision("EngOnly", "PT1H", store.PolicySet{CustomPolicy: `{"Version":"5.0","Statement":[{"Effect":"Allow",
			"Action":["IdentityCenter:instance:list"],"Condition":{"StringEquals":{"g:PrincipalTag/department":["engineering"]}}}]}`},
			store.PrincipalGroup, f.group, acct)
		ca, err := f.svc.Credentials(ctx, f.alice, acct, eng.URN)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.call(ca, "ListInstances")
		if err != nil {
			t.Fatalf("alice (engineering): %v", err)
		}
		if len(p.Tags) != 2 || p.Tags["department"] != "engineering" || p.Tags["email"] != "alice@example.com" {
			t.Errorf("alice's tags = %v", p.Tags)
		}
		cb, err := f.svc.Credentials(ctx, f.bob, acct, eng.URN)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.call(cb, "ListInstances")
		wantCode(t, err, 403, "IIC.1000") // bob is in sales
	})

	t.Run("grants are reused for the cache TTL, refusals never", func(t *testing.T) {
		cached := &portal.Service{Store: f.st, Keys: f.keys, IDs: ids.Generator{}, Now: time.Now, Paging: f.svc.Paging, Identity: f.ident,
			Center: f.center, CacheTTL: time.Hour}
		acct := f.memberAccount()
		ag := f.provision("Cached", "PT1H", ro, store.PrincipalUser, f.alice.UserID, acct)
		if _, err := cached.Credentials(ctx, f.bob, acct, ag.URN); err == nil {
			t.Fatal("bob is not assigned")
		}
		if _, err := cached.Credentials(ctx, f.alice, acct, ag.URN); err != nil {
			t.Fatal(err)
		}
		if err := f.st.Assignments().Delete(ctx, store.Assignment{InstanceID: f.inst.ID, AccountID: acct, PermissionSetID: ag.PermissionSetID,
			PrincipalType: store.PrincipalUser, PrincipalID: f.alice.UserID}); err != nil {
			t.Fatal(err)
		}
		if _, err := cached.Credentials(ctx, f.alice, acct, ag.URN); err != nil {
			t.Errorf("within the TTL the grant is reused: %v", err)
		}
		_, err := f.svc.Credentials(ctx, f.alice, acct, ag.URN) // no cache
		wantCode(t, err, 403, "IIC.1269")
		f.assign(ag.PermissionSetID, store.PrincipalUser, f.bob.UserID, acct)
		if _, err := cached.Credentials(ctx, f.bob, acct, ag.URN); err != nil {
			t.Errorf("a refusal is not cached: %v", err)
		}
	})

	t.Run("ending the session deletes its credentials", func(t *testing.T) {
		c1, err := f.svc.Credentials(ctx, f.bob, acctA, opsA.URN)
		if err != nil {
			t.Fatal(err)
		}
		other := f.bob
		other.Session = "another-session"
		c2, err := f.svc.Credentials(ctx, other, acctA, opsA.URN)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.call(c1, "ListInstances"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.EndSession(ctx, f.bob.Session); err != nil {
			t.Fatal(err)
		}
		_, err = f.call(c1, "ListInstances")
		wantCode(t, err, 401, "IIC.1410")
		if _, err := f.call(c2, "ListInstances"); err != nil {
			t.Errorf("another session's credentials: %v", err)
		}
	})
}

func equal(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

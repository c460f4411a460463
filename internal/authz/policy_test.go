package authz_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

const acct = "0123456789abcdef0123456789abcdef"

func newStore(t testing.TB) store.Store {
	st := sqltest.Open(t, "sqlite").Store()
	for _, id := range []string{acct, "ffffffffffffffffffffffffffffffff"} {
		if err := st.Accounts().Create(context.Background(), store.Account{ID: id, Name: "acct-" + id[:4], CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func mustPolicy(t testing.TB, st store.Store, account, id, doc string) {
	t.Helper()
	if err := st.Policies().Create(context.Background(), store.Policy{AccountID: account, ID: id, Name: id, Document: []byte(doc), CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func mid(t testing.TB, name string) string {
	p, err := managed.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func TestPoliciesAuthorize(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	az := authz.NewPolicies(st)
	mustPolicy(t, st, acct, "deny-delete", `{"Version":"5.0","Statement":[
		{"Effect":"Allow","Action":["IdentityCenter:*"]},
		{"Sid":"NoDelete","Effect":"Deny","Action":["IdentityCenter:instance:deleteIdentityCenter"]}]}`)
	mustPolicy(t, st, acct, "by-condition", `{"Version":"5.0","Statement":[
		{"Effect":"Allow","Action":["IdentityCenter:*:*"],"Condition":{
			"StringEquals":{"g:PrincipalTag/team":["blue"],"g:DomainName":["acct-0123"],"g:PrincipalType":["AssumedAgency"]},
			"Bool":{"g:MFAPresent":["true"],"g:SecureTransport":["true"]},
			"IpAddress":{"g:SourceIp":["10.0.0.0/8"]},
			"StringLike":{"g:PrincipalUrn":["sts::*:assumed-agency:admins/alice"]},
			"DateLessThan":{"g:CurrentTime":["2030-01-01T00:00:00Z"]}}}]}`)
	mustPolicy(t, st, "ffffffffffffffffffffffffffffffff", "other-account", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["*"]}]}`)

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	req := func(action string) *authz.Request {
		return &authz.Request{Action: action, SourceIP: netip.MustParseAddr("10.1.2.3"), SecureTransport: true, Time: now}
	}
	scoped := func(ids ...string) *authz.Principal {
		return &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK1", PolicyIDs: ids}
	}
	agency := &authz.Principal{Kind: authz.KindTemporary, AccountID: acct, AccessKey: "AK2", AgencyURN: "iam::" + acct + ":agency:admins",
		SessionName: "alice", Tags: map[string]string{"Team": "blue"}, MFA: true, PolicyIDs: []string{"by-condition"}}

	cases := []struct {
		name  string
		p     *authz.Principal
		r     *authz.Request
		allow bool
	}{
		{"nil principal", nil, req("IdentityCenter:instance:list"), false},
		{"root", &authz.Principal{Kind: authz.KindRoot, AccountID: acct}, req("IdentityCenter:instance:deleteIdentityCenter"), true},
		{"no policies", scoped(), req("IdentityCenter:instance:list"), false},
		{"discovery without policies", scoped(), req("iam:projects:list"), true},
		{"read-only list", scoped(mid(t, "IdentityCenter ReadOnlyAccess")), req("IdentityCenter:instance:list"), true},
		{"read-only write", scoped(mid(t, "IdentityCenter ReadOnlyAccess")), req("IdentityCenter:instance:startIdentityCenter"), false},
		{"custom allow", scoped("deny-delete"), req("IdentityCenter:instance:startIdentityCenter"), true},
		{"custom deny wins", scoped("deny-delete", mid(t, "FullAccess")), req("IdentityCenter:instance:deleteIdentityCenter"), false},
		{"unknown ids ignored", scoped("nope", "00000000000000000000000000000000"), req("IdentityCenter:instance:list"), false},
		{"another account's custom policy", scoped("other-account"), req("IdentityCenter:instance:list"), false},
		{"all conditions hold", agency, req("IdentityCenter:instance:startIdentityCenter"), true},
	}
	for _, c := range cases {
		err := az.Authorize(ctx, c.p, c.r)
		if (err == nil) != c.allow {
			t.Errorf("%s: Authorize = %v, want allow=%v", c.name, err, c.allow)
		}
		if err != nil && !apierr.IIC1000_403.Is(err) {
			t.Errorf("%s: error %v is not 403 IIC.1000", c.name, err)
		}
		if err != nil && err.Error() != "IIC.1000: No permission for action "+c.r.Action+"." {
			t.Errorf("%s: message %q", c.name, err.Error())
		}
	}
	// Each condition matters.
	for name, mutate := range map[string]func(p *authz.Principal, r *authz.Request){
		"tag":       func(p *authz.Principal, _ *authz.Request) { p.Tags = map[string]string{"team": "red"} },
		"mfa":       func(p *authz.Principal, _ *authz.Request) { p.MFA = false },
		"tls":       func(_ *authz.Principal, r *authz.Request) { r.SecureTransport = false },
		"source ip": func(_ *authz.Principal, r *authz.Request) { r.SourceIP = netip.MustParseAddr("192.168.1.1") },
		"time":      func(_ *authz.Principal, r *authz.Request) { r.Time = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC) },
		"session":   func(p *authz.Principal, _ *authz.Request) { p.SessionName = "mallory" },
		"kind":      func(p *authz.Principal, _ *authz.Request) { p.Kind = authz.KindScoped },
	} {
		p, r := *agency, *req("IdentityCenter:instance:startIdentityCenter")
		mutate(&p, &r)
		if err := az.Authorize(ctx, &p, &r); err == nil {
			t.Errorf("condition %s ignored", name)
		}
	}

	// Deleting a custom policy takes effect at once after Invalidate.
	if err := az.Authorize(ctx, scoped("deny-delete"), req("IdentityCenter:instance:startIdentityCenter")); err != nil {
		t.Fatal(err)
	}
	if err := st.Policies().Delete(ctx, acct, "deny-delete"); err != nil {
		t.Fatal(err)
	}
	az.Invalidate(acct, "deny-delete")
	if err := az.Authorize(ctx, scoped("deny-delete"), req("IdentityCenter:instance:startIdentityCenter")); err == nil {
		t.Fatal("deleted policy still applies")
	}
}

func TestActionConvention(t *testing.T) {
	for a, want := range map[string]bool{
		"IdentityCenter:instance:list": true, "identitystore:groupMembership:delete": true, "iam:projects:list": true,
		"IdentityCenter:instance:getIdentityCenterStatus": true, "Identitycenter:x:list": true, "IdentityCenter:user:create": true, "1dentity:x:y": false, "a:b": false, "a:b:c:d": false,
		"a:B:c": false, "a:b:C": false, "a:b-c:d": false, "": false,
	} {
		if _, _, _, ok := authz.SplitAction(a); ok != want {
			t.Errorf("SplitAction(%q) ok=%v", a, ok)
		}
	}
	for v, want := range map[string]bool{"list": true, "getStatus": true, "describeX": true, "show": true, "checkName": true,
		"isMember": true, "head": true, "search": true, "count": true, "create": false, "delete": false, "register": false, "start": false} {
		if authz.IsReadVerb(v) != want {
			t.Errorf("IsReadVerb(%q) != %v", v, want)
		}
	}
	if !authz.IsReadAction("x:y:listAll") || authz.IsReadAction("x:y:update") {
		t.Fatal("IsReadAction")
	}
}

func TestPrincipalURN(t *testing.T) {
	for want, p := range map[string]*authz.Principal{
		"iam::A:root":                     {Kind: authz.KindRoot, AccountID: "A"},
		"iam::A:accessKey:AK":             {Kind: authz.KindScoped, AccountID: "A", AccessKey: "AK"},
		"sts::A:assumed-agency:ops/alice": {Kind: authz.KindTemporary, AccountID: "A", AgencyURN: "iam::A:agency:ops", SessionName: "alice"},
		"sts::A:session:TMP":              {Kind: authz.KindTemporary, AccountID: "A", AccessKey: "TMP"},
	} {
		if got := authz.PrincipalURN(p); got != want {
			t.Errorf("PrincipalURN = %q, want %q", got, want)
		}
	}
}

var httpxSourceIP = netip.MustParseAddr("192.0.2.7")

// Actor is the one definition of who acted: the user id behind temporary
// credentials, a scoped key's access key (its UserID), the account for root.
func TestPrincipalActor(t *testing.T) {
	for _, tc := range []struct {
		p    authz.Principal
		want string
	}{
		{authz.Principal{Kind: authz.KindRoot, AccountID: "acct", AccessKey: "ROOTAK"}, "acct"},
		{authz.Principal{Kind: authz.KindScoped, AccountID: "acct", AccessKey: "SCOPEDAK", UserID: "SCOPEDAK", UserName: "label"}, "SCOPEDAK"},
		{authz.Principal{Kind: authz.KindTemporary, AccountID: "acct", AccessKey: "TEMPAK", UserID: "user-1", UserName: "alice"}, "user-1"},
		{authz.Principal{Kind: authz.KindPortalUser, UserID: "user-1", Store: &authz.StoreCaller{IdentityStoreID: "d-1", Session: "web:s"}}, "user-1"},
		{authz.Principal{Kind: authz.KindSCIM, Store: &authz.StoreCaller{IdentityStoreID: "d-1", SCIMTenant: "t-1"}}, "scim:t-1"},
	} {
		if got := tc.p.Actor(); got != tc.want {
			t.Errorf("%s: Actor() = %q, want %q", tc.p.Kind, got, tc.want)
		}
	}
}

// Principals of the unsigned surfaces (a portal user, a SCIM tenant, an
// anonymous caller) are denied every action, discovery actions included,
// even when they carry an account and policies an access key would be
// allowed by; an access-key principal with the same fields is allowed.
func TestPoliciesDenyPrincipalsOfUnsignedSurfaces(t *testing.T) {
	ctx := context.Background()
	az := authz.NewPolicies(newStore(t))
	full := mid(t, "FullAccess")
	for _, kind := range []authz.Kind{authz.KindPortalUser, authz.KindSCIM, authz.KindAnonymous, authz.KindScoped} {
		for _, action := range []string{authz.ActionGetCallerIdentity, "IdentityCenter:instance:list"} {
			p := &authz.Principal{Kind: kind, AccountID: acct, AccessKey: "AK", UserID: "u", PolicyIDs: []string{full}}
			err := az.Authorize(ctx, p, &authz.Request{Action: action, Time: time.Now()})
			if kind == authz.KindScoped {
				if err != nil {
					t.Errorf("%s %s: %v, want allowed", kind, action, err)
				}
				continue
			}
			if !apierr.IIC1000_403.Is(err) {
				t.Errorf("%s %s: %v, want 403 IIC.1000", kind, action, err)
			}
		}
	}
}

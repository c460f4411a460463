package authz_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/store"
)

// Every row of the action table is complete; the documented rows name
// their source page.
func TestActionTable(t *testing.T) {
	ops := authz.Operations()
	if len(ops) < 73 {
		t.Fatalf("the table has %d rows", len(ops))
	}
	counts := map[string]int{}
	for _, o := range ops {
		counts[o.Source]++
		svc, _, _, _ := authz.SplitAction(o.Action)
		switch {
		case o.Source == authz.SourceIIC && svc != "iic" && svc != "iam":
			t.Errorf("%s: iic extension %s is not under iic: (or the iam discovery look-ups)", o.Name, o.Action)
		case o.Source != authz.SourceIIC && svc != "IdentityCenter" && svc != "organizations" && svc != "sts" && svc != "iam":
			t.Errorf("%s: documented action %s is not IdentityCenter:, organizations:, sts: or iam:", o.Name, o.Action)
		case o.Source != authz.SourceIIC && !strings.Contains(o.URL, "support.huaweicloud.com/"):
			t.Errorf("%s: source page %q", o.Name, o.URL)
		case o.Source != authz.SourceIIC && len(o.Alternates) > 0 && o.Note == "":
			t.Errorf("%s: alternates without a note saying which pages disagree", o.Name)
		}
		if o.Pattern == "" || o.LegacyAction == "" || o.Access == "" {
			t.Errorf("%s: incomplete row %+v", o.Name, o)
		}
		if got := authz.OperationByName(o.Name); got != o {
			t.Errorf("OperationByName(%s)", o.Name)
		}
		if got := authz.LookupAction(strings.ToUpper(o.Action)); got != o {
			t.Errorf("LookupAction(%s) = %v", o.Action, got)
		}
		if got := authz.LookupAction(o.LegacyAction); got == nil || got.LegacyAction != o.LegacyAction && got.Action != o.LegacyAction {
			t.Errorf("LookupAction(legacy %s) = %v", o.LegacyAction, got)
		}
	}
	t.Logf("rows by source: %v", counts)
	// An alternate that is another operation's action resolves to that one.
	if o := authz.LookupAction("IdentityCenter:user:listSessions"); o == nil || o.Name != "ListSessions" {
		t.Errorf("LookupAction(user:listSessions) = %v", o)
	}
	if o := authz.LookupAction("ecs:cloudServers:list"); o != nil {
		t.Errorf("LookupAction(ecs) = %v", o)
	}
	if !authz.OperationByName("ListUsers").IsRead() || authz.OperationByName("CreateUser").IsRead() {
		t.Error("IsRead")
	}
	if got := authz.ResourceURN("IdentityCenter", "", "acct", "permissionSet", "ins-1/ps-1"); got != "IdentityCenter::acct:permissionSet:ins-1/ps-1" {
		t.Errorf("ResourceURN = %s", got)
	}
}

// reqFor is the request httpx.Guard builds for an operation.
func reqFor(name string) *authz.Request {
	o := authz.OperationByName(name)
	return &authz.Request{Action: o.Action, Alternates: o.Alternates, LegacyAction: o.LegacyAction, Dependencies: o.Dependencies,
		SourceIP: httpxSourceIP, Time: time.Now()}
}

// A policy naming either documented name of an operation allows it; a Deny
// on either denies it.
func TestAuthorizeAlternates(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	az := authz.NewPolicies(st)
	mustPolicy(t, st, acct, "sessions", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:user:listSessions"]}]}`)
	mustPolicy(t, st, acct, "deny-alt", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:user:*"]},
		{"Effect":"Deny","Action":["identitycenter:user:listsessions"]}]}`)
	p := func(ids ...string) *authz.Principal {
		return &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK", PolicyIDs: ids}
	}
	if err := az.Authorize(ctx, p("sessions"), reqFor("ListUsers")); err != nil {
		t.Errorf("ListUsers through its page's name: %v", err)
	}
	if err := az.Authorize(ctx, p("sessions"), reqFor("ListGroups")); err == nil {
		t.Error("ListGroups allowed")
	}
	if err := az.Authorize(ctx, p("deny-alt"), reqFor("ListUsers")); err == nil {
		t.Error("a Deny on the alternate does not deny")
	}
	if err := az.Authorize(ctx, p("deny-alt"), reqFor("CreateUser")); err != nil {
		t.Errorf("CreateUser: %v", err)
	}
}

// A custom policy stored before the documented names keeps allowing and
// denying exactly what it did (its old names); a warning is logged once.
func TestAuthorizeLegacyPolicies(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	var logs bytes.Buffer
	az := authz.NewPolicies(st)
	az.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	legacy := func(id, doc string) {
		if err := st.Policies().Create(ctx, store.Policy{AccountID: acct, ID: id, Name: id, Document: []byte(doc), LegacyActions: true,
			CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	legacy("old-store", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["identitystore:*:*"]}]}`)
	legacy("old-center-lists", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["identitycenter:*:list*"]}]}`)
	legacy("old-deny", `{"Version":"5.0","Statement":[{"Effect":"Deny","Action":["identitystore:user:delete"]}]}`)
	mustPolicy(t, st, acct, "new-all", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:*:*"]}]}`)
	p := func(ids ...string) *authz.Principal {
		return &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK", PolicyIDs: ids}
	}
	for _, c := range []struct {
		ids   []string
		op    string
		allow bool
	}{
		{[]string{"old-store"}, "CreateUser", true},
		{[]string{"old-store"}, "GetIdentityStoreSummary", true},
		{[]string{"old-store"}, "ListInstances", false},
		{[]string{"old-center-lists"}, "ListInstances", true},
		{[]string{"old-center-lists"}, "DescribeRegisteredRegions", true},
		{[]string{"old-center-lists"}, "ListUsers", false}, // identitystore was another service
		{[]string{"old-center-lists"}, "GetIdentityCenterServiceStatus", false},
		{[]string{"new-all"}, "DeleteUser", true},
		{[]string{"new-all", "old-deny"}, "DeleteUser", false},
		{[]string{"new-all", "old-deny"}, "UpdateUser", true},
	} {
		err := az.Authorize(ctx, p(c.ids...), reqFor(c.op))
		if (err == nil) != c.allow {
			t.Errorf("%v %s: %v, want allow=%v", c.ids, c.op, err, c.allow)
		}
	}
	if n := strings.Count(logs.String(), "policy_id=old-store"); n != 1 {
		t.Errorf("warned %d times about old-store:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "new-all") {
		t.Error("warned about a new policy")
	}
}

// An operation whose enforced dependency the caller may not use is 403
// IIC.1001 naming the dependency; unenforced dependencies (services iic
// does not serve yet) are not checked; root is exempt.
func TestAuthorizeDependencies(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	az := authz.NewPolicies(st)
	mustPolicy(t, st, acct, "users", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:user:*"]}]}`)
	mustPolicy(t, st, acct, "orgs", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["organizations:delegatedAdministrators:list"]}]}`)
	mustPolicy(t, st, acct, "deny-orgs", `{"Version":"5.0","Statement":[{"Effect":"Deny","Action":["organizations:*:*"]}]}`)
	p := func(ids ...string) *authz.Principal {
		return &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK", PolicyIDs: ids}
	}
	if authz.DependencyEnforced("organizations:delegatedAdministrators:list") {
		t.Fatal("organizations is enforced before iic serves it")
	}
	if err := az.Authorize(ctx, p("users"), reqFor("CreateUser")); err != nil {
		t.Fatalf("unenforced dependency checked: %v", err)
	}
	az.EnforceDependency = func(a string) bool { return strings.HasPrefix(a, "organizations:") }
	err := az.Authorize(ctx, p("users"), reqFor("CreateUser"))
	if !apierr.IIC1001.Is(err) || err.Error() != "IIC.1001: Access denied: organizations:delegatedAdministrators:list" {
		t.Fatalf("missing dependency: %v", err)
	}
	if err := az.Authorize(ctx, p("users", "orgs"), reqFor("CreateUser")); err != nil {
		t.Fatalf("with the dependency: %v", err)
	}
	if err := az.Authorize(ctx, p("users", "orgs", "deny-orgs"), reqFor("CreateUser")); !apierr.IIC1001.Is(err) {
		t.Fatalf("denied dependency: %v", err)
	}
	// The action itself is checked first (IIC.1000), and an operation
	// without dependencies needs none.
	if err := az.Authorize(ctx, p("orgs"), reqFor("CreateUser")); !apierr.IIC1000_403.Is(err) {
		t.Fatalf("action not allowed: %v", err)
	}
	mustPolicy(t, st, acct, "register", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:instance:registerRegion"]}]}`)
	if err := az.Authorize(ctx, p("register"), reqFor("RegisterRegion")); err != nil {
		t.Fatalf("RegisterRegion has no dependency: %v", err)
	}
	if err := az.Authorize(ctx, &authz.Principal{Kind: authz.KindRoot, AccountID: acct}, reqFor("StartIdentityCenter")); err != nil {
		t.Fatalf("root: %v", err)
	}
}

// The request context carries resource tags, request tags and tag keys
// for the g:ResourceTag/<key>, g:RequestTag/<key> and g:TagKeys conditions.
func TestAuthorizeTagConditions(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	az := authz.NewPolicies(st)
	mustPolicy(t, st, acct, "tags", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:permissionSet:*"],"Condition":{
		"StringEquals":{"g:ResourceTag/env":["dev"],"g:RequestTag/team":["blue"]},
		"ForAllValues:StringEquals":{"g:TagKeys":["team","env"]}}}]}`)
	p := &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK", PolicyIDs: []string{"tags"}}
	req := func(res, reqTags map[string]string, keys ...string) *authz.Request {
		return &authz.Request{Action: "IdentityCenter:permissionSet:create", Resource: authz.ResourceURN("IdentityCenter", "", acct, "permissionSet", "*"),
			ResourceTags: res, RequestTags: reqTags, TagKeys: keys, Time: time.Now()}
	}
	if err := az.Authorize(ctx, p, req(map[string]string{"env": "dev"}, map[string]string{"team": "blue"}, "team")); err != nil {
		t.Fatalf("tags match: %v", err)
	}
	for name, r := range map[string]*authz.Request{
		"resource tag": req(map[string]string{"env": "prod"}, map[string]string{"team": "blue"}, "team"),
		"request tag":  req(map[string]string{"env": "dev"}, map[string]string{"team": "red"}, "team"),
		"tag keys":     req(map[string]string{"env": "dev"}, map[string]string{"team": "blue"}, "team", "cost"),
		"no tags":      req(nil, nil),
	} {
		if err := az.Authorize(ctx, p, r); err == nil {
			t.Errorf("%s: allowed", name)
		}
	}
}

// Obtaining an agency token is the table's KeystoneCreateAgencyToken row:
// Agent Operator's iam:tokens:assume allows every agency, a custom policy
// allowing iam:agencies:assume on one agency's URI (Huawei's delegated-party
// form) allows exactly that agency, and a Deny of either name denies.
func TestAuthorizeAgencyToken(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	az := authz.NewPolicies(st)
	urnA, urnB := "iam::"+acct+":agency:IdentityCenter_A", "iam::"+acct+":agency:IdentityCenter_B"
	uri := func(urn string) string { return `{"uri":["` + authz.AgencyURI(urn) + `"]}` }
	mustPolicy(t, st, acct, "only-a", `{"Version":"1.1","Statement":[{"Action":["iam:agencies:assume"],"Resource":`+uri(urnA)+`,"Effect":"Allow"}]}`)
	mustPolicy(t, st, acct, "deny-a", `{"Version":"1.1","Statement":[{"Action":["iam:agencies:assume"],"Resource":`+uri(urnA)+`,"Effect":"Deny"}]}`)
	mustPolicy(t, st, acct, "deny-tokens", `{"Version":"1.1","Statement":[{"Action":["iam:tokens:assume"],"Effect":"Deny"}]}`)
	op := authz.OperationByName(authz.OpCreateAgencyToken)
	if op == nil || op.Action != "iam:tokens:assume" || len(op.Alternates) != 1 || op.Alternates[0] != "iam:agencies:assume" || op.Pattern != "POST /v3/auth/tokens" {
		t.Fatalf("the table's %s row: %+v", authz.OpCreateAgencyToken, op)
	}
	if got := authz.AgencyURI(urnA); got != "/iam/agencies/"+urnA {
		t.Fatalf("AgencyURI = %s", got)
	}
	req := func(urn string) *authz.Request {
		return &authz.Request{Action: op.Action, Alternates: op.Alternates, LegacyAction: op.LegacyAction, ResourceURI: authz.AgencyURI(urn), Time: time.Now()}
	}
	for _, c := range []struct {
		ids   []string
		urn   string
		allow bool
	}{
		{[]string{"only-a"}, urnA, true},
		{[]string{"only-a"}, urnB, false},
		{[]string{mid(t, "Agent Operator")}, urnA, true},
		{[]string{mid(t, "Agent Operator")}, urnB, true},
		{[]string{mid(t, "Security Administrator")}, urnB, true},
		{[]string{mid(t, "Agent Operator"), "deny-a"}, urnA, false},
		{[]string{mid(t, "Agent Operator"), "deny-a"}, urnB, true},
		{[]string{"only-a", "deny-tokens"}, urnA, false},
		{[]string{mid(t, "IdentityCenter FullAccess")}, urnA, false},
		{nil, urnA, false},
	} {
		p := &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK", PolicyIDs: c.ids}
		err := az.Authorize(ctx, p, req(c.urn))
		if (err == nil) != c.allow || err != nil && err.Error() != "IIC.1000: No permission for action iam:tokens:assume." {
			t.Errorf("%v on %s: %v, want allow=%v", c.ids, c.urn, err, c.allow)
		}
	}
	// The URI statement never applies to a request without one.
	p := &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK", PolicyIDs: []string{"only-a"}}
	if err := az.Authorize(ctx, p, &authz.Request{Action: "iam:agencies:assume", Time: time.Now()}); err == nil {
		t.Error("a request without a ResourceURI allowed by the URI statement")
	}
}

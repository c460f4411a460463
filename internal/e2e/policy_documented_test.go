package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

var opPathVar = regexp.MustCompile(`\{[^}]+\}`)

// walkDecisions makes every mounted operation's call with the key (dummy
// path ids, an empty body) and reports which ones the authorizer let
// through: anything but a 403 IIC.1000/IIC.1001 answer. Authorization runs
// before the handler, so the ids do not matter, and an allowed call with
// them fails harmlessly (404/400).
func walkDecisions(t *testing.T, srv *testenv.Server, ak, sk string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, op := range srv.App.Ops() {
		method, path, _ := strings.Cut(op.Pattern, " ")
		var body []byte
		if method != "GET" && method != "DELETE" {
			body = []byte("{}")
		}
		resp, b := srv.DoAs(t, ak, sk, method, opPathVar.ReplaceAllString(path, "x-none"), body)
		denied := resp.StatusCode == 403 && (strings.Contains(string(b), `"IIC.1000"`) || strings.Contains(string(b), `"IIC.1001"`))
		if resp.StatusCode == 401 || resp.StatusCode >= 500 {
			t.Fatalf("%s: %d %s", op.Name, resp.StatusCode, b)
		}
		out[op.Name] = !denied
	}
	return out
}

func checkWalk(t *testing.T, what string, got map[string]bool, want func(o *authz.Operation) bool) {
	t.Helper()
	for _, o := range authz.Operations() {
		w := want(o) || authz.AlwaysAllowed(o.Action)
		if got[o.Name] != w {
			t.Errorf("%s: %s (%s) allowed=%v, want %v", what, o.Name, o.Action, got[o.Name], w)
		}
	}
}

func hasName(o *authz.Operation, pred func(lower string) bool) bool {
	for _, n := range o.Names() {
		if pred(strings.ToLower(n)) {
			return true
		}
	}
	return false
}

// A policy copied from Huawei's pages (allow IdentityCenter:user:* and
// IdentityCenter:group:list) authorizes exactly the user operations and
// ListGroups, through the real SDK; IdentityCenter ReadOnlyAccess exactly
// the documented List and Read operations.
func TestDocumentedPolicyThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, _, sid := identityStore(t, dialect)
		pid := srv.CreatePolicy(t, "huawei-page", `{"Version":"5.0","Statement":[
			{"Effect":"Allow","Action":["IdentityCenter:user:*","IdentityCenter:group:list"],"Resource":["*"]}]}`)
		ak, sk := srv.CreateKey(t, pid)
		c := srv.IdentityStoreAs(t, ak, sk)
		uid, _ := createUser(t, c, sid, "carol")
		if _, err := c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid}); err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if _, err := c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: uid}); err != nil {
			t.Fatalf("DescribeUser: %v", err)
		}
		if _, err := c.DisableUser(&model.DisableUserRequest{IdentityStoreId: sid, UserId: uid}); err != nil {
			t.Fatalf("DisableUser: %v", err)
		}
		if _, err := c.ListGroups(&model.ListGroupsRequest{IdentityStoreId: sid}); err != nil {
			t.Fatalf("ListGroups: %v", err)
		}
		_, err := c.CreateGroup(&model.CreateGroupRequest{IdentityStoreId: sid, Body: &model.CreateGroupReqBody{DisplayName: "g"}})
		if se := testenv.WantError(t, err, 403, "IIC.1000"); se.ErrorMessage != "No permission for action IdentityCenter:group:create." {
			t.Fatalf("message %q", se.ErrorMessage)
		}
		_, err = srv.CenterAs(t, ak, sk, "", nil).ListInstances(&icmodel.ListInstancesRequest{})
		testenv.WantError(t, err, 403, "IIC.1000")
		if _, err := c.DeleteUser(&model.DeleteUserRequest{IdentityStoreId: sid, UserId: uid}); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		checkWalk(t, "user:* + group:list", walkDecisions(t, srv, ak, sk), func(o *authz.Operation) bool {
			return hasName(o, func(n string) bool {
				return strings.HasPrefix(n, "identitycenter:user:") || n == "identitycenter:group:list"
			})
		})

		ak, sk = srv.CreateKey(t, managedID(t, "IdentityCenter ReadOnlyAccess"))
		checkWalk(t, "IdentityCenter ReadOnlyAccess", walkDecisions(t, srv, ak, sk), func(o *authz.Operation) bool {
			return o.IsRead() && strings.HasPrefix(o.Action, "IdentityCenter:")
		})
		_, err = srv.IdentityStoreAs(t, ak, sk).CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("dave", otpMode)})
		testenv.WantError(t, err, 403, "IIC.1000")
	})
}

// A custom policy stored before iic used the documented names (as the
// upgrade leaves it: legacy_actions set) keeps allowing and denying exactly
// what its old names covered.
func TestLegacyPolicyThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, _, sid := identityStore(t, dialect)
		doc := `{"Version":"5.0","Statement":[
			{"Effect":"Allow","Action":["identitystore:user:*","identitycenter:instances:list","identitycenter:*:getStatus"]},
			{"Effect":"Deny","Action":["identitystore:user:delete"]}]}`
		now := time.Now()
		if err := srv.App.Store.Policies().Create(context.Background(), store.Policy{AccountID: srv.App.Root.AccountID, ID: "legacy-users",
			Name: "legacy-users", Document: []byte(doc), LegacyActions: true, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		resp, out := srv.Do(t, "GET", "/v1/iic/policies/legacy-users", nil, nil, true)
		if resp.StatusCode != 200 || !strings.Contains(string(out), `"legacy_action_names":true`) {
			t.Fatalf("get legacy policy: %d %s", resp.StatusCode, out)
		}
		ak, sk := srv.CreateKey(t, "legacy-users")
		c := srv.IdentityStoreAs(t, ak, sk)
		uid, _ := createUser(t, c, sid, "erin")
		_, err := c.DeleteUser(&model.DeleteUserRequest{IdentityStoreId: sid, UserId: uid})
		testenv.WantError(t, err, 403, "IIC.1000")
		_, err = c.ListGroups(&model.ListGroupsRequest{IdentityStoreId: sid})
		testenv.WantError(t, err, 403, "IIC.1000")
		if _, err := srv.CenterAs(t, ak, sk, "", nil).ListInstances(&icmodel.ListInstancesRequest{}); err != nil {
			t.Fatalf("ListInstances: %v", err)
		}
		old := regexp.MustCompile(`^(identitystore:user:.*|identitycenter:instances:list|identitycenter:[^:]*:getstatus)$`)
		checkWalk(t, "legacy policy", walkDecisions(t, srv, ak, sk), func(o *authz.Operation) bool {
			l := strings.ToLower(o.LegacyAction)
			return old.MatchString(l) && l != "identitystore:user:delete"
		})
		// The simulator decides the stored policy the same way, whichever
		// name it is asked with.
		for action, want := range map[string]string{"IdentityCenter:user:create": `"allowed":true`, "identitystore:user:create": `"allowed":true`,
			"IdentityCenter:user:delete": `"allowed":false`, "IdentityCenter:group:list": `"allowed":false`} {
			st, out := srv.Do(t, "POST", "/v1/iic/policies/simulate", []byte(`{"policy_ids":["legacy-users"],"action":"`+action+`"}`), nil, true)
			if st.StatusCode != 200 || !strings.Contains(string(out), want) {
				t.Errorf("simulate %s: %d %s", action, st.StatusCode, out)
			}
		}
	})
}

// The dependency check, with organizations enforced as it will be once iic
// serves it: an operation whose documented dependency the key's policies do
// not allow is 403 IIC.1001 naming it.
func TestDependenciesThroughSDK(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{EnforceDependency: func(a string) bool { return strings.HasPrefix(a, "organizations:") }})
	_, sid := srv.EnableIdentityCenter(t)
	users := srv.CreatePolicy(t, "users", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:user:list","IdentityCenter:instance:registerRegion"]}]}`)
	orgs := srv.CreatePolicy(t, "orgs", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["organizations:delegatedAdministrators:list"]}]}`)
	ak, sk := srv.CreateKey(t, users)
	_, err := srv.IdentityStoreAs(t, ak, sk).ListUsers(&model.ListUsersRequest{IdentityStoreId: sid})
	if se := testenv.WantError(t, err, 403, "IIC.1001"); se.ErrorMessage != "Access denied: organizations:delegatedAdministrators:list" {
		t.Fatalf("message %q", se.ErrorMessage)
	}
	// RegisterRegion documents no dependency.
	_, err = srv.CenterAs(t, ak, sk, "", nil).RegisterRegion(&icmodel.RegisterRegionRequest{Body: &icmodel.RegisterRegionReqBody{RegionId: "cn-north-4"}})
	if err != nil && strings.Contains(err.Error(), "IIC.1001") {
		t.Fatalf("RegisterRegion: %v", err)
	}
	ak, sk = srv.CreateKey(t, users, orgs)
	if _, err := srv.IdentityStoreAs(t, ak, sk).ListUsers(&model.ListUsersRequest{IdentityStoreId: sid}); err != nil {
		t.Fatalf("with the dependency allowed: %v", err)
	}
	// Root is exempt.
	if _, err := srv.IdentityStore(t).ListUsers(&model.ListUsersRequest{IdentityStoreId: sid}); err != nil {
		t.Fatalf("root: %v", err)
	}
}

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	icsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
	orgmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1/model"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/organization"
	"github.com/iic-project/iic/internal/testenv"
)

// managementOnly are the Identity Center operations of the organization's
// management account alone: its delegated administrator is refused them
// too (403 IIC.1215).
var managementOnly = map[string]bool{
	"RegisterRegion": true, "DeregisterRegion": true, "StartIdentityCenter": true, "DeleteIdentityCenter": true,
}

// scopedOp is one Identity Center operation the scope test sends.
type scopedOp struct {
	httpx.Op
	info sweepOp
}

// tenantVar names the route variables that pick an instance or identity
// store (Guard.Tenancy checks them against the caller's tenant).
var tenantVar = regexp.MustCompile(`\{(instance_id|identity_store_id)\}`)

// identityCenterOps is every mounted operation of Identity Center and its
// identity store, taken from the route table: every op whose action is
// Identity Center's, every tenant-scoped op, and the management-only ops;
// reads first, then writes, in route order.
func identityCenterOps(t *testing.T, srv *testenv.Server) []scopedOp {
	t.Helper()
	infos := sweepOps(t, srv)
	mounted := map[string]bool{}
	var reads, writes []scopedOp
	for _, op := range srv.App.Ops() {
		mounted[op.Name] = true
		if !op.Tenant && !managementOnly[op.Name] && !strings.HasPrefix(op.Action, "IdentityCenter:") {
			continue
		}
		info, ok := infos[op.Pattern]
		if !ok {
			t.Fatalf("mounted op %s is neither in an SDK nor in the sweep's own table", op.Pattern)
		}
		if op.Spec.IsRead() {
			reads = append(reads, scopedOp{op, info})
		} else {
			writes = append(writes, scopedOp{op, info})
		}
	}
	for name := range managementOnly {
		if !mounted[name] {
			t.Fatalf("managementOnly names %s, which is not mounted", name)
		}
	}
	return append(reads, writes...)
}

// request is the op's path (every variable a real id of fx), query and
// body: a valid body where the sweep knows one, else {} for a bodied op.
func (op scopedOp) request(t *testing.T, fx sweepFx) (path string, body []byte) {
	t.Helper()
	path = pathVar.ReplaceAllStringFunc(op.info.path, func(v string) string {
		name := v[1 : len(v)-1]
		id := fx.real(op.info.path, name)
		switch {
		case name == "request_id" && strings.Contains(op.info.path, "/deletion-status/"):
			id = fx["deletion_request_id"]
		case name == "request_id" && strings.Contains(op.info.path, "/provisioning-status/"):
			id = fx["provisioning_request_id"]
		}
		if id == "" {
			t.Fatalf("%s: no fixture for {%s}", op.Pattern, name)
		}
		return url.PathEscape(id)
	})
	path += op.info.baseQuery(fx)
	if valid, ok := validBodies[op.Pattern]; ok {
		body = []byte(valid(fx))
	} else if op.info.hasBody {
		body = []byte(`{}`)
	}
	return path, body
}

// namesResources reports whether the op's route names an instance, an
// identity store or a permission set (what another account must not reach).
func (op scopedOp) namesResources() bool {
	return tenantVar.MatchString(op.Pattern) || strings.Contains(op.Pattern, "{resource_id}")
}

// notFound reports whether a is the answer to ids of another tenant: 404
// IIC.1259 when the route names the instance or store (Guard.Tenancy), a
// 404 of the resource otherwise.
func (op scopedOp) notFound(a answer) bool {
	if tenantVar.MatchString(op.Pattern) {
		return a.status == http.StatusNotFound && a.code == "IIC.1259"
	}
	return a.status == http.StatusNotFound
}

// caller is an account's root keys.
type caller struct{ name, ak, sk string }

// answer is one response: status, error code and body.
type answer struct {
	status int
	code   string
	body   []byte
}

func (a answer) String() string {
	b := a.body
	if len(b) > 200 {
		b = b[:200]
	}
	return fmt.Sprintf("%d %s", a.status, b)
}

func send(t *testing.T, srv *testenv.Server, c caller, method, path string, body []byte) answer {
	t.Helper()
	resp, out := srv.DoAs(t, c.ak, c.sk, method, path, body)
	a := answer{status: resp.StatusCode, body: out}
	if resp.StatusCode >= 400 {
		var e envelope
		if err := json.Unmarshal(out, &e); err != nil || e.ErrorCode == "" || e.RequestID == "" {
			t.Errorf("%s %s as %s: %d is not an error envelope: %s", method, path, c.name, resp.StatusCode, out)
		}
		a.code = e.ErrorCode
	}
	return a
}

// refused reports whether a is the answer to a caller that administers no
// Identity Center of the organization.
func refused(a answer) bool { return a.status == http.StatusForbidden && a.code == "IIC.1215" }

// Who may call Identity Center: only the organization's management account
// and the registered delegated administrator of Identity Center. For every
// operation of Identity Center and its identity store (from the route
// table): a member account that is not delegated (or delegated for another
// service) is refused (403 IIC.1215), whatever its body; once registered it
// is not (except the management-only ops), its reads answer exactly what
// the management account's do (it acts on the management account's
// instance), its writes resolve that instance, and no instance, store or
// permission set of another organization resolves for it (404);
// deregistered, it is refused again. The management account of another
// organization never reaches this organization's.
func TestDelegatedAdministratorScope(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, storeID := identityStore(t, dialect)
		fx := scopeFixtures(t, srv, c, storeID)
		ops := identityCenterOps(t, srv)
		orgs := srv.Orgs(t)
		root := caller{"the management account", srv.App.Root.AccessKey, srv.App.Root.SecretKey}
		delegateID := srv.CreateMemberAccount(t, "delegate")
		dak, dsk := srv.AccountKeys(t, delegateID)
		delegate := caller{"the member account", dak, dsk}
		other, otherFx := otherOrganization(t, srv, fx)

		each := func(fn func(op scopedOp, path string, body []byte)) {
			for _, op := range ops {
				path, body := op.request(t, fx)
				fn(op, path, body)
			}
		}
		wantRefused := func(phase string) {
			each(func(op scopedOp, path string, body []byte) {
				if a := send(t, srv, delegate, op.info.method, path, body); !refused(a) {
					t.Errorf("%s: %s (%s) = %v, want 403 IIC.1215", phase, op.Name, op.Pattern, a)
				}
				// Bad input does not get a refused caller further.
				if body != nil {
					if a := send(t, srv, delegate, op.info.method, path, []byte(`{"x":`)); !refused(a) {
						t.Errorf("%s, malformed body: %s (%s) = %v, want 403 IIC.1215", phase, op.Name, op.Pattern, a)
					}
				}
			})
		}

		// (a) A plain member is refused everything, also as the delegated
		// administrator of another service.
		wantRefused("not delegated")
		const otherService = "service.Config"
		if _, err := orgs.EnableTrustedService(&orgmodel.EnableTrustedServiceRequest{Body: &orgmodel.TrustedServiceReqBody{ServicePrincipal: otherService}}); err != nil {
			t.Fatal(err)
		}
		otherReg := &orgmodel.DelegatedAdministratorReqBody{AccountId: delegateID, ServicePrincipal: otherService}
		if _, err := orgs.RegisterDelegatedAdministrator(&orgmodel.RegisterDelegatedAdministratorRequest{Body: otherReg}); err != nil {
			t.Fatal(err)
		}
		wantRefused("delegated administrator of " + otherService)
		if _, err := orgs.DeregisterDelegatedAdministrator(&orgmodel.DeregisterDelegatedAdministratorRequest{Body: otherReg}); err != nil {
			t.Fatal(err)
		}

		// The other organization's management account, on this
		// organization's ids: nothing resolves.
		each(func(op scopedOp, path string, body []byte) {
			if !op.namesResources() {
				return // it acts on the caller's own Identity Center
			}
			if a := send(t, srv, other, op.info.method, path, body); !op.notFound(a) {
				t.Errorf("another organization's account on this one's ids: %s (%s) = %v, want 404", op.Name, op.Pattern, a)
			}
		})

		// (b) Registered as Identity Center's delegated administrator.
		reg := &orgmodel.DelegatedAdministratorReqBody{AccountId: delegateID, ServicePrincipal: organization.IdentityCenterPrincipal}
		if _, err := orgs.RegisterDelegatedAdministrator(&orgmodel.RegisterDelegatedAdministratorRequest{Body: reg}); err != nil {
			t.Fatal(err)
		}
		// On the other organization's ids: nothing resolves.
		each(func(op scopedOp, _ string, _ []byte) {
			if !op.namesResources() || managementOnly[op.Name] {
				return
			}
			path, body := op.request(t, otherFx)
			if a := send(t, srv, delegate, op.info.method, path, body); !op.notFound(a) {
				t.Errorf("delegated administrator on another organization's ids: %s (%s) = %v, want 404", op.Name, op.Pattern, a)
			}
		})
		passed := 0
		each(func(op scopedOp, path string, body []byte) {
			if op.Spec.IsRead() {
				want := send(t, srv, root, op.info.method, path, body)
				if want.status != http.StatusOK {
					t.Fatalf("%s (%s) as the management account = %v: the fixture is incomplete", op.Name, op.Pattern, want)
				}
				if got := send(t, srv, delegate, op.info.method, path, body); got.status != want.status || !bytes.Equal(got.body, want.body) {
					t.Errorf("delegated administrator: %s (%s) = %v, want the management account's %v", op.Name, op.Pattern, got, want)
				}
				passed++
				return
			}
			a := send(t, srv, delegate, op.info.method, path, body)
			switch {
			case managementOnly[op.Name] && !refused(a):
				t.Errorf("delegated administrator: %s (%s) = %v, want 403 IIC.1215 (management account only)", op.Name, op.Pattern, a)
			case !managementOnly[op.Name] && (refused(a) || a.code == "IIC.1259" || a.status >= 500):
				t.Errorf("delegated administrator: %s (%s) = %v, want it served", op.Name, op.Pattern, a)
			case a.status < 400:
				passed++
			}
		})
		t.Logf("%d operations; the delegated administrator was answered 2xx by %d", len(ops), passed)

		// (c) Deregistered: refused again.
		if _, err := orgs.DeregisterDelegatedAdministrator(&orgmodel.DeregisterDelegatedAdministratorRequest{Body: reg}); err != nil {
			t.Fatal(err)
		}
		wantRefused("deregistered")
	})
}

// A delegated administrator through the real SDK clients: refused before
// registration and after deregistration; in between it reads and writes
// the management account's instance and identity store (what it creates,
// the management account sees), but cannot start or delete Identity
// Center.
func TestDelegatedAdministratorThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, storeID := srv.EnableIdentityCenter(t)
		orgs := srv.Orgs(t)
		id := srv.CreateMemberAccount(t, "delegate")
		ak, sk := srv.AccountKeys(t, id)
		center, store := centerFor(t, srv, ak, sk, id), srv.IdentityStoreAs(t, ak, sk)
		listUsers := func() error {
			_, err := store.ListUsers(&icsmodel.ListUsersRequest{IdentityStoreId: storeID})
			return err
		}
		listInstances := func() (*icmodel.ListInstancesResponse, error) {
			return center.ListInstances(&icmodel.ListInstancesRequest{})
		}
		_, err := listInstances()
		testenv.WantError(t, err, 403, "IIC.1215")
		testenv.WantError(t, listUsers(), 403, "IIC.1215")

		reg := &orgmodel.DelegatedAdministratorReqBody{AccountId: id, ServicePrincipal: organization.IdentityCenterPrincipal}
		if _, err := orgs.RegisterDelegatedAdministrator(&orgmodel.RegisterDelegatedAdministratorRequest{Body: reg}); err != nil {
			t.Fatal(err)
		}
		list, err := listInstances()
		if err != nil || len(*list.Instances) != 1 || (*list.Instances)[0].InstanceId != instanceID || (*list.Instances)[0].IdentityStoreId != storeID {
			t.Fatalf("the delegate's ListInstances = %+v, %v; want the management account's %s", list, err, instanceID)
		}
		userID, _ := createUser(t, store, storeID, "made-by-delegate")
		if u, err := srv.IdentityStore(t).DescribeUser(&icsmodel.DescribeUserRequest{IdentityStoreId: storeID, UserId: userID}); err != nil || *u.UserName != "made-by-delegate" {
			t.Fatalf("the management account's DescribeUser of the delegate's user = %+v, %v", u, err)
		}
		ps := createPS(t, center, instanceID, "delegate-ps")
		if got, err := srv.Center(t).DescribePermissionSet(&icmodel.DescribePermissionSetRequest{InstanceId: instanceID, PermissionSetId: *ps.PermissionSetId}); err != nil || *got.PermissionSet.Name != "delegate-ps" {
			t.Fatalf("the management account's DescribePermissionSet of the delegate's set = %+v, %v", got, err)
		}
		_, err = center.StartIdentityCenter(&icmodel.StartIdentityCenterRequest{})
		testenv.WantError(t, err, 403, "IIC.1215")
		_, err = center.DeleteIdentityCenter(&icmodel.DeleteIdentityCenterRequest{})
		testenv.WantError(t, err, 403, "IIC.1215")

		if _, err := orgs.DeregisterDelegatedAdministrator(&orgmodel.DeregisterDelegatedAdministratorRequest{Body: reg}); err != nil {
			t.Fatal(err)
		}
		_, err = listInstances()
		testenv.WantError(t, err, 403, "IIC.1215")
		testenv.WantError(t, listUsers(), 403, "IIC.1215")

		// A delegated administrator whose account is being closed
		// administers nothing.
		if _, err := orgs.RegisterDelegatedAdministrator(&orgmodel.RegisterDelegatedAdministratorRequest{Body: reg}); err != nil {
			t.Fatal(err)
		}
		if _, err := listInstances(); err != nil {
			t.Fatalf("the delegate's ListInstances after registering again: %v", err)
		}
		if _, err := orgs.CloseAccount(&orgmodel.CloseAccountRequest{AccountId: id}); err != nil {
			t.Fatal(err)
		}
		_, err = listInstances()
		testenv.WantError(t, err, 403, "IIC.1215")
		testenv.WantError(t, listUsers(), 403, "IIC.1215")
	})
}

// centerFor is an identitycenter client of account accountID's keys.
func centerFor(t *testing.T, srv *testenv.Server, ak, sk, accountID string) *ic.IdentityCenterClient {
	t.Helper()
	cred, err := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithDomainId(accountID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := ic.IdentityCenterClientBuilder().WithEndpoints([]string{srv.URL}).WithCredential(cred).WithHttpConfig(testenv.HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return ic.NewIdentityCenterClient(hc)
}

// otherOrganization makes a second organization on srv, managed by an
// account of its own with Identity Center started, and returns that
// account and fx with the ids of its instance and identity store (and of
// a user, a group and a permission set there) in place of fx's.
func otherOrganization(t *testing.T, srv *testenv.Server, fx sweepFx) (caller, sweepFx) {
	t.Helper()
	id := srv.CreateMemberAccount(t, "outsider")
	if _, err := srv.Orgs(t).RemoveAccount(&orgmodel.RemoveAccountRequest{AccountId: id}); err != nil {
		t.Fatal(err)
	}
	ak, sk := srv.AccountKeys(t, id)
	orgs := srv.OrgsAs(t, ak, sk, id)
	if _, err := orgs.CreateOrganization(&orgmodel.CreateOrganizationRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.EnableTrustedService(&orgmodel.EnableTrustedServiceRequest{Body: &orgmodel.TrustedServiceReqBody{ServicePrincipal: organization.IdentityCenterPrincipal}}); err != nil {
		t.Fatal(err)
	}
	center := centerFor(t, srv, ak, sk, id)
	if _, err := center.RegisterRegion(&icmodel.RegisterRegionRequest{Body: &icmodel.RegisterRegionReqBody{RegionId: "cn-north-4"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := center.StartIdentityCenter(&icmodel.StartIdentityCenterRequest{}); err != nil {
		t.Fatal(err)
	}
	list, err := center.ListInstances(&icmodel.ListInstancesRequest{})
	if err != nil || len(*list.Instances) != 1 {
		t.Fatalf("the outsider's ListInstances = %+v, %v", list, err)
	}
	in := (*list.Instances)[0]
	out := sweepFx{}
	for k, v := range fx {
		out[k] = v
	}
	out["instance_id"], out["identity_store_id"] = in.InstanceId, in.IdentityStoreId
	store := srv.IdentityStoreAs(t, ak, sk)
	out["user_id"], _ = createUser(t, store, in.IdentityStoreId, "outsider-user")
	out["principal_id"] = out["user_id"]
	out["group_id"] = createGroup(t, store, in.IdentityStoreId, "outsider-group")
	ps := createPS(t, center, in.InstanceId, "outsider-ps")
	out["permission_set_id"], out["resource_id"] = *ps.PermissionSetId, *ps.PermissionSetId
	return caller{"another organization's management account", ak, sk}, out
}

// scopeFixtures are the sweep's fixtures plus an assignment deletion and a
// provisioning request (the status reads need their ids), all jobs run.
func scopeFixtures(t *testing.T, srv *testenv.Server, c *ics.IdentityCenterStoreClient, storeID string) sweepFx {
	t.Helper()
	fx := sweepFixtures(t, srv, c, storeID)
	center := srv.Center(t)
	ins, ps, account := fx["instance_id"], fx["permission_set_id"], srv.App.Root.AccountID
	if _, err := assign(center, ins, ps, "GROUP", fx["group_id"], account); err != nil {
		t.Fatal(err)
	}
	runJobs(t, srv)
	del, err := unassign(center, ins, ps, "GROUP", fx["group_id"], account)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := center.ProvisionPermissionSet(&icmodel.ProvisionPermissionSetRequest{InstanceId: ins, PermissionSetId: ps,
		Body: &icmodel.ProvisionPermissionSetReqBody{TargetType: icmodel.GetProvisionPermissionSetReqBodyTargetTypeEnum().ALL_PROVISIONED_ACCOUNTS}})
	if err != nil {
		t.Fatal(err)
	}
	runJobs(t, srv)
	fx["deletion_request_id"], fx["provisioning_request_id"] = *del.RequestId, *pr.PermissionSetProvisioningStatus.RequestId
	return fx
}

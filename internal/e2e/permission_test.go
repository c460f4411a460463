package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// instanceOf returns the root account's instance id.
func instanceOf(t *testing.T, c *ic.IdentityCenterClient) string {
	t.Helper()
	list, err := c.ListInstances(&model.ListInstancesRequest{})
	if err != nil || len(*list.Instances) != 1 {
		t.Fatalf("ListInstances = %+v, %v", list, err)
	}
	return (*list.Instances)[0].InstanceId
}

func createPS(t *testing.T, c *ic.IdentityCenterClient, instanceID, name string, tags ...model.TagDto) model.PermissionSetDto {
	t.Helper()
	body := &model.CreatePermissionSetReqBody{Name: name}
	if len(tags) > 0 {
		body.Tags = &tags
	}
	resp, err := c.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: instanceID, Body: body})
	if err != nil {
		t.Fatalf("CreatePermissionSet %s: %v", name, err)
	}
	return *resp.PermissionSet
}

// memberAccount stores a member account (until organizations create them
// through the API).
func memberAccount(t *testing.T, srv *testenv.Server, n int) string {
	t.Helper()
	id := fmt.Sprintf("%032x", 0xabc000+n)
	ctx := context.Background()
	if err := srv.App.Store.Accounts().Create(ctx, store.Account{ID: id, Name: "member-" + id, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// A member of the root account's organization, as CreateAccount leaves
	// it (without the SDK round trips: fan-out tests need hundreds).
	o, err := srv.App.Store.Organizations().GetByManagement(ctx, srv.App.Root.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.App.Store.Organizations().AddMember(ctx, store.Member{AccountID: id, OrganizationID: o.ID, ParentID: o.RootID,
		JoinMethod: "created", Status: store.MemberActive, JoinedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return id
}

func assign(c *ic.IdentityCenterClient, instanceID, psID, typ, principalID, accountID string) (*model.AccountAssignmentOperationStatusDto, error) {
	pt := model.GetCreateAccountAssignmentReqBodyPrincipalTypeEnum().USER
	if typ == "GROUP" {
		pt = model.GetCreateAccountAssignmentReqBodyPrincipalTypeEnum().GROUP
	}
	resp, err := c.CreateAccountAssignment(&model.CreateAccountAssignmentRequest{InstanceId: instanceID, Body: &model.CreateAccountAssignmentReqBody{
		PermissionSetId: psID, PrincipalId: principalID, PrincipalType: pt, TargetId: accountID,
		TargetType: model.GetCreateAccountAssignmentReqBodyTargetTypeEnum().ACCOUNT}})
	if err != nil {
		return nil, err
	}
	return resp.AccountAssignmentCreationStatus, nil
}

func unassign(c *ic.IdentityCenterClient, instanceID, psID, typ, principalID, accountID string) (*model.AccountAssignmentOperationStatusDto, error) {
	pt := model.GetDeleteAccountAssignmentReqBodyPrincipalTypeEnum().USER
	if typ == "GROUP" {
		pt = model.GetDeleteAccountAssignmentReqBodyPrincipalTypeEnum().GROUP
	}
	resp, err := c.DeleteAccountAssignment(&model.DeleteAccountAssignmentRequest{InstanceId: instanceID, Body: &model.DeleteAccountAssignmentReqBody{
		PermissionSetId: psID, PrincipalId: principalID, PrincipalType: pt, TargetId: accountID,
		TargetType: model.GetDeleteAccountAssignmentReqBodyTargetTypeEnum().ACCOUNT}})
	if err != nil {
		return nil, err
	}
	return resp.AccountAssignmentDeletionStatus, nil
}

// runJobs runs the due jobs and waits until no request of the root
// account's instance is in progress (the server's own runner may hold some).
func runJobs(t *testing.T, srv *testenv.Server) {
	t.Helper()
	ctx := context.Background()
	ins, err := srv.App.Store.Instances().ListByAccount(ctx, srv.App.Root.AccountID, 0, 1)
	if err != nil || len(ins) != 1 {
		t.Fatalf("instances: %v %v", ins, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := srv.App.RunJobs(ctx); err != nil {
			t.Fatal(err)
		}
		busy := false
		for _, kind := range []string{store.RequestAssignmentCreate, store.RequestAssignmentDelete, store.RequestProvision} {
			rs, err := srv.App.Store.Requests().List(ctx, ins[0].ID, kind, store.StatusInProgress, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			busy = busy || len(rs) > 0
		}
		if !busy {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("requests still in progress after 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// permissionFixtures makes, for the bad-input sweep, a permission set
// assigned to userID in the root account (one finished request).
func permissionFixtures(t *testing.T, srv *testenv.Server, userID string) (instanceID, psID, requestID string) {
	t.Helper()
	c := srv.Center(t)
	instanceID = instanceOf(t, c)
	ps := createPS(t, c, instanceID, "sweep-ps")
	st, err := assign(c, instanceID, *ps.PermissionSetId, "USER", userID, srv.App.Root.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	runJobs(t, srv)
	return instanceID, *ps.PermissionSetId, *st.RequestId
}

func policyID(t *testing.T, name string) string {
	t.Helper()
	p, err := managed.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// Permission sets through the SDK: create with defaults and tags, the
// field rules, describe, list with filters and paging, update, summary,
// system-defined policies and roles, custom policy and role, tags, delete.
func TestPermissionSetsThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		ins := instanceOf(t, c)

		ps := createPS(t, c, ins, "Admins", model.TagDto{Key: "env", Value: "dev"})
		id := *ps.PermissionSetId
		if *ps.SessionDuration != "PT1H" || *ps.Name != "Admins" || !strings.HasPrefix(id, "ps-") || *ps.CreatedDate == 0 ||
			*ps.PermissionUrn != "IdentityCenter::"+srv.App.Root.AccountID+":permissionSet:"+ins+"/"+id {
			t.Fatalf("created %+v", ps)
		}
		create := func(b model.CreatePermissionSetReqBody) error {
			_, err := c.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &b})
			return err
		}
		testenv.WantError(t, create(model.CreatePermissionSetReqBody{Name: "Admins"}), 409, "IIC.1206")
		for name, b := range map[string]model.CreatePermissionSetReqBody{
			"empty name":       {Name: ""},
			"33-char name":     {Name: strings.Repeat("a", 33)},
			"name with space":  {Name: "a b"},
			"long description": {Name: "x1", Description: ptr(strings.Repeat("d", 1025))},
			"long relay state": {Name: "x2", RelayState: ptr(strings.Repeat("r", 241))},
			"13 h session":     {Name: "x3", SessionDuration: ptr("PT13H")},
			"30 min session":   {Name: "x4", SessionDuration: ptr("PT30M")},
			"not ISO-8601":     {Name: "x5", SessionDuration: ptr("8 hours")},
			"51 tags": {Name: "x6", Tags: func() *[]model.TagDto {
				var ts []model.TagDto
				for i := range 51 {
					ts = append(ts, model.TagDto{Key: fmt.Sprint(i)})
				}
				return &ts
			}()},
			"duplicate tag key": {Name: "x7", Tags: &[]model.TagDto{{Key: "a"}, {Key: "a"}}},
			"empty tag key":     {Name: "x8", Tags: &[]model.TagDto{{Key: ""}}},
		} {
			if err := create(b); err == nil {
				t.Errorf("%s: accepted", name)
			} else {
				testenv.WantError(t, err, 400, "IIC.400")
			}
		}
		if err := create(model.CreatePermissionSetReqBody{Name: "Ops", Description: ptr("ops"), RelayState: ptr("https://console.example.com/"), SessionDuration: ptr("PT8H")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: "ins-0000000000000000", Body: &model.CreatePermissionSetReqBody{Name: "y"}})
		testenv.WantError(t, err, 404, "IIC.1259")

		got, err := c.DescribePermissionSet(&model.DescribePermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		if err != nil || *got.PermissionSet.Name != "Admins" {
			t.Fatalf("Describe = %+v, %v", got, err)
		}
		_, err = c.DescribePermissionSet(&model.DescribePermissionSetRequest{InstanceId: ins, PermissionSetId: "ps-0000000000000000"})
		testenv.WantError(t, err, 404, "IIC.1205")

		// List: paging, and the name / id / urn filters.
		page1, err := c.ListPermissionSets(&model.ListPermissionSetsRequest{InstanceId: ins, Limit: ptr(int32(1))})
		if err != nil || len(*page1.PermissionSets) != 1 || page1.PageInfo.NextMarker == "" {
			t.Fatalf("page 1 = %+v, %v", page1, err)
		}
		page2, err := c.ListPermissionSets(&model.ListPermissionSetsRequest{InstanceId: ins, Marker: &page1.PageInfo.NextMarker})
		if err != nil || len(*page2.PermissionSets) != 1 || *(*page2.PermissionSets)[0].Name != "Ops" || page2.PageInfo.NextMarker != "" {
			t.Fatalf("page 2 = %+v, %v", page2, err)
		}
		for what, req := range map[string]*model.ListPermissionSetsRequest{
			"name": {InstanceId: ins, Name: ptr("Admins")}, "id": {InstanceId: ins, PermissionSetId: &id}, "urn": {InstanceId: ins, PermissionUrn: ps.PermissionUrn},
		} {
			l, err := c.ListPermissionSets(req)
			if err != nil || len(*l.PermissionSets) != 1 || *(*l.PermissionSets)[0].PermissionSetId != id {
				t.Errorf("filter by %s = %+v, %v", what, l, err)
			}
		}

		_, err = c.UpdatePermissionSet(&model.UpdatePermissionSetRequest{InstanceId: ins, PermissionSetId: id,
			Body: &model.UpdatePermissionSetReqBody{Description: ptr("admins"), SessionDuration: ptr("PT12H")}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = c.DescribePermissionSet(&model.DescribePermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		if *got.PermissionSet.Description != "admins" || *got.PermissionSet.SessionDuration != "PT12H" || *got.PermissionSet.Name != "Admins" {
			t.Fatalf("after update %+v", got.PermissionSet)
		}
		_, err = c.UpdatePermissionSet(&model.UpdatePermissionSetRequest{InstanceId: ins, PermissionSetId: id,
			Body: &model.UpdatePermissionSetReqBody{SessionDuration: ptr("P1D")}})
		testenv.WantError(t, err, 400, "IIC.400")

		sum, err := c.GetPermissionSetSummary(&model.GetPermissionSetSummaryRequest{InstanceId: ins})
		if err != nil || *sum.PermissionSets != 2 || *sum.PermissionSetsQuota != 2000 || *sum.PermissionPolicyCountQuota != 20 {
			t.Fatalf("summary = %+v, %v", sum, err)
		}

		// System-defined identity policies (v5) and roles (v1.1).
		ro, ecs := policyID(t, "IdentityCenter ReadOnlyAccess"), policyID(t, "ECS FullAccess")
		attachP := func(pid string) error {
			_, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: id,
				Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: pid}})
			return err
		}
		attachR := func(rid string) error {
			_, err := c.AttachManagedRoleToPermissionSet(&model.AttachManagedRoleToPermissionSetRequest{InstanceId: ins, PermissionSetId: id,
				Body: &model.ResourceAttachManagedPolicyToPermissionSetReqBody{ManagedRoleId: rid}})
			return err
		}
		if err := attachP(ro); err != nil {
			t.Fatal(err)
		}
		testenv.WantError(t, attachP(ro), 409, "IIC.1207")
		testenv.WantError(t, attachP(ecs), 400, "IIC.1246") // a role is not an identity policy
		testenv.WantError(t, attachP("0123456789abcdef0123456789abcdef"), 400, "IIC.1246")
		if err := attachR(ecs); err != nil {
			t.Fatal(err)
		}
		testenv.WantError(t, attachR(ecs), 409, "IIC.1207")
		testenv.WantError(t, attachR(ro), 404, "IIC.1211")
		mp, err := c.ListManagedPoliciesInPermissionSet(&model.ListManagedPoliciesInPermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		if err != nil || len(*mp.AttachedManagedPolicies) != 1 || *(*mp.AttachedManagedPolicies)[0].PolicyName != "IdentityCenter ReadOnlyAccess" {
			t.Fatalf("managed policies = %+v, %v", mp, err)
		}
		mr, err := c.ListManagedRolesInPermissionSet(&model.ListManagedRolesInPermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		if err != nil || len(*mr.AttachedManagedRoles) != 1 || *(*mr.AttachedManagedRoles)[0].RoleId != ecs {
			t.Fatalf("managed roles = %+v, %v", mr, err)
		}
		_, err = c.DetachManagedPolicyFromPermissionSet(&model.DetachManagedPolicyFromPermissionSetRequest{InstanceId: ins, PermissionSetId: id,
			Body: &model.DetachManagedPolicyFromPermissionSetReqBody{ManagedPolicyId: ro}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.DetachManagedPolicyFromPermissionSet(&model.DetachManagedPolicyFromPermissionSetRequest{InstanceId: ins, PermissionSetId: id,
			Body: &model.DetachManagedPolicyFromPermissionSetReqBody{ManagedPolicyId: ro}})
		testenv.WantError(t, err, 404, "IIC.1211")
		_, err = c.DetachManagedRoleFromPermissionSet(&model.DetachManagedRoleFromPermissionSetRequest{InstanceId: ins, PermissionSetId: id,
			Body: &model.ResourceDetachManagedPolicyFromPermissionSetReqBody{ManagedRoleId: ecs}})
		if err != nil {
			t.Fatal(err)
		}
		// The per-set quota of system identity policies (10).
		for _, p := range managed.All() {
			if p.Type == managed.TypeIdentityPolicy {
				if err := attachP(p.ID); err != nil {
					testenv.WantError(t, err, 400, "IIC.400")
					break
				}
			}
		}

		// Custom identity policy (v5) and custom role (v1.1), JSON strings.
		doc5 := `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["ecs:*:get*"]}]}`
		doc11 := `{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["ecs:*:get*"]}]}`
		putP := func(d string) error {
			_, err := c.PutCustomPolicyToPermissionSet(&model.PutCustomPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: id,
				Body: &model.PutCustomPolicyToPermissionSetReqBody{CustomPolicy: d}})
			return err
		}
		putR := func(d string) error {
			_, err := c.PutCustomRoleToPermissionSet(&model.PutCustomRoleToPermissionSetRequest{InstanceId: ins, PermissionSetId: id,
				Body: &model.PutCustomRoleToPermissionSetReqBody{CustomRole: d}})
			return err
		}
		_, err = c.DeleteCustomPolicyFromPermissionSet(&model.DeleteCustomPolicyFromPermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		testenv.WantError(t, err, 404, "IIC.1211")
		testenv.WantError(t, putP(doc11), 400, "IIC.400")
		testenv.WantError(t, putP(`{"Version":"5.0"`), 400, "IIC.400")
		testenv.WantError(t, putP(`{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["`+strings.Repeat("a", 6200)+`"]}]}`), 400, "IIC.1293")
		testenv.WantError(t, putR(doc5), 400, "IIC.400")
		if err := putP(doc5); err != nil {
			t.Fatal(err)
		}
		if err := putR(doc11); err != nil {
			t.Fatal(err)
		}
		gp, err := c.GetCustomPolicyForPermissionSet(&model.GetCustomPolicyForPermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		if err != nil || *gp.CustomPolicy != doc5 {
			t.Fatalf("custom policy = %+v, %v", gp, err)
		}
		gr, err := c.GetCustomRoleForPermissionSet(&model.GetCustomRoleForPermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		if err != nil || *gr.CustomRole != doc11 {
			t.Fatalf("custom role = %+v, %v", gr, err)
		}
		if _, err := c.DeleteCustomRoleFromPermissionSet(&model.DeleteCustomRoleFromPermissionSetRequest{InstanceId: ins, PermissionSetId: id}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteCustomPolicyFromPermissionSet(&model.DeleteCustomPolicyFromPermissionSetRequest{InstanceId: ins, PermissionSetId: id}); err != nil {
			t.Fatal(err)
		}
		gp, _ = c.GetCustomPolicyForPermissionSet(&model.GetCustomPolicyForPermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		if gp.CustomPolicy != nil && *gp.CustomPolicy != "" {
			t.Fatalf("custom policy after delete = %q", *gp.CustomPolicy)
		}

		// Tags (resource type identitycenter:permissionset).
		rt := model.GetCreateTagResourceRequestResourceTypeEnum().IDENTITYCENTERPERMISSIONSET
		_, err = c.CreateTagResource(&model.CreateTagResourceRequest{ResourceType: rt, ResourceId: id,
			Body: &model.TagResourceReqBody{Tags: []model.TagDto{{Key: "team", Value: "blue"}, {Key: "env", Value: "prod"}}}})
		if err != nil {
			t.Fatal(err)
		}
		lt, err := c.ListTagResources(&model.ListTagResourcesRequest{ResourceType: model.GetListTagResourcesRequestResourceTypeEnum().IDENTITYCENTERPERMISSIONSET, ResourceId: id})
		if err != nil || tagString(*lt.Tags) != "env=prod team=blue" {
			t.Fatalf("tags = %+v, %v", lt, err)
		}
		_, err = c.DeleteTagResource(&model.DeleteTagResourceRequest{ResourceType: model.GetDeleteTagResourceRequestResourceTypeEnum().IDENTITYCENTERPERMISSIONSET,
			ResourceId: id, Body: &model.DeleteTagResourceReqBody{Tags: []model.DeleteTagDto{{Key: "env"}, {Key: "team", Value: ptr("red")}}}})
		if err != nil {
			t.Fatal(err)
		}
		lt, _ = c.ListTagResources(&model.ListTagResourcesRequest{ResourceType: model.GetListTagResourcesRequestResourceTypeEnum().IDENTITYCENTERPERMISSIONSET, ResourceId: id})
		if tagString(*lt.Tags) != "team=blue" {
			t.Fatalf("tags after delete = %+v", *lt.Tags)
		}
		_, err = c.ListTagResources(&model.ListTagResourcesRequest{ResourceType: model.GetListTagResourcesRequestResourceTypeEnum().IDENTITYCENTERPERMISSIONSET, ResourceId: "ps-0000000000000000"})
		testenv.WantError(t, err, 404, "IIC.1205")

		if _, err := c.DeletePermissionSet(&model.DeletePermissionSetRequest{InstanceId: ins, PermissionSetId: id}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeletePermissionSet(&model.DeletePermissionSetRequest{InstanceId: ins, PermissionSetId: id})
		testenv.WantError(t, err, 404, "IIC.1205")
	})
}

// A configured quota bounds the permission sets of an instance.
func TestPermissionSetQuota(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{MaxPermissionSets: 2})
	srv.EnableIdentityCenter(t)
	c := srv.Center(t)
	ins := instanceOf(t, c)
	createPS(t, c, ins, "a")
	createPS(t, c, ins, "b")
	_, err := c.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "c"}})
	testenv.WantError(t, err, 400, "IIC.400")
}

// Resource tags decide: a key allowed to describe only permission sets
// tagged env=dev sees those and no other; creating requires the request tag.
// The conditions are written as a page suggests (StringEquals on "*"): a
// tag condition takes effect only for the resource types that list it, so
// the untagged instance of the same request does not fail it.
func TestPermissionSetTagConditions(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	srv.EnableIdentityCenter(t)
	c := srv.Center(t)
	ins := instanceOf(t, c)
	dev := createPS(t, c, ins, "dev", model.TagDto{Key: "env", Value: "dev"})
	prod := createPS(t, c, ins, "prod", model.TagDto{Key: "env", Value: "prod"})
	untagged := createPS(t, c, ins, "untagged")
	pid := srv.CreatePolicy(t, "dev-only", `{"Version":"5.0","Statement":[
		{"Effect":"Allow","Action":["IdentityCenter:permissionSet:describe"],"Resource":["*"],"Condition":{"StringEquals":{"g:ResourceTag/env":"dev"}}},
		{"Effect":"Allow","Action":["IdentityCenter:permissionSet:create"],"Resource":["*"],"Condition":{"StringEquals":{"g:RequestTag/env":"dev"}}}]}`)
	ak, sk := srv.CreateKey(t, pid)
	scoped := srv.CenterAs(t, ak, sk, "", nil)
	if _, err := scoped.DescribePermissionSet(&model.DescribePermissionSetRequest{InstanceId: ins, PermissionSetId: *dev.PermissionSetId}); err != nil {
		t.Fatalf("describe dev: %v", err)
	}
	for _, ps := range []model.PermissionSetDto{prod, untagged} {
		_, err := scoped.DescribePermissionSet(&model.DescribePermissionSetRequest{InstanceId: ins, PermissionSetId: *ps.PermissionSetId})
		testenv.WantError(t, err, 403, "IIC.1000")
	}
	_, err := scoped.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "x"}})
	testenv.WantError(t, err, 403, "IIC.1000")
	_, err = scoped.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "y",
		Tags: &[]model.TagDto{{Key: "env", Value: "dev"}}}})
	if err != nil {
		t.Fatalf("create with the allowed request tag: %v", err)
	}
}

// An assignment names an instance, an account and a permission set; only
// the permission set carries tags (its row lists g:ResourceTag for it
// alone), so a tag condition decides the assignment by the permission
// set's tags — for an Allow and for a Deny alike.
func TestAssignmentTagConditions(t *testing.T) {
	srv, sc, storeID := identityStore(t, "sqlite")
	c := srv.Center(t)
	ins := instanceOf(t, c)
	userID, _ := createUser(t, sc, storeID, "alice")
	acct := memberAccount(t, srv, 1)
	dev := *createPS(t, c, ins, "dev", model.TagDto{Key: "env", Value: "dev"}).PermissionSetId
	prod := *createPS(t, c, ins, "prod", model.TagDto{Key: "env", Value: "prod"}).PermissionSetId
	untagged := *createPS(t, c, ins, "untagged").PermissionSetId

	allowDev := srv.CreatePolicy(t, "assign-dev", `{"Version":"5.0","Statement":[
		{"Effect":"Allow","Action":["IdentityCenter:accountAssignment:create"],"Resource":["*"],"Condition":{"StringEquals":{"g:ResourceTag/env":"dev"}}}]}`)
	ak, sk := srv.CreateKey(t, allowDev)
	scoped := srv.CenterAs(t, ak, sk, "", nil)
	if _, err := assign(scoped, ins, dev, "USER", userID, acct); err != nil {
		t.Fatalf("assign dev under Allow env=dev: %v", err)
	}
	for _, ps := range []string{prod, untagged} {
		_, err := assign(scoped, ins, ps, "USER", userID, acct)
		testenv.WantError(t, err, 403, "IIC.1000")
	}

	denyProd := srv.CreatePolicy(t, "assign-not-prod", `{"Version":"5.0","Statement":[
		{"Effect":"Allow","Action":["IdentityCenter:accountAssignment:create"],"Resource":["*"]},
		{"Effect":"Deny","Action":["IdentityCenter:accountAssignment:create"],"Resource":["*"],"Condition":{"StringEquals":{"g:ResourceTag/env":"prod"}}}]}`)
	ak, sk = srv.CreateKey(t, denyProd)
	scoped = srv.CenterAs(t, ak, sk, "", nil)
	for _, ps := range []string{dev, untagged} {
		if _, err := assign(scoped, ins, ps, "USER", userID, acct); err != nil {
			t.Fatalf("assign %s under Deny env=prod: %v", ps, err)
		}
	}
	_, err := assign(scoped, ins, prod, "USER", userID, acct)
	testenv.WantError(t, err, 403, "IIC.1000")
}

func tagString(tags []model.TagDto) string {
	var parts []string
	for _, t := range tags {
		parts = append(parts, t.Key+"="+t.Value)
	}
	return strings.Join(parts, " ")
}

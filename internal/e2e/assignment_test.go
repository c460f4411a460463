package e2e

import (
	"context"
	"errors"
	"testing"

	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	smodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

func creationStatus(t *testing.T, c *ic.IdentityCenterClient, ins, id string) *model.AccountAssignmentOperationStatusDto {
	t.Helper()
	r, err := c.DescribeAccountAssignmentCreationStatus(&model.DescribeAccountAssignmentCreationStatusRequest{InstanceId: ins, RequestId: id})
	if err != nil {
		t.Fatal(err)
	}
	return r.AccountAssignmentCreationStatus
}

func accountsFor(t *testing.T, c *ic.IdentityCenterClient, ins, ps string, status *model.ListAccountsForProvisionedPermissionSetRequestProvisioningStatus) []string {
	t.Helper()
	r, err := c.ListAccountsForProvisionedPermissionSet(&model.ListAccountsForProvisionedPermissionSetRequest{InstanceId: ins, PermissionSetId: ps, ProvisioningStatus: status})
	if err != nil {
		t.Fatal(err)
	}
	return *r.AccountIds
}

// Account assignments through the SDK: validation (principal, account,
// permission set), the asynchronous request lifecycle, idempotence, the
// agency the first assignment materializes (with a copy of the policies),
// the lists, out-of-date agencies and re-provisioning, the refused delete of
// an assigned permission set or principal, and the agency's removal with
// the last assignment.
func TestAccountAssignmentsThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, sc, storeID := identityStore(t, dialect)
		c := srv.Center(t)
		ins := instanceOf(t, c)
		ctx := context.Background()
		userID, _ := createUser(t, sc, storeID, "alice")
		groupID := createGroup(t, sc, storeID, "admins")
		if _, err := addMember(sc, storeID, groupID, userID); err != nil {
			t.Fatal(err)
		}
		acct := memberAccount(t, srv, 1)
		ps := createPS(t, c, ins, "Admins")
		psID := *ps.PermissionSetId
		ecs := policyID(t, "ECS FullAccess")
		if _, err := c.AttachManagedRoleToPermissionSet(&model.AttachManagedRoleToPermissionSetRequest{InstanceId: ins, PermissionSetId: psID,
			Body: &model.ResourceAttachManagedPolicyToPermissionSetReqBody{ManagedRoleId: ecs}}); err != nil {
			t.Fatal(err)
		}

		_, err := assign(c, ins, psID, "USER", "no-such-user", acct)
		testenv.WantError(t, err, 404, "IIC.1307")
		_, err = assign(c, ins, psID, "GROUP", userID, acct) // a user named as a group
		testenv.WantError(t, err, 404, "IIC.1307")
		_, err = assign(c, ins, psID, "USER", userID, "0123456789abcdef0123456789abcdef")
		testenv.WantError(t, err, 400, "IIC.1210")
		_, err = assign(c, ins, "ps-0000000000000000", "USER", userID, acct)
		testenv.WantError(t, err, 404, "IIC.1205")

		st, err := assign(c, ins, psID, "GROUP", groupID, acct)
		if err != nil {
			t.Fatal(err)
		}
		if len(*st.RequestId) != 36 || st.Status.Value() != "IN_PROGRESS" || *st.TargetId != acct || *st.PrincipalId != groupID {
			t.Fatalf("creation status = %+v", st)
		}
		again, err := assign(c, ins, psID, "GROUP", groupID, acct) // idempotent
		if err != nil {
			t.Fatal(err)
		}
		direct, err := assign(c, ins, psID, "USER", userID, acct)
		if err != nil {
			t.Fatal(err)
		}
		runJobs(t, srv)
		for _, id := range []string{*st.RequestId, *again.RequestId, *direct.RequestId} {
			if s := creationStatus(t, c, ins, id); s.Status.Value() != "SUCCEEDED" || s.FailureReason != nil {
				t.Fatalf("request %s = %+v", id, s)
			}
		}
		_, err = c.DescribeAccountAssignmentCreationStatus(&model.DescribeAccountAssignmentCreationStatusRequest{InstanceId: ins, RequestId: "00000000-0000-4000-8000-000000000000"})
		testenv.WantError(t, err, 404, "IIC.1212")
		_, err = c.DescribeAccountAssignmentDeletionStatus(&model.DescribeAccountAssignmentDeletionStatusRequest{InstanceId: ins, RequestId: *st.RequestId})
		testenv.WantError(t, err, 404, "IIC.1212") // a creation is not a deletion

		ag, err := srv.App.Permission.Agency(ctx, mustInstance(t, srv, ins), acct, psID)
		if err != nil || ag.Name != "IdentityCenter_Admins" || ag.URN != "iam::"+acct+":agency:IdentityCenter_Admins" ||
			len(ag.Policies.ManagedRoles) != 1 || ag.Policies.ManagedRoles[0] != ecs || ag.SessionDuration != "PT1H" {
			t.Fatalf("agency = %+v, %v", ag, err)
		}

		la, err := c.ListAccountAssignments(&model.ListAccountAssignmentsRequest{InstanceId: ins, AccountId: acct})
		if err != nil || len(*la.AccountAssignments) != 2 {
			t.Fatalf("ListAccountAssignments = %+v, %v", la, err)
		}
		lp, err := c.ListAccountAssignmentsForPrincipal(&model.ListAccountAssignmentsForPrincipalRequest{InstanceId: ins, PrincipalId: userID,
			PrincipalType: model.GetListAccountAssignmentsForPrincipalRequestPrincipalTypeEnum().USER})
		if err != nil || len(*lp.AccountAssignments) != 2 { // direct + through the group
			t.Fatalf("ListAccountAssignmentsForPrincipal = %+v, %v", lp, err)
		}
		_, err = c.ListAccountAssignmentsForPrincipal(&model.ListAccountAssignmentsForPrincipalRequest{InstanceId: ins, PrincipalId: userID,
			PrincipalType: model.GetListAccountAssignmentsForPrincipalRequestPrincipalTypeEnum().GROUP})
		testenv.WantError(t, err, 404, "IIC.1307")
		cs, err := c.ListAccountAssignmentCreationStatus(&model.ListAccountAssignmentCreationStatusRequest{InstanceId: ins,
			Status: ptr(model.GetListAccountAssignmentCreationStatusRequestStatusEnum().SUCCEEDED), Limit: ptr(int32(2))})
		if err != nil || len(*cs.AccountAssignmentsCreationStatus) != 2 || cs.PageInfo.NextMarker == "" {
			t.Fatalf("ListAccountAssignmentCreationStatus = %+v, %v", cs, err)
		}

		prov := model.GetListAccountsForProvisionedPermissionSetRequestProvisioningStatusEnum()
		if got := accountsFor(t, c, ins, psID, &prov.LATEST_PERMISSION_SET_PROVISIONED); len(got) != 1 || got[0] != acct {
			t.Fatalf("provisioned accounts = %v", got)
		}
		pta, err := c.ListPermissionSetsProvisionedToAccount(&model.ListPermissionSetsProvisionedToAccountRequest{InstanceId: ins, AccountId: acct})
		if err != nil || len(*pta.PermissionSets) != 1 || (*pta.PermissionSets)[0] != psID {
			t.Fatalf("ListPermissionSetsProvisionedToAccount = %+v, %v", pta, err)
		}

		// A change marks the agency out of date until provisioned again.
		if _, err := c.UpdatePermissionSet(&model.UpdatePermissionSetRequest{InstanceId: ins, PermissionSetId: psID,
			Body: &model.UpdatePermissionSetReqBody{SessionDuration: ptr("PT4H")}}); err != nil {
			t.Fatal(err)
		}
		if got := accountsFor(t, c, ins, psID, &prov.LATEST_PERMISSION_SET_NOT_PROVISIONED); len(got) != 1 {
			t.Fatalf("out-of-date accounts = %v", got)
		}
		pr, err := c.ProvisionPermissionSet(&model.ProvisionPermissionSetRequest{InstanceId: ins, PermissionSetId: psID,
			Body: &model.ProvisionPermissionSetReqBody{TargetType: model.GetProvisionPermissionSetReqBodyTargetTypeEnum().ALL_PROVISIONED_ACCOUNTS}})
		if err != nil || pr.PermissionSetProvisioningStatus.Status.Value() != "IN_PROGRESS" {
			t.Fatalf("ProvisionPermissionSet = %+v, %v", pr, err)
		}
		runJobs(t, srv)
		dp, err := c.DescribePermissionSetProvisioningStatus(&model.DescribePermissionSetProvisioningStatusRequest{InstanceId: ins,
			RequestId: *pr.PermissionSetProvisioningStatus.RequestId})
		if err != nil || dp.PermissionSetProvisioningStatus.Status.Value() != "SUCCEEDED" {
			t.Fatalf("provisioning status = %+v, %v", dp, err)
		}
		if got := accountsFor(t, c, ins, psID, &prov.LATEST_PERMISSION_SET_NOT_PROVISIONED); len(got) != 0 {
			t.Fatalf("out of date after provisioning: %v", got)
		}
		if ag, _ := srv.App.Permission.Agency(ctx, mustInstance(t, srv, ins), acct, psID); ag.SessionDuration != "PT4H" {
			t.Fatalf("agency not re-provisioned: %+v", ag)
		}
		lps, err := c.ListPermissionSetProvisioningStatus(&model.ListPermissionSetProvisioningStatusRequest{InstanceId: ins})
		if err != nil || len(*lps.PermissionSetsProvisioningStatus) != 1 {
			t.Fatalf("ListPermissionSetProvisioningStatus = %+v, %v", lps, err)
		}
		other := memberAccount(t, srv, 2)
		_, err = c.ProvisionPermissionSet(&model.ProvisionPermissionSetRequest{InstanceId: ins, PermissionSetId: psID,
			Body: &model.ProvisionPermissionSetReqBody{TargetType: model.GetProvisionPermissionSetReqBodyTargetTypeEnum().ACCOUNT, TargetId: &other}})
		testenv.WantError(t, err, 404, "IIC.1225")

		// Assigned things cannot be deleted.
		_, err = c.DeletePermissionSet(&model.DeletePermissionSetRequest{InstanceId: ins, PermissionSetId: psID})
		testenv.WantError(t, err, 409, "IIC.1210")
		_, err = sc.DeleteUser(&smodel.DeleteUserRequest{IdentityStoreId: storeID, UserId: userID})
		testenv.WantError(t, err, 409, "IIC.1306")
		_, err = sc.DeleteGroup(&smodel.DeleteGroupRequest{IdentityStoreId: storeID, GroupId: groupID})
		testenv.WantError(t, err, 409, "IIC.1306")

		// Removing the assignments: the agency goes with the last one.
		_, err = unassign(c, ins, psID, "USER", userID, other)
		testenv.WantError(t, err, 400, "IIC.1250")
		d1, err := unassign(c, ins, psID, "USER", userID, acct)
		if err != nil {
			t.Fatal(err)
		}
		runJobs(t, srv)
		if _, err := srv.App.Permission.Agency(ctx, mustInstance(t, srv, ins), acct, psID); err != nil {
			t.Fatalf("agency gone while the group still holds the assignment: %v", err)
		}
		d2, err := unassign(c, ins, psID, "GROUP", groupID, acct)
		if err != nil {
			t.Fatal(err)
		}
		runJobs(t, srv)
		for _, d := range []*model.AccountAssignmentOperationStatusDto{d1, d2} {
			r, err := c.DescribeAccountAssignmentDeletionStatus(&model.DescribeAccountAssignmentDeletionStatusRequest{InstanceId: ins, RequestId: *d.RequestId})
			if err != nil || r.AccountAssignmentDeletionStatus.Status.Value() != "SUCCEEDED" {
				t.Fatalf("deletion status = %+v, %v", r, err)
			}
		}
		ds, err := c.ListAccountAssignmentDeletionStatus(&model.ListAccountAssignmentDeletionStatusRequest{InstanceId: ins})
		if err != nil || len(*ds.AccountAssignmentsDeletionStatus) != 2 {
			t.Fatalf("ListAccountAssignmentDeletionStatus = %+v, %v", ds, err)
		}
		if _, err := srv.App.Permission.Agency(ctx, mustInstance(t, srv, ins), acct, psID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("agency after the last assignment's removal: %v", err)
		}
		if got := accountsFor(t, c, ins, psID, nil); len(got) != 0 {
			t.Fatalf("accounts after removal = %v", got)
		}
		if _, err := sc.DeleteUser(&smodel.DeleteUserRequest{IdentityStoreId: storeID, UserId: userID}); err != nil {
			t.Fatalf("delete an unassigned user: %v", err)
		}
		if _, err := c.DeletePermissionSet(&model.DeletePermissionSetRequest{InstanceId: ins, PermissionSetId: psID}); err != nil {
			t.Fatalf("delete an unassigned permission set: %v", err)
		}
	})
}

func mustInstance(t *testing.T, srv *testenv.Server, id string) store.Instance {
	t.Helper()
	in, err := srv.App.Store.Instances().Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

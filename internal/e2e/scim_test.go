package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	scimmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterscim/v1/model"
	icsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// Every identitycenterscim operation through the real SDK: a user and a
// group made over SCIM are the records the identity-store API sees.
func TestSCIMThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, ics, storeID := identityStore(t, dialect)
		tenant, auth := srv.SCIMTenant(t, storeID)
		c := srv.SCIM(t)

		spc, err := c.ServiceProviderConfig(&scimmodel.ServiceProviderConfigRequest{Authorization: auth, TenantId: tenant})
		if err != nil || !*spc.Patch.Supported || !*spc.Filter.Supported || !*spc.Bulk.Supported || !*spc.Etag.Supported || *spc.ChangePassword.Supported {
			t.Fatalf("ServiceProviderConfig = %+v, %v", spc, err)
		}

		created, err := c.CreateUser(&scimmodel.CreateUserRequest{Authorization: auth, TenantId: tenant, Body: &scimmodel.CreateUserReqBody{
			Schemas:     []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
			UserName:    "alice@example.com",
			ExternalId:  ptr("00u1okta"),
			Name:        &scimmodel.NameDto{GivenName: "Alice", FamilyName: "Liddell"},
			DisplayName: "Alice Liddell",
			Emails:      []scimmodel.EmailItemDto{{Value: "alice@example.com", Type: "work", Primary: true}},
			Title:       ptr("Engineer"),
			Active:      ptr(true),
			Urnietfparamsscimschemasextensionenterprise20User: &scimmodel.EnterpriseDto{Department: ptr("R&D"), EmployeeNumber: ptr("42")},
		}})
		if err != nil {
			t.Fatal(err)
		}
		uid := *created.Id
		if created.HttpStatusCode != 201 || *created.UserName != "alice@example.com" || *created.ExternalId != "00u1okta" ||
			created.Urnietfparamsscimschemasextensionenterprise20User == nil || *created.Urnietfparamsscimschemasextensionenterprise20User.Department != "R&D" {
			t.Fatalf("CreateUser = %+v", created)
		}
		// One truth: the identity-store API sees the same user.
		du, err := ics.DescribeUser(&icsmodel.DescribeUserRequest{IdentityStoreId: storeID, UserId: uid})
		if err != nil || *du.UserName != "alice@example.com" || *du.DisplayName != "Alice Liddell" || *du.Title != "Engineer" {
			t.Fatalf("DescribeUser of the SCIM user = %+v, %v", du, err)
		}
		_, err = c.CreateUser(&scimmodel.CreateUserRequest{Authorization: auth, TenantId: tenant, Body: &scimmodel.CreateUserReqBody{
			Schemas: []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, UserName: "ALICE@example.com",
			Name: &scimmodel.NameDto{GivenName: "A", FamilyName: "B"}, DisplayName: "dup",
			Emails: []scimmodel.EmailItemDto{{Value: "other@example.com", Type: "work", Primary: true}},
		}})
		wantSCIMError(t, err, 409, "uniqueness", "User [ALICE@example.com] or email address already exists.")

		got, err := c.GetUser(&scimmodel.GetUserRequest{Authorization: auth, TenantId: tenant, UserId: uid})
		if err != nil || *got.Id != uid || !*got.Active || (*got.Emails)[0].Value != "alice@example.com" || *got.Meta.ResourceType != "User" {
			t.Fatalf("GetUser = %+v, %v", got, err)
		}
		_, err = c.GetUser(&scimmodel.GetUserRequest{Authorization: auth, TenantId: tenant, UserId: "nope"})
		wantSCIMError(t, err, 404, "", "User [nope] not found.")

		list, err := c.ListUsers(&scimmodel.ListUsersRequest{Authorization: auth, TenantId: tenant})
		if err != nil || *list.TotalResults != 1 || len(*list.Resources) != 1 || *(*list.Resources)[0].Id != uid {
			t.Fatalf("ListUsers = %+v, %v", list, err)
		}

		// PUT replaces: the title goes, the display name changes.
		put, err := c.PutUser(&scimmodel.PutUserRequest{Authorization: auth, TenantId: tenant, UserId: uid, Body: &scimmodel.UpdateUserReqBody{
			Schemas: []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, UserName: "alice@example.com",
			Name: &scimmodel.NameDto{GivenName: "Alice", FamilyName: "Liddell"}, DisplayName: "Alice L.",
			Emails: []scimmodel.EmailItemDto{{Value: "alice@example.com", Type: "work", Primary: true}}, Active: ptr(true),
		}})
		if err != nil || *put.DisplayName != "Alice L." || put.Title != nil {
			t.Fatalf("PutUser = %+v, %v", put, err)
		}

		// PATCH active "False" (Entra's string boolean) disables the user.
		var off interface{} = "False"
		patched, err := c.PatchUser(&scimmodel.PatchUserRequest{Authorization: auth, TenantId: tenant, UserId: uid, Body: &scimmodel.PatchUserReqBody{
			Schemas:    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			Operations: []scimmodel.OperationItemDto{{Op: "Replace", Path: ptr("active"), Value: &off}},
		}})
		if err != nil || *patched.Active {
			t.Fatalf("PatchUser active=False = %+v, %v", patched, err)
		}
		du, _ = ics.DescribeUser(&icsmodel.DescribeUserRequest{IdentityStoreId: storeID, UserId: uid})
		if du.Enabled == nil || *du.Enabled {
			t.Fatalf("identity-store enabled after active=False: %v", du.Enabled)
		}

		g, err := c.CreateGroup(&scimmodel.CreateGroupRequest{Authorization: auth, TenantId: tenant, Body: &scimmodel.CreateGroupReqBody{
			Schemas: []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, DisplayName: "Engineering", ExternalId: ptr("g-okta-1"),
			Members: &[]scimmodel.MemberItemDto{{Value: uid}},
		}})
		if err != nil || g.HttpStatusCode != 201 {
			t.Fatalf("CreateGroup = %+v, %v", g, err)
		}
		gid := *g.Id
		members, err := ics.ListGroupMemberships(&icsmodel.ListGroupMembershipsRequest{IdentityStoreId: storeID, GroupId: gid})
		if err != nil || len(*members.GroupMemberships) != 1 {
			t.Fatalf("memberships of the SCIM group = %+v, %v", members, err)
		}
		gg, err := c.GetGroup(&scimmodel.GetGroupRequest{Authorization: auth, TenantId: tenant, GroupId: gid})
		if err != nil || *gg.DisplayName != "Engineering" || len(*gg.Members) != 1 || (*gg.Members)[0].Value != uid {
			t.Fatalf("GetGroup = %+v, %v", gg, err)
		}
		var rename interface{} = map[string]any{"displayName": "Eng"}
		var member interface{} = []any{map[string]any{"value": uid}}
		pg, err := c.PatchGroup(&scimmodel.PatchGroupRequest{Authorization: auth, TenantId: tenant, GroupId: gid, Body: &scimmodel.PatchGroupReqBody{
			Schemas: []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			Operations: []scimmodel.OperationItemDto{
				{Op: "replace", Value: &rename},
				{Op: "remove", Path: ptr(`members[value eq "` + uid + `"]`)},
			},
		}})
		if err != nil || pg.HttpStatusCode != 204 {
			t.Fatalf("PatchGroup = %+v, %v", pg, err)
		}
		members, _ = ics.ListGroupMemberships(&icsmodel.ListGroupMembershipsRequest{IdentityStoreId: storeID, GroupId: gid})
		if len(*members.GroupMemberships) != 0 {
			t.Fatalf("after removing the member: %d memberships", len(*members.GroupMemberships))
		}
		if _, err := c.PatchGroup(&scimmodel.PatchGroupRequest{Authorization: auth, TenantId: tenant, GroupId: gid, Body: &scimmodel.PatchGroupReqBody{
			Schemas: []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, Operations: []scimmodel.OperationItemDto{{Op: "add", Path: ptr("members"), Value: &member}},
		}}); err != nil {
			t.Fatal(err)
		}
		lg, err := c.ListGroups(&scimmodel.ListGroupsRequest{Authorization: auth, TenantId: tenant})
		if err != nil || *lg.TotalResults != 1 || *(*lg.Resources)[0].DisplayName != "Eng" {
			t.Fatalf("ListGroups = %+v, %v", lg, err)
		}

		if _, err := c.DeleteGroup(&scimmodel.DeleteGroupRequest{Authorization: auth, TenantId: tenant, GroupId: gid}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetGroup(&scimmodel.GetGroupRequest{Authorization: auth, TenantId: tenant, GroupId: gid})
		wantSCIMError(t, err, 404, "", "Group ["+gid+"] not found.")
		if _, err := c.DeleteUser(&scimmodel.DeleteUserRequest{Authorization: auth, TenantId: tenant, UserId: uid}); err != nil {
			t.Fatal(err)
		}
		_, err = ics.DescribeUser(&icsmodel.DescribeUserRequest{IdentityStoreId: storeID, UserId: uid})
		testenv.WantError(t, err, 404, "IIC.1312")
	})
}

// wantSCIMError checks that err is a SCIM error response with the status,
// scimType and detail given.
func wantSCIMError(t *testing.T, err error, status int, scimType, detail string) {
	t.Helper()
	e := testenv.APIError(t, err)
	var body struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType"`
		Detail   string   `json:"detail"`
	}
	if jerr := json.Unmarshal([]byte(e.ErrorMessage), &body); jerr != nil {
		// The SDK keeps the raw body in ErrorMessage when it has no error_msg.
		t.Fatalf("error body %q: %v", e.ErrorMessage, jerr)
	}
	if e.StatusCode != status || body.Status != itoa(status) || body.ScimType != scimType || body.Detail != detail ||
		len(body.Schemas) != 1 || !strings.HasSuffix(body.Schemas[0], ":Error") {
		t.Fatalf("error = %d %+v, want %d %q %q", e.StatusCode, body, status, scimType, detail)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

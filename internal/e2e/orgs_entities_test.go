package e2e

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// ListEntities with child_id answers the entity an account or a unit sits
// directly under (the root or a unit), as the Terraform provider reads an
// account's parent_id; other queries are refused with a clear 400.
func TestListEntitiesThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		c := srv.Orgs(t)
		rootID := listRoot(t, c)
		eng, err := c.CreateOrganizationalUnit(&model.CreateOrganizationalUnitRequest{Body: &model.CreateOrganizationalUnitReqBody{Name: "eng", ParentId: rootID}})
		if err != nil {
			t.Fatal(err)
		}
		ou := eng.OrganizationalUnit.Id
		dev := srv.CreateMemberAccount(t, "dev")
		parentOf := func(child string, parent ...string) []model.EntityDto {
			t.Helper()
			req := &model.ListEntitiesRequest{ChildId: &child}
			if len(parent) > 0 {
				req.ParentId = &parent[0]
			}
			r, err := c.ListEntities(req)
			if err != nil {
				t.Fatalf("ListEntities child_id=%s: %v", child, err)
			}
			if r.PageInfo == nil || r.PageInfo.NextMarker != "" {
				t.Fatalf("ListEntities child_id=%s page_info = %+v", child, r.PageInfo)
			}
			return *r.Entities
		}
		want := func(got []model.EntityDto, id, name, typ string) {
			t.Helper()
			if len(got) != 1 || got[0].Id != id || got[0].Name != name || got[0].Type != typ {
				t.Fatalf("entities = %+v, want %s %s %s", got, id, name, typ)
			}
		}
		want(parentOf(dev), rootID, "Root", "root")
		want(parentOf(ou), rootID, "Root", "root")
		if _, err := c.MoveAccount(&model.MoveAccountRequest{AccountId: dev, Body: &model.MoveAccountReqBody{SourceParentId: rootID, DestinationParentId: ou}}); err != nil {
			t.Fatal(err)
		}
		want(parentOf(dev), ou, "eng", "organizational_unit")
		want(parentOf(dev, ou), ou, "eng", "organizational_unit")
		if got := parentOf(dev, rootID); len(got) != 0 {
			t.Fatalf("parent of dev filtered by the root = %+v", got)
		}

		_, err = c.ListEntities(&model.ListEntitiesRequest{ChildId: ptr("ou-000000000000000000000000")})
		testenv.WantError(t, err, 404, "IIC.404")
		_, err = c.ListEntities(&model.ListEntitiesRequest{ChildId: ptr("0123456789abcdef0123456789abcdef")})
		testenv.WantError(t, err, 400, "IIC.1210")
		_, err = c.ListEntities(&model.ListEntitiesRequest{})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.ListEntities(&model.ListEntitiesRequest{ParentId: &rootID})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.ListEntities(&model.ListEntitiesRequest{ChildId: &dev, Marker: ptr("x")})
		testenv.WantError(t, err, 400, "IIC.400")
	})
}

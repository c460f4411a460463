package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1/model"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/organization"
	"github.com/iic-project/iic/internal/testenv"
)

// A fresh server's root account manages an organization with Identity
// Center as a trusted service: the bootstrap made it, and only once.
func TestOrganizationBootstrap(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		c := srv.Orgs(t)
		root := srv.App.Root.AccountID
		org, err := c.ShowOrganization(&model.ShowOrganizationRequest{})
		if err != nil {
			t.Fatal(err)
		}
		o := org.Organization
		if o.ManagementAccountId != root || o.ManagementAccountName != "root" || !strings.HasPrefix(o.Id, "o-") ||
			o.Urn != "organizations::"+root+":organization:"+o.Id || o.CreatedAt == nil {
			t.Fatalf("organization = %+v", o)
		}
		roots, err := c.ListRoots(&model.ListRootsRequest{})
		if err != nil || len(*roots.Roots) != 1 || !strings.HasPrefix((*roots.Roots)[0].Id, "r-") ||
			(*roots.Roots)[0].Urn != "organizations::"+root+":root:"+o.Id+"/"+(*roots.Roots)[0].Id {
			t.Fatalf("ListRoots = %+v, %v", roots, err)
		}
		ts, err := c.ListTrustedServices(&model.ListTrustedServicesRequest{})
		if err != nil || len(*ts.TrustedServices) != 1 || (*ts.TrustedServices)[0].ServicePrincipal != organization.IdentityCenterPrincipal {
			t.Fatalf("ListTrustedServices = %+v, %v", ts, err)
		}
		accts, err := c.ListAccounts(&model.ListAccountsRequest{})
		if err != nil || len(*accts.Accounts) != 1 || (*accts.Accounts)[0].Id != root || (*accts.Accounts)[0].Status != "active" {
			t.Fatalf("ListAccounts = %+v, %v", accts, err)
		}
		ctx := context.Background()
		if got, err := srv.App.Organizations.Administrator(ctx, root); err != nil || got != root {
			t.Fatalf("Administrator(root) = %q, %v", got, err)
		}
		// Existing flows are unchanged: Identity Center starts as before.
		srv.EnableIdentityCenter(t)

		// Deleted, the organization stays deleted across a restart.
		if _, err := c.DeleteOrganization(&model.DeleteOrganizationRequest{}); err != nil {
			t.Fatal(err)
		}
		srv.Stop()
		srv = testenv.Start(t, testenv.Options{Dialect: dialect, DataDir: srv.DataDir, DatabaseURL: srv.DatabaseURL})
		_, err = srv.Orgs(t).ShowOrganization(&model.ShowOrganizationRequest{})
		testenv.WantError(t, err, 400, "IIC.1223")
		if _, err := srv.App.Organizations.Administrator(ctx, root); !apierr.IIC1223.Is(err) {
			t.Fatalf("Administrator after deletion: %v", err)
		}
		// The admin may found a new one (without trusted services).
		created, err := srv.Orgs(t).CreateOrganization(&model.CreateOrganizationRequest{})
		if err != nil || created.Organization.ManagementAccountId != root || created.Organization.Id == o.Id {
			t.Fatalf("CreateOrganization = %+v, %v", created, err)
		}
		_, err = srv.Orgs(t).CreateOrganization(&model.CreateOrganizationRequest{})
		testenv.WantError(t, err, 409, "IIC.1257")
		if _, err := srv.App.Organizations.Administrator(ctx, root); !apierr.IIC1221.Is(err) {
			t.Fatalf("Administrator without the trusted service: %v", err)
		}
	})
}

// Organizational units: nesting (five levels), names unique among
// siblings, filters by parent, rename, delete only when empty.
func TestOrganizationalUnitsThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		c := srv.Orgs(t)
		rootID := listRoot(t, c)
		create := func(name, parent string) (*model.CreateOrganizationalUnitResponse, error) {
			return c.CreateOrganizationalUnit(&model.CreateOrganizationalUnitRequest{Body: &model.CreateOrganizationalUnitReqBody{Name: name, ParentId: parent}})
		}
		eng, err := create("eng", rootID)
		if err != nil {
			t.Fatal(err)
		}
		u := eng.OrganizationalUnit
		if !strings.HasPrefix(u.Id, "ou-") || u.Name != "eng" || !strings.Contains(u.Urn, ":ou:") || u.CreatedAt == nil {
			t.Fatalf("unit = %+v", u)
		}
		_, err = create("eng", rootID)
		testenv.WantError(t, err, 409, "IIC.1257")
		_, err = create("x", "ou-missing")
		testenv.WantError(t, err, 404, "IIC.404")
		for _, bad := range []string{"", strings.Repeat("n", 65), "tab\there"} {
			_, err = create(bad, rootID)
			testenv.WantError(t, err, 400, "IIC.400")
		}
		// Five levels under the root, not six.
		parent := u.Id
		for depth := 2; depth <= organization.MaxUnitDepth; depth++ {
			r, err := create("level", parent)
			if err != nil {
				t.Fatalf("depth %d: %v", depth, err)
			}
			parent = r.OrganizationalUnit.Id
		}
		_, err = create("too-deep", parent)
		testenv.WantError(t, err, 400, "IIC.400")

		list := func(parent string, limit int32, marker string) *model.ListOrganizationalUnitsResponse {
			t.Helper()
			req := &model.ListOrganizationalUnitsRequest{Limit: &limit}
			if parent != "" {
				req.ParentId = &parent
			}
			if marker != "" {
				req.Marker = &marker
			}
			r, err := c.ListOrganizationalUnits(req)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if r := list(rootID, 100, ""); len(*r.OrganizationalUnits) != 1 || (*r.OrganizationalUnits)[0].Id != u.Id {
			t.Fatalf("units under the root = %+v", r.OrganizationalUnits)
		}
		first := list("", 3, "")
		if len(*first.OrganizationalUnits) != 3 || first.PageInfo.NextMarker == "" {
			t.Fatalf("first page = %+v", first)
		}
		if rest := list("", 100, first.PageInfo.NextMarker); len(*rest.OrganizationalUnits) != 2 || rest.PageInfo.NextMarker != "" {
			t.Fatalf("second page = %+v", rest)
		}
		_, err = c.ListOrganizationalUnits(&model.ListOrganizationalUnitsRequest{ParentId: ptr("ou-missing")})
		testenv.WantError(t, err, 404, "IIC.404")

		shown, err := c.ShowOrganizationalUnit(&model.ShowOrganizationalUnitRequest{OrganizationalUnitId: u.Id})
		if err != nil || shown.OrganizationalUnit.Name != "eng" {
			t.Fatalf("ShowOrganizationalUnit = %+v, %v", shown, err)
		}
		_, err = c.ShowOrganizationalUnit(&model.ShowOrganizationalUnitRequest{OrganizationalUnitId: "ou-missing"})
		testenv.WantError(t, err, 404, "IIC.404")
		ops, err := create("ops", rootID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UpdateOrganizationalUnit(&model.UpdateOrganizationalUnitRequest{OrganizationalUnitId: ops.OrganizationalUnit.Id,
			Body: &model.UpdateOrganizationalUnitReqBody{Name: "eng"}})
		testenv.WantError(t, err, 409, "IIC.1257")
		renamed, err := c.UpdateOrganizationalUnit(&model.UpdateOrganizationalUnitRequest{OrganizationalUnitId: ops.OrganizationalUnit.Id,
			Body: &model.UpdateOrganizationalUnitReqBody{Name: "operations"}})
		if err != nil || renamed.OrganizationalUnit.Name != "operations" {
			t.Fatalf("UpdateOrganizationalUnit = %+v, %v", renamed, err)
		}
		// A unit with a unit under it cannot go; an empty one can.
		_, err = c.DeleteOrganizationalUnit(&model.DeleteOrganizationalUnitRequest{OrganizationalUnitId: u.Id})
		testenv.WantError(t, err, 400, "IIC.400")
		if _, err := c.DeleteOrganizationalUnit(&model.DeleteOrganizationalUnitRequest{OrganizationalUnitId: ops.OrganizationalUnit.Id}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteOrganizationalUnit(&model.DeleteOrganizationalUnitRequest{OrganizationalUnitId: ops.OrganizationalUnit.Id})
		testenv.WantError(t, err, 404, "IIC.404")
		// The organization cannot be deleted while it has units.
		_, err = c.DeleteOrganization(&model.DeleteOrganizationRequest{})
		testenv.WantError(t, err, 400, "IIC.400")
	})
}

func listRoot(t *testing.T, c interface {
	ListRoots(*model.ListRootsRequest) (*model.ListRootsResponse, error)
}) string {
	t.Helper()
	r, err := c.ListRoots(&model.ListRootsRequest{})
	if err != nil || len(*r.Roots) != 1 {
		t.Fatalf("ListRoots = %+v, %v", r, err)
	}
	return (*r.Roots)[0].Id
}

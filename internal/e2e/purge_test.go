package e2e

import (
	"context"
	"errors"
	"testing"

	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// DeleteIdentityCenter takes the identity store's data with it (queued, then
// purged in batches): nothing is left that no API could reach, and a new
// instance starts empty.
func TestDeleteIdentityCenterPurgesItsStore(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		srv, c, sid := identityStore(t, dialect)
		uid, _ := createUser(t, c, sid, "alice")
		gid := createGroup(t, c, sid, "admins")
		if _, err := addMember(c, sid, gid, uid); err != nil {
			t.Fatal(err)
		}
		if _, _, err := srv.App.Identity.CreateSession(ctx, identity.NewSession{StoreID: sid, UserID: uid}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateSpCertificate(&model.CreateSpCertificateRequest{IdentityStoreId: sid}); err != nil {
			t.Fatal(err)
		}
		tenant, err := c.CreateProvisioningTenant(&model.CreateProvisioningTenantRequest{IdentityStoreId: sid})
		if err != nil {
			t.Fatal(err)
		}
		if want := srv.URL + "/" + *tenant.TenantId + "/scim/v2"; *tenant.ScimEndpoint != want {
			t.Errorf("SCIM endpoint = %s, want %s (the server's real address)", *tenant.ScimEndpoint, want)
		}
		if _, err := c.CreateBearerToken(&model.CreateBearerTokenRequest{IdentityStoreId: sid, TenantId: *tenant.TenantId}); err != nil {
			t.Fatal(err)
		}

		if _, err := srv.Center(t).DeleteIdentityCenter(&icmodel.DeleteIdentityCenterRequest{}); err != nil {
			t.Fatal(err)
		}
		// The store is unreachable at once; its rows go in the background.
		_, err = c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid})
		testenv.WantError(t, err, 404, "IIC.1259")
		if _, err := srv.App.RunPurges(ctx); err != nil {
			t.Fatal(err)
		}
		if pending, err := srv.App.Store.Instances().PendingPurges(ctx); err != nil || len(pending) != 0 {
			t.Fatalf("purges pending after RunPurges: %v, %v", pending, err)
		}
		s := srv.App.Store
		if n, err := s.Users().Count(ctx, sid); err != nil || n != 0 {
			t.Errorf("users left: %d, %v", n, err)
		}
		if list, err := s.Users().List(ctx, sid, store.UserFilter{}, 0, 10); err != nil || len(list) != 0 {
			t.Errorf("user rows left: %d, %v", len(list), err)
		}
		if n, err := s.Groups().Count(ctx, sid); err != nil || n != 0 {
			t.Errorf("groups left: %d, %v", n, err)
		}
		if _, err := s.UserSecrets().GetPassword(ctx, sid, uid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("password left: %v", err)
		}
		if list, err := s.SPCertificates().List(ctx, sid); err != nil || len(list) != 0 {
			t.Errorf("SP certificates left: %d, %v", len(list), err)
		}
		if list, err := s.SCIMTenants().List(ctx, sid); err != nil || len(list) != 0 {
			t.Errorf("SCIM tenants left: %d, %v", len(list), err)
		}
		if list, err := s.SCIMTenants().ListTokens(ctx, sid, *tenant.TenantId); err != nil || len(list) != 0 {
			t.Errorf("SCIM tokens left: %d, %v", len(list), err)
		}

		// Enabling again gives a new, empty store.
		if _, err := srv.Center(t).StartIdentityCenter(&icmodel.StartIdentityCenterRequest{}); err != nil {
			t.Fatal(err)
		}
		list, err := srv.Center(t).ListInstances(&icmodel.ListInstancesRequest{})
		if err != nil || len(*list.Instances) != 1 || (*list.Instances)[0].IdentityStoreId == sid {
			t.Fatalf("instances after restart: %+v, %v", list, err)
		}
		users, err := c.ListUsers(&model.ListUsersRequest{IdentityStoreId: (*list.Instances)[0].IdentityStoreId})
		if err != nil || len(*users.Users) != 0 {
			t.Fatalf("users in the new store: %+v, %v", users, err)
		}
	})
}

package e2e

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/center"
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
		waitPurged(t, srv)
		counts, err := srv.App.Store.Jobs().Count(ctx, center.PurgeJob)
		if err != nil || fmt.Sprint(counts) != "map[succeeded:1]" {
			t.Fatalf("purge jobs: %v, %v; want one, succeeded", counts, err)
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

// waitPurged runs due jobs until the purge queue is empty (the server's own
// runner may hold a purge job meanwhile).
func waitPurged(t *testing.T, srv *testenv.Server) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := srv.App.RunJobs(ctx); err != nil {
			t.Fatal(err)
		}
		pending, err := srv.App.Store.Instances().PendingPurges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("purges still pending: %v", pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A purge queued by a build before the job runner (a queue entry without a
// job) is picked up by the periodic scan, which also runs at start.
func TestPurgeQueuedWithoutAJobIsPickedUp(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		var skew atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: now})
		_, sid := srv.EnableIdentityCenter(t)
		c := srv.IdentityStore(t)
		createUser(t, c, sid, "alice")
		createGroup(t, c, sid, "admins")
		// What DeleteIdentityCenter of an older build did: delete the
		// instance and queue the purge, with no job.
		st := srv.App.Store
		err := st.WithTx(ctx, func(tx store.Store) error {
			in, err := tx.Instances().GetByIdentityStore(ctx, sid)
			if err != nil {
				return err
			}
			if err := tx.Instances().QueuePurge(ctx, sid, now()); err != nil {
				return err
			}
			return tx.Instances().Delete(ctx, in.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		// The scan ran at start (maybe before the entry was queued); the
		// next one is due a scan interval later.
		skew.Store(int64(center.PurgeScanInterval + time.Second))
		waitPurged(t, srv)
		if n, err := st.Users().Count(ctx, sid); err != nil || n != 0 {
			t.Fatalf("users left: %d, %v", n, err)
		}
		if n, err := st.Groups().Count(ctx, sid); err != nil || n != 0 {
			t.Fatalf("groups left: %d, %v", n, err)
		}
	})
}

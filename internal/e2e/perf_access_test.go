package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// TestMeasureAccess times issue 9's access targets (IIC_MEASURE=1 only;
// it logs figures and asserts nothing about time): a group assigned across
// 1,000 accounts until every request SUCCEEDED, re-provisioning the 1,000
// agencies after a policy change, the admin reads at 4 clients (p50/p99
// per run of IIC_MEASURE_SPAN, default 3 s), and the tenancy lookup.
func TestMeasureAccess(t *testing.T) {
	if os.Getenv("IIC_MEASURE") != "1" {
		t.Skip("set IIC_MEASURE=1 to measure")
	}
	span := 3 * time.Second
	if v, err := time.ParseDuration(os.Getenv("IIC_MEASURE_SPAN")); err == nil {
		span = v
	}
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, sc, storeID := identityStore(t, dialect)
		c := srv.Center(t)
		ins := instanceOf(t, c)
		ctx := context.Background()
		const accounts = 1000
		accts := make([]string, accounts)
		for i := range accts {
			accts[i] = memberAccount(t, srv, i+1)
		}
		psID := *createPS(t, c, ins, "FanOut").PermissionSetId
		groupID := createGroup(t, sc, storeID, "everyone")

		// Fan-out: 1,000 CreateAccountAssignment from 4 clients; the
		// server's own runner applies them meanwhile.
		start := time.Now()
		measureParallel(t, srv, 4, accounts, func(c *ic.IdentityCenterClient, i int) error {
			_, err := assign(c, ins, psID, "GROUP", groupID, accts[i])
			return err
		})
		submitted := time.Since(start)
		waitRequests(t, srv, ins, store.RequestAssignmentCreate)
		total := time.Since(start)
		if n, _ := srv.App.Store.Assignments().CountFor(ctx, ins, psID, ""); n != accounts {
			t.Fatalf("%d assignments, want %d", n, accounts)
		}
		t.Logf("fan-out: %d assignments submitted in %v, all SUCCEEDED after %v", accounts, submitted.Round(time.Millisecond), total.Round(time.Millisecond))

		// Re-provisioning after a policy change.
		if _, err := c.AttachManagedRoleToPermissionSet(&model.AttachManagedRoleToPermissionSetRequest{InstanceId: ins, PermissionSetId: psID,
			Body: &model.ResourceAttachManagedPolicyToPermissionSetReqBody{ManagedRoleId: policyID(t, "ECS FullAccess")}}); err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		if _, err := c.ProvisionPermissionSet(&model.ProvisionPermissionSetRequest{InstanceId: ins, PermissionSetId: psID,
			Body: &model.ProvisionPermissionSetReqBody{TargetType: model.GetProvisionPermissionSetReqBodyTargetTypeEnum().ALL_PROVISIONED_ACCOUNTS}}); err != nil {
			t.Fatal(err)
		}
		waitRequests(t, srv, ins, store.RequestProvision)
		t.Logf("re-provisioning: %d agencies SUCCEEDED after %v", accounts, time.Since(start).Round(time.Millisecond))

		// An account holding 2,000 assignments; a user in 50 groups, each
		// assigned in 20 accounts (and the fan-out group's 1,000).
		busy := accts[0]
		for i := range 2000 - 1 {
			seedAssignment(t, srv, ins, busy, psID, fmt.Sprintf("seeded-group-%04d", i))
		}
		userID, _ := createUser(t, sc, storeID, "member")
		for g := range 50 {
			gid := groupID
			if g > 0 {
				gid = createGroup(t, sc, storeID, fmt.Sprintf("team-%02d", g))
				for a := range 20 {
					seedAssignment(t, srv, ins, accts[(g*20+a)%accounts], psID, gid)
				}
			}
			if _, err := addMember(sc, storeID, gid, userID); err != nil {
				t.Fatal(err)
			}
		}
		userType := model.GetListAccountAssignmentsForPrincipalRequestPrincipalTypeEnum().USER
		reads := []struct {
			name string
			call func(c *ic.IdentityCenterClient) error
		}{
			{"DescribePermissionSet", func(c *ic.IdentityCenterClient) error {
				_, err := c.DescribePermissionSet(&model.DescribePermissionSetRequest{InstanceId: ins, PermissionSetId: psID})
				return err
			}},
			{"ListAccountAssignments (2,000 in the account, page of 100)", func(c *ic.IdentityCenterClient) error {
				r, err := c.ListAccountAssignments(&model.ListAccountAssignmentsRequest{InstanceId: ins, AccountId: busy, Limit: ptr(int32(100))})
				if err == nil && len(*r.AccountAssignments) != 100 {
					err = fmt.Errorf("page of %d", len(*r.AccountAssignments))
				}
				return err
			}},
			{"ListAccountAssignmentsForPrincipal (a user in 50 groups, page of 100)", func(c *ic.IdentityCenterClient) error {
				r, err := c.ListAccountAssignmentsForPrincipal(&model.ListAccountAssignmentsForPrincipalRequest{InstanceId: ins, PrincipalId: userID,
					PrincipalType: userType, Limit: ptr(int32(100))})
				if err == nil && len(*r.AccountAssignments) != 100 {
					err = fmt.Errorf("page of %d", len(*r.AccountAssignments))
				}
				return err
			}},
		}
		for _, rd := range reads {
			for run := range 3 {
				n, p50, p99 := latencies(t, srv, 4, span, rd.call)
				t.Logf("%s, 4 clients, run %d: %.0f req/s, p50 %v, p99 %v", rd.name, run+1, float64(n)/span.Seconds(), p50, p99)
			}
		}

		// Tenancy: the lookup every tenant-scoped request makes.
		cs := &center.Service{Store: srv.App.Store, Administrator: srv.App.Organizations.Administrator}
		for run := range 3 {
			const n = 5000
			start := time.Now()
			for range n {
				if _, err := cs.Resolve(ctx, srv.App.Root.AccountID, ins, ""); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("tenancy Resolve, run %d: %v per lookup", run+1, (time.Since(start) / n).Round(100*time.Nanosecond))
		}
	})
}

func seedAssignment(t *testing.T, srv *testenv.Server, ins, account, psID, groupID string) {
	t.Helper()
	if err := srv.App.Store.Assignments().Create(context.Background(), store.Assignment{InstanceID: ins, AccountID: account, PermissionSetID: psID,
		PrincipalType: store.PrincipalGroup, PrincipalID: groupID, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// measureParallel runs call(i) for i in [0, n) from clients clients.
func measureParallel(t *testing.T, srv *testenv.Server, clients, n int, call func(c *ic.IdentityCenterClient, i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for w := range clients {
		c := srv.Center(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += clients {
				if err := call(c, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// waitRequests waits until no request of kind is IN_PROGRESS in ins and
// fails if any ended FAILED.
func waitRequests(t *testing.T, srv *testenv.Server, ins, kind string) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(5 * time.Minute); ; {
		rs, err := srv.App.Store.Requests().List(ctx, ins, kind, store.StatusInProgress, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("requests still in progress after 5 min")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if rs, err := srv.App.Store.Requests().List(ctx, ins, kind, store.StatusFailed, 0, 1); err != nil || len(rs) > 0 {
		t.Fatalf("failed requests: %+v %v", rs, err)
	}
}

// latencies calls call from clients clients for span and returns the
// number of calls and their p50 and p99.
func latencies(t *testing.T, srv *testenv.Server, clients int, span time.Duration, call func(c *ic.IdentityCenterClient) error) (int, time.Duration, time.Duration) {
	t.Helper()
	var mu sync.Mutex
	var all []time.Duration
	var failure error
	var wg sync.WaitGroup
	end := time.Now().Add(span)
	for range clients {
		c := srv.Center(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(end) {
				s := time.Now()
				if err := call(c); err != nil {
					mu.Lock()
					failure = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(s))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if failure != nil {
		t.Fatal(failure)
	}
	slices.Sort(all)
	q := func(p float64) time.Duration { return all[int(p*float64(len(all)-1))].Round(10 * time.Microsecond) }
	return len(all), q(0.50), q(0.99)
}

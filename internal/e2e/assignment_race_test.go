package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	smodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/store"
)

// A principal's deletion and an assignment's creation for it, driven
// concurrently many times: whichever way they interleave, no assignment
// is left naming a missing principal — either the delete is refused (409
// IIC.1306) and the assignment stands, or the delete wins and the
// creation is refused (404 IIC.1307) or its request ends FAILED with the
// reason.
func TestAssignmentRacesPrincipalDelete(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, sc, storeID := identityStore(t, dialect)
		c := srv.Center(t)
		ins := instanceOf(t, c)
		inst := mustInstance(t, srv, ins)
		acct := memberAccount(t, srv, 1)
		psID := *createPS(t, c, ins, "Racers").PermissionSetId
		ctx := context.Background()
		outcomes := map[string]int{}
		for i := range 40 {
			typ, principal := "USER", ""
			if i%2 == 0 {
				principal, _ = createUser(t, sc, storeID, fmt.Sprintf("racer%d", i))
			} else {
				typ, principal = "GROUP", createGroup(t, sc, storeID, fmt.Sprintf("racers%d", i))
			}
			var wg sync.WaitGroup
			var requestID string
			var assignErr, deleteErr error
			start := make(chan struct{})
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				st, err := assign(c, ins, psID, typ, principal, acct)
				if assignErr = err; err == nil {
					requestID = *st.RequestId
					_, assignErr = srv.App.RunJobs(ctx)
				}
			}()
			go func() {
				defer wg.Done()
				<-start
				time.Sleep(time.Duration(rand.IntN(4000)) * time.Microsecond) // spread the interleavings
				if typ == "USER" {
					_, deleteErr = sc.DeleteUser(&smodel.DeleteUserRequest{IdentityStoreId: storeID, UserId: principal})
				} else {
					_, deleteErr = sc.DeleteGroup(&smodel.DeleteGroupRequest{IdentityStoreId: storeID, GroupId: principal})
				}
			}()
			close(start)
			wg.Wait()
			runJobs(t, srv)

			deleted := deleteErr == nil
			if !deleted && !isAPIError(deleteErr, 409, "IIC.1306") {
				t.Fatalf("iteration %d: delete %s: %v", i, typ, deleteErr)
			}
			if assignErr != nil && !(deleted && isAPIError(assignErr, 404, "IIC.1307")) {
				t.Fatalf("iteration %d: assign (deleted=%v): %v", i, deleted, assignErr)
			}
			n, err := srv.App.Store.Assignments().CountByPrincipal(ctx, ins, principal)
			if err != nil {
				t.Fatal(err)
			}
			var req store.Request
			if requestID != "" {
				if req, err = srv.App.Store.Requests().Get(ctx, ins, store.RequestAssignmentCreate, requestID); err != nil {
					t.Fatal(err)
				}
			}
			switch {
			case deleted && n != 0:
				t.Fatalf("iteration %d: %s %s deleted but %d assignments name it", i, typ, principal, n)
			case deleted && requestID != "" && (req.Status != store.StatusFailed || req.FailureReason != "The principal no longer exists in the identity store."):
				t.Fatalf("iteration %d: %s deleted, creation request = %s %q", i, typ, req.Status, req.FailureReason)
			case !deleted && (n != 1 || req.Status != store.StatusSucceeded):
				t.Fatalf("iteration %d: delete refused, %d assignments, request %s %q", i, n, req.Status, req.FailureReason)
			}
			if err := principalExists(ctx, srv.App.Store, inst.IdentityStoreID, typ, principal); (err == nil) == deleted {
				t.Fatalf("iteration %d: deleted=%v but the principal lookup says %v", i, deleted, err)
			}
			switch {
			case !deleted:
				outcomes["delete refused"]++
			case requestID == "":
				outcomes["creation refused"]++
			default:
				outcomes["request failed"]++
			}
		}
		t.Logf("outcomes: %v", outcomes)
	})
}

func principalExists(ctx context.Context, st store.Store, storeID, typ, id string) error {
	if typ == "USER" {
		_, err := st.Users().Get(ctx, storeID, id)
		return err
	}
	_, err := st.Groups().Get(ctx, storeID, id)
	return err
}

func isAPIError(err error, status int, code string) bool {
	var se *sdkerr.ServiceResponseError
	return errors.As(err, &se) && se.StatusCode == status && se.ErrorCode == code
}

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// crashAccounts is how many member accounts the crash test assigns in.
const crashAccounts = 200

// An `iic serve` killed with SIGKILL while it applies 200 assignment
// creations loses nothing and applies nothing twice: restarted on the same
// data (with a 1 s job lease, so the dead claims expire quickly), it
// finishes every request, each SUCCEEDED by one transaction, with one
// assignment and one agency per account, each written by one commit.
func TestAssignmentFanOutSurvivesSIGKILL(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dir, dbURL := t.TempDir(), ""
		if dialect == "postgres" {
			dbURL = sqltest.PostgresSchema(t)
		}
		seed := testenv.Start(t, testenv.Options{Dialect: dialect, DataDir: dir, DatabaseURL: dbURL})
		f := seedFanOut(t, seed, crashAccounts)
		seed.Stop()
		dsn := dbURL
		if dsn == "" {
			dsn = filepath.Join(dir, "iic.db")
		}
		raw := sqltest.InstallCommitLog(t, dialect, dsn)

		first := startServing(t, dir, dbURL)
		c := procCenter(t, first)
		assignAll(t, c, f, 8)
		for start := time.Now(); creationStatuses(t, c, f.InstanceID)[store.StatusSucceeded] == 0; {
			if time.Since(start) > time.Minute {
				t.Fatalf("no request succeeded within a minute\n%s", first.log)
			}
			time.Sleep(time.Millisecond) // poll cadence only
		}
		first.cmd.Process.Signal(syscall.SIGKILL)
		first.cmd.Wait()
		done, claimed := killedState(t, raw)
		t.Logf("killed with %d of %d requests succeeded and %d jobs claimed by the dead process", done, crashAccounts, claimed)
		// Jobs still claimed (0 when the kill fell between a step's commit
		// and the next claim) are taken over when their 1 s lease ends.
		if done == 0 || done >= crashAccounts {
			t.Fatalf("the kill did not land mid-way (%d of %d succeeded): nothing was tested", done, crashAccounts)
		}

		second := startServing(t, dir, dbURL)
		c = procCenter(t, second)
		deadline := time.Now().Add(2 * time.Minute)
		for s := creationStatuses(t, c, f.InstanceID); s[store.StatusInProgress] > 0 || s[store.StatusSucceeded]+s[store.StatusFailed] != crashAccounts; s = creationStatuses(t, c, f.InstanceID) {
			if time.Now().After(deadline) {
				t.Fatalf("requests after the restart: %v\n%s", s, second.log)
			}
			time.Sleep(20 * time.Millisecond) // poll cadence only
		}
		if got := provisionedAccounts(t, c, f); len(got) != crashAccounts {
			t.Fatalf("ListAccountsForProvisionedPermissionSet: %d distinct accounts, want %d", len(got), crashAccounts)
		}
		second.cmd.Process.Signal(syscall.SIGTERM)
		if err := second.cmd.Wait(); err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, second.log)
		}

		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		requireFanOut(t, db.Store(), readCommitLog(t, raw), f)
		acct := doubleApplyOne(t, db.Store(), f)
		requireCaught(t, db.Store(), readCommitLog(t, raw), f, acct)
	})
}

// A job lease under 1 s is refused at start, from the flag or the
// environment.
func TestJobLeaseValidated(t *testing.T) {
	for _, args := range [][]string{{"--job-lease", "500ms"}, {"--job-lease", "-1s"}} {
		out, err := execServe(t, nil, args...)
		if err == nil || !strings.Contains(out, "--job-lease") {
			t.Errorf("iic serve %v: %v\n%s", args, err, out)
		}
	}
	out, err := execServe(t, []string{"IIC_JOB_LEASE=10ms"})
	if err == nil || !strings.Contains(out, "IIC_JOB_LEASE") {
		t.Errorf("IIC_JOB_LEASE=10ms: %v\n%s", err, out)
	}
}

// execServe runs `iic serve` on a fresh data dir with args and env, for a
// configuration it must refuse, and returns its output.
func execServe(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testenv.Binary(t), append([]string{"serve", "--listen", testenv.FreeAddr(t), "--data-dir", t.TempDir()}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
		case <-time.After(30 * time.Second): // it serves: the refusal is missing
			cmd.Process.Kill()
		}
	}()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// startServing starts `iic serve` with a 1 s job lease on dir (and dbURL)
// and waits until it is ready.
func startServing(t *testing.T, dir, dbURL string) *proc {
	t.Helper()
	p := startProc(t, dir, dbURL, "IIC_JOB_LEASE=1s", "IIC_LOG_LEVEL=warn")
	if err := testenv.WaitReady("http://"+p.addr, 30*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, p.log)
	}
	return p
}

// procCenter is an identitycenter client of the root account on p.
func procCenter(t *testing.T, p *proc) *ic.IdentityCenterClient {
	t.Helper()
	return (&testenv.Server{URL: "http://" + p.addr, App: &app.App{Root: readCreds(t, p.dir)}}).Center(t)
}

// killedState reads, after the kill, how many creations had succeeded and
// how many permission jobs the dead process still held.
func killedState(t *testing.T, raw *sqltest.CommitLog) (succeeded, claimed int) {
	t.Helper()
	return raw.Count(t, "SELECT COUNT(*) FROM permission_requests WHERE status = 'SUCCEEDED'"),
		raw.Count(t, "SELECT COUNT(*) FROM jobs WHERE kind = '"+permission.JobKind+"' AND state = 'running'")
}

// provisionedAccounts lists, through the SDK, the distinct accounts f's
// permission set is provisioned to, failing on a duplicate.
func provisionedAccounts(t *testing.T, c *ic.IdentityCenterClient, f *fanOut) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	var marker *string
	for {
		r, err := c.ListAccountsForProvisionedPermissionSet(&model.ListAccountsForProvisionedPermissionSetRequest{InstanceId: f.InstanceID,
			PermissionSetId: f.PermSet.ID, Limit: ptr(int32(100)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range *r.AccountIds {
			if seen[a] {
				t.Fatalf("account %s listed twice", a)
			}
			seen[a] = true
		}
		if r.PageInfo == nil || r.PageInfo.NextMarker == "" {
			return seen
		}
		marker = ptr(r.PageInfo.NextMarker)
	}
}

// seedFanOut makes, on srv, an instance, a user, a permission set and n
// member accounts.
func seedFanOut(t *testing.T, srv *testenv.Server, n int) *fanOut {
	t.Helper()
	ins, storeID := srv.EnableIdentityCenter(t)
	userID, _ := createUser(t, srv.IdentityStore(t), storeID, "fan-out")
	ps := createPS(t, srv.Center(t), ins, "FanOut")
	stored, err := srv.App.Store.PermissionSets().Get(context.Background(), ins, *ps.PermissionSetId)
	if err != nil {
		t.Fatal(err)
	}
	f := &fanOut{InstanceID: ins, PermSet: stored, UserID: userID}
	for i := range n {
		f.Accounts = append(f.Accounts, memberAccount(t, srv, i+1))
	}
	return f
}

// The fan-out tests (crash, replicas) create one assignment per member
// account and then check, from the store and a commit log, that each was
// applied exactly once.

// fanOut is what a fan-out test created: one permission set assigned to one
// user in every account, one request per account.
type fanOut struct {
	InstanceID string
	PermSet    store.PermissionSet
	UserID     string
	Accounts   []string
	Requests   map[string]string // request id → account id
}

// assignAll creates the assignment of f.PermSet to f.UserID in every
// account through the SDK client c, workers at a time, and records the
// request ids in f.Requests.
func assignAll(t *testing.T, c *ic.IdentityCenterClient, f *fanOut, workers int) {
	t.Helper()
	f.Requests = map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan string)
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for acct := range next {
				st, err := assign(c, f.InstanceID, f.PermSet.ID, "USER", f.UserID, acct)
				if err != nil {
					errs <- fmt.Errorf("assign in %s: %w", acct, err)
					for range next { // drain
					}
					return
				}
				mu.Lock()
				f.Requests[*st.RequestId] = acct
				mu.Unlock()
			}
		}()
	}
	for _, a := range f.Accounts {
		next <- a
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if len(f.Requests) != len(f.Accounts) {
		t.Fatalf("%d request ids for %d accounts", len(f.Requests), len(f.Accounts))
	}
}

// creationStatuses counts the instance's assignment-creation requests by
// status, through the SDK's paged list.
func creationStatuses(t *testing.T, c *ic.IdentityCenterClient, instanceID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	var marker *string
	for {
		r, err := c.ListAccountAssignmentCreationStatus(&model.ListAccountAssignmentCreationStatusRequest{InstanceId: instanceID,
			Limit: ptr(int32(100)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range *r.AccountAssignmentsCreationStatus {
			out[s.Status.Value()]++
		}
		if r.PageInfo == nil || r.PageInfo.NextMarker == "" {
			return out
		}
		marker = ptr(r.PageInfo.NextMarker)
	}
}

// commitLog is the commit log read back (sqltest.CommitLog).
type commitLog = map[string]map[string][]string

func readCommitLog(t *testing.T, l *sqltest.CommitLog) commitLog { return l.Read(t) }

// fanOutProblems lists what is wrong after f's requests should all have
// been applied exactly once: a request not SUCCEEDED or finished by more
// than one transaction; an account without exactly one assignment row, one
// agency (named IdentityCenter_<ps name>) and one committed write of each;
// a job of the requests not succeeded, or ended by more than one commit.
// It returns nil when everything was applied exactly once.
func fanOutProblems(ctx context.Context, st store.Store, log commitLog, f *fanOut) []string {
	var p []string
	bad := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	for id, acct := range f.Requests {
		r, err := st.Requests().Get(ctx, f.InstanceID, store.RequestAssignmentCreate, id)
		switch {
		case err != nil:
			bad("request %s: %v", id, err)
		case r.Status != store.StatusSucceeded || r.Attempts != 1 || r.TargetID != acct:
			bad("request %s: status %s (%q), finished by %d transactions, target %s", id, r.Status, r.FailureReason, r.Attempts, r.TargetID)
		}
		if n := len(log["request"][id]); n != 1 {
			bad("request %s: %d committed ends, want 1", id, n)
		}
	}
	wantAgency := permission.AgencyName(f.PermSet)
	for _, acct := range f.Accounts {
		key := acct + "/" + f.PermSet.ID
		as, err := st.Assignments().ListByAccount(ctx, f.InstanceID, acct, "", 0, 10)
		if err != nil || len(as) != 1 || as[0].PermissionSetID != f.PermSet.ID || as[0].PrincipalID != f.UserID {
			bad("account %s: assignments %+v, %v; want the one of %s", acct, as, err, f.UserID)
		}
		ags, err := st.Agencies().ListByAccount(ctx, f.InstanceID, acct, store.AgencyFilter{}, 0, 10)
		if err != nil || len(ags) != 1 || ags[0].Name != wantAgency || ags[0].PermissionSetID != f.PermSet.ID {
			bad("account %s: agencies %+v, %v; want one %s", acct, ags, err, wantAgency)
		}
		if n := len(log["assignment"][key]); n != 1 {
			bad("account %s: %d committed assignment inserts, want 1", acct, n)
		}
		if n := len(log["agency"][key]); n != 1 {
			bad("account %s: %d committed agency writes, want 1", acct, n)
		}
	}
	counts, err := st.Jobs().Count(ctx, permission.JobKind)
	if err != nil || counts[store.JobSucceeded] != len(f.Requests) || len(counts) != 1 {
		bad("jobs of %s by state: %v, %v; want %d succeeded", permission.JobKind, counts, err, len(f.Requests))
	}
	if len(log["job"]) != len(f.Requests) {
		bad("%d jobs committed an end, want %d", len(log["job"]), len(f.Requests))
	}
	for id, writers := range log["job"] {
		if len(writers) != 1 {
			bad("job %s: ended by %d commits (%v), want 1", id, len(writers), writers)
		}
	}
	sort.Strings(p)
	return p
}

// requireFanOut fails the test with fanOutProblems (the first few).
func requireFanOut(t *testing.T, st store.Store, log commitLog, f *fanOut) {
	t.Helper()
	if p := fanOutProblems(context.Background(), st, log, f); len(p) > 0 {
		t.Fatalf("%d problems, first: \n%s", len(p), strings.Join(p[:min(len(p), 10)], "\n"))
	}
}

// doubleApplyOne commits again, in one transaction, what the creation step
// of one request writes (its agency and its end), as a runner that lost
// track of a committed step would, and returns the request's account. The
// fan-out check must then fail: the tests use it to prove they can.
func doubleApplyOne(t *testing.T, st store.Store, f *fanOut) string {
	t.Helper()
	ctx := context.Background()
	for id, acct := range f.Requests {
		err := st.WithTx(ctx, func(tx store.Store) error {
			ag, err := tx.Agencies().Get(ctx, f.InstanceID, acct, f.PermSet.ID)
			if err != nil {
				return err
			}
			if err := tx.Agencies().Put(ctx, ag); err != nil {
				return err
			}
			return tx.Requests().Finish(ctx, id, store.StatusSucceeded, "", ag.UpdatedAt)
		})
		if err != nil {
			t.Fatal(err)
		}
		return acct
	}
	t.Fatal("no request to apply again")
	return ""
}

// requireCaught fails unless fanOutProblems reports the double application
// of doubleApplyOne in acct.
func requireCaught(t *testing.T, st store.Store, log commitLog, f *fanOut, acct string) {
	t.Helper()
	p := fanOutProblems(context.Background(), st, log, f)
	if !strings.Contains(strings.Join(p, "\n"), "account "+acct+": 2 committed agency writes") || len(p) != 3 {
		t.Fatalf("a double-applied step in %s is not caught exactly: %q", acct, p)
	}
}

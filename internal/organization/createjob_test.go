package organization_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/organization"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// clock is a test clock that tests move forward.
type clock struct{ skew atomic.Int64 }

func (c *clock) now() time.Time      { return time.Now().Add(time.Duration(c.skew.Load())) }
func (c *clock) add(d time.Duration) { c.skew.Add(int64(d)) }
func forEachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) { fn(t, d) })
	}
}

// fixture is an organization service on a real store, with its job runner
// (not started: tests run due jobs with RunDue) and the management account.
type fixture struct {
	st     store.Store
	svc    *organization.Service
	runner *jobs.Runner
	clock  *clock
	root   string
}

func newFixture(t testing.TB, dialect string, regions ...string) *fixture {
	t.Helper()
	ctx := context.Background()
	st := sqltest.Open(t, dialect).Store()
	c := &clock{}
	gen := ids.Generator{}
	f := &fixture{st: st, clock: c, root: gen.AccountID()}
	f.runner = jobs.New(st, jobs.Options{Now: c.now})
	f.svc = &organization.Service{Store: st, IDs: gen, Now: c.now, Regions: regions}
	f.svc.RegisterJobs(f.runner)
	if err := st.Accounts().Create(ctx, store.Account{ID: f.root, Name: "root", CreatedAt: c.now()}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Bootstrap(ctx, f.root); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) request(t *testing.T, id string) store.CreateAccountRequest {
	t.Helper()
	r, err := f.st.Organizations().GetRequestByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) jobStates(t *testing.T) map[store.JobState]int {
	t.Helper()
	n, err := f.st.Jobs().Count(context.Background(), organization.CreateAccountJob)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// CreateAccount commits the request with its job; the job creates the
// account with a project per region and its membership, once.
func TestCreateAccountRunsAsAJob(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		f := newFixture(t, dialect, "cn-north-4", "cn-east-3")
		req, err := f.svc.CreateAccount(ctx, f.root, organization.CreateAccountInput{Name: "dev", Tags: []store.Tag{{Key: "env", Value: "dev"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.jobStates(t); got[store.JobPending] != 1 {
			t.Fatalf("jobs after CreateAccount = %v, want one pending", got)
		}
		if r := f.request(t, req.ID); r.State != store.CreateInProgress {
			t.Fatalf("request before the job ran = %+v", r)
		}
		if _, err := f.runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		r := f.request(t, req.ID)
		if r.State != store.CreateSucceeded || r.AccountID == "" || r.CompletedAt.IsZero() {
			t.Fatalf("request after the job = %+v", r)
		}
		if got := f.jobStates(t); got[store.JobSucceeded] != 1 || got[store.JobPending]+got[store.JobRunning] != 0 {
			t.Fatalf("jobs after the run = %v", got)
		}
		if ps, err := f.st.Projects().ListByAccount(ctx, r.AccountID); err != nil || len(ps) != 2 {
			t.Fatalf("projects = %d, %v", len(ps), err)
		}
		m, err := f.st.Organizations().GetMember(ctx, r.AccountID)
		if err != nil || m.Status != store.MemberActive {
			t.Fatalf("member = %+v, %v", m, err)
		}
		// Running the completion again (a retry after a crash that lost
		// the job's end) changes nothing.
		if err := f.st.WithTx(ctx, func(tx store.Store) error { return f.svc.CompleteCreateAccount(ctx, tx, req.ID) }); err != nil {
			t.Fatal(err)
		}
		if again := f.request(t, req.ID); again.AccountID != r.AccountID || again.State != store.CreateSucceeded {
			t.Fatalf("request after a second completion = %+v, was %+v", again, r)
		}
		if n, err := f.st.Organizations().CountMembers(ctx, m.OrganizationID); err != nil || n != 2 {
			t.Fatalf("members after a second completion = %d, %v; want 2", n, err)
		}
	})
}

// A request whose completion keeps failing ends failed with
// FailureInternal once its job spent its attempts; nothing of the account
// is left behind.
func TestCreateAccountJobGivesUp(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		// Two projects of one name: every completion fails on the
		// store's unique (account, name) and rolls back.
		f := newFixture(t, dialect, "cn-north-4", "cn-north-4")
		req, err := f.svc.CreateAccount(ctx, f.root, organization.CreateAccountInput{Name: "doomed"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20 && f.request(t, req.ID).State == store.CreateInProgress; i++ {
			if _, err := f.runner.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			f.clock.add(10 * time.Minute) // past the longest back-off
		}
		r := f.request(t, req.ID)
		if r.State != store.CreateFailed || r.FailureReason != organization.FailureInternal || r.AccountID != "" {
			t.Fatalf("request = %+v, want failed with %s", r, organization.FailureInternal)
		}
		if got := f.jobStates(t); got[store.JobFailed] != 1 {
			t.Fatalf("jobs = %v, want one failed", got)
		}
		if _, err := f.st.Accounts().GetByName(ctx, "doomed"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("account of the failed request: %v, want ErrNotFound", err)
		}
	})
}

// A request in progress without a job (recorded by a build before the job
// runner) is queued by the scan, which runs at start, and then completes.
func TestCreateAccountScanQueuesARequestWithoutAJob(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		f := newFixture(t, dialect)
		o, err := f.st.Organizations().GetMember(ctx, f.root)
		if err != nil {
			t.Fatal(err)
		}
		old := store.CreateAccountRequest{ID: "cas-old", OrganizationID: o.OrganizationID, AccountName: "legacy", State: store.CreateInProgress, CreatedAt: f.clock.now()}
		if err := f.st.Organizations().CreateRequest(ctx, old); err != nil {
			t.Fatal(err)
		}
		if _, err := f.runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if r := f.request(t, old.ID); r.State != store.CreateSucceeded || r.AccountID == "" {
			t.Fatalf("legacy request after the scan = %+v", r)
		}
	})
}

// BenchmarkCreateAccountJob measures one CreateAccount request and its
// job's run (the account, one project, the membership) on each store.
func BenchmarkCreateAccountJob(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			ctx := context.Background()
			f := newFixture(b, d, "cn-north-4")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := f.svc.CreateAccount(ctx, f.root, organization.CreateAccountInput{Name: fmt.Sprintf("bench-%d", i)}); err != nil {
					b.Fatal(err)
				}
				if n, err := f.runner.RunDue(ctx); err != nil || n == 0 {
					b.Fatalf("RunDue = %d, %v", n, err)
				}
			}
		})
	}
}

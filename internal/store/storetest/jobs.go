package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

var jobTests = []namedTest{
	{"JobsLifecycle", testJobsLifecycle},
	{"JobsUniqueKey", testJobsUniqueKey},
	{"JobsEnqueueInTx", testJobsEnqueueInTx},
	{"JobsOneClaimerOf16", testJobsOneClaimer},
	{"JobsExpiredLease", testJobsExpiredLease},
	{"JobsRetryBackoff", testJobsRetry},
	{"JobsPoisonFails", testJobsPoison},
	{"JobsReleaseAndReschedule", testJobsReleaseReschedule},
	{"JobsDeleteFinished", testJobsDeleteFinished},
}

func enqueue(t *testing.T, s store.Store, id, kind, key string, runAt time.Time) string {
	t.Helper()
	got, err := s.Jobs().Enqueue(ctx, store.Job{ID: id, Kind: kind, Key: key, Payload: []byte(`{"n":1}`),
		MaxAttempts: 3, RunAt: runAt, CreatedAt: t0})
	if err != nil {
		t.Fatalf("enqueue %s: %v", id, err)
	}
	return got
}

func claimJobs(t *testing.T, s store.Store, owner string, now time.Time, limit int, kinds ...string) []store.Job {
	t.Helper()
	if len(kinds) == 0 {
		kinds = []string{"k"}
	}
	js, err := s.Jobs().Claim(ctx, store.JobClaim{Owner: owner, Kinds: kinds, Now: now, LeaseUntil: now.Add(30 * time.Second), Limit: limit})
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return js
}

func getJob(t *testing.T, s store.Store, id string) store.Job {
	t.Helper()
	j, err := s.Jobs().Get(ctx, id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return j
}

func jobIDs(js []store.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}

func testJobsLifecycle(t *testing.T, s store.Store) {
	if _, ok, err := s.Jobs().NextDue(ctx, []string{"k"}); err != nil || ok {
		t.Fatalf("NextDue on an empty queue = %v, %v", ok, err)
	}
	enqueue(t, s, "j2", "k", "", t0.Add(2*time.Second))
	enqueue(t, s, "j1", "k", "", t0.Add(time.Second))
	enqueue(t, s, "other", "other-kind", "", t0)
	j := getJob(t, s, "j1")
	want := store.Job{ID: "j1", Kind: "k", Payload: []byte(`{"n":1}`), State: store.JobPending, MaxAttempts: 3,
		RunAt: t0.Add(time.Second), CreatedAt: t0, UpdatedAt: t0}
	if fmt.Sprint(j) != fmt.Sprint(want) {
		t.Fatalf("Get = %+v\nwant  %+v", j, want)
	}
	_, err := s.Jobs().Get(ctx, "missing")
	wantErr(t, "get missing", err, store.ErrNotFound)
	due, ok, err := s.Jobs().NextDue(ctx, []string{"k"})
	if err != nil || !ok || !due.Equal(t0.Add(time.Second)) {
		t.Fatalf("NextDue = %v, %v, %v; want %v", due, ok, err, t0.Add(time.Second))
	}
	if js := claimJobs(t, s, "a", t0, 10); len(js) != 0 {
		t.Fatalf("claimed %v before they are due", jobIDs(js))
	}
	js := claimJobs(t, s, "a", t0.Add(5*time.Second), 10)
	if fmt.Sprint(jobIDs(js)) != "[j1 j2]" {
		t.Fatalf("claimed %v, want [j1 j2] (only kind k, earliest first)", jobIDs(js))
	}
	c := js[0]
	if c.State != store.JobRunning || c.Attempts != 1 || c.LeaseOwner != "a" || !c.LeaseUntil.Equal(t0.Add(35*time.Second)) {
		t.Fatalf("claimed job = %+v", c)
	}
	// A running job is due again when its lease ends.
	due, ok, err = s.Jobs().NextDue(ctx, []string{"k"})
	if err != nil || !ok || !due.Equal(t0.Add(35*time.Second)) {
		t.Fatalf("NextDue with running jobs = %v, %v, %v", due, ok, err)
	}
	if err := s.Jobs().Extend(ctx, c, t0.Add(time.Minute), t0.Add(6*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := getJob(t, s, "j1"); !got.LeaseUntil.Equal(t0.Add(time.Minute)) {
		t.Fatalf("extended lease = %v", got.LeaseUntil)
	}
	if js := claimJobs(t, s, "b", t0.Add(40*time.Second), 10); fmt.Sprint(jobIDs(js)) != "[j2]" {
		t.Fatalf("claim after j2's lease ended = %v, want [j2] (j1's lease was extended)", jobIDs(js))
	}
	if err := s.Jobs().Finish(ctx, c, t0.Add(7*time.Second)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "finish twice", s.Jobs().Finish(ctx, c, t0.Add(8*time.Second)), store.ErrConflict)
	if got := getJob(t, s, "j1"); got.State != store.JobSucceeded || got.LeaseOwner != "" || !got.UpdatedAt.Equal(t0.Add(7*time.Second)) {
		t.Fatalf("finished job = %+v", got)
	}
	counts, err := s.Jobs().Count(ctx, "")
	if err != nil || fmt.Sprint(counts) != "map[pending:1 running:1 succeeded:1]" {
		t.Fatalf("Count = %v, %v", counts, err)
	}
	counts, err = s.Jobs().Count(ctx, "k")
	if err != nil || fmt.Sprint(counts) != "map[running:1 succeeded:1]" {
		t.Fatalf("Count(k) = %v, %v", counts, err)
	}
	if js := claimJobs(t, s, "a", t0.Add(time.Hour), 10, "nobody"); len(js) != 0 {
		t.Fatalf("claimed %v of an unknown kind", jobIDs(js))
	}
}

func testJobsUniqueKey(t *testing.T, s store.Store) {
	first := enqueue(t, s, "j1", "k", "store-1", t0)
	if got := enqueue(t, s, "j2", "k", "store-1", t0); got != first {
		t.Fatalf("duplicate key enqueued %q, want the existing %q", got, first)
	}
	_, err := s.Jobs().Get(ctx, "j2")
	wantErr(t, "the duplicate is not stored", err, store.ErrNotFound)
	// Same key, other kind: independent.
	if got := enqueue(t, s, "j3", "k2", "store-1", t0); got != "j3" {
		t.Fatalf("same key of another kind = %q", got)
	}
	// Empty keys never collide.
	enqueue(t, s, "j4", "k", "", t0)
	enqueue(t, s, "j5", "k", "", t0)
	// A running job still holds its key; a finished one does not.
	js := claimJobs(t, s, "a", t0, 1)
	if len(js) != 1 || js[0].ID != "j1" {
		t.Fatalf("claimed %v", jobIDs(js))
	}
	if got := enqueue(t, s, "j6", "k", "store-1", t0); got != "j1" {
		t.Fatalf("key of a running job enqueued %q", got)
	}
	if err := s.Jobs().Finish(ctx, js[0], t0); err != nil {
		t.Fatal(err)
	}
	if got := enqueue(t, s, "j7", "k", "store-1", t0); got != "j7" {
		t.Fatalf("key of a finished job: enqueued %q, want a new job", got)
	}
	// A duplicate id is a conflict, not a silent no-op.
	_, err = s.Jobs().Enqueue(ctx, store.Job{ID: "j4", Kind: "k", MaxAttempts: 1, RunAt: t0, CreatedAt: t0})
	wantErr(t, "duplicate id", err, store.ErrConflict)
}

func testJobsEnqueueInTx(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.WithTx(ctx, func(tx store.Store) error {
		enqueue(t, tx, "gone", "k", "key", t0)
		return boom
	})
	wantErr(t, "rolled back", err, boom)
	_, err = s.Jobs().Get(ctx, "gone")
	wantErr(t, "job of a rolled-back tx", err, store.ErrNotFound)
	if got := enqueue(t, s, "kept", "k", "key", t0); got != "kept" {
		t.Fatalf("the rolled-back job still holds its key: %q", got)
	}
	err = s.WithTx(ctx, func(tx store.Store) error {
		enqueue(t, tx, "in-tx", "k", "", t0)
		_, err := tx.Jobs().Get(ctx, "in-tx")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	getJob(t, s, "in-tx")
}

func testJobsOneClaimer(t *testing.T, s store.Store) {
	enqueue(t, s, "only", "k", "", t0)
	var wg sync.WaitGroup
	got := make([][]store.Job, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			js, err := s.Jobs().Claim(ctx, store.JobClaim{Owner: fmt.Sprint("owner-", i), Kinds: []string{"k"},
				Now: t0.Add(time.Second), LeaseUntil: t0.Add(time.Minute), Limit: 5})
			if err != nil {
				t.Errorf("claimer %d: %v", i, err)
			}
			got[i] = js
		}()
	}
	wg.Wait()
	winners := 0
	for _, js := range got {
		winners += len(js)
	}
	if winners != 1 {
		t.Fatalf("%d claims of one job by 16 concurrent claimers, want 1", winners)
	}
	if j := getJob(t, s, "only"); j.Attempts != 1 {
		t.Fatalf("attempts = %d, want 1", j.Attempts)
	}
}

func testJobsExpiredLease(t *testing.T, s store.Store) {
	enqueue(t, s, "j", "k", "", t0)
	a := claimJobs(t, s, "a", t0, 1)[0]
	if js := claimJobs(t, s, "b", t0.Add(29*time.Second), 1); len(js) != 0 {
		t.Fatal("claimed a job whose lease is live")
	}
	bs := claimJobs(t, s, "b", t0.Add(30*time.Second), 1)
	if len(bs) != 1 || bs[0].LeaseOwner != "b" || bs[0].Attempts != 2 {
		t.Fatalf("claim after the lease expired = %+v", bs)
	}
	later := t0.Add(31 * time.Second)
	wantErr(t, "old owner finishes", s.Jobs().Finish(ctx, a, later), store.ErrConflict)
	wantErr(t, "old owner extends", s.Jobs().Extend(ctx, a, later.Add(time.Minute), later), store.ErrConflict)
	wantErr(t, "old owner retries", s.Jobs().Retry(ctx, a, later, "x", later), store.ErrConflict)
	wantErr(t, "old owner fails it", s.Jobs().Fail(ctx, a, "x", later), store.ErrConflict)
	wantErr(t, "old owner releases", s.Jobs().Release(ctx, a, later), store.ErrConflict)
	// The same owner's earlier claim is refused too (the claim, not the
	// owner, is the token).
	stale := bs[0]
	stale.Attempts = 1
	wantErr(t, "stale claim of the same owner", s.Jobs().Finish(ctx, stale, later), store.ErrConflict)
	if err := s.Jobs().Finish(ctx, bs[0], later); err != nil {
		t.Fatalf("new owner finishes: %v", err)
	}
	if j := getJob(t, s, "j"); j.State != store.JobSucceeded {
		t.Fatalf("state = %s", j.State)
	}
}

func testJobsRetry(t *testing.T, s store.Store) {
	enqueue(t, s, "j", "k", "", t0)
	c := claimJobs(t, s, "a", t0, 1)[0]
	next := t0.Add(4 * time.Second)
	if err := s.Jobs().Retry(ctx, c, next, "temporary", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	j := getJob(t, s, "j")
	if j.State != store.JobPending || !j.RunAt.Equal(next) || j.LastError != "temporary" || j.Attempts != 1 || j.LeaseOwner != "" {
		t.Fatalf("retried job = %+v", j)
	}
	if due, _, _ := s.Jobs().NextDue(ctx, []string{"k"}); !due.Equal(next) {
		t.Fatalf("NextDue = %v, want %v", due, next)
	}
	if js := claimJobs(t, s, "a", next.Add(-time.Millisecond), 1); len(js) != 0 {
		t.Fatal("claimed before the back-off ended")
	}
	js := claimJobs(t, s, "a", next, 1)
	if len(js) != 1 || js[0].Attempts != 2 || js[0].LastError != "temporary" {
		t.Fatalf("claim after back-off = %+v", js)
	}
}

func testJobsPoison(t *testing.T, s store.Store) {
	enqueue(t, s, "poison", "k", "", t0)
	now := t0
	var c store.Job
	for attempt := 1; ; attempt++ {
		js := claimJobs(t, s, "a", now, 1)
		if len(js) != 1 || js[0].Attempts != attempt {
			t.Fatalf("attempt %d: claimed %+v", attempt, js)
		}
		c = js[0]
		if c.Attempts >= c.MaxAttempts {
			break
		}
		now = now.Add(time.Duration(attempt) * time.Second)
		if err := s.Jobs().Retry(ctx, c, now, fmt.Sprint("error ", attempt), now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Jobs().Fail(ctx, c, "error 3", now); err != nil {
		t.Fatal(err)
	}
	j := getJob(t, s, "poison")
	if j.State != store.JobFailed || j.LastError != "error 3" || j.Attempts != 3 {
		t.Fatalf("poison job = %+v", j)
	}
	if js := claimJobs(t, s, "a", now.Add(time.Hour), 1); len(js) != 0 {
		t.Fatal("a failed job was claimed")
	}
	if _, ok, _ := s.Jobs().NextDue(ctx, []string{"k"}); ok {
		t.Fatal("a failed job is due")
	}
}

func testJobsReleaseReschedule(t *testing.T, s store.Store) {
	enqueue(t, s, "j", "k", "", t0)
	c := claimJobs(t, s, "a", t0, 1)[0]
	if err := s.Jobs().Retry(ctx, c, t0, "first failure", t0); err != nil {
		t.Fatal(err)
	}
	c = claimJobs(t, s, "a", t0, 1)[0]
	if err := s.Jobs().Release(ctx, c, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	j := getJob(t, s, "j")
	if j.State != store.JobPending || j.Attempts != 1 || !j.RunAt.Equal(t0.Add(time.Second)) || j.LastError != "first failure" {
		t.Fatalf("released job = %+v", j)
	}
	c = claimJobs(t, s, "b", t0.Add(time.Second), 1)[0]
	if err := s.Jobs().Reschedule(ctx, c, t0.Add(time.Minute), t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	j = getJob(t, s, "j")
	if j.State != store.JobPending || j.Attempts != 0 || !j.RunAt.Equal(t0.Add(time.Minute)) || j.LastError != "" {
		t.Fatalf("rescheduled job = %+v", j)
	}
	wantErr(t, "reschedule twice", s.Jobs().Reschedule(ctx, c, t0, t0), store.ErrConflict)
}

func testJobsDeleteFinished(t *testing.T, s store.Store) {
	for i := range 5 {
		enqueue(t, s, fmt.Sprint("j", i), "k", "", t0)
	}
	js := claimJobs(t, s, "a", t0, 5)
	for i, j := range js[:4] {
		end := t0.Add(time.Duration(i) * time.Second)
		var err error
		if i%2 == 0 {
			err = s.Jobs().Finish(ctx, j, end)
		} else {
			err = s.Jobs().Fail(ctx, j, "x", end)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// j0..j3 ended at t0+0..3 s; j4 is still running.
	n, err := s.Jobs().DeleteFinished(ctx, t0.Add(3*time.Second), 2)
	if err != nil || n != 2 {
		t.Fatalf("DeleteFinished = %d, %v; want 2 (limit)", n, err)
	}
	n, err = s.Jobs().DeleteFinished(ctx, t0.Add(3*time.Second), 10)
	if err != nil || n != 1 {
		t.Fatalf("second DeleteFinished = %d, %v; want 1 (j3 ended at the cut-off)", n, err)
	}
	counts, _ := s.Jobs().Count(ctx, "k")
	if fmt.Sprint(counts) != "map[failed:1 running:1]" {
		t.Fatalf("left = %v", counts)
	}
}

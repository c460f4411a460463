package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

func TestRunDueRunsEachJobOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		r := jobs.New(st, jobs.Options{})
		type payload struct{ N int }
		var seen []int
		r.Register("once", func(ctx context.Context, tx store.Store, j store.Job) error {
			var p payload
			if err := jobs.Decode(j, &p); err != nil {
				return err
			}
			seen = append(seen, p.N)
			return effect(ctx, tx, j.ID)
		}, jobs.Kind{})
		var idsOf []string
		for i := range 3 {
			idsOf = append(idsOf, enqueue(t, r, "once", payload{N: i}))
		}
		runDue(t, r, 3)
		runDue(t, r, 0)
		if fmt.Sprint(seen) != "[0 1 2]" {
			t.Fatalf("payloads seen %v", seen)
		}
		for _, id := range idsOf {
			if j := getJob(t, st, id); j.State != store.JobSucceeded || j.Attempts != 1 || effects(t, st, id) != 1 {
				t.Fatalf("job %+v, %d effects", j, effects(t, st, id))
			}
		}
		if _, err := r.Enqueue(bg, nil, "unregistered", nil); err == nil {
			t.Fatal("enqueue of an unregistered kind succeeded")
		}
	})
}

func TestEnqueueCommitsWithItsTransaction(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		r := jobs.New(st, jobs.Options{})
		r.Register("k", func(ctx context.Context, tx store.Store, j store.Job) error { return nil }, jobs.Kind{})
		boom := errors.New("request failed")
		var id string
		err := st.WithTx(bg, func(tx store.Store) error {
			var err error
			if id, err = r.Enqueue(bg, tx, "k", nil); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, err := st.Jobs().Get(bg, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("job of a rolled-back request: %v", err)
		}
		runDue(t, r, 0)
		// A key dedupes unfinished jobs.
		a, err := r.EnqueueKey(bg, nil, "k", "store-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := r.EnqueueKey(bg, nil, "k", "store-1", nil); err != nil || b != a {
			t.Fatalf("second EnqueueKey = %q, %v; want %q", b, err, a)
		}
		runDue(t, r, 1)
	})
}

func TestRetryWithBackoff(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		clk := newClock()
		r := jobs.New(st, jobs.Options{Now: clk.Now})
		var backoffs []int
		fails := 2
		r.Register("flaky", func(ctx context.Context, tx store.Store, j store.Job) error {
			if err := effect(ctx, tx, j.ID); err != nil {
				return err
			}
			if fails > 0 {
				fails--
				return errors.New("upstream unavailable")
			}
			return nil
		}, jobs.Kind{Backoff: func(attempt int) time.Duration {
			backoffs = append(backoffs, attempt)
			return time.Duration(attempt) * time.Minute
		}})
		id := enqueue(t, r, "flaky", nil)
		start := clk.Now()
		runDue(t, r, 1)
		j := getJob(t, st, id)
		if j.State != store.JobPending || !j.RunAt.Equal(start.Add(time.Minute)) || j.LastError != "upstream unavailable" || j.Attempts != 1 {
			t.Fatalf("after the first failure: %+v", j)
		}
		if n := effects(t, st, id); n != 0 {
			t.Fatalf("a failed step left %d effects", n)
		}
		runDue(t, r, 0) // not due yet
		clk.Advance(time.Minute)
		runDue(t, r, 1)
		if j := getJob(t, st, id); !j.RunAt.Equal(start.Add(3*time.Minute)) || j.Attempts != 2 {
			t.Fatalf("after the second failure: %+v (want RunAt +2 min from the failure)", j)
		}
		clk.Advance(time.Minute)
		runDue(t, r, 0)
		clk.Advance(time.Minute)
		runDue(t, r, 1)
		if j := getJob(t, st, id); j.State != store.JobSucceeded || j.Attempts != 3 {
			t.Fatalf("after the success: %+v", j)
		}
		if n := effects(t, st, id); n != 1 {
			t.Fatalf("%d effects, want 1", n)
		}
		if fmt.Sprint(backoffs) != "[1 2]" {
			t.Fatalf("back-off asked for attempts %v", backoffs)
		}
	})
}

func TestPoisonJobFailsAndGivesUpOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		r := jobs.New(st, jobs.Options{})
		var giveUps calls
		var causes []string
		onGiveUp := func(ctx context.Context, tx store.Store, j store.Job, cause error) error {
			giveUps.add(j.ID)
			causes = append(causes, cause.Error())
			_, err := tx.Settings().PutIfAbsent(ctx, "gave-up/"+j.ID, cause.Error())
			return err
		}
		noWait := func(int) time.Duration { return 0 }
		attempt := 0
		r.Register("poison", func(ctx context.Context, tx store.Store, j store.Job) error {
			attempt++
			if attempt == 2 {
				panic("handler bug")
			}
			return fmt.Errorf("bad record %d", attempt)
		}, jobs.Kind{MaxAttempts: 3, Backoff: noWait, OnGiveUp: onGiveUp})
		r.Register("permanent", func(ctx context.Context, tx store.Store, j store.Job) error {
			return jobs.Permanent(errors.New("account does not exist"))
		}, jobs.Kind{Backoff: noWait, OnGiveUp: onGiveUp})
		poison := enqueue(t, r, "poison", nil)
		perm := enqueue(t, r, "permanent", nil)
		runDue(t, r, 4) // 3 attempts + 1
		j := getJob(t, st, poison)
		if j.State != store.JobFailed || j.Attempts != 3 || j.LastError != "bad record 3" {
			t.Fatalf("poison job = %+v", j)
		}
		if j := getJob(t, st, perm); j.State != store.JobFailed || j.Attempts != 1 || j.LastError != "account does not exist" {
			t.Fatalf("permanent failure = %+v", j)
		}
		for _, id := range []string{poison, perm} {
			if giveUps.get(id) != 1 {
				t.Fatalf("OnGiveUp of %s ran %d times", id, giveUps.get(id))
			}
			if _, err := st.Settings().Get(bg, "gave-up/"+id); err != nil {
				t.Fatalf("OnGiveUp's write of %s: %v", id, err)
			}
		}
		runDue(t, r, 0)
		if !strings.Contains(strings.Join(causes, "|"), "account does not exist") {
			t.Fatalf("causes %v", causes)
		}
	})
}

// A give-up hook that fails leaves the job to be given up again later.
func TestGiveUpHookFailureRetries(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		clk := newClock()
		r := jobs.New(st, jobs.Options{Now: clk.Now})
		hookFails := true
		r.Register("k", func(ctx context.Context, tx store.Store, j store.Job) error {
			return errors.New("always")
		}, jobs.Kind{MaxAttempts: 1, Backoff: func(int) time.Duration { return time.Second },
			OnGiveUp: func(ctx context.Context, tx store.Store, j store.Job, cause error) error {
				if hookFails {
					return errors.New("hook down")
				}
				return nil
			}})
		id := enqueue(t, r, "k", nil)
		runDue(t, r, 1)
		if j := getJob(t, st, id); j.State != store.JobPending {
			t.Fatalf("after a failed hook: %+v", j)
		}
		hookFails = false
		clk.Advance(time.Second)
		runDue(t, r, 1)
		if j := getJob(t, st, id); j.State != store.JobFailed || j.LastError == "" {
			t.Fatalf("after the hook succeeded: %+v", j)
		}
	})
}

func TestErrAgainRunsBatchesInOneClaim(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		r := jobs.New(st, jobs.Options{})
		left := 5
		r.Register("batches", func(ctx context.Context, tx store.Store, j store.Job) error {
			if err := effect(ctx, tx, j.ID); err != nil {
				return err
			}
			left--
			if left > 0 {
				return jobs.ErrAgain
			}
			return nil
		}, jobs.Kind{MaxAttempts: 1})
		id := enqueue(t, r, "batches", nil)
		runDue(t, r, 1)
		if j := getJob(t, st, id); j.State != store.JobSucceeded || j.Attempts != 1 {
			t.Fatalf("job = %+v", j)
		}
		if n := effects(t, st, id); n != 5 {
			t.Fatalf("%d batches committed, want 5", n)
		}
	})
}

// A batch that fails after earlier batches committed keeps them; the retry
// continues from there.
func TestErrAgainKeepsCommittedBatches(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		clk := newClock()
		r := jobs.New(st, jobs.Options{Now: clk.Now})
		step := 0
		r.Register("batches", func(ctx context.Context, tx store.Store, j store.Job) error {
			step++
			if err := effect(ctx, tx, j.ID); err != nil {
				return err
			}
			switch {
			case step == 3:
				return errors.New("batch 3 failed")
			case step < 5:
				return jobs.ErrAgain
			}
			return nil
		}, jobs.Kind{Backoff: func(int) time.Duration { return time.Second }})
		id := enqueue(t, r, "batches", nil)
		runDue(t, r, 1)
		if n := effects(t, st, id); n != 2 {
			t.Fatalf("%d batches kept, want 2", n)
		}
		clk.Advance(time.Second)
		runDue(t, r, 1)
		if j := getJob(t, st, id); j.State != store.JobSucceeded || j.Attempts != 2 || effects(t, st, id) != 4 {
			t.Fatalf("job = %+v, %d effects; want succeeded after 4 committed batches", j, effects(t, st, id))
		}
	})
}

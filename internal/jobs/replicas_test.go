package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// A runner stopped while a step is blocked rolls the step back and hands
// the job back; a second runner on the same store completes it, once.
func TestStoppedRunnerHandsBackItsJob(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		entered := make(chan struct{}, 1)
		blocking := func(ctx context.Context, tx store.Store, j store.Job) error {
			if err := effect(ctx, tx, j.ID); err != nil {
				return err
			}
			entered <- struct{}{}
			<-ctx.Done() // the step is mid-way when the runner stops
			return ctx.Err()
		}
		a := jobs.New(st, jobs.Options{Owner: "a", Poll: 20 * time.Millisecond})
		a.Register("work", blocking, jobs.Kind{})
		id := enqueue(t, a, "work", nil)
		stopA := startRun(a)
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatal("runner a never started the job")
		}
		stopA()
		j := getJob(t, st, id)
		if j.State != store.JobPending || j.Attempts != 0 || j.LeaseOwner != "" {
			t.Fatalf("after a stopped: %+v, want pending, handed back", j)
		}
		if n := effects(t, st, id); n != 0 {
			t.Fatalf("the interrupted step left %d effects", n)
		}
		b := jobs.New(st, jobs.Options{Owner: "b"})
		b.Register("work", func(ctx context.Context, tx store.Store, j store.Job) error { return effect(ctx, tx, j.ID) }, jobs.Kind{})
		runDue(t, b, 1)
		if j := getJob(t, st, id); j.State != store.JobSucceeded || j.Attempts != 1 || effects(t, st, id) != 1 {
			t.Fatalf("after b: %+v, %d effects", j, effects(t, st, id))
		}
	})
}

// A runner that dies mid-step (its lease is never extended nor released)
// loses the job when the lease ends; another runner completes it once and
// the dead claim can no longer finish it.
func TestDeadRunnersJobIsTakenOverAfterItsLease(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		now := time.Now()
		b := jobs.New(st, jobs.Options{Owner: "b", Poll: 20 * time.Millisecond})
		b.Register("work", func(ctx context.Context, tx store.Store, j store.Job) error { return effect(ctx, tx, j.ID) }, jobs.Kind{})
		id := enqueue(t, b, "work", nil)
		dead, err := st.Jobs().Claim(bg, store.JobClaim{Owner: "dead", Kinds: []string{"work"}, Now: now,
			LeaseUntil: now.Add(300 * time.Millisecond), Limit: 1})
		if err != nil || len(dead) != 1 {
			t.Fatalf("claim = %v, %v", dead, err)
		}
		stop := startRun(b)
		defer stop()
		time.Sleep(150 * time.Millisecond)
		if j := getJob(t, st, id); j.LeaseOwner != "dead" {
			t.Fatalf("taken over before the lease ended: %+v", j)
		}
		waitFor(t, "b to complete the job", 10*time.Second, func() bool { return getJob(t, st, id).State == store.JobSucceeded })
		stop()
		if j := getJob(t, st, id); j.Attempts != 2 || effects(t, st, id) != 1 {
			t.Fatalf("job = %+v, %d effects", j, effects(t, st, id))
		}
		if err := st.Jobs().Finish(bg, dead[0], time.Now()); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("the dead claim's finish: %v, want ErrConflict", err)
		}
	})
}

// A step longer than the lease keeps its job: the lease is extended while
// it runs, so a second runner does not start it again.
func TestLongStepKeepsItsLease(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		var runs calls
		slow := func(ctx context.Context, tx store.Store, j store.Job) error {
			runs.add(j.ID)
			select {
			case <-time.After(900 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			return effect(ctx, tx, j.ID)
		}
		var rs []*jobs.Runner
		for _, owner := range []string{"a", "b"} {
			r := jobs.New(st, jobs.Options{Owner: owner, Lease: 300 * time.Millisecond, Poll: 20 * time.Millisecond})
			r.Register("slow", slow, jobs.Kind{})
			rs = append(rs, r)
		}
		id := enqueue(t, rs[0], "slow", nil)
		for _, r := range rs {
			defer startRun(r)()
		}
		waitFor(t, "the slow job", 10*time.Second, func() bool { return getJob(t, st, id).State == store.JobSucceeded })
		if runs.get(id) != 1 || effects(t, st, id) != 1 {
			t.Fatalf("ran %d times, %d effects; want 1", runs.get(id), effects(t, st, id))
		}
	})
}

// Two runners on one store drain a backlog: every job runs exactly once.
func TestTwoRunnersDrainABacklogOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		const n = 500
		var runs calls
		var mu sync.Mutex
		by := map[string]int{}
		var rs []*jobs.Runner
		for _, owner := range []string{"a", "b"} {
			r := jobs.New(st, jobs.Options{Owner: owner, Workers: 4, Poll: 20 * time.Millisecond})
			r.Register("item", func(ctx context.Context, tx store.Store, j store.Job) error {
				runs.add(j.ID)
				mu.Lock()
				by[owner]++
				mu.Unlock()
				return effect(ctx, tx, j.ID)
			}, jobs.Kind{})
			rs = append(rs, r)
		}
		var ids []string
		err := st.WithTx(bg, func(tx store.Store) error {
			for i := range n {
				id, err := rs[0].Enqueue(bg, tx, "item", map[string]int{"i": i})
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			defer startRun(r)()
		}
		waitFor(t, "the backlog to drain", 60*time.Second, func() bool {
			c, err := st.Jobs().Count(bg, "item")
			return err == nil && c[store.JobSucceeded] == n
		})
		for _, id := range ids {
			if e := effects(t, st, id); e != 1 || runs.get(id) != 1 {
				t.Fatalf("job %s: %d effects, %d runs; want 1", id, e, runs.get(id))
			}
		}
		mu.Lock()
		t.Logf("jobs run by owner: %v", by)
		mu.Unlock()
	})
}

// A periodic job runs once per interval across two runners: in each
// interval of a shared test clock both runners look for due work at the same
// moment, and exactly one of them runs the tick (no wall-clock timing).
func TestEveryRunsOncePerIntervalAcrossRunners(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		clk := newClock()
		var mu sync.Mutex
		by := map[string]int{}
		var rs []*jobs.Runner
		for _, owner := range []string{"a", "b"} {
			r := jobs.New(st, jobs.Options{Owner: owner, Now: clk.Now})
			r.Every("tick", time.Minute, func(ctx context.Context, tx store.Store, j store.Job) error {
				mu.Lock()
				defer mu.Unlock()
				by[owner]++
				return nil
			})
			rs = append(rs, r)
		}
		const intervals = 20
		for i := 0; i < intervals; i++ {
			var wg sync.WaitGroup
			ran := make([]int, len(rs))
			for k, r := range rs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := r.RunDue(bg)
					if err != nil {
						t.Errorf("runner %d: %v", k, err)
					}
					ran[k] = n
				}()
			}
			wg.Wait()
			if ran[0]+ran[1] != 1 {
				t.Fatalf("interval %d: the runners ran %v ticks, want 1 in all", i, ran)
			}
			runDue(t, rs[0], 0) // nothing more is due within the interval
			runDue(t, rs[1], 0)
			clk.Advance(time.Minute)
		}
		mu.Lock()
		defer mu.Unlock()
		if by["a"]+by["b"] != intervals {
			t.Fatalf("ticks by owner %v, want %d in all", by, intervals)
		}
		c, err := st.Jobs().Count(bg, "tick")
		if err != nil || fmt.Sprint(c) != "map[pending:1]" {
			t.Fatalf("rows of the periodic kind: %v, %v; want one", c, err)
		}
	})
}

// A periodic job that fails is retried at the next tick and never ends.
func TestEveryFailureWaitsForTheNextTick(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		clk := newClock()
		r := jobs.New(st, jobs.Options{Now: clk.Now})
		fail := true
		r.Every("sweep", time.Minute, func(ctx context.Context, tx store.Store, j store.Job) error {
			if fail {
				return errors.New("sweep failed")
			}
			return nil
		})
		for range 7 { // more than the default MaxAttempts
			runDue(t, r, 1)
			runDue(t, r, 0)
			clk.Advance(time.Minute)
		}
		c, _ := st.Jobs().Count(bg, "sweep")
		if fmt.Sprint(c) != "map[pending:1]" {
			t.Fatalf("periodic rows after failures: %v", c)
		}
		fail = false
		runDue(t, r, 1)
		runDue(t, r, 0)
	})
}

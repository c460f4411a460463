package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

var bg = context.Background()

// eachStore runs fn on a fresh store of every test dialect.
func eachStore(t *testing.T, fn func(t *testing.T, st store.Store)) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) { fn(t, sqltest.Open(t, d).Store()) })
	}
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// effect records, in tx, one committed effect of job id: it fills the first
// free slot "effect/<id>/<n>". A step that rolls back leaves no slot, so
// the filled slots count exactly the committed effects.
func effect(ctx context.Context, tx store.Store, id string) error {
	token := ids.Generator{}.Hex(8)
	for n := 1; ; n++ {
		v, err := tx.Settings().PutIfAbsent(ctx, fmt.Sprintf("effect/%s/%d", id, n), token)
		if err != nil {
			return err
		}
		if v == token {
			return nil
		}
	}
}

// effects counts the committed effects of job id.
func effects(t *testing.T, st store.Store, id string) int {
	t.Helper()
	for n := 1; ; n++ {
		_, err := st.Settings().Get(bg, fmt.Sprintf("effect/%s/%d", id, n))
		if errors.Is(err, store.ErrNotFound) {
			return n - 1
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func getJob(t *testing.T, st store.Store, id string) store.Job {
	t.Helper()
	j, err := st.Jobs().Get(bg, id)
	if err != nil {
		t.Fatalf("get job %s: %v", id, err)
	}
	return j
}

func enqueue(t *testing.T, r *jobs.Runner, kind string, payload any) string {
	t.Helper()
	id, err := r.Enqueue(bg, nil, kind, payload)
	if err != nil {
		t.Fatalf("enqueue %s: %v", kind, err)
	}
	return id
}

func runDue(t *testing.T, r *jobs.Runner, want int) {
	t.Helper()
	n, err := r.RunDue(bg)
	if err != nil || n != want {
		t.Fatalf("RunDue = %d, %v; want %d", n, err, want)
	}
}

// calls counts handler invocations per job id.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[id]++
	return c.n[id]
}

func (c *calls) get(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startRun runs r.Run until the returned stop is called; stop waits for Run
// to return.
func startRun(r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			cancel()
			<-done
		}
	}
}

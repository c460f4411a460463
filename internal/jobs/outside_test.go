package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// Outside runs before each step, outside its transaction: its failure is a
// failed attempt (retried, then OnGiveUp), the handler runs only after it
// succeeded, and a panic is an error.
func TestOutsideStep(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		clk := newClock()
		r := jobs.New(st, jobs.Options{Now: clk.Now})
		outside, handled, gaveUp := 0, 0, 0
		fails := 1
		r.Register("mail", func(ctx context.Context, tx store.Store, j store.Job) error {
			handled++
			return nil
		}, jobs.Kind{MaxAttempts: 2, Backoff: func(int) time.Duration { return time.Minute },
			Outside: func(ctx context.Context, j store.Job) error {
				outside++
				// No transaction is open: a write of its own commits at once.
				if _, err := st.Settings().PutIfAbsent(ctx, "outside/"+j.ID, "x"); err != nil {
					return err
				}
				if fails > 0 {
					fails--
					return errors.New("smtp down")
				}
				return nil
			}})
		r.Register("never", func(ctx context.Context, tx store.Store, j store.Job) error {
			handled++
			return nil
		}, jobs.Kind{MaxAttempts: 1,
			Outside: func(ctx context.Context, j store.Job) error { panic("boom") },
			OnGiveUp: func(ctx context.Context, tx store.Store, j store.Job, cause error) error {
				gaveUp++
				return nil
			}})
		id := enqueue(t, r, "mail", nil)
		runDue(t, r, 1)
		if j := getJob(t, st, id); j.State != store.JobPending || j.LastError != "smtp down" || outside != 1 || handled != 0 {
			t.Fatalf("after a failed outside step: %+v, outside %d, handled %d", j, outside, handled)
		}
		clk.Advance(time.Minute)
		runDue(t, r, 1)
		if j := getJob(t, st, id); j.State != store.JobSucceeded || outside != 2 || handled != 1 {
			t.Fatalf("after the success: %+v, outside %d, handled %d", j, outside, handled)
		}
		id = enqueue(t, r, "never", nil)
		runDue(t, r, 1)
		if j := getJob(t, st, id); j.State != store.JobFailed || gaveUp != 1 || handled != 1 {
			t.Fatalf("a panicking outside step: %+v, gave up %d, handled %d", j, gaveUp, handled)
		}
	})
}

package jobs_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/cputime"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// BenchmarkThroughput drains b.N jobs with an empty handler and reports
// jobs/s (enqueueing is not timed; the store is asked whether all are done
// only once the handler has seen every job).
func BenchmarkThroughput(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		for _, workers := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/workers=%d", sqltest.Name(d), workers), func(b *testing.B) {
				st := sqltest.Open(b, d).Store()
				r := jobs.New(st, jobs.Options{Workers: workers})
				var handled atomic.Int64
				r.Register("empty", func(context.Context, store.Store, store.Job) error { handled.Add(1); return nil }, jobs.Kind{})
				for done := 0; done < b.N; {
					err := st.WithTx(bg, func(tx store.Store) error {
						for i := 0; i < 1000 && done < b.N; i++ {
							if _, err := r.Enqueue(bg, tx, "empty", nil); err != nil {
								return err
							}
							done++
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				start := time.Now()
				ctx, cancel := context.WithCancel(bg)
				finished := make(chan struct{})
				go func() { r.Run(ctx); close(finished) }()
				// Poll the store only once every job has been handled: a
				// Count every millisecond would compete with the runner.
				for handled.Load() < int64(b.N) {
					time.Sleep(time.Millisecond)
				}
				for {
					c, err := st.Jobs().Count(bg, "empty")
					if err != nil {
						b.Fatal(err)
					}
					if c[store.JobSucceeded] == b.N {
						break
					}
					time.Sleep(time.Millisecond)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				cancel()
				<-finished
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
			})
		}
	}
}

// TestIdleCost measures the CPU time a runner with nothing to do spends
// over 10 s (IIC_MEASURE=1 only; it logs, it asserts nothing).
func TestIdleCost(t *testing.T) {
	if os.Getenv("IIC_MEASURE") != "1" {
		t.Skip("set IIC_MEASURE=1 to measure")
	}
	eachStore(t, func(t *testing.T, st store.Store) {
		r := jobs.New(st, jobs.Options{})
		r.Register("work", func(context.Context, store.Store, store.Job) error { return nil }, jobs.Kind{})
		r.Every("hourly", time.Hour, func(context.Context, store.Store, store.Job) error { return nil })
		if _, err := r.RunDue(bg); err != nil { // the periodic row, then nothing due
			t.Fatal(err)
		}
		const span = 10 * time.Second
		before := cputime.Process()
		stop := startRun(r)
		time.Sleep(span)
		stop()
		used := cputime.Process() - before
		t.Logf("idle runner: %v CPU in %v (%.3f%% of one core)", used.Round(time.Microsecond), span, 100*used.Seconds()/span.Seconds())
	})
}

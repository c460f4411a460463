package main

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iic-project/iic/internal/cputime"
)

// op sends one request (or one unit of work) of a worker; it returns an
// error for an answer that does not count as a success (after a response:
// the latency still counts) and ok=false when no response came at all.
type op func() (responded bool, err error)

// load runs conc workers, each calling the op newWorker made for it, until
// dur has passed or max ops were started, and prints one line:
// requests=… errors=… elapsed=… rps=… p50=… p90=… p99=… max=… client-cpu-us=…,
// the last the load program's own CPU time (user + system) per answer
// during the timed part. rps counts successes only. It returns false when
// nothing succeeded.
func load(conc int, dur time.Duration, max int, newWorker func(w int) op) bool {
	ops := make([]op, conc)
	for w := range ops {
		ops[w] = newWorker(w)
	}
	var started, failed, failedAnswers atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, conc)
	cpu0 := cputime.Process()
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			for time.Now().Before(deadline) && started.Add(1) <= int64(max) {
				t0 := time.Now()
				responded, err := ops[w]()
				if responded {
					lat[w] = append(lat[w], time.Since(t0))
				}
				if err != nil {
					failed.Add(1)
					if responded {
						failedAnswers.Add(1)
					}
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		})
	}
	wg.Wait()
	return report(lat, failed.Load(), failedAnswers.Load(), time.Since(start), cputime.Process()-cpu0, firstErr.Load())
}

// report prints throughput (successes per second) and latency percentiles
// (of every answer); failed counts every error, failedAnswers those that
// came with an answer. It returns false if nothing succeeded.
func report(lat [][]time.Duration, failed, failedAnswers int64, elapsed, cpu time.Duration, firstErr any) bool {
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) == 0 {
		if firstErr != nil {
			fmt.Printf("first error: %s\n", firstErr)
		}
		return false
	}
	ok := int64(len(all)) - failedAnswers
	pct := func(p float64) time.Duration { return all[int(float64(len(all)-1)*p)] }
	rps := float64(ok) / elapsed.Seconds()
	prec := 0
	if rps < 100 {
		prec = 1
	}
	fmt.Printf("requests=%d errors=%d elapsed=%s rps=%.*f p50=%s p90=%s p99=%s max=%s client-cpu-us=%d\n",
		len(all), failed, elapsed.Round(time.Millisecond), prec, rps,
		pct(0.5), pct(0.9), pct(0.99), all[len(all)-1], cpu.Microseconds()/int64(len(all)))
	if firstErr != nil {
		fmt.Printf("first error: %s\n", firstErr)
	}
	return ok > 0
}

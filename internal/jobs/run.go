package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// errLeaseLost means the job's claim no longer holds: another claimer took
// it over after the lease expired. The step was rolled back.
var errLeaseLost = errors.New("jobs: lease lost")

// minSleep bounds the loop's sleep from below when a due job could not be
// claimed (locked by another replica's claim in flight), so it never spins.
const minSleep = 50 * time.Millisecond

// releaseTimeout bounds the write that hands a job back when Run stops.
const releaseTimeout = 5 * time.Second

func (r *Runner) now() time.Time { return r.opt.Now().UTC() }

// Run claims and runs due jobs until ctx ends, then waits for the steps in
// flight: each finishes or rolls back (its job is handed back for the next
// claimer). It sleeps until the earliest due job, a Kick, or Poll,
// whichever comes first.
func (r *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	done := make(chan struct{}, r.opt.Workers)
	inflight, ensured := 0, false
	for ctx.Err() == nil {
		if !ensured {
			ensured = r.ensurePeriodic(ctx) == nil
		}
		failed := false
		for inflight < r.opt.Workers {
			want := r.opt.Workers - inflight
			js, err := r.claim(ctx, want)
			if err != nil {
				if ctx.Err() == nil {
					r.opt.Log.Warn("job claim failed", "owner", r.opt.Owner, "err", err.Error())
				}
				failed = true
				break
			}
			for _, j := range js {
				inflight++
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.work(ctx, j)
					done <- struct{}{}
				}()
			}
			if len(js) < want {
				break
			}
		}
		wait := r.opt.Poll
		if inflight < r.opt.Workers && !failed {
			if due, ok, err := r.st.Jobs().NextDue(ctx, r.kindNames()); err == nil && ok {
				wait = max(min(wait, due.Sub(r.now())), minSleep)
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-r.kick:
		case <-done:
			inflight--
		case <-timer.C:
		}
		timer.Stop()
		for drained := false; !drained; { // count every step that ended meanwhile
			select {
			case <-done:
				inflight--
			default:
				drained = true
			}
		}
	}
	return nil
}

// RunDue runs every job due now, synchronously, one at a time, until none
// is due, and returns how many claims it ran (tests, CLI).
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	if err := r.ensurePeriodic(ctx); err != nil {
		return 0, err
	}
	n := 0
	for {
		js, err := r.claim(ctx, 1)
		if err != nil || len(js) == 0 {
			return n, err
		}
		r.work(ctx, js[0])
		n++
	}
}

// ensurePeriodic makes sure every periodic kind has its row.
func (r *Runner) ensurePeriodic(ctx context.Context) error {
	for _, name := range r.kindNames() {
		k, _ := r.lookup(name)
		if k.interval <= 0 {
			continue
		}
		if _, err := r.EnqueueKey(ctx, nil, name, periodicKey, nil); err != nil {
			r.opt.Log.Warn("periodic job not scheduled", "kind", name, "err", err.Error())
			return err
		}
	}
	return nil
}

func (r *Runner) claim(ctx context.Context, n int) ([]store.Job, error) {
	now := r.now()
	return r.st.Jobs().Claim(ctx, store.JobClaim{Owner: r.opt.Owner, Kinds: r.kindNames(), Now: now,
		LeaseUntil: now.Add(r.opt.Lease), Limit: n})
}

// work runs the claimed job j's steps until it ends, fails, or its lease
// is lost, extending the lease meanwhile.
func (r *Runner) work(ctx context.Context, j store.Job) {
	k, ok := r.lookup(j.Kind)
	if !ok { // cannot happen: only registered kinds are claimed
		return
	}
	if k.interval == 0 && j.Attempts > k.MaxAttempts {
		// Earlier claims never ended (the runner died or lost its lease).
		cause := fmt.Errorf("gave up after %d attempts (the last ones never ended); last error: %s", j.Attempts-1, j.LastError)
		r.giveUp(ctx, k, j, cause)
		return
	}
	stepCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	extended := r.extendLease(stepCtx, cancel, j)
	defer func() { cancel(); <-extended }()
	for {
		err := r.step(stepCtx, k, j)
		switch {
		case err == nil:
			return
		case errors.Is(err, ErrAgain):
			continue
		case errors.Is(err, errLeaseLost) || (stepCtx.Err() != nil && ctx.Err() == nil):
			r.opt.Log.Warn("job lease lost; another runner took it over", "kind", j.Kind, "id", j.ID, "attempt", j.Attempts)
			return
		case ctx.Err() != nil:
			r.release(ctx, j)
			return
		default:
			r.failed(ctx, k, j, err)
			return
		}
	}
}

// step runs one handler step and ends it in the same transaction.
func (r *Runner) step(ctx context.Context, k *kind, j store.Job) error {
	if k.Outside != nil {
		if err := callOutside(ctx, k.Outside, j); err != nil {
			return err
		}
	}
	again := false
	err := r.st.WithTx(ctx, func(tx store.Store) error {
		if err := call(ctx, k.handler, tx, j); err != nil {
			if !errors.Is(err, ErrAgain) {
				return err
			}
			again = true
		}
		now := r.now()
		var end error
		switch {
		case again:
			end = tx.Jobs().Extend(ctx, j, now.Add(r.opt.Lease), now)
		case k.interval > 0:
			end = tx.Jobs().Reschedule(ctx, j, now.Add(k.interval), now)
		default:
			end = tx.Jobs().Finish(ctx, j, now)
		}
		if errors.Is(end, store.ErrConflict) {
			return errLeaseLost
		}
		return end
	})
	if err == nil && again {
		return ErrAgain
	}
	return err
}

// call runs h, turning a panic into an error.
func call(ctx context.Context, h Handler, tx store.Store, j store.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(ctx, tx, j)
}

// callOutside runs a kind's Outside, turning a panic into an error.
func callOutside(ctx context.Context, f func(context.Context, store.Job) error, j store.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("outside step panicked: %v", p)
		}
	}()
	return f(ctx, j)
}

// extendLease extends j's lease every Lease/3 until ctx ends; when the
// lease is lost it calls lost. The returned channel closes when it stops.
func (r *Runner) extendLease(ctx context.Context, lost context.CancelFunc, j store.Job) <-chan struct{} {
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(r.opt.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now := r.now()
			err := r.st.Jobs().Extend(ctx, j, now.Add(r.opt.Lease), now)
			if errors.Is(err, store.ErrConflict) {
				lost()
				return
			}
			if err != nil && ctx.Err() == nil {
				r.opt.Log.Warn("job lease not extended", "kind", j.Kind, "id", j.ID, "err", err.Error())
			}
		}
	}()
	return stopped
}

// failed records a failed step: a retry after the back-off, or the end.
func (r *Runner) failed(ctx context.Context, k *kind, j store.Job, cause error) {
	msg := truncate(cause.Error())
	giveUp := k.interval == 0 && (IsPermanent(cause) || j.Attempts >= k.MaxAttempts)
	r.opt.Log.Warn("job failed", "kind", j.Kind, "id", j.ID, "attempt", j.Attempts, "max_attempts", k.MaxAttempts,
		"gave_up", giveUp, "err", msg)
	if giveUp {
		r.giveUp(ctx, k, j, cause)
		return
	}
	delay := k.Backoff(j.Attempts)
	if k.interval > 0 {
		delay = k.interval
	}
	now := r.now()
	if err := r.st.Jobs().Retry(ctx, j, now.Add(delay), msg, now); err != nil {
		r.opt.Log.Warn("job retry not recorded", "kind", j.Kind, "id", j.ID, "err", err.Error())
	}
}

// giveUp ends j as failed and runs OnGiveUp, in one transaction. If that
// fails the job is retried after the back-off and given up again then.
func (r *Runner) giveUp(ctx context.Context, k *kind, j store.Job, cause error) {
	msg := truncate(cause.Error())
	err := r.st.WithTx(ctx, func(tx store.Store) error {
		if err := tx.Jobs().Fail(ctx, j, msg, r.now()); err != nil {
			return err
		}
		if k.OnGiveUp == nil {
			return nil
		}
		return call(ctx, func(ctx context.Context, tx store.Store, j store.Job) error { return k.OnGiveUp(ctx, tx, j, cause) }, tx, j)
	})
	if err == nil || errors.Is(err, store.ErrConflict) || ctx.Err() != nil {
		return
	}
	r.opt.Log.Warn("job give-up hook failed", "kind", j.Kind, "id", j.ID, "attempt", j.Attempts, "err", err.Error())
	now := r.now()
	if err := r.st.Jobs().Retry(ctx, j, now.Add(k.Backoff(j.Attempts)), msg, now); err != nil {
		r.opt.Log.Warn("job retry not recorded", "kind", j.Kind, "id", j.ID, "err", err.Error())
	}
}

// release hands j back when Run stops mid-step (the step rolled back).
func (r *Runner) release(ctx context.Context, j store.Job) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := r.st.Jobs().Release(rctx, j, r.now()); err != nil && !errors.Is(err, store.ErrConflict) {
		r.opt.Log.Warn("job not handed back; it runs again when its lease ends", "kind", j.Kind, "id", j.ID, "err", err.Error())
	}
}

func truncate(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	return s[:maxErrorLen] + "…"
}

func marshal(payload any) ([]byte, error) {
	if payload == nil {
		return []byte("null"), nil
	}
	return json.Marshal(payload)
}

// Decode unmarshals a job's JSON payload into v (for handlers); a payload
// that does not decode is a Permanent error.
func Decode(j store.Job, v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return Permanent(fmt.Errorf("payload of %s job %s: %w", j.Kind, j.ID, err))
	}
	return nil
}

// Batches makes a handler of a sweep that deletes up to limit rows per
// call: each step deletes one batch, and a full batch means more may be
// left, so the job runs again at once.
func Batches(limit int, sweep func(ctx context.Context, tx store.Store, limit int) (int, error)) Handler {
	return func(ctx context.Context, tx store.Store, _ store.Job) error {
		n, err := sweep(ctx, tx, limit)
		if err == nil && n >= limit {
			return ErrAgain
		}
		return err
	}
}

// PruneJob is the periodic job that deletes finished jobs (see
// PruneFinished).
const PruneJob = "jobs.prune"

// PruneFinished makes a handler that deletes succeeded and failed jobs
// last updated more than keep ago, 5,000 per step.
func (r *Runner) PruneFinished(keep time.Duration) Handler {
	return Batches(5000, func(ctx context.Context, tx store.Store, limit int) (int, error) {
		return tx.Jobs().DeleteFinished(ctx, r.now().Add(-keep), limit)
	})
}

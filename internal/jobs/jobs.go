// Package jobs is the durable job runner: every piece of background work
// (identity-store purges, sweeps, account assignments, provisioning, mail)
// is a row of store.Jobs, enqueued in the transaction of the request that
// made it and run by whichever replica claims it first.
//
// Contract:
//   - a job is claimed with a lease (Options.Lease, extended while a step
//     runs); a replica that dies loses its jobs to the next claimer when the
//     lease ends;
//   - each step runs its Handler inside one store transaction, and the job
//     is marked succeeded in that same transaction after its lease is
//     re-checked, so a step's writes commit exactly once or not at all;
//   - a failed step is retried after Kind.Backoff, up to Kind.MaxAttempts
//     claims; then (or at once for a Permanent error) the job ends failed and
//     Kind.OnGiveUp runs;
//   - payloads are JSON, decoded by handlers; they must never hold secrets
//     (they are stored in clear). Failures are logged with kind, id and
//     attempt, never the payload.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/store"
)

// Handler runs one step of a job inside a store transaction tx; the runner
// marks the job succeeded in the same transaction (after re-checking its
// lease), so a step's writes commit exactly once or not at all. Handlers
// write through tx only (on SQLite another write would wait for tx
// forever).
type Handler func(ctx context.Context, tx store.Store, job store.Job) error

// ErrAgain, returned by a handler, commits this step and runs the job
// again at once (work done in batches). It does not count as an attempt.
var ErrAgain = errors.New("jobs: run again")

// permanent marks an error that must not be retried.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err as a handler error that must not be retried: the job
// ends failed at once and OnGiveUp runs.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was made by Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Kind configures a job kind.
type Kind struct {
	MaxAttempts int                             // default 5
	Backoff     func(attempt int) time.Duration // default exponential from 1 s, capped at 5 min, jittered
	// OnGiveUp runs in its own transaction when the job ends failed
	// (attempts exhausted or Permanent), so the domain record it served
	// (e.g. an assignment request) can be marked FAILED with a reason. It
	// runs once: the job's end and OnGiveUp's writes commit together.
	OnGiveUp func(ctx context.Context, tx store.Store, job store.Job, cause error) error
	// Outside, if set, runs before each step's transaction, outside any
	// (work that must not hold one open, such as delivering an e-mail);
	// its error fails the step as the handler's would, and the handler
	// runs only after it succeeded. A step whose transaction then fails
	// runs Outside again at its retry: its work happens at least once.
	Outside func(ctx context.Context, job store.Job) error
}

// Options configure a Runner; zero fields take the defaults.
type Options struct {
	Owner   string        // lease owner id; default hostname-pid-random
	Workers int           // steps run at once; default 4
	Lease   time.Duration // default 30 s, extended every Lease/3 while a step runs
	Poll    time.Duration // longest sleep, to see jobs other replicas enqueued; default 2 s
	Log     *slog.Logger  // default: discard
	Now     func() time.Time
	IDs     ids.Generator
}

// DefaultBackoff is 1 s · 2^(attempt-1), capped at 5 min, with "equal
// jitter" (uniform in [d/2, d]).
func DefaultBackoff(attempt int) time.Duration {
	d := time.Second
	for i := 1; i < attempt && d < 5*time.Minute; i++ {
		d *= 2
	}
	d = min(d, 5*time.Minute)
	return d/2 + rand.N(d/2+1)
}

// kind is a registered kind.
type kind struct {
	Kind
	handler  Handler
	interval time.Duration // > 0: a periodic kind (Every)
}

// Runner claims and runs jobs of the kinds registered on it.
type Runner struct {
	st    store.Store
	opt   Options
	mu    sync.RWMutex
	kinds map[string]*kind
	names []string
	kick  chan struct{}
}

// periodicKey is the key of the one row of a periodic kind.
const periodicKey = "every"

// maxErrorLen bounds the stored LastError.
const maxErrorLen = 2000

// New returns a runner on st. Register kinds before Run.
func New(st store.Store, opt Options) *Runner {
	if opt.Owner == "" {
		opt.Owner = DefaultOwner(ids.Generator{}) // crypto/rand: unique even when opt.IDs is seeded
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.Lease <= 0 {
		opt.Lease = 30 * time.Second
	}
	if opt.Poll <= 0 {
		opt.Poll = 2 * time.Second
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Runner{st: st, opt: opt, kinds: map[string]*kind{}, kick: make(chan struct{}, 1)}
}

// DefaultOwner is hostname-pid-random: unique per runner, readable in the
// table.
func DefaultOwner(g ids.Generator) string {
	host, _ := os.Hostname()
	if host == "" {
		host = "host"
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), g.Hex(4))
}

// Owner is the runner's lease owner id.
func (r *Runner) Owner() string { return r.opt.Owner }

// Register adds a kind; registering a name twice panics (a wiring bug).
func (r *Runner) Register(name string, h Handler, k Kind) {
	r.register(name, &kind{Kind: k, handler: h})
}

// Every registers a durable periodic job: one row per kind, claimed like
// any job, so one replica runs each tick. It first runs when the runner
// starts (unless another replica ran it less than interval ago), then
// interval after each run ends; a failed run is retried at the next tick
// and never gives up.
func (r *Runner) Every(name string, interval time.Duration, h Handler) {
	if interval <= 0 {
		panic("jobs: Every needs a positive interval: " + name)
	}
	r.register(name, &kind{handler: h, interval: interval})
}

func (r *Runner) register(name string, k *kind) {
	if k.MaxAttempts <= 0 {
		k.MaxAttempts = 5
	}
	if k.Backoff == nil {
		k.Backoff = DefaultBackoff
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.kinds[name]; dup {
		panic("jobs: kind registered twice: " + name)
	}
	r.kinds[name] = k
	r.names = append(r.names, name)
}

func (r *Runner) lookup(name string) (*kind, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.kinds[name]
	return k, ok
}

func (r *Runner) kindNames() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]string(nil), r.names...)
}

// Enqueue stores a job of kind in tx (nil = its own write), due now, and
// returns its id. Call Kick after tx committed to start it at once.
func (r *Runner) Enqueue(ctx context.Context, tx store.Store, kind string, payload any) (string, error) {
	return r.EnqueueKey(ctx, tx, kind, "", payload)
}

// EnqueueKey is Enqueue with a key unique among the kind's unfinished
// jobs: when such a job exists nothing is stored and its id is returned.
func (r *Runner) EnqueueKey(ctx context.Context, tx store.Store, kind, key string, payload any) (string, error) {
	k, ok := r.lookup(kind)
	if !ok {
		return "", fmt.Errorf("jobs: enqueue of unregistered kind %q", kind)
	}
	body, err := marshal(payload)
	if err != nil {
		return "", fmt.Errorf("jobs: payload of %s: %w", kind, err)
	}
	if tx == nil {
		tx = r.st
	}
	now := r.opt.Now().UTC()
	return tx.Jobs().Enqueue(ctx, store.Job{ID: "job-" + r.opt.IDs.Hex(12), Kind: kind, Key: key, Payload: body,
		MaxAttempts: k.MaxAttempts, RunAt: now, CreatedAt: now})
}

// Kick wakes the local loop (call after the enqueuing tx committed).
func (r *Runner) Kick() {
	select {
	case r.kick <- struct{}{}:
	default: // a wake-up is already pending
	}
}

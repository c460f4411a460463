package store

import (
	"context"
	"time"
)

// JobState is where a job is in its life: pending → running → succeeded,
// or back to pending (retry), or failed (terminal).
type JobState string

const (
	JobPending   JobState = "pending"   // waiting for RunAt
	JobRunning   JobState = "running"   // claimed by LeaseOwner until LeaseUntil
	JobSucceeded JobState = "succeeded" // finished; kept until DeleteFinished
	JobFailed    JobState = "failed"    // gave up; LastError says why
)

// Job is one unit of durable background work. Payloads are JSON chosen by
// the job's kind; they may hold ids but never secrets (they are stored in
// clear and may be logged by an operator inspecting the table).
type Job struct {
	ID   string
	Kind string
	// Key, when not empty, is unique among the kind's unfinished (pending
	// or running) jobs; "" = no key.
	Key         string
	Payload     []byte
	State       JobState
	Attempts    int // how many times the job was claimed
	MaxAttempts int
	RunAt       time.Time // not before
	LeaseOwner  string    // "" unless running
	LeaseUntil  time.Time // zero unless running
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// JobClaim asks for up to Limit due jobs of the given kinds for Owner.
type JobClaim struct {
	Owner      string
	Kinds      []string // only jobs of these kinds; empty = none
	Now        time.Time
	LeaseUntil time.Time
	Limit      int
}

// Jobs is the durable job queue shared by every replica on one database.
//
// A claimed job (as Claim returned it) is the caller's token: Extend,
// Finish, Retry, Release and Fail act only while the stored job is still
// running under the same claim (same LeaseOwner and Attempts), and return
// ErrConflict otherwise (the lease expired and another claimer, or a later
// claim of the same owner, took the job over, or it already ended). Called
// on a transaction's Store they commit or vanish with it, so a step's
// writes and the job's end are one atomic change.
type Jobs interface {
	// Enqueue stores j as pending (Attempts 0, no lease; State, Attempts,
	// lease fields and UpdatedAt of j are ignored) and returns its id. When
	// j.Key is not empty and the kind already has an unfinished job with
	// that key, nothing is stored and the existing job's id is returned
	// (not an error). Works inside WithTx.
	Enqueue(ctx context.Context, j Job) (id string, err error)
	// Claim marks up to c.Limit due jobs of c.Kinds as running under
	// c.Owner until c.LeaseUntil, increments their Attempts and returns
	// them, earliest due first. Due means pending with RunAt ≤ c.Now, or
	// running with a lease that expired (LeaseUntil ≤ c.Now). Concurrent
	// claimers never get the same job.
	Claim(ctx context.Context, c JobClaim) ([]Job, error)
	// Extend moves the claim's lease to until.
	Extend(ctx context.Context, j Job, until, now time.Time) error
	// Finish marks the claimed job succeeded.
	Finish(ctx context.Context, j Job, now time.Time) error
	// Retry puts the claimed job back to pending, due at runAt, recording
	// lastError.
	Retry(ctx context.Context, j Job, runAt time.Time, lastError string, now time.Time) error
	// Release puts the claimed job back to pending, due at now, as if this
	// claim had not happened (Attempts is decremented; LastError kept):
	// for a runner that stops before the step could end.
	Release(ctx context.Context, j Job, now time.Time) error
	// Reschedule puts the claimed job back to pending, due at runAt, with
	// Attempts 0 and no LastError: the next round of a periodic job.
	Reschedule(ctx context.Context, j Job, runAt, now time.Time) error
	// Fail ends the claimed job as failed with lastError.
	Fail(ctx context.Context, j Job, lastError string, now time.Time) error
	// NextDue returns when the earliest unfinished job of kinds becomes
	// claimable (its RunAt, or its lease's end when running), and false
	// when there is none.
	NextDue(ctx context.Context, kinds []string) (time.Time, bool, error)
	// Get returns the job with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Job, error)
	// Count returns how many jobs of kind ("" = every kind) are in each
	// state; states without jobs are absent.
	Count(ctx context.Context, kind string) (map[JobState]int, error)
	// DeleteFinished deletes up to limit succeeded or failed jobs last
	// updated before before, and returns how many it deleted.
	DeleteFinished(ctx context.Context, before time.Time, limit int) (int, error)
}

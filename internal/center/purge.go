package center

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// PurgeBatch is how many users (then groups) one purge step deletes: one
// short write transaction each, so other writers interleave.
const PurgeBatch = 5000

// Job kinds of the identity-store purge.
const (
	// PurgeJob deletes one identity store's rows, a PurgeBatch per step
	// (payload purgePayload; key = the identity store id).
	PurgeJob = "identitystore.purge"
	// PurgeScanJob enqueues a PurgeJob for every store in the purge queue
	// that has none: purges queued by builds before the job runner, and
	// purges whose job gave up (the queue entry outlives it).
	PurgeScanJob = "identitystore.purge-scan"
	// PurgeScanInterval is how often PurgeScanJob runs (and it runs at
	// start).
	PurgeScanInterval = time.Minute
)

// purgeMaxAttempts bounds the retries of one purge job; the next scan
// enqueues a new one if it gives up.
const purgeMaxAttempts = 10

type purgePayload struct {
	IdentityStoreID string `json:"identity_store_id"`
}

// RegisterJobs registers the purge job kinds on r, which Delete then uses.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	s.Jobs = r
	r.Register(PurgeJob, purgeStep, jobs.Kind{MaxAttempts: purgeMaxAttempts})
	r.Every(PurgeScanJob, PurgeScanInterval, s.scanPurges)
}

// purgeStep deletes one batch of the job's identity store and asks to run
// again until the store is gone.
func purgeStep(ctx context.Context, tx store.Store, j store.Job) error {
	var p purgePayload
	if err := jobs.Decode(j, &p); err != nil {
		return err
	}
	done, err := tx.Instances().PurgeStep(ctx, p.IdentityStoreID, PurgeBatch)
	switch {
	case err != nil:
		return err
	case !done:
		return jobs.ErrAgain
	}
	return nil
}

// scanPurges enqueues a purge job for every queued store (a no-op for a
// store whose job is pending or running).
func (s *Service) scanPurges(ctx context.Context, tx store.Store, _ store.Job) error {
	pending, err := tx.Instances().PendingPurges(ctx)
	if err != nil {
		return err
	}
	for _, id := range pending {
		if err := s.enqueuePurge(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) enqueuePurge(ctx context.Context, tx store.Store, identityStoreID string) error {
	_, err := s.Jobs.EnqueueKey(ctx, tx, PurgeJob, identityStoreID, purgePayload{IdentityStoreID: identityStoreID})
	return err
}

package signin

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// SweepJob deletes expired sign-in challenges and failure records without
// a failure for the lockout's ResetAfter (and no lock in force).
const SweepJob = "signin.sweep"

// RegisterJobs registers the sign-in state's periodic sweep and the reset
// mails (ResetMailJob) on r, which RequestPasswordReset then uses.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	s.Jobs = r
	r.Every(SweepJob, time.Minute, jobs.Batches(5000, s.Sweep))
	s.registerResetMail(r)
}

// Sweep deletes, through tx, up to limit expired challenges and up to limit
// stale failure records, and returns how many rows went.
func (s *Service) Sweep(ctx context.Context, tx store.Store, limit int) (int, error) {
	now := s.now()
	n, err := tx.SignIns().DeleteExpiredChallenges(ctx, now, limit)
	if err != nil {
		return n, err
	}
	m, err := tx.SignIns().DeleteStaleFailures(ctx, now.Add(-s.Lockout.withDefaults().ResetAfter), now, limit)
	return n + m, err
}

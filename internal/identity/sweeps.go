package identity

import (
	"time"

	"github.com/iic-project/iic/internal/jobs"
)

// Periodic clean-up jobs of the identity store.
const (
	// SessionSweepJob deletes expired portal sessions and MFA
	// registration links.
	SessionSweepJob = "identity.session-sweep"
	// TokenSweepJob deletes expired e-mailed one-time tokens.
	TokenSweepJob = "identity.token-sweep"
	// SessionSweepInterval and TokenSweepInterval are how often they run
	// (each finds expired rows through an expiry index).
	SessionSweepInterval = time.Minute
	TokenSweepInterval   = time.Minute
)

// sweepBatch is how many rows one sweep step deletes per table.
const sweepBatch = 5000

// RegisterJobs registers the identity store's periodic sweeps on r.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.Every(SessionSweepJob, SessionSweepInterval, jobs.Batches(sweepBatch, s.SweepSessions))
	r.Every(TokenSweepJob, TokenSweepInterval, jobs.Batches(sweepBatch, s.SweepTokens))
}

package accesskeys

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// CredentialSweepJob deletes expired temporary credentials, every
// CredentialSweepInterval. An expired credential is already refused by
// authentication; the sweep only reclaims its row.
const (
	CredentialSweepJob      = "accesskeys.credential-sweep"
	CredentialSweepInterval = 5 * time.Minute
)

// sweepBatch is how many credentials one sweep step deletes.
const sweepBatch = 5000

// RegisterJobs registers the credential sweep on r.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.Every(CredentialSweepJob, CredentialSweepInterval, jobs.Batches(sweepBatch, s.SweepCredentials))
}

// SweepCredentials deletes, through tx, up to limit temporary credentials
// that expired, and returns how many.
func (s *Service) SweepCredentials(ctx context.Context, tx store.Store, limit int) (int, error) {
	return tx.Credentials().DeleteExpired(ctx, s.Now(), limit)
}

package oidc

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/store"
)

// SweepJob deletes expired device authorizations, tokens, authorization
// codes, stale wrong-guess counts and clients past their grace period.
const SweepJob = "oidc.sweep"

// SweepInterval is how often SweepJob runs (each table is read through its
// expiry index).
const SweepInterval = time.Minute

const sweepBatch = 5000

// FamilyRetention is how long a sign-in's token family is kept after its
// last token expired: the longest life of temporary credentials issued
// under it (a permission set's session duration, at most
// permission.MaxSession), so that ending a user's sign-ins (a password
// reset) still finds, through the family, the credentials that outlive its
// tokens.
const FamilyRetention = permission.MaxSession

// RegisterJobs registers the service's periodic sweep on r.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.Every(SweepJob, SweepInterval, jobs.Batches(sweepBatch, s.Sweep))
}

// Sweep deletes, through tx, up to limit expired rows of each OIDC table:
// one step of SweepJob. It returns how many rows went in all, so limit or
// more means a batch may have been full and the job runs again.
func (s *Service) Sweep(ctx context.Context, tx store.Store, limit int) (int, error) {
	c := s.cfg()
	now := s.now()
	o := tx.OIDC()
	total := 0
	for _, sweep := range []func() (int, error){
		func() (int, error) { return o.DeleteExpiredDeviceAuths(ctx, now, limit) },
		func() (int, error) { return o.DeleteExpiredTokens(ctx, now, now.Add(-FamilyRetention), limit) },
		func() (int, error) { return o.DeleteExpiredAuthCodes(ctx, now, limit) },
		func() (int, error) { return o.DeleteStaleGuesses(ctx, now.Truncate(c.GuessWindow), limit) },
		func() (int, error) {
			n, err := o.DeleteExpiredClients(ctx, now.Add(-c.ClientGrace), limit)
			if n > 0 {
				s.forgetClients()
			}
			return n, err
		},
	} {
		n, err := sweep()
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

package center

import (
	"context"
	"log/slog"
	"time"
)

// PurgeBatch is how many users (then groups) one purge step deletes: one
// short write transaction each, so other writers interleave.
const PurgeBatch = 5000

// RunPurges deletes the rows of every identity store queued by Delete, in
// batches, until the queue is empty or ctx ends. It is safe to run on
// several replicas at once. It returns the number of stores it finished.
func (s *Service) RunPurges(ctx context.Context) (int, error) {
	pending, err := s.Store.Instances().PendingPurges(ctx)
	if err != nil {
		return 0, err
	}
	finished := 0
	for _, id := range pending {
		for {
			done, err := s.Store.Instances().PurgeStep(ctx, id, PurgeBatch)
			if err != nil {
				return finished, err
			}
			if done {
				finished++
				break
			}
		}
	}
	return finished, nil
}

// PurgeWorker runs RunPurges at start, whenever kick receives, and every
// interval (to pick up purges queued by other replicas or left by a crash),
// until ctx ends.
func (s *Service) PurgeWorker(ctx context.Context, log *slog.Logger, kick <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		start := time.Now()
		if n, err := s.RunPurges(ctx); err != nil && ctx.Err() == nil {
			log.Error("identity store purge", "err", err.Error())
		} else if n > 0 {
			log.Info("identity stores purged", "count", n, "duration", time.Since(start).Round(time.Millisecond).String())
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
		}
	}
}

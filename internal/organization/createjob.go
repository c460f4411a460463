package organization

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// Job kinds of CreateAccount.
const (
	// CreateAccountJob completes one create-account request
	// (CompleteCreateAccount; payload createPayload; key = the request id).
	// CreateAccount enqueues it in the transaction that records the request.
	CreateAccountJob = "organization.create-account"
	// CreateAccountScanJob enqueues a CreateAccountJob for every request in
	// progress that has none (requests recorded by builds before the job
	// runner). It runs at start and every CreateAccountScanInterval.
	CreateAccountScanJob = "organization.create-account-scan"
	// CreateAccountScanInterval is how often CreateAccountScanJob runs.
	CreateAccountScanInterval = time.Hour
)

// createMaxAttempts bounds the tries of one request's job; when they are
// spent the request ends failed with FailureInternal.
const createMaxAttempts = 8

// createScanBatch is how many requests in progress one scan looks at (the
// oldest first; the next scan sees the rest once those finished).
const createScanBatch = 1000

type createPayload struct {
	RequestID string `json:"request_id"`
}

// RegisterJobs registers the create-account job kinds on r, which
// CreateAccount then enqueues on. It must run before CreateAccount serves.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	s.Jobs = r
	r.Register(CreateAccountJob, s.handleCreateJob, jobs.Kind{MaxAttempts: createMaxAttempts, OnGiveUp: s.giveUpCreate})
	r.Every(CreateAccountScanJob, CreateAccountScanInterval, s.scanCreateRequests)
}

// enqueueCreate stores the job that completes request id, in tx; a no-op
// when the request already has an unfinished job.
func (s *Service) enqueueCreate(ctx context.Context, tx store.Store, id string) error {
	_, err := s.Jobs.EnqueueKey(ctx, tx, CreateAccountJob, id, createPayload{RequestID: id})
	return err
}

// handleCreateJob is the jobs.Handler of CreateAccountJob: it completes the
// request inside the job's transaction (idempotent: a finished request is
// left alone). An error is retried after the runner's back-off.
func (s *Service) handleCreateJob(ctx context.Context, tx store.Store, j store.Job) error {
	var p createPayload
	if err := jobs.Decode(j, &p); err != nil {
		return err
	}
	return s.CompleteCreateAccount(ctx, tx, p.RequestID)
}

// giveUpCreate is the OnGiveUp of CreateAccountJob: the request, if still
// in progress, ends failed with FailureInternal (the cause, which may name
// internals, stays in the job's last error and the log).
func (s *Service) giveUpCreate(ctx context.Context, tx store.Store, j store.Job, _ error) error {
	var p createPayload
	if err := jobs.Decode(j, &p); err != nil {
		return nil // nothing to mark: the payload names no request
	}
	return finished(tx.Organizations().FinishRequest(ctx, p.RequestID, store.CreateFailed, "", FailureInternal, s.Now().UTC()))
}

// scanCreateRequests is the handler of CreateAccountScanJob.
func (s *Service) scanCreateRequests(ctx context.Context, tx store.Store, _ store.Job) error {
	pending, err := tx.Organizations().PendingRequests(ctx, createScanBatch)
	if err != nil {
		return err
	}
	for _, id := range pending {
		if err := s.enqueueCreate(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

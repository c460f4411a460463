package permission

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// ErrAgain is returned by Process when the request cannot be applied yet
// (an earlier request it depends on is still in progress): the transaction
// rolls back and the request stays IN_PROGRESS.
var ErrAgain = errors.New("permission: request must wait for an earlier one")

// Process applies one IN_PROGRESS request inside tx and marks it SUCCEEDED
// or FAILED there, so that its effects and its status commit together,
// exactly once. A request that is already finished, or (PostgreSQL) being
// processed by another transaction, is left alone.
func (s *Service) Process(ctx context.Context, tx store.Store, id string) error {
	_, err := s.process(ctx, tx, id)
	return err
}

// process is Process reporting whether it finished the request.
func (s *Service) process(ctx context.Context, tx store.Store, id string) (bool, error) {
	r, err := tx.Requests().Claim(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if r.Status != store.StatusInProgress {
		return false, nil
	}
	inst, err := tx.Instances().Get(ctx, r.InstanceID)
	if err != nil {
		return false, err
	}
	var reason string
	switch r.Kind {
	case store.RequestAssignmentCreate:
		reason, err = s.applyCreate(ctx, tx, inst, r)
	case store.RequestAssignmentDelete:
		reason, err = s.applyDelete(ctx, tx, inst, r)
	case store.RequestProvision:
		reason, err = s.applyProvision(ctx, tx, inst, r)
	default:
		reason = "unknown request kind " + strconv.Quote(r.Kind)
	}
	if err != nil {
		return false, err
	}
	status := store.StatusSucceeded
	if reason != "" {
		status = store.StatusFailed
	}
	return true, tx.Requests().Finish(ctx, r.ID, status, reason, s.now())
}

func requestAssignment(r store.Request) store.Assignment {
	return store.Assignment{InstanceID: r.InstanceID, AccountID: r.TargetID, PermissionSetID: r.PermissionSetID,
		PrincipalType: r.PrincipalType, PrincipalID: r.PrincipalID}
}

// applyCreate stores the assignment and, on the permission set's first
// assignment in the account, provisions its agency there. A non-empty
// reason fails the request.
func (s *Service) applyCreate(ctx context.Context, tx store.Store, inst store.Instance, r store.Request) (string, error) {
	ps, err := tx.PermissionSets().Get(ctx, inst.ID, r.PermissionSetID)
	if errors.Is(err, store.ErrNotFound) {
		return "The permission set no longer exists.", nil
	}
	if err != nil {
		return "", err
	}
	if err := checkPrincipal(ctx, tx, inst, r.PrincipalType, r.PrincipalID); err != nil {
		return "The principal no longer exists in the identity store.", nil
	}
	a := requestAssignment(r)
	a.CreatedAt = s.now()
	ok, err := tx.Assignments().Exists(ctx, a)
	if err != nil {
		return "", err
	}
	if !ok {
		if err := tx.Assignments().Create(ctx, a); errors.Is(err, store.ErrConflict) {
			return "The account no longer exists.", nil
		} else if err != nil {
			return "", err
		}
	}
	_, err = tx.Agencies().Get(ctx, inst.ID, r.TargetID, ps.ID)
	if err == nil {
		return "", nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	n, err := tx.Agencies().CountByAccount(ctx, inst.ID, r.TargetID)
	if err != nil {
		return "", err
	}
	if n >= s.Quotas.PermissionSetsPer {
		return "The account already has the maximum of " + strconv.Itoa(s.Quotas.PermissionSetsPer) + " permission sets provisioned.", errRollbackAssignment(ctx, tx, a, ok)
	}
	return "", s.putAgency(ctx, tx, ps, r.TargetID)
}

// errRollbackAssignment undoes an assignment this request inserted when the
// request fails after all.
func errRollbackAssignment(ctx context.Context, tx store.Store, a store.Assignment, existed bool) error {
	if existed {
		return nil
	}
	return tx.Assignments().Delete(ctx, a)
}

// putAgency writes the agency of ps in account with a copy of its policies
// as they are now.
func (s *Service) putAgency(ctx context.Context, tx store.Store, ps store.PermissionSet, accountID string) error {
	now := s.now()
	name := AgencyName(ps)
	return tx.Agencies().Put(ctx, store.Agency{InstanceID: ps.InstanceID, AccountID: accountID, PermissionSetID: ps.ID,
		Name: name, URN: AgencyURN(accountID, name), Version: ps.Version, Policies: copyPolicies(ps.Policies),
		SessionDuration: ps.SessionDuration, CreatedAt: now, UpdatedAt: now})
}

func copyPolicies(p store.PolicySet) store.PolicySet {
	return store.PolicySet{ManagedPolicies: append([]string(nil), p.ManagedPolicies...), ManagedRoles: append([]string(nil), p.ManagedRoles...),
		CustomPolicy: p.CustomPolicy, CustomRole: p.CustomRole}
}

// applyDelete removes the assignment and, when it was the last of its
// permission set in the account, the agency.
func (s *Service) applyDelete(ctx context.Context, tx store.Store, inst store.Instance, r store.Request) (string, error) {
	err := tx.Assignments().Delete(ctx, requestAssignment(r))
	if errors.Is(err, store.ErrNotFound) {
		in := AssignmentInput{PermissionSetID: r.PermissionSetID, PrincipalType: r.PrincipalType, PrincipalID: r.PrincipalID, TargetID: r.TargetID}
		earlier, perr := s.pendingCreate(ctx, tx, inst.ID, in, r.Seq)
		if perr != nil {
			return "", perr
		}
		if earlier {
			return "", ErrAgain
		}
		return "The account assignment does not exist.", nil
	}
	if err != nil {
		return "", err
	}
	n, err := tx.Assignments().CountFor(ctx, inst.ID, r.PermissionSetID, r.TargetID)
	if err != nil {
		return "", err
	}
	if n == 0 {
		if err := tx.Agencies().Delete(ctx, inst.ID, r.TargetID, r.PermissionSetID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	return "", nil
}

// provisionBatch is how many agencies one page of a provisioning reads.
const provisionBatch = 500

// applyProvision copies the permission set into the agency of one account
// or of every account it is provisioned to.
func (s *Service) applyProvision(ctx context.Context, tx store.Store, inst store.Instance, r store.Request) (string, error) {
	ps, err := tx.PermissionSets().Get(ctx, inst.ID, r.PermissionSetID)
	if errors.Is(err, store.ErrNotFound) {
		return "The permission set no longer exists.", nil
	}
	if err != nil {
		return "", err
	}
	if r.TargetType == ProvisionAccount {
		_, err := tx.Agencies().Get(ctx, inst.ID, r.TargetID, ps.ID)
		if errors.Is(err, store.ErrNotFound) {
			n, err := tx.Assignments().CountFor(ctx, inst.ID, ps.ID, r.TargetID)
			if err != nil {
				return "", err
			}
			if n == 0 {
				return "The permission set is not assigned in the account.", nil
			}
		} else if err != nil {
			return "", err
		}
		return "", s.putAgency(ctx, tx, ps, r.TargetID)
	}
	var after int64
	for {
		rows, err := tx.Agencies().ListByPermissionSet(ctx, inst.ID, ps.ID, store.AgencyFilter{}, after, provisionBatch)
		if err != nil {
			return "", err
		}
		for _, a := range rows {
			if err := s.putAgency(ctx, tx, ps, a.AccountID); err != nil {
				return "", err
			}
		}
		if len(rows) < provisionBatch {
			return "", nil
		}
		after = rows[len(rows)-1].Seq
	}
}

// maxFailures is how many times a request may fail with an error before
// the worker gives up and marks it FAILED.
const maxFailures = 5

// RunPending processes up to limit IN_PROGRESS requests, oldest first, each
// in its own transaction, and returns how many it finished. A request whose
// processing keeps failing with an error is marked FAILED after
// maxFailures tries.
func (s *Service) RunPending(ctx context.Context, limit int) (int, error) {
	ids, err := s.Store.Requests().Pending(ctx, limit)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			return done, ctx.Err()
		}
		var finished bool
		err := s.Store.WithTx(ctx, func(tx store.Store) (err error) {
			finished, err = s.process(ctx, tx, id)
			return err
		})
		switch {
		case err == nil:
			if finished {
				done++
			}
			s.failures.forget(id)
		case errors.Is(err, ErrAgain):
		default:
			if s.failures.add(id) >= maxFailures {
				s.giveUp(ctx, id)
			}
			return done, err
		}
	}
	return done, nil
}

// giveUp marks a request FAILED after repeated errors.
func (s *Service) giveUp(ctx context.Context, id string) {
	_ = s.Store.WithTx(ctx, func(tx store.Store) error {
		r, err := tx.Requests().Claim(ctx, id)
		if err != nil || r.Status != store.StatusInProgress {
			return err
		}
		return tx.Requests().Finish(ctx, id, store.StatusFailed, "Internal error while processing the request.", s.now())
	})
	s.failures.forget(id)
}

// failureCounts counts consecutive processing errors per request.
type failureCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (f *failureCounts) add(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[string]int{}
	}
	f.n[id]++
	return f.n[id]
}

func (f *failureCounts) forget(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.n, id)
}

// Worker processes queued requests until ctx ends: at once when kick
// fires, and every poll interval otherwise (requests left by a crash or
// queued through another replica).
func (s *Service) Worker(ctx context.Context, log *slog.Logger, kick <-chan struct{}, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		for {
			n, err := s.RunPending(ctx, 200)
			if err != nil && ctx.Err() == nil {
				log.Warn("permission requests: processing failed", "err", err.Error())
				break
			}
			if n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
		}
	}
}

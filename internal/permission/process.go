package permission

import (
	"context"
	"errors"
	"strconv"

	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// ErrAgain is returned by Process when the request cannot be applied yet
// (an earlier request it depends on is still in progress): the transaction
// rolls back, the request stays IN_PROGRESS and its job is retried.
var ErrAgain = errors.New("permission: request must wait for an earlier one")

// Process applies one IN_PROGRESS request inside tx and marks it SUCCEEDED
// or FAILED there, so that its effects and its status commit together,
// exactly once. A request that is already finished is left alone.
func (s *Service) Process(ctx context.Context, tx store.Store, id string) error {
	r, err := tx.Requests().Claim(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Status != store.StatusInProgress {
		return nil
	}
	inst, err := tx.Instances().Get(ctx, r.InstanceID)
	if err != nil {
		return err
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
		return err
	}
	status := store.StatusSucceeded
	if reason != "" {
		status = store.StatusFailed
	}
	return tx.Requests().Finish(ctx, r.ID, status, reason, s.now())
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
	// Locked, so that a concurrent delete of the principal either sees
	// this assignment (and is refused) or commits first (and this fails).
	if err := lockPrincipal(ctx, tx, inst.IdentityStoreID, r.PrincipalType, r.PrincipalID); errors.Is(err, store.ErrNotFound) {
		return "The principal no longer exists in the identity store.", nil
	} else if err != nil {
		return "", err
	}
	if ok, err := activeMember(ctx, tx, inst, r.TargetID); err != nil || !ok {
		return notMember, err
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

// notMember is the failure of a request whose account is no longer an
// active member of the instance's organization.
const notMember = "The account is not an active member of the organization."

// activeMember reports, in tx, whether accountID is an active member of the
// organization managed by the instance's account. A request is checked
// when it is made and again when its job applies it: an account removed
// or being closed in between gets no agency, nor fresh permissions.
func activeMember(ctx context.Context, tx store.Store, inst store.Instance, accountID string) (bool, error) {
	o, err := tx.Organizations().GetByManagement(ctx, inst.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	m, err := tx.Organizations().GetMember(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return m.OrganizationID == o.ID && m.Status == store.MemberActive, nil
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
		if ok, err := activeMember(ctx, tx, inst, r.TargetID); err != nil || !ok {
			return notMember, err
		}
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
			if ok, err := activeMember(ctx, tx, inst, a.AccountID); err != nil {
				return "", err
			} else if !ok {
				continue
			}
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

// JobKind is the job kind that applies one request (payload jobPayload).
const JobKind = "permission.request"

// JobMaxAttempts bounds the tries of one request's job.
const JobMaxAttempts = 8

type jobPayload struct {
	RequestID string `json:"request_id"`
}

// enqueue stores r and its job in tx; Kick the runner after commit.
func (s *Service) enqueue(ctx context.Context, tx store.Store, r store.Request) error {
	if err := tx.Requests().Create(ctx, r); err != nil {
		return err
	}
	_, err := s.Jobs.Enqueue(ctx, tx, JobKind, jobPayload{RequestID: r.ID})
	return err
}

// HandleJob is the jobs.Handler of JobKind: it applies the request inside
// the job's transaction. A request that must wait for an earlier one is
// retried after the runner's backoff.
func (s *Service) HandleJob(ctx context.Context, tx store.Store, job store.Job) error {
	var p jobPayload
	if err := jobs.Decode(job, &p); err != nil {
		return jobs.Permanent(err)
	}
	return s.Process(ctx, tx, p.RequestID)
}

// GiveUp is the OnGiveUp of JobKind: the request ends FAILED.
func (s *Service) GiveUp(ctx context.Context, tx store.Store, job store.Job, cause error) error {
	var p jobPayload
	if err := jobs.Decode(job, &p); err != nil {
		return nil
	}
	r, err := tx.Requests().Claim(ctx, p.RequestID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || r.Status != store.StatusInProgress {
		return err
	}
	return tx.Requests().Finish(ctx, r.ID, store.StatusFailed, "Internal error while processing the request.", s.now())
}

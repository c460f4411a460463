package permission

import (
	"context"
	"errors"
	"regexp"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// TargetAccount is the only assignment target type.
const TargetAccount = "ACCOUNT"

// Provisioning targets.
const (
	ProvisionAccount = "ACCOUNT"
	ProvisionAll     = "ALL_PROVISIONED_ACCOUNTS"
)

// AssignmentInput names one assignment.
type AssignmentInput struct {
	PermissionSetID string
	PrincipalType   string
	PrincipalID     string
	TargetType      string
	TargetID        string
}

func (in AssignmentInput) assignment(inst store.Instance) store.Assignment {
	return store.Assignment{InstanceID: inst.ID, AccountID: in.TargetID, PermissionSetID: in.PermissionSetID,
		PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalID}
}

// accountIDPattern is the form of an account id (32 lowercase hex here;
// letters, digits, '-' and '_' are accepted for other issuers).
var accountIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func checkAccountID(field, id string) error {
	if !accountIDPattern.MatchString(id) {
		return apierr.IIC400_400.New(field + " must be an account id (1-64 letters, digits, - or _)")
	}
	return nil
}

func checkPrincipalType(t string) error {
	if t != store.PrincipalUser && t != store.PrincipalGroup {
		return apierr.IIC400_400.New("principal_type must be USER or GROUP")
	}
	return nil
}

func (in AssignmentInput) check() error {
	if err := checkPrincipalType(in.PrincipalType); err != nil {
		return err
	}
	if in.TargetType != TargetAccount {
		return apierr.IIC400_400.New("target_type must be ACCOUNT")
	}
	if err := checkAccountID("target_id", in.TargetID); err != nil {
		return err
	}
	for field, v := range map[string]string{"permission_set_id": in.PermissionSetID, "principal_id": in.PrincipalID} {
		if v == "" || len(v) > 64 {
			return apierr.IIC400_400.New(field + " must be 1-64 characters")
		}
	}
	return nil
}

// checkPrincipal reports 404 IIC.1307 unless the principal exists in the
// instance's identity store as its type.
func checkPrincipal(ctx context.Context, st store.Store, inst store.Instance, typ, id string) error {
	var err error
	if typ == store.PrincipalUser {
		_, err = st.Users().Get(ctx, inst.IdentityStoreID, id)
	} else {
		_, err = st.Groups().Get(ctx, inst.IdentityStoreID, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1307.New()
	}
	return err
}

// checkPermissionSet reports 404 IIC.1205 unless the permission set exists.
func checkPermissionSet(ctx context.Context, st store.Store, inst store.Instance, id string) error {
	_, err := st.PermissionSets().Get(ctx, inst.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1205.New()
	}
	return err
}

func (s *Service) newRequest(inst store.Instance, kind string, in AssignmentInput) store.Request {
	now := s.now()
	return store.Request{InstanceID: inst.ID, ID: s.IDs.UUID(), Kind: kind, Status: store.StatusInProgress,
		PermissionSetID: in.PermissionSetID, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalID,
		TargetType: in.TargetType, TargetID: in.TargetID, CreatedAt: now, UpdatedAt: now}
}

// CreateAssignment validates an assignment and queues its creation; the
// returned request is IN_PROGRESS. Assigning what is assigned already
// succeeds (idempotent).
func (s *Service) CreateAssignment(ctx context.Context, inst store.Instance, in AssignmentInput) (store.Request, error) {
	if err := in.check(); err != nil {
		return store.Request{}, err
	}
	if err := checkPermissionSet(ctx, s.Store, inst, in.PermissionSetID); err != nil {
		return store.Request{}, err
	}
	if err := checkPrincipal(ctx, s.Store, inst, in.PrincipalType, in.PrincipalID); err != nil {
		return store.Request{}, err
	}
	if err := s.Organization.CheckMember(ctx, inst.AccountID, in.TargetID); err != nil {
		return store.Request{}, err
	}
	r := s.newRequest(inst, store.RequestAssignmentCreate, in)
	if err := s.Store.WithTx(ctx, func(tx store.Store) error { return s.enqueue(ctx, tx, r) }); err != nil {
		return store.Request{}, err
	}
	s.queued()
	return r, nil
}

// DeleteAssignment queues the removal of an existing (or queued)
// assignment; 400 IIC.1250 when there is none.
func (s *Service) DeleteAssignment(ctx context.Context, inst store.Instance, in AssignmentInput) (store.Request, error) {
	if err := in.check(); err != nil {
		return store.Request{}, err
	}
	if err := checkPermissionSet(ctx, s.Store, inst, in.PermissionSetID); err != nil {
		return store.Request{}, err
	}
	ok, err := s.Store.Assignments().Exists(ctx, in.assignment(inst))
	if err != nil {
		return store.Request{}, err
	}
	if !ok {
		queued, err := s.pendingCreate(ctx, s.Store, inst.ID, in, 0)
		if err != nil {
			return store.Request{}, err
		}
		if !queued {
			return store.Request{}, apierr.IIC1250.New()
		}
	}
	r := s.newRequest(inst, store.RequestAssignmentDelete, in)
	if err := s.Store.WithTx(ctx, func(tx store.Store) error { return s.enqueue(ctx, tx, r) }); err != nil {
		return store.Request{}, err
	}
	s.queued()
	return r, nil
}

// pendingCreate reports whether an IN_PROGRESS creation of the assignment
// in exists (before sequence position before, unless 0).
func (s *Service) pendingCreate(ctx context.Context, st store.Store, instanceID string, in AssignmentInput, before int64) (bool, error) {
	var after int64
	for {
		rows, err := st.Requests().List(ctx, instanceID, store.RequestAssignmentCreate, store.StatusInProgress, after, 500)
		if err != nil {
			return false, err
		}
		for _, r := range rows {
			if before > 0 && r.Seq >= before {
				return false, nil
			}
			if r.PermissionSetID == in.PermissionSetID && r.PrincipalType == in.PrincipalType && r.PrincipalID == in.PrincipalID && r.TargetID == in.TargetID {
				return true, nil
			}
		}
		if len(rows) < 500 {
			return false, nil
		}
		after = rows[len(rows)-1].Seq
	}
}

// Provision queues copying a permission set into one account's agency
// (ProvisionAccount; the account must be an active member, as for an
// assignment; 404 IIC.1225 unless it is assigned or provisioned there) or
// into every agency it has in an active member account (ProvisionAll).
func (s *Service) Provision(ctx context.Context, inst store.Instance, psID, targetType, targetID string) (store.Request, error) {
	in := AssignmentInput{PermissionSetID: psID, TargetType: targetType}
	switch targetType {
	case ProvisionAccount:
		if err := checkAccountID("target_id", targetID); err != nil {
			return store.Request{}, err
		}
		in.TargetID = targetID
	case ProvisionAll:
	default:
		return store.Request{}, apierr.IIC400_400.New("target_type must be ACCOUNT or ALL_PROVISIONED_ACCOUNTS")
	}
	if err := checkPermissionSet(ctx, s.Store, inst, psID); err != nil {
		return store.Request{}, err
	}
	if targetType == ProvisionAccount {
		if err := s.Organization.CheckMember(ctx, inst.AccountID, targetID); err != nil {
			return store.Request{}, err
		}
		_, err := s.Store.Agencies().Get(ctx, inst.ID, targetID, psID)
		if errors.Is(err, store.ErrNotFound) {
			n, err := s.Store.Assignments().CountFor(ctx, inst.ID, psID, targetID)
			if err != nil {
				return store.Request{}, err
			}
			if n == 0 {
				return store.Request{}, apierr.IIC1225.New()
			}
		} else if err != nil {
			return store.Request{}, err
		}
	}
	r := s.newRequest(inst, store.RequestProvision, in)
	if err := s.Store.WithTx(ctx, func(tx store.Store) error { return s.enqueue(ctx, tx, r) }); err != nil {
		return store.Request{}, err
	}
	s.queued()
	return r, nil
}

// Request returns a request of kind (404 IIC.1212 if unknown).
func (s *Service) Request(ctx context.Context, inst store.Instance, kind, id string) (store.Request, error) {
	r, err := s.Store.Requests().Get(ctx, inst.ID, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return r, apierr.IIC1212.New()
	}
	return r, err
}

// RequestPage is one page of requests.
type RequestPage struct {
	Requests   []store.Request
	NextMarker string
}

// ListRequests lists requests of kind, optionally with one status.
func (s *Service) ListRequests(ctx context.Context, inst store.Instance, kind, status string, limit int, marker string) (RequestPage, error) {
	switch status {
	case "", store.StatusInProgress, store.StatusSucceeded, store.StatusFailed:
	default:
		return RequestPage{}, apierr.IIC400_400.New("status must be IN_PROGRESS, SUCCEEDED or FAILED")
	}
	scope := "requests:" + inst.ID + ":" + kind + ":" + status
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return RequestPage{}, err
	}
	rows, err := s.Store.Requests().List(ctx, inst.ID, kind, status, after, limit+1)
	if err != nil {
		return RequestPage{}, err
	}
	var p RequestPage
	p.Requests, p.NextMarker = paging.Trim(s.Paging, scope, rows, limit, func(r store.Request) int64 { return r.Seq })
	return p, nil
}

// AssignmentPage is one page of assignments.
type AssignmentPage struct {
	Assignments []store.Assignment
	NextMarker  string
}

func (s *Service) assignmentPage(scope string, rows []store.Assignment, limit int) AssignmentPage {
	var p AssignmentPage
	p.Assignments, p.NextMarker = paging.Trim(s.Paging, scope, rows, limit, func(a store.Assignment) int64 { return a.Seq })
	return p
}

// ListAssignments lists the assignments in an account (of one permission
// set, unless psID is "").
func (s *Service) ListAssignments(ctx context.Context, inst store.Instance, accountID, psID string, limit int, marker string) (AssignmentPage, error) {
	if err := checkAccountID("account_id", accountID); err != nil {
		return AssignmentPage{}, err
	}
	scope := "assignments:" + inst.ID + ":" + accountID + ":" + psID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return AssignmentPage{}, err
	}
	rows, err := s.Store.Assignments().ListByAccount(ctx, inst.ID, accountID, psID, after, limit+1)
	if err != nil {
		return AssignmentPage{}, err
	}
	return s.assignmentPage(scope, rows, limit), nil
}

// maxGroupsPerUser bounds the groups a principal list expands a user into
// (a user joins at most 1,000 groups).
const maxGroupsPerUser = 1000

// ListForPrincipal lists the assignments a principal holds: a group's own,
// or a user's direct ones and those of every group it belongs to (in
// accountID only, unless "").
func (s *Service) ListForPrincipal(ctx context.Context, inst store.Instance, typ, id, accountID string, limit int, marker string) (AssignmentPage, error) {
	if err := checkPrincipalType(typ); err != nil {
		return AssignmentPage{}, err
	}
	if id == "" || len(id) > 64 {
		return AssignmentPage{}, apierr.IIC400_400.New("principal_id must be 1-64 characters")
	}
	scope := "principal-assignments:" + inst.ID + ":" + typ + ":" + id + ":" + accountID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return AssignmentPage{}, err
	}
	if err := checkPrincipal(ctx, s.Store, inst, typ, id); err != nil {
		return AssignmentPage{}, err
	}
	principals := []string{id}
	if typ == store.PrincipalUser {
		var pos int64
		for len(principals) <= maxGroupsPerUser {
			ms, err := s.Store.Memberships().ListByUser(ctx, inst.IdentityStoreID, id, pos, 500)
			if err != nil {
				return AssignmentPage{}, err
			}
			for _, m := range ms {
				principals = append(principals, m.GroupID)
			}
			if len(ms) < 500 {
				break
			}
			pos = ms[len(ms)-1].Seq
		}
	}
	rows, err := s.Store.Assignments().ListByPrincipals(ctx, inst.ID, principals, accountID, after, limit+1)
	if err != nil {
		return AssignmentPage{}, err
	}
	return s.assignmentPage(scope, rows, limit), nil
}

// ProvisionedPage is one page of account ids or permission-set ids.
type ProvisionedPage struct {
	IDs        []string
	NextMarker string
}

// Provisioning states of an agency.
const (
	Provisioned    = "LATEST_PERMISSION_SET_PROVISIONED"
	NotProvisioned = "LATEST_PERMISSION_SET_NOT_PROVISIONED"
)

func agencyFilter(status string) (store.AgencyFilter, error) {
	yes, no := true, false
	switch status {
	case "":
		return store.AgencyFilter{}, nil
	case Provisioned:
		return store.AgencyFilter{Current: &yes}, nil
	case NotProvisioned:
		return store.AgencyFilter{Current: &no}, nil
	}
	return store.AgencyFilter{}, apierr.IIC400_400.New("provisioning_status must be LATEST_PERMISSION_SET_PROVISIONED or LATEST_PERMISSION_SET_NOT_PROVISIONED")
}

func (s *Service) agencyPage(ctx context.Context, scope, status string, limit int, marker string,
	list func(f store.AgencyFilter, after int64, limit int) ([]store.Agency, error), id func(store.Agency) string) (ProvisionedPage, error) {
	f, err := agencyFilter(status)
	if err != nil {
		return ProvisionedPage{}, err
	}
	scope += ":" + status
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return ProvisionedPage{}, err
	}
	rows, err := list(f, after, limit+1)
	if err != nil {
		return ProvisionedPage{}, err
	}
	rows, next := paging.Trim(s.Paging, scope, rows, limit, func(a store.Agency) int64 { return a.Seq })
	out := ProvisionedPage{IDs: []string{}, NextMarker: next}
	for _, a := range rows {
		out.IDs = append(out.IDs, id(a))
	}
	return out, nil
}

// AccountsFor lists the accounts a permission set is provisioned to.
func (s *Service) AccountsFor(ctx context.Context, inst store.Instance, psID, status string, limit int, marker string) (ProvisionedPage, error) {
	if err := checkPermissionSet(ctx, s.Store, inst, psID); err != nil {
		return ProvisionedPage{}, err
	}
	return s.agencyPage(ctx, "accounts-for:"+inst.ID+":"+psID, status, limit, marker,
		func(f store.AgencyFilter, after int64, n int) ([]store.Agency, error) {
			return s.Store.Agencies().ListByPermissionSet(ctx, inst.ID, psID, f, after, n)
		}, func(a store.Agency) string { return a.AccountID })
}

// SetsProvisionedTo lists the permission sets provisioned to an account.
func (s *Service) SetsProvisionedTo(ctx context.Context, inst store.Instance, accountID, status string, limit int, marker string) (ProvisionedPage, error) {
	if err := checkAccountID("account_id", accountID); err != nil {
		return ProvisionedPage{}, err
	}
	return s.agencyPage(ctx, "provisioned-to:"+inst.ID+":"+accountID, status, limit, marker,
		func(f store.AgencyFilter, after int64, n int) ([]store.Agency, error) {
			return s.Store.Agencies().ListByAccount(ctx, inst.ID, accountID, f, after, n)
		}, func(a store.Agency) string { return a.PermissionSetID })
}

// Agency returns the agency of a permission set in an account (the portal
// and tests read it).
func (s *Service) Agency(ctx context.Context, inst store.Instance, accountID, psID string) (store.Agency, error) {
	return s.Store.Agencies().Get(ctx, inst.ID, accountID, psID)
}

// PrincipalAssigned is what the identity store calls before deleting a
// user or group: 409 IIC.1306 while the principal holds assignments (they
// must be deleted first, so that none points at nothing). It runs in the
// caller's transaction tx, and locks the principal's row there, as an
// assignment's creation does, so that the two serialize.
func PrincipalAssigned(ctx context.Context, tx store.Store, identityStoreID, principalType, principalID string) error {
	inst, err := tx.Instances().GetByIdentityStore(ctx, identityStoreID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := lockPrincipal(ctx, tx, identityStoreID, principalType, principalID); errors.Is(err, store.ErrNotFound) {
		return nil // the delete reports the missing principal
	} else if err != nil {
		return err
	}
	n, err := tx.Assignments().CountByPrincipal(ctx, inst.ID, principalID)
	if err != nil {
		return err
	}
	if n > 0 {
		what := "user"
		if principalType == store.PrincipalGroup {
			what = "group"
		}
		return apierr.IIC1306.New(what)
	}
	return nil
}

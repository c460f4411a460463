package organization

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Account is a member account as the account operations answer it.
type Account struct {
	store.Member
	Name, Email string
	Org         store.Organization
}

// URN is the account's resource name.
func (a Account) URN() string { return URN(a.Org, "account", a.AccountID) }

// accountNamePattern: 1 to 64 letters, digits, '-' and '_', starting with a
// letter (names are unique among iic's accounts).
var accountNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// CreateAccountInput is the body of CreateAccount.
type CreateAccountInput struct {
	Name, Email, Phone, AgencyName, Description string
	Tags                                        []store.Tag
}

func (in CreateAccountInput) check() error {
	switch {
	case !accountNamePattern.MatchString(in.Name):
		return apierr.IIC400_400.New("name must be 1 to 64 letters, digits, '-' or '_', starting with a letter")
	case in.Email != "" && (len(in.Email) > 64 || strings.Count(in.Email, "@") != 1 || strings.HasPrefix(in.Email, "@") ||
		strings.HasSuffix(in.Email, "@") || strings.ContainsAny(in.Email, " \t\r\n<>")):
		return apierr.IIC400_400.New("email must be an e-mail address of at most 64 characters")
	case len(in.Phone) > 32 || !printable(in.Phone):
		return apierr.IIC400_400.New("phone must be at most 32 characters")
	case len(in.AgencyName) > 32 || !printable(in.AgencyName):
		return apierr.IIC400_400.New("agency_name must be at most 32 characters")
	}
	if err := checkDescription(in.Description); err != nil {
		return err
	}
	return checkTags(in.Tags)
}

func checkDescription(d string) error {
	if utf8.RuneCountInString(d) > 1024 || !printable(d) {
		return apierr.IIC400_400.New("description must be at most 1024 printable characters")
	}
	return nil
}

// CreateAccount starts creating a member account: it records the request
// in progress together with its CreateAccountJob, in one transaction, and
// returns it; the job (CompleteCreateAccount) creates the account. A name already used by an account of the
// organization, or by a request in progress, is 409 IIC.1257.
func (s *Service) CreateAccount(ctx context.Context, callerID string, in CreateAccountInput) (store.CreateAccountRequest, error) {
	if err := in.check(); err != nil {
		return store.CreateAccountRequest{}, err
	}
	var req store.CreateAccountRequest
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		taken, err := s.nameTaken(ctx, tx, o, in.Name)
		if err != nil {
			return err
		}
		if taken {
			return apierr.IIC1257.New()
		}
		req = store.CreateAccountRequest{ID: "cas-" + s.IDs.Hex(16), OrganizationID: o.ID, AccountName: in.Name, Email: in.Email,
			Description: in.Description, Tags: in.Tags, State: store.CreateInProgress, CreatedAt: s.Now().UTC()}
		if err := tx.Organizations().CreateRequest(ctx, req); err != nil {
			return err
		}
		return s.enqueueCreate(ctx, tx, req.ID)
	})
	if err == nil {
		s.Jobs.Kick()
	}
	return req, err
}

// nameTaken reports whether an account of o, or a request of o in
// progress, has name.
func (s *Service) nameTaken(ctx context.Context, st store.Store, o store.Organization, name string) (bool, error) {
	if a, err := st.Accounts().GetByName(ctx, name); err == nil {
		if m, err := st.Organizations().GetMember(ctx, a.ID); err == nil && m.OrganizationID == o.ID {
			return true, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	for after := int64(0); ; {
		rs, err := st.Organizations().ListRequests(ctx, o.ID, []string{store.CreateInProgress}, after, 500)
		if err != nil {
			return false, err
		}
		for _, r := range rs {
			if r.AccountName == name {
				return true, nil
			}
		}
		if len(rs) < 500 {
			return false, nil
		}
		after = rs[len(rs)-1].Seq
	}
}

// Failure reasons of a create-account request.
const (
	FailureNameExists = "ACCOUNT_NAME_ALREADY_EXISTS"
	FailureOrgGone    = "ORGANIZATION_NOT_FOUND"
	// FailureInternal: the request's job gave up (the store kept failing).
	FailureInternal = "INTERNAL_FAILURE"
)

// CompleteCreateAccount finishes request id inside tx: it creates the
// account (with a project per configured region), makes it a member under
// the root with the request's tags, and marks the request succeeded; when
// the account cannot be created (its name was taken meanwhile) it marks it
// failed. A request already finished is left alone, so running it twice
// (a retry after a crash) is harmless.
func (s *Service) CompleteCreateAccount(ctx context.Context, tx store.Store, id string) error {
	req, err := tx.Organizations().GetRequestByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // its organization was deleted
	}
	if err != nil || req.State != store.CreateInProgress {
		return err
	}
	now := s.Now().UTC()
	o, err := tx.Organizations().Get(ctx, req.OrganizationID)
	if errors.Is(err, store.ErrNotFound) {
		return finished(tx.Organizations().FinishRequest(ctx, id, store.CreateFailed, "", FailureOrgGone, now))
	}
	if err != nil {
		return err
	}
	// The name is checked before anything is written: a failed INSERT
	// would abort the transaction on PostgreSQL, and a failure must still
	// be recorded.
	if taken, err := accountNameTaken(ctx, tx, req.AccountName); err != nil {
		return err
	} else if taken {
		return finished(tx.Organizations().FinishRequest(ctx, id, store.CreateFailed, "", FailureNameExists, now))
	}
	// Claiming the request first makes a concurrent completion (another
	// replica) wait on its row and then find it finished.
	accountID := s.IDs.AccountID()
	if err := tx.Organizations().FinishRequest(ctx, id, store.CreateSucceeded, accountID, "", now); errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := tx.Accounts().Create(ctx, store.Account{ID: accountID, Name: req.AccountName, Email: req.Email, CreatedAt: now}); err != nil {
		return err
	}
	for _, region := range s.Regions {
		if err := tx.Projects().Create(ctx, store.Project{ID: s.IDs.ProjectID(), AccountID: accountID, Name: region, CreatedAt: now}); err != nil {
			return err
		}
	}
	if err := tx.Organizations().AddMember(ctx, store.Member{AccountID: accountID, OrganizationID: o.ID, ParentID: o.RootID,
		JoinMethod: JoinCreated, Status: store.MemberActive, Description: req.Description, JoinedAt: now}); err != nil {
		return err
	}
	return tx.Organizations().SetTags(ctx, o.ID, accountID, req.Tags)
}

// finished treats a request that another completion finished meanwhile as
// done.
func finished(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// accountNameTaken reports whether any account has name. Account names are
// unique across iic (store.Accounts); the lookup is by exact name.
func accountNameTaken(ctx context.Context, st store.Store, name string) (bool, error) {
	_, err := st.Accounts().GetByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ShowCreateAccountStatus returns a create-account request of the caller's
// organization; 404 IIC.404 if there is none.
func (s *Service) ShowCreateAccountStatus(ctx context.Context, callerID, id string) (store.CreateAccountRequest, error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return store.CreateAccountRequest{}, err
	}
	r, err := s.Store.Organizations().GetRequest(ctx, o.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return r, apierr.IIC404.New("create-account status " + id + " does not exist")
	}
	return r, err
}

// RequestStates are the states ListCreateAccountStatuses filters by.
var RequestStates = []string{store.CreateInProgress, store.CreateSucceeded, store.CreateFailed}

// ListCreateAccountStatuses lists the organization's create-account
// requests in one of states (none = all).
func (s *Service) ListCreateAccountStatuses(ctx context.Context, callerID string, states []string, limit int, marker string) (Page[store.CreateAccountRequest], error) {
	for _, st := range states {
		if !slices.Contains(RequestStates, st) {
			return Page[store.CreateAccountRequest]{}, apierr.IIC400_400.New("states must be in_progress, succeeded or failed")
		}
	}
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return Page[store.CreateAccountRequest]{}, err
	}
	sorted := slices.Clone(states)
	slices.Sort(sorted)
	scope := "org-create-requests:" + o.ID + ":" + strings.Join(slices.Compact(sorted), ",")
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return Page[store.CreateAccountRequest]{}, err
	}
	rows, err := s.Store.Organizations().ListRequests(ctx, o.ID, states, after, limit+1)
	if err != nil {
		return Page[store.CreateAccountRequest]{}, err
	}
	return page(s, scope, rows, limit, func(r store.CreateAccountRequest) int64 { return r.Seq }), nil
}

// account returns member accountID of o; 400 IIC.1210 if it is not one.
func (s *Service) account(ctx context.Context, st store.Store, o store.Organization, accountID string) (Account, error) {
	m, err := st.Organizations().GetMember(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) || err == nil && m.OrganizationID != o.ID {
		return Account{}, apierr.IIC1210_400.New()
	}
	if err != nil {
		return Account{}, err
	}
	a, err := st.Accounts().Get(ctx, accountID)
	if err != nil {
		return Account{}, err
	}
	return Account{Member: m, Name: a.Name, Email: a.Email, Org: o}, nil
}

// ShowAccount returns a member account.
func (s *Service) ShowAccount(ctx context.Context, callerID, accountID string) (Account, error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return Account{}, err
	}
	return s.account(ctx, s.Store, o, accountID)
}

// ListAccounts lists the organization's accounts, those directly under
// parentID when it is set.
func (s *Service) ListAccounts(ctx context.Context, callerID, parentID string, limit int, marker string) (Page[Account], error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return Page[Account]{}, err
	}
	if parentID != "" {
		if _, err := parentDepth(ctx, s.Store, o, parentID); err != nil {
			return Page[Account]{}, err
		}
	}
	scope := "org-accounts:" + o.ID + ":" + parentID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return Page[Account]{}, err
	}
	rows, err := s.Store.Organizations().ListMembers(ctx, o.ID, parentID, after, limit+1)
	if err != nil {
		return Page[Account]{}, err
	}
	out := make([]Account, 0, len(rows))
	for _, m := range rows {
		a, err := s.Store.Accounts().Get(ctx, m.AccountID)
		if err != nil {
			return Page[Account]{}, err
		}
		out = append(out, Account{Member: m, Name: a.Name, Email: a.Email, Org: o})
	}
	return page(s, scope, out, limit, func(a Account) int64 { return a.Seq }), nil
}

// UpdateAccount sets a member account's description.
func (s *Service) UpdateAccount(ctx context.Context, callerID, accountID, description string) (Account, error) {
	if err := checkDescription(description); err != nil {
		return Account{}, err
	}
	var out Account
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		if _, err := s.account(ctx, tx, o, accountID); err != nil {
			return err
		}
		if err := tx.Organizations().UpdateMember(ctx, accountID, func(m *store.Member) error {
			m.Description = description
			return nil
		}); err != nil {
			return err
		}
		out, err = s.account(ctx, tx, o, accountID)
		return err
	})
	return out, err
}

// MoveAccount moves a member account from sourceID (its current parent:
// 400 IIC.400 otherwise) to destinationID (the root or a unit).
func (s *Service) MoveAccount(ctx context.Context, callerID, accountID, sourceID, destinationID string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		a, err := s.account(ctx, tx, o, accountID)
		if err != nil {
			return err
		}
		if _, err := parentDepth(ctx, tx, o, destinationID); err != nil {
			return err
		}
		if a.ParentID != sourceID {
			return apierr.IIC400_400.New("source_parent_id is not the account's current parent")
		}
		return tx.Organizations().UpdateMember(ctx, accountID, func(m *store.Member) error {
			m.ParentID = destinationID
			return nil
		})
	})
}

// RemoveAccount removes a member account from the organization (it stays
// an account of its own). The management account cannot be removed.
func (s *Service) RemoveAccount(ctx context.Context, callerID, accountID string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		if _, err := s.account(ctx, tx, o, accountID); err != nil {
			return err
		}
		if accountID == o.ManagementAccountID {
			return apierr.IIC400_400.New("the management account cannot be removed from its organization")
		}
		return tx.Organizations().RemoveMember(ctx, accountID)
	})
}

// CloseAccount starts closing a member account: it becomes
// pending_closure (no longer an active member) and is listed by
// ListCloseAccountStatuses. The management account cannot be closed, nor an
// account twice (400 IIC.400).
func (s *Service) CloseAccount(ctx context.Context, callerID, accountID string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		a, err := s.account(ctx, tx, o, accountID)
		if err != nil {
			return err
		}
		switch {
		case accountID == o.ManagementAccountID:
			return apierr.IIC400_400.New("the management account cannot be closed")
		case a.Status != store.MemberActive:
			return apierr.IIC400_400.New("the account is already being closed")
		}
		if err := tx.Organizations().UpdateMember(ctx, accountID, func(m *store.Member) error {
			m.Status = store.MemberPendingClosure
			return nil
		}); err != nil {
			return err
		}
		now := s.Now().UTC()
		return tx.Organizations().PutCloseRequest(ctx, store.CloseAccountRequest{AccountID: accountID, OrganizationID: o.ID,
			State: store.MemberPendingClosure, CreatedAt: now, UpdatedAt: now})
	})
}

// CloseStates are the states ListCloseAccountStatuses filters by.
var CloseStates = []string{store.MemberPendingClosure, store.MemberSuspended}

// ListCloseAccountStatuses lists the organization's close requests in one
// of states (none = all).
func (s *Service) ListCloseAccountStatuses(ctx context.Context, callerID string, states []string) ([]store.CloseAccountRequest, error) {
	for _, st := range states {
		if !slices.Contains(CloseStates, st) {
			return nil, apierr.IIC400_400.New("states must be pending_closure or suspended")
		}
	}
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return nil, err
	}
	return s.Store.Organizations().ListCloseRequests(ctx, o.ID, states)
}

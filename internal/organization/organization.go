// Package organization owns Organizations: the organization a management
// account founds, its root, organizational units, member accounts (created
// asynchronously, as real accounts with projects), trusted services,
// delegated administrators and tags on accounts, units and roots. Identity
// Center takes its member accounts from here (Administrator, CheckMember).
//
// Who may call (the product's rule): writes only the management account;
// reads the management account or a member that is a delegated
// administrator of some service; ShowOrganization every member. A caller in
// no organization gets 400 IIC.1223, another member 403 IIC.1215.
package organization

import (
	"context"
	"errors"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// IdentityCenterPrincipal is Identity Center's service principal, as
// trusted services and delegated administrators name it.
const IdentityCenterPrincipal = "service.IdentityCenter"

// MaxUnitDepth is how deep units nest under the root (the product's
// limit: five levels of OUs).
const MaxUnitDepth = 5

// Service implements the organizations operations.
type Service struct {
	Store   store.Store
	IDs     ids.Generator
	Now     func() time.Time
	Paging  *paging.Signer
	Regions []string // a created account gets one project per region
	// Jobs runs the create-account jobs (set by RegisterJobs; required
	// before CreateAccount serves).
	Jobs *jobs.Runner
}

// settingBootstrapped records that the first-start organization was made,
// so that it is never made again once an administrator deleted it.
const settingBootstrapped = "organization_bootstrapped"

// Bootstrap makes, once per database, the organization of the root
// account: the root becomes its management account and Identity Center a
// trusted service. Later starts (and an organization deleted since) leave
// it alone. Safe to run from several processes at once.
func (s *Service) Bootstrap(ctx context.Context, rootAccountID string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		marker := s.IDs.Hex(8)
		got, err := tx.Settings().PutIfAbsent(ctx, settingBootstrapped, marker)
		if err != nil || got != marker {
			return err // err, or made before
		}
		if _, err := tx.Organizations().GetMember(ctx, rootAccountID); err == nil {
			return nil // already in an organization
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		o, err := s.found(ctx, tx, rootAccountID)
		if err != nil {
			return err
		}
		return tx.Organizations().EnableService(ctx, store.TrustedService{OrganizationID: o.ID, ServicePrincipal: IdentityCenterPrincipal, EnabledAt: s.Now().UTC()})
	})
}

// found creates an organization managed by accountID, with its root and
// the account as its first member.
func (s *Service) found(ctx context.Context, tx store.Store, accountID string) (store.Organization, error) {
	now := s.Now().UTC()
	o := store.Organization{ID: "o-" + s.IDs.Hex(16), ManagementAccountID: accountID, RootID: "r-" + s.IDs.Hex(8), CreatedAt: now}
	if err := tx.Organizations().Create(ctx, o); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return o, apierr.IIC1257.New()
		}
		return o, err
	}
	err := tx.Organizations().AddMember(ctx, store.Member{AccountID: accountID, OrganizationID: o.ID, ParentID: o.RootID,
		JoinMethod: JoinCreated, Status: store.MemberActive, JoinedAt: now})
	if errors.Is(err, store.ErrConflict) {
		return o, apierr.IIC1257.New()
	}
	return o, err
}

// Join methods (AccountDto.join_method).
const (
	JoinCreated = "created"
	JoinInvited = "invited"
)

// Org is an organization as ShowOrganization answers it.
type Org struct {
	store.Organization
	ManagementAccountName string
}

// CreateOrganization founds an organization managed by the caller's
// account; 409 IIC.1257 if it is in one already.
func (s *Service) CreateOrganization(ctx context.Context, callerID string) (Org, error) {
	var out Org
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if _, err := tx.Organizations().GetMember(ctx, callerID); err == nil {
			return apierr.IIC1257.New()
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		o, err := s.found(ctx, tx, callerID)
		if err != nil {
			return err
		}
		out, err = s.withName(ctx, tx, o)
		return err
	})
	return out, err
}

func (s *Service) withName(ctx context.Context, st store.Store, o store.Organization) (Org, error) {
	a, err := st.Accounts().Get(ctx, o.ManagementAccountID)
	return Org{Organization: o, ManagementAccountName: a.Name}, err
}

// ShowOrganization returns the caller's organization (any member may).
func (s *Service) ShowOrganization(ctx context.Context, callerID string) (Org, error) {
	o, err := s.orgOf(ctx, s.Store, callerID)
	if err != nil {
		return Org{}, err
	}
	return s.withName(ctx, s.Store, o)
}

// DeleteOrganization deletes the caller's organization. Only its
// management account may, and only once it holds no other account and no
// unit (400 IIC.400 otherwise).
func (s *Service) DeleteOrganization(ctx context.Context, callerID string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		n, err := tx.Organizations().CountMembers(ctx, o.ID)
		if err != nil {
			return err
		}
		if n > 1 {
			return apierr.IIC400_400.New("the organization still has member accounts; remove or close them first")
		}
		units, err := tx.Organizations().ListUnits(ctx, o.ID, "", 0, 1)
		if err != nil {
			return err
		}
		if len(units) > 0 {
			return apierr.IIC400_400.New("the organization still has organizational units; delete them first")
		}
		pending, err := tx.Organizations().ListRequests(ctx, o.ID, []string{store.CreateInProgress}, 0, 1)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			return apierr.IIC400_400.New("an account of the organization is still being created")
		}
		return tx.Organizations().Delete(ctx, o.ID)
	})
}

// Root is the organization's root as ListRoots answers it.
type Root struct {
	ID, URN   string
	CreatedAt time.Time
}

// ListRoots lists the organization's root (there is one).
func (s *Service) ListRoots(ctx context.Context, callerID string) ([]Root, error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return nil, err
	}
	return []Root{{ID: o.RootID, URN: URN(o, "root", o.RootID), CreatedAt: o.CreatedAt}}, nil
}

// URN is the resource name of an organization resource of type typ
// ("account", "ou", "root"): organizations::<management>:<type>:<org>/<id>;
// of the organization itself for typ "organization".
func URN(o store.Organization, typ, id string) string {
	if typ == "organization" {
		return "organizations::" + o.ManagementAccountID + ":organization:" + o.ID
	}
	return "organizations::" + o.ManagementAccountID + ":" + typ + ":" + o.ID + "/" + id
}

// orgOf returns the organization accountID belongs to; 400 IIC.1223 if none.
func (s *Service) orgOf(ctx context.Context, st store.Store, accountID string) (store.Organization, error) {
	m, err := st.Organizations().GetMember(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Organization{}, apierr.IIC1223.New()
	}
	if err != nil {
		return store.Organization{}, err
	}
	o, err := st.Organizations().Get(ctx, m.OrganizationID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Organization{}, apierr.IIC1223.New()
	}
	return o, err
}

// managed returns the organization callerID manages: IIC.1223 when it is
// in none, 403 IIC.1215 when it is a member but not the management account.
func (s *Service) managed(ctx context.Context, st store.Store, callerID string) (store.Organization, error) {
	o, err := s.orgOf(ctx, st, callerID)
	if err != nil {
		return o, err
	}
	if o.ManagementAccountID != callerID {
		return store.Organization{}, apierr.IIC1215.New()
	}
	return o, nil
}

// reader returns the organization callerID may read: as its management
// account or as a delegated administrator of some service; else IIC.1223
// or 403 IIC.1215.
func (s *Service) reader(ctx context.Context, st store.Store, callerID string) (store.Organization, error) {
	o, err := s.orgOf(ctx, st, callerID)
	if err != nil || o.ManagementAccountID == callerID {
		return o, err
	}
	ds, err := st.Organizations().ListDelegates(ctx, o.ID, callerID, "", 0, 1)
	if err != nil {
		return store.Organization{}, err
	}
	if len(ds) == 0 {
		return store.Organization{}, apierr.IIC1215.New()
	}
	return o, nil
}

// Administrator returns the account whose Identity Center a caller of
// account callerAccountID administers: its organization's management
// account when the caller is that account or the organization's registered
// delegated administrator of Identity Center, and, for the delegated
// administrator, an active member (an account being closed administers
// nothing). Errors: 400 IIC.1223 when the caller is in no organization (or
// it was deleted); 403 IIC.1215 when it is another member, or a delegated
// administrator being closed; 400 IIC.1221 when Identity Center is not a
// trusted service of the organization. One indexed query for the
// management account, two for its delegated administrator.
func (s *Service) Administrator(ctx context.Context, callerAccountID string) (string, error) {
	v, err := s.Store.Organizations().AdminView(ctx, callerAccountID, IdentityCenterPrincipal)
	switch {
	case err != nil:
		return "", err
	case v.OrganizationID == "":
		return "", apierr.IIC1223.New()
	case v.ManagementAccountID != callerAccountID && !v.Delegated:
		return "", apierr.IIC1215.New()
	}
	if v.ManagementAccountID != callerAccountID {
		m, err := s.Store.Organizations().GetMember(ctx, callerAccountID)
		if errors.Is(err, store.ErrNotFound) || err == nil && m.Status != store.MemberActive {
			return "", apierr.IIC1215.New()
		}
		if err != nil {
			return "", err
		}
	}
	if !v.Trusted {
		return "", apierr.IIC1221.New()
	}
	return v.ManagementAccountID, nil
}

// CheckMember returns nil when accountID is an active account of the
// organization managed by managementAccountID; 400 IIC.1210 "Account not
// found." when no such account exists (or it is closing); 403 IIC.1291 when
// it exists outside the organization. Two indexed reads at most.
func (s *Service) CheckMember(ctx context.Context, managementAccountID, accountID string) error {
	v, err := s.Store.Organizations().AdminView(ctx, accountID, IdentityCenterPrincipal)
	if err != nil {
		return err
	}
	if v.OrganizationID != "" && v.ManagementAccountID == managementAccountID {
		m, err := s.Store.Organizations().GetMember(ctx, accountID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && m.Status == store.MemberActive {
			return nil
		}
		return apierr.IIC1210_400.New()
	}
	if _, err := s.Store.Accounts().Get(ctx, accountID); errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1210_400.New()
	} else if err != nil {
		return err
	}
	return apierr.IIC1291.New()
}

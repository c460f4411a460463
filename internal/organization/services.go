package organization

import (
	"context"
	"errors"
	"regexp"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// principalPattern is the form of a service principal: "service." and the
// service's name (e.g. service.IdentityCenter).
var principalPattern = regexp.MustCompile(`^service\.[A-Za-z][A-Za-z0-9_-]{0,63}$`)

func checkPrincipal(p string) error {
	if !principalPattern.MatchString(p) {
		return apierr.IIC400_400.New("service_principal must be service.<name> (e.g. " + IdentityCenterPrincipal + ")")
	}
	return nil
}

// EnableTrustedService integrates service with the organization; enabling
// an enabled service changes nothing.
func (s *Service) EnableTrustedService(ctx context.Context, callerID, service string) error {
	if err := checkPrincipal(service); err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		enabled, err := trusted(ctx, tx, o, service)
		if err != nil || enabled {
			return err
		}
		return tx.Organizations().EnableService(ctx, store.TrustedService{OrganizationID: o.ID, ServicePrincipal: service, EnabledAt: s.Now().UTC()})
	})
}

// trusted reports whether service is a trusted service of o.
func trusted(ctx context.Context, st store.Store, o store.Organization, service string) (bool, error) {
	for after := int64(0); ; {
		ts, err := st.Organizations().ListServices(ctx, o.ID, after, 100)
		if err != nil {
			return false, err
		}
		for _, t := range ts {
			if t.ServicePrincipal == service {
				return true, nil
			}
		}
		if len(ts) < 100 {
			return false, nil
		}
		after = ts[len(ts)-1].Seq
	}
}

// DisableTrustedService ends the integration of service (and its delegated
// administrators); 404 IIC.404 if it was not enabled. Disabling Identity
// Center makes Administrator answer IIC.1221 for the organization.
func (s *Service) DisableTrustedService(ctx context.Context, callerID, service string) error {
	if err := checkPrincipal(service); err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		err = tx.Organizations().DisableService(ctx, o.ID, service)
		if errors.Is(err, store.ErrNotFound) {
			return apierr.IIC404.New(service + " is not a trusted service of the organization")
		}
		return err
	})
}

// ListTrustedServices lists the organization's trusted services.
func (s *Service) ListTrustedServices(ctx context.Context, callerID string, limit int, marker string) (Page[store.TrustedService], error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return Page[store.TrustedService]{}, err
	}
	scope := "org-services:" + o.ID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return Page[store.TrustedService]{}, err
	}
	rows, err := s.Store.Organizations().ListServices(ctx, o.ID, after, limit+1)
	if err != nil {
		return Page[store.TrustedService]{}, err
	}
	return page(s, scope, rows, limit, func(t store.TrustedService) int64 { return t.Seq }), nil
}

// RegisterDelegatedAdministrator makes member accountID the delegated
// administrator of service, which must be trusted (400 IIC.400). The
// management account cannot be one (400 IIC.400); registering twice is 409
// IIC.1257.
func (s *Service) RegisterDelegatedAdministrator(ctx context.Context, callerID, accountID, service string) error {
	if err := checkPrincipal(service); err != nil {
		return err
	}
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
			return apierr.IIC400_400.New("the management account cannot be a delegated administrator")
		case a.Status != store.MemberActive:
			return apierr.IIC400_400.New("the account is being closed")
		}
		ok, err := trusted(ctx, tx, o, service)
		if err != nil {
			return err
		}
		if !ok {
			return apierr.IIC400_400.New(service + " is not a trusted service of the organization; enable it first")
		}
		err = tx.Organizations().AddDelegate(ctx, store.DelegatedAdmin{OrganizationID: o.ID, AccountID: accountID, ServicePrincipal: service, EnabledAt: s.Now().UTC()})
		if errors.Is(err, store.ErrConflict) {
			return apierr.IIC1257.New()
		}
		return err
	})
}

// DeregisterDelegatedAdministrator ends accountID's delegation for service;
// 404 IIC.404 if it is not registered.
func (s *Service) DeregisterDelegatedAdministrator(ctx context.Context, callerID, accountID, service string) error {
	if err := checkPrincipal(service); err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		if _, err := s.account(ctx, tx, o, accountID); err != nil {
			return err
		}
		err = tx.Organizations().RemoveDelegate(ctx, o.ID, accountID, service)
		if errors.Is(err, store.ErrNotFound) {
			return apierr.IIC404.New("the account is not a delegated administrator of " + service)
		}
		return err
	})
}

// Delegate is a delegated administrator with its account.
type Delegate struct {
	store.DelegatedAdmin
	Account Account
}

// ListDelegatedAdministrators lists the delegated administrators, of
// service when it is set.
func (s *Service) ListDelegatedAdministrators(ctx context.Context, callerID, service string, limit int, marker string) (Page[Delegate], error) {
	if service != "" {
		if err := checkPrincipal(service); err != nil {
			return Page[Delegate]{}, err
		}
	}
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return Page[Delegate]{}, err
	}
	scope := "org-delegates:" + o.ID + ":" + service
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return Page[Delegate]{}, err
	}
	rows, err := s.Store.Organizations().ListDelegates(ctx, o.ID, "", service, after, limit+1)
	if err != nil {
		return Page[Delegate]{}, err
	}
	out := make([]Delegate, 0, len(rows))
	for _, d := range rows {
		a, err := s.account(ctx, s.Store, o, d.AccountID)
		if err != nil {
			return Page[Delegate]{}, err
		}
		out = append(out, Delegate{DelegatedAdmin: d, Account: a})
	}
	return page(s, scope, out, limit, func(d Delegate) int64 { return d.Seq }), nil
}

// ListDelegatedServices lists the services member accountID is a delegated
// administrator of.
func (s *Service) ListDelegatedServices(ctx context.Context, callerID, accountID string, limit int, marker string) (Page[store.DelegatedAdmin], error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return Page[store.DelegatedAdmin]{}, err
	}
	if _, err := s.account(ctx, s.Store, o, accountID); err != nil {
		return Page[store.DelegatedAdmin]{}, err
	}
	scope := "org-delegated-services:" + o.ID + ":" + accountID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return Page[store.DelegatedAdmin]{}, err
	}
	rows, err := s.Store.Organizations().ListDelegates(ctx, o.ID, accountID, "", after, limit+1)
	if err != nil {
		return Page[store.DelegatedAdmin]{}, err
	}
	return page(s, scope, rows, limit, func(d store.DelegatedAdmin) int64 { return d.Seq }), nil
}

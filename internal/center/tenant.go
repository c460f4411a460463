package center

import (
	"context"
	"errors"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Administrator tells, for the account a caller belongs to, which account's
// Identity Center it administers: its organization's management account
// when the caller is that account or the organization's delegated
// administrator of Identity Center; IIC.1223 when it belongs to no
// organization, IIC.1215 when it is another member. The organizations
// service provides it; nil means every account administers its own.
type Administrator func(ctx context.Context, callerAccountID string) (string, error)

// Tenant is whose Identity Center a request acts on: the administered
// account and, when the request names one, its instance.
type Tenant struct {
	AccountID string
	Instance  store.Instance
}

// Resolve finds the tenant of a caller of account callerAccountID naming
// instanceID or identityStoreID (either may be ""). The instance must belong
// to the administered account; otherwise 404 IIC.1259, so that another
// account's instance is not revealed. It reads the store once per request;
// services then take the resolved instance instead of looking it up again.
func (s *Service) Resolve(ctx context.Context, callerAccountID, instanceID, identityStoreID string) (Tenant, error) {
	t := Tenant{AccountID: callerAccountID}
	if s.Administrator != nil {
		owner, err := s.Administrator(ctx, callerAccountID)
		if err != nil {
			return Tenant{}, err
		}
		t.AccountID = owner
	}
	var (
		in  store.Instance
		err error
	)
	switch {
	case instanceID != "":
		in, err = s.Store.Instances().Get(ctx, instanceID)
	case identityStoreID != "":
		in, err = s.Store.Instances().GetByIdentityStore(ctx, identityStoreID)
	default:
		return t, nil
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.AccountID != t.AccountID) {
		return Tenant{}, apierr.IIC1259.New()
	}
	if err != nil {
		return Tenant{}, err
	}
	t.Instance = in
	return t, nil
}

// ManagementOnly refuses a caller that is not the management account of
// its organization (403 IIC.1215): registering or deregistering the home
// region and starting or deleting Identity Center are the management
// account's alone, not its delegated administrator's.
func (s *Service) ManagementOnly(ctx context.Context, callerAccountID string) error {
	if s.Administrator == nil {
		return nil
	}
	owner, err := s.Administrator(ctx, callerAccountID)
	if err != nil {
		return err
	}
	if owner != callerAccountID {
		return apierr.IIC1215.New()
	}
	return nil
}

package httpx

import (
	"context"
	"net/http"

	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/store"
)

// Tenant is whose Identity Center a request acts on, resolved once per
// request by the Guard before authorization: the account that owns the
// instance (the organization's management account, also when a delegated
// administrator calls) and, when the path names one, the instance itself,
// already checked to belong to that account.
type Tenant struct {
	AccountID string
	Instance  store.Instance // zero unless the route has {instance_id} or {identity_store_id}
}

// Tenancy resolves a request's Tenant. instanceID and identityStoreID are
// the route's path values ("" when absent). It returns the product's
// errors: IIC.1223 (no organization), IIC.1215 (neither the management
// account nor the delegated administrator of Identity Center), 404 IIC.1259
// (no such instance for this account: another account's is not revealed).
type Tenancy interface {
	Resolve(ctx context.Context, p *authz.Principal, instanceID, identityStoreID string) (Tenant, error)
}

type tenantKey struct{}

// TenantFrom returns the request's resolved tenant; ok is false for
// operations that are not tenant-scoped (Op.Tenant false).
func TenantFrom(ctx context.Context) (Tenant, bool) {
	t, ok := ctx.Value(tenantKey{}).(Tenant)
	return t, ok
}

// resolveTenant runs the Guard's Tenancy for a tenant-scoped op.
func (g *Guard) resolveTenant(r *http.Request, op Op, p *authz.Principal) (*http.Request, error) {
	if !op.Tenant || g.Tenancy == nil {
		return r, nil
	}
	t, err := g.Tenancy.Resolve(r.Context(), p, r.PathValue("instance_id"), r.PathValue("identity_store_id"))
	if err != nil {
		return r, err
	}
	return r.WithContext(context.WithValue(r.Context(), tenantKey{}, t)), nil
}

// Package idstore is the identitycenterstore wire surface (the Huawei SDK's
// identitycenterstore service, signed with basic credentials): users,
// groups, memberships, password policy, MFA devices, sessions, identity
// sources, SAML SP settings and SCIM provisioning tenants.
//
// Every route is under /v1/identity-stores/{identity_store_id}. The actions
// are the documented IdentityCenter:<resource>:<verb> ones of the action
// table (internal/authz/actions.tsv); none has resource-level permission.
package idstore

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/idsource"
)

// API holds the services the surface calls.
type API struct {
	Identity *identity.Service
	Sources  *idsource.Service
}

// Ops is the surface's route table, one list per area.
func (a *API) Ops() []httpx.Op {
	var ops []httpx.Op
	ops = append(ops, a.userOps()...)
	ops = append(ops, a.credentialOps()...)
	ops = append(ops, a.groupOps()...)
	ops = append(ops, a.sourceOps()...)
	ops = append(ops, a.deviceOps()...)
	ops = append(ops, a.scimTenantOps()...)
	// Every operation acts on one identity store: the Guard resolves it
	// (and that the caller administers it) once, before authorization.
	for i := range ops {
		ops[i].Tenant = true
	}
	return ops
}

// callerFor is the caller of a write: the actor recorded in created_by /
// updated_by (authz.Principal.Actor, the same for every resource).
func callerFor(r *http.Request) identity.Caller {
	return identity.Caller{Actor: authz.PrincipalFrom(r.Context()).Actor()}
}

// storeIDOf is the identity store the route names, as the Guard resolved it.
func storeIDOf(r *http.Request) string {
	t, _ := httpx.TenantFrom(r.Context())
	return t.Instance.IdentityStoreID
}

// pageInfo and newPageInfo: the page_info of every list (httpx.PageInfo).
type pageInfo = httpx.PageInfo

var newPageInfo = httpx.NewPageInfo

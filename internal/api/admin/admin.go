// Package admin is the identitycenter wire surface (the Huawei SDK's
// identitycenter service, signed with global credentials): it decodes
// requests, calls the services and encodes their answers.
package admin

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/store"
)

// API holds the services the surface calls.
type API struct {
	Center     *center.Service
	Permission *permission.Service
}

// Ops is the surface's route table. Actions, access levels and
// dependencies come from the action table (internal/authz/actions.tsv): the
// documented IdentityCenter:instance:* actions, which have no resource-level
// permission, and the iic extension iic:region:deregister.
func (a *API) Ops() []httpx.Op {
	ops := []httpx.Op{
		{Name: "RegisterRegion", Pattern: "POST /v1/register-regions", Handler: a.registerRegion},
		{Name: "DescribeRegisteredRegions", Pattern: "GET /v1/registered-regions", Tenant: true, Handler: a.describeRegisteredRegions},
		{Name: "DeregisterRegion", Pattern: "DELETE /v1/registered-regions/{region_id}", Resource: iicRegion, Handler: a.deregisterRegion},
		{Name: "StartIdentityCenter", Pattern: "POST /v1/service/start", Handler: a.startIdentityCenter},
		{Name: "GetIdentityCenterServiceStatus", Pattern: "GET /v1/identity-center-service/status", Tenant: true, Handler: a.getServiceStatus},
		{Name: "DeleteIdentityCenter", Pattern: "POST /v1/service/delete", Handler: a.deleteIdentityCenter},
		{Name: "ListInstances", Pattern: "GET /v1/instances", Tenant: true, Handler: a.listInstances},
		{Name: "CreateAlias", Pattern: "POST /v1/instances/{instance_id}/alias", Tenant: true, Handler: a.createAlias},
	}
	ops = append(ops, a.settingsOps()...)
	ops = append(ops, a.permissionSetOps()...)
	ops = append(ops, a.assignmentOps()...)
	ops = append(ops, a.tagOps()...)
	return ops
}

// iicRegion is the resource of the iic extension DeregisterRegion:
// iic::<account>:region:<region_id>.
func iicRegion(r *http.Request, p *authz.Principal) string {
	return authz.ResourceURN("iic", "", p.AccountID, "region", r.PathValue("region_id"))
}

// account is the caller's own account: the management-account operations
// (register/deregister the region, start/delete Identity Center) check with
// Center.ManagementOnly that it is the organization's management account.
func account(r *http.Request) string { return authz.PrincipalFrom(r.Context()).AccountID }

// tenant is the account whose Identity Center a tenant-scoped operation
// (Op.Tenant) acts on, resolved once by the Guard; instance is the instance
// its route names, already checked to belong to that account.
func tenant(r *http.Request) string {
	t, _ := httpx.TenantFrom(r.Context())
	return t.AccountID
}

func instance(r *http.Request) store.Instance {
	t, _ := httpx.TenantFrom(r.Context())
	return t.Instance
}

// empty is the body of operations that answer nothing.
var empty = struct{}{}

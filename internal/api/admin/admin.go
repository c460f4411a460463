// Package admin is the identitycenter wire surface (the Huawei SDK's
// identitycenter service, signed with global credentials): it decodes
// requests, calls the services and encodes their answers.
package admin

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/center"
)

// API holds the services the surface calls.
type API struct {
	Center *center.Service
}

// Ops is the surface's route table.
func (a *API) Ops() []httpx.Op {
	return []httpx.Op{
		{Pattern: "POST /v1/register-regions", Action: "identitycenter:region:register", Resource: accountScope("region"), Handler: a.registerRegion},
		{Pattern: "GET /v1/registered-regions", Action: "identitycenter:region:list", Resource: accountScope("region"), Handler: a.describeRegisteredRegions},
		{Pattern: "DELETE /v1/registered-regions/{region_id}", Action: "identitycenter:region:deregister", Resource: accountScope("region"), Handler: a.deregisterRegion},
		{Pattern: "POST /v1/service/start", Action: "identitycenter:service:start", Resource: accountScope("service"), Handler: a.startIdentityCenter},
		{Pattern: "GET /v1/identity-center-service/status", Action: "identitycenter:service:getStatus", Resource: accountScope("service"), Handler: a.getServiceStatus},
		{Pattern: "POST /v1/service/delete", Action: "identitycenter:service:delete", Resource: accountScope("service"), Handler: a.deleteIdentityCenter},
		{Pattern: "GET /v1/instances", Action: "identitycenter:instances:list", Resource: accountScope("instance"), Handler: a.listInstances},
		{Pattern: "POST /v1/instances/{instance_id}/alias", Action: "identitycenter:instances:createAlias", Resource: accountScope("instance"), Handler: a.createAlias},
	}
}

// accountScope is the URN of every resource of one type in the caller's
// account: identitycenter::<account>:<type>:*.
func accountScope(typ string) func(*http.Request, *authz.Principal) string {
	return func(_ *http.Request, p *authz.Principal) string {
		return "identitycenter::" + p.AccountID + ":" + typ + ":*"
	}
}

func account(r *http.Request) string { return authz.PrincipalFrom(r.Context()).AccountID }

// empty is the body of operations that answer nothing.
var empty = struct{}{}

// Package orgs is the Organizations wire surface (the Huawei SDK's
// organizations service, signed with global credentials): the
// organization, its root and units, member accounts, trusted services,
// delegated administrators and tags. Every operation acts for the caller's
// own account; the organization service decides what that account may do
// in its organization. The SDK operations iic does not implement answer a
// 400 envelope saying so (Unsupported).
package orgs

import (
	"net/http"
	"time"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/organization"
)

// API holds the service the surface calls.
type API struct {
	Orgs *organization.Service
}

// Ops is the surface's route table. Actions, access levels, resources and
// dependencies come from the action table (internal/authz/actions.tsv).
func (a *API) Ops() []httpx.Op {
	return []httpx.Op{
		{Name: "CreateOrganization", Pattern: "POST /v1/organizations", Handler: a.createOrganization},
		{Name: "ShowOrganization", Pattern: "GET /v1/organizations", Handler: a.showOrganization},
		{Name: "DeleteOrganization", Pattern: "DELETE /v1/organizations", Handler: a.deleteOrganization},
		{Name: "ListRoots", Pattern: "GET /v1/organizations/roots", Handler: a.listRoots},

		{Name: "CreateOrganizationalUnit", Pattern: "POST /v1/organizations/organizational-units", Target: a.createUnitTarget, Handler: a.createUnit},
		{Name: "ListOrganizationalUnits", Pattern: "GET /v1/organizations/organizational-units", Handler: a.listUnits},
		{Name: "ShowOrganizationalUnit", Pattern: "GET /v1/organizations/organizational-units/{organizational_unit_id}", Target: a.unitTarget, Handler: a.showUnit},
		{Name: "UpdateOrganizationalUnit", Pattern: "PATCH /v1/organizations/organizational-units/{organizational_unit_id}", Target: a.unitTarget, Handler: a.updateUnit},
		{Name: "DeleteOrganizationalUnit", Pattern: "DELETE /v1/organizations/organizational-units/{organizational_unit_id}", Target: a.unitTarget, Handler: a.deleteUnit},

		{Name: "CreateAccount", Pattern: "POST /v1/organizations/accounts", Target: a.createAccountTarget, Handler: a.createAccount},
		{Name: "ListAccounts", Pattern: "GET /v1/organizations/accounts", Handler: a.listAccounts},
		{Name: "ShowAccount", Pattern: "GET /v1/organizations/accounts/{account_id}", Target: a.accountTarget, Handler: a.showAccount},
		{Name: "UpdateAccount", Pattern: "PATCH /v1/organizations/accounts/{account_id}", Target: a.accountTarget, Handler: a.updateAccount},
		{Name: "MoveAccount", Pattern: "POST /v1/organizations/accounts/{account_id}/move", Target: a.accountTarget, Handler: a.moveAccount},
		{Name: "RemoveAccount", Pattern: "POST /v1/organizations/accounts/{account_id}/remove", Target: a.accountTarget, Handler: a.removeAccount},
		{Name: "CloseAccount", Pattern: "POST /v1/organizations/accounts/{account_id}/close", Target: a.accountTarget, Handler: a.closeAccount},
		{Name: "ShowCreateAccountStatus", Pattern: "GET /v1/organizations/create-account-status/{create_account_status_id}", Handler: a.showCreateStatus},
		{Name: "ListCreateAccountStatuses", Pattern: "GET /v1/organizations/create-account-status", Handler: a.listCreateStatuses},
		{Name: "ListEntities", Pattern: "GET /v1/organizations/entities", Handler: a.listEntities},
		{Name: "ListCloseAccountStatuses", Pattern: "GET /v1/organizations/close-account-status", Handler: a.listCloseStatuses},

		{Name: "EnableTrustedService", Pattern: "POST /v1/organizations/trusted-services/enable", Handler: a.enableService},
		{Name: "DisableTrustedService", Pattern: "POST /v1/organizations/trusted-services/disable", Handler: a.disableService},
		{Name: "ListTrustedServices", Pattern: "GET /v1/organizations/trusted-services", Handler: a.listServices},
		{Name: "RegisterDelegatedAdministrator", Pattern: "POST /v1/organizations/delegated-administrators/register", Target: a.delegateTarget, Handler: a.registerDelegate},
		{Name: "DeregisterDelegatedAdministrator", Pattern: "POST /v1/organizations/delegated-administrators/deregister", Target: a.delegateTarget, Handler: a.deregisterDelegate},
		{Name: "ListDelegatedAdministrators", Pattern: "GET /v1/organizations/delegated-administrators", Handler: a.listDelegates},
		{Name: "ListDelegatedServices", Pattern: "GET /v1/organizations/accounts/{account_id}/delegated-services", Target: a.accountTarget, Handler: a.listDelegatedServices},

		{Name: "TagResource", Pattern: "POST /v1/organizations/resources/{resource_id}/tag", Target: a.tagTarget, Handler: a.tagResource},
		{Name: "UntagResource", Pattern: "POST /v1/organizations/resources/{resource_id}/untag", Target: a.untagTarget, Handler: a.untagResource},
		{Name: "ListTagsForResource", Pattern: "GET /v1/organizations/resources/{resource_id}/tags", Target: a.resourceTarget, Handler: a.listTags},
	}
}

// caller is the account the request acts for.
func caller(r *http.Request) string { return authz.PrincipalFrom(r.Context()).AccountID }

// empty is the body of operations that answer nothing.
var empty = struct{}{}

// rfc3339 is how organizations timestamps go on the wire ("" for zero).
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// pageInfo and newPageInfo: the page_info of every list (httpx.PageInfo).
type pageInfo = httpx.PageInfo

var newPageInfo = httpx.NewPageInfo

// listParams reads limit (1–2000, default 200) and marker.
func listParams(r *http.Request) (int, string, error) {
	q := r.URL.Query()
	limit, err := organization.ParseLimit(q.Get("limit"))
	return limit, q.Get("marker"), err
}

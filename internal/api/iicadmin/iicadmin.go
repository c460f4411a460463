// Package iicadmin is iic's own administration surface (an extension: it
// has no Huawei SDK counterpart), signed with AK/SK like the others:
//
//	POST   /v1/iic/policies                  create a custom policy        iic:policy:create
//	GET    /v1/iic/policies                  list custom policies          iic:policy:list
//	GET    /v1/iic/policies/{policy_id}      read one                      iic:policy:get
//	DELETE /v1/iic/policies/{policy_id}      delete one                    iic:policy:delete
//	POST   /v1/iic/policies/simulate         simulate a request            iic:policy:simulate
//	GET    /v1/iic/managed-policies          list system-defined policies  iic:managedPolicy:list
//	GET    /v1/iic/managed-policies/{policy_id}                            iic:managedPolicy:get
//	POST   /v1/iic/access-keys               create a scoped access key    iic:accessKey:create
//	GET    /v1/iic/access-keys               list scoped access keys       iic:accessKey:list
//	DELETE /v1/iic/access-keys/{access_key}  delete a scoped access key    iic:accessKey:delete
//
// Resources are iic::<account>:policy:<id|*>, iic::<account>:managedPolicy:<id|*>
// and iic::<account>:accessKey:<ak|*>. Only the FullAccess managed policy
// (and custom policies granting iic:*) reach these actions: whoever may
// create access keys may create one bound to any policy, so iic:accessKey:create
// is as powerful as FullAccess.
//
// Wire formats (JSON, snake_case):
//
//	create policy  {"policy_name": "...", "description": "...", "policy_document": {...} | "<json text>"}
//	           →201 {"policy": policy}
//	policy         {"policy_id", "policy_name", "description", "policy_document" (text),
//	                "policy_type": "custom", "urn": "iam::<account>:policy:<name>", "created_at", "updated_at"}
//	managed        {"policy_id", "policy_name", "policy_type": "identity-policy"|"role", "service",
//	                "iic_defined" (true: shipped by iic, not Huawei's), "description", "policy_document",
//	                "urn": "iam::system:policy:<name>"}
//	create key     {"policy_ids": [...], "description": "...", "user_name": "..."}
//	           →201 {"credential": {"access_key", "secret_key" (only here), "policy_ids", "description",
//	                "user_name", "status": "active", "created_at"}}
//	simulate       {"policy_ids": [...], "policies": [{...} | "<json text>", ...], "action": "...",
//	                "resource": "...", "context": {"g:SourceIp": "10.0.0.1", "g:TagKeys": ["a", "b"], ...}}
//	           →200 {"action", "alternates", "legacy_action", "allowed", "effect",
//	                "deciding_statement": {...} | null, "explanation": {...}} (snake_case throughout;
//	                an operation's alternate or old name is decided as that operation)
//
// Lists take limit (1-100, default 100) and marker, and answer page_info
// {next_marker (null on the last page), current_count}.
package iicadmin

import (
	"net/http"
	"time"

	"github.com/iic-project/iic/internal/accesskeys"
	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
)

// API holds the service the surface calls.
type API struct {
	Access *accesskeys.Service
}

// Ops is the surface's route table.
func (a *API) Ops() []httpx.Op {
	return []httpx.Op{
		{Name: "CreatePolicy", Pattern: "POST /v1/iic/policies", Resource: scope("policy"), Handler: a.createPolicy},
		{Name: "ListPolicies", Pattern: "GET /v1/iic/policies", Resource: scope("policy"), Handler: a.listPolicies},
		{Name: "GetPolicy", Pattern: "GET /v1/iic/policies/{policy_id}", Resource: one("policy", "policy_id"), Handler: a.getPolicy},
		{Name: "DeletePolicy", Pattern: "DELETE /v1/iic/policies/{policy_id}", Resource: one("policy", "policy_id"), Handler: a.deletePolicy},
		{Name: "SimulatePolicy", Pattern: "POST /v1/iic/policies/simulate", Resource: scope("policy"), Handler: a.simulate},
		{Name: "ListManagedPolicies", Pattern: "GET /v1/iic/managed-policies", Resource: scope("managedPolicy"), Handler: a.listManaged},
		{Name: "GetManagedPolicy", Pattern: "GET /v1/iic/managed-policies/{policy_id}", Resource: one("managedPolicy", "policy_id"), Handler: a.getManaged},
		{Name: "CreateAccessKey", Pattern: "POST /v1/iic/access-keys", Resource: scope("accessKey"), Handler: a.createKey},
		{Name: "ListAccessKeys", Pattern: "GET /v1/iic/access-keys", Resource: scope("accessKey"), Handler: a.listKeys},
		{Name: "DeleteAccessKey", Pattern: "DELETE /v1/iic/access-keys/{access_key}", Resource: one("accessKey", "access_key"), Handler: a.deleteKey},
	}
}

func scope(typ string) func(*http.Request, *authz.Principal) string {
	return func(_ *http.Request, p *authz.Principal) string { return "iic::" + p.AccountID + ":" + typ + ":*" }
}

func one(typ, param string) func(*http.Request, *authz.Principal) string {
	return func(r *http.Request, p *authz.Principal) string {
		return "iic::" + p.AccountID + ":" + typ + ":" + r.PathValue(param)
	}
}

func account(r *http.Request) string { return authz.PrincipalFrom(r.Context()).AccountID }

// pageInfo and newPageInfo: the page_info of every list (httpx.PageInfo).
type pageInfo = httpx.PageInfo

var newPageInfo = httpx.NewPageInfo

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

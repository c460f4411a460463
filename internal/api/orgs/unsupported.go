package orgs

import (
	"net/http"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
)

// UnsupportedOp is an operation of the SDK's organizations service that
// iic does not implement.
type UnsupportedOp struct {
	Name    string
	Pattern string // "METHOD /path/{var}", as the SDK sends it
	Area    string // what it belongs to, for the message
}

// Unsupported is every organizations operation of the SDK (v0.1.207) that
// iic does not implement: service control and tag policies (and their
// dry runs), invitations and handshakes, leaving an organization, resource
// accounts, quotas and the tag-filter queries. Each answers 400
// IIC.400 saying so, signed or not (it reveals nothing).
var Unsupported = []UnsupportedOp{
	{"CreateResourceAccount", "POST /v2/organizations/accounts", "resource accounts"},
	{"InviteAccount", "POST /v1/organizations/accounts/invite", "invitations"},
	{"LeaveOrganization", "POST /v1/organizations/leave", "leaving an organization"},
	{"AcceptHandshake", "POST /v1/received-handshakes/{handshake_id}/accept", "invitations"},
	{"DeclineHandshake", "POST /v1/received-handshakes/{handshake_id}/decline", "invitations"},
	{"ListReceivedHandshakes", "GET /v1/received-handshakes", "invitations"},
	{"CancelHandshake", "POST /v1/organizations/handshakes/{handshake_id}/cancel", "invitations"},
	{"ListHandshakes", "GET /v1/organizations/handshakes", "invitations"},
	{"ShowHandshake", "GET /v1/organizations/handshakes/{handshake_id}", "invitations"},
	{"AttachPolicy", "POST /v1/organizations/policies/{policy_id}/attach", "policies"},
	{"CreatePolicy", "POST /v1/organizations/policies", "policies"},
	{"DeletePolicy", "DELETE /v1/organizations/policies/{policy_id}", "policies"},
	{"DetachPolicy", "POST /v1/organizations/policies/{policy_id}/detach", "policies"},
	{"DisablePolicyType", "POST /v1/organizations/policies/disable", "policies"},
	{"EnablePolicyType", "POST /v1/organizations/policies/enable", "policies"},
	{"ListEntitiesForPolicy", "GET /v1/organizations/policies/{policy_id}/attached-entities", "policies"},
	{"ListPolicies", "GET /v1/organizations/policies", "policies"},
	{"ShowPolicy", "GET /v1/organizations/policies/{policy_id}", "policies"},
	{"UpdatePolicy", "PATCH /v1/organizations/policies/{policy_id}", "policies"},
	{"ShowEffectivePolicies", "GET /v1/organizations/entities/effective-policies", "policies"},
	{"ListTagPolicyServices", "GET /v1/organizations/tag-policy-services", "policies"},
	{"ShowDryRunConfig", "GET /v1/organizations/dry-run-config", "dry-run policies"},
	{"UpdateDryRunConfig", "POST /v1/organizations/dry-run-config", "dry-run policies"},
	{"AttachDryRunPolicy", "POST /v1/organizations/dry-run-policies/{policy_id}/attach", "dry-run policies"},
	{"CreateDryRunPolicy", "POST /v1/organizations/dry-run-policies", "dry-run policies"},
	{"DeleteDryRunPolicy", "DELETE /v1/organizations/dry-run-policies/{policy_id}", "dry-run policies"},
	{"DetachDryRunPolicy", "POST /v1/organizations/dry-run-policies/{policy_id}/detach", "dry-run policies"},
	{"ListDryRunPolicies", "GET /v1/organizations/dry-run-policies", "dry-run policies"},
	{"ListEntitiesForDryRunPolicy", "GET /v1/organizations/dry-run-policies/{policy_id}/attached-entities", "dry-run policies"},
	{"ShowDryRunPolicy", "GET /v1/organizations/dry-run-policies/{policy_id}", "dry-run policies"},
	{"UpdateDryRunPolicy", "PATCH /v1/organizations/dry-run-policies/{policy_id}", "dry-run policies"},
	{"ListQuotas", "GET /v1/organizations/quotas", "quotas"},
	{"ListServices", "GET /v1/organizations/services", "the service catalog"},
	{"CreateTagResource", "POST /v1/organizations/{resource_type}/{resource_id}/tags/create", "tag queries by resource type"},
	{"DeleteTagResource", "POST /v1/organizations/{resource_type}/{resource_id}/tags/delete", "tag queries by resource type"},
	{"ListResourceInstances", "POST /v1/organizations/{resource_type}/resource-instances/filter", "tag queries by resource type"},
	{"ListResourceTags", "GET /v1/organizations/{resource_type}/tags", "tag queries by resource type"},
	{"ListTagResources", "GET /v1/organizations/{resource_type}/{resource_id}/tags", "tag queries by resource type"},
	{"ShowResourceInstancesCount", "POST /v1/organizations/{resource_type}/resource-instances/count", "tag queries by resource type"},
}

// MountUnsupported answers the Unsupported operations on rt. Some of their
// routes overlap the implemented ones in ways ServeMux cannot register
// ("GET /v1/organizations/{resource_type}/tags" against
// "GET /v1/organizations/accounts/{account_id}"), so they are matched here,
// behind catch-alls that only see what no implemented route took.
func MountUnsupported(rt *httpx.Router) {
	h := http.HandlerFunc(answerUnsupported)
	for _, prefix := range []string{"/v1/organizations/", "/v2/organizations/", "/v1/received-handshakes", "/v1/received-handshakes/"} {
		rt.Handle(prefix, h)
	}
}

func answerUnsupported(w http.ResponseWriter, r *http.Request) {
	for _, op := range Unsupported {
		if matches(op.Pattern, r.Method, r.URL.Path) {
			httpx.WriteError(w, r, apierr.IIC400_400.New("iic does not support the Organizations operation "+op.Name+" ("+op.Area+")"))
			return
		}
	}
	httpx.WriteError(w, r, apierr.IIC404.New("no API operation at "+r.Method+" "+r.URL.EscapedPath()))
}

// matches reports whether method and path fit pattern, whose {var}
// segments match any one non-empty segment.
func matches(pattern, method, path string) bool {
	m, p, _ := strings.Cut(pattern, " ")
	if m != method {
		return false
	}
	want, got := strings.Split(p, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if strings.HasPrefix(want[i], "{") {
			if got[i] == "" {
				return false
			}
		} else if want[i] != got[i] {
			return false
		}
	}
	return true
}

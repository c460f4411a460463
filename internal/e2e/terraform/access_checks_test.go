package terraform

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// waitProvisioned waits until no provisioning of the instance is in
// progress.
func waitProvisioned(t *testing.T, get func(string) map[string]any, instanceID string) {
	t.Helper()
	for range 600 {
		l, _ := get("/v1/instances/" + instanceID + "/permission-sets/provisioning-statuses?status=IN_PROGRESS")["permission_sets_provisioning_status"].([]any)
		if len(l) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("provisionings still in progress")
}

// checkAccessServer checks what the server holds against cfg.
func checkAccessServer(t *testing.T, get func(string) map[string]any, instanceID, setID, dev, prod string, c accessConfig) {
	t.Helper()
	inst := "/v1/instances/" + instanceID
	if l := get("/v1/instances")["instances"].([]any); fmt.Sprint(l[0].(map[string]any)["alias"]) != c.Alias {
		t.Fatalf("instances = %v, want alias %s", l, c.Alias)
	}
	ps := get(inst + "/permission-sets/" + setID)["permission_set"].(map[string]any)
	if ps["description"] != c.SetDescription || ps["session_duration"] != c.SetDuration || ps["relay_state"] != c.SetRelayState {
		t.Fatalf("permission set = %v", ps)
	}
	if tags := fmt.Sprint(get("/v1/instances/identitycenter:permissionset/" + setID + "/tags")["tags"]); !strings.Contains(tags, "value:"+c.SetTag) {
		t.Fatalf("tags of the permission set = %s, want env=%s", tags, c.SetTag)
	}
	ids := func(path, list, key string) []string {
		var out []string
		for _, it := range get(path)[list].([]any) {
			out = append(out, it.(map[string]any)[key].(string))
		}
		sort.Strings(out)
		return out
	}
	sorted := func(s []string) []string { s = slices.Clone(s); sort.Strings(s); return s }
	if got := ids(inst+"/permission-sets/"+setID+"/managed-roles", "attached_managed_roles", "role_id"); !slices.Equal(got, sorted(c.Roles)) {
		t.Fatalf("managed roles = %v, want %v", got, c.Roles)
	}
	if got := ids(inst+"/permission-sets/"+setID+"/managed-policies", "attached_managed_policies", "policy_id"); !slices.Equal(got, sorted(c.Policies)) {
		t.Fatalf("managed policies = %v, want %v", got, c.Policies)
	}
	for _, kind := range []string{"policy", "role"} {
		doc := get(inst + "/permission-sets/" + setID + "/custom-" + kind)["custom_"+kind].(string)
		for _, a := range c.CustomActions {
			if !strings.Contains(doc, a) {
				t.Fatalf("custom %s = %s, want %v", kind, doc, c.CustomActions)
			}
		}
	}
	for acct, typ := range map[string]string{dev: "USER", prod: "GROUP"} {
		got := ids(inst+"/account-assignments?permission_set_id="+setID+"&account_id="+acct, "account_assignments", "principal_type")
		if !slices.Equal(got, []string{typ}) {
			t.Fatalf("assignments in %s = %v, want one of a %s", acct, got, typ)
		}
	}
	if got := fmt.Sprint(get(inst + "/permission-sets/" + setID + "/accounts")["account_ids"]); !strings.Contains(got, dev) {
		t.Fatalf("accounts of the permission set = %s, want %s among them", got, dev)
	}
	sso := fmt.Sprint(get(inst + "/sso-configuration")["sso_configuration"])
	if !strings.Contains(sso, "mfa_mode:"+c.MFAMode) || !strings.Contains(sso, "max_authentication_age:"+c.SessionAge) {
		t.Fatalf("sso configuration = %s", sso)
	}
	if p := get(inst + "/mfa-devices/management-settings")["user_permission"]; p != c.DevicePerm {
		t.Fatalf("mfa device management = %v, want %s", p, c.DevicePerm)
	}
	abac := get(inst + "/access-control-attribute-configuration")
	if attrs, _ := abac["instance_access_control_attribute_configuration"].(map[string]any)["access_control_attributes"].([]any); len(attrs) != len(c.ABAC) {
		t.Fatalf("access control attributes = %v, want %v", abac, c.ABAC)
	}
	parent := get("/v1/organizations/entities?child_id=" + prod)["entities"].([]any)[0].(map[string]any)
	if want := map[bool]string{true: "organizational_unit", false: "root"}[c.ProdInUnit]; parent["type"] != want {
		t.Fatalf("parent of prod = %v, want a %s", parent, want)
	}
	if d := get("/v1/organizations/accounts/" + dev)["account"].(map[string]any)["description"]; d != c.DevDescription {
		t.Fatalf("description of dev = %v", d)
	}
}

// checkAccessData checks the data sources of the state against cfg.
func checkAccessData(t *testing.T, st map[string]map[string]any, setID, dev, alice string, c accessConfig) {
	t.Helper()
	list := func(addr, k string) []any {
		l, _ := st["data."+addr][k].([]any)
		return l
	}
	field := func(it any, k string) string { s, _ := it.(map[string]any)[k].(string); return s }
	for _, ds := range []string{"huaweicloud_identitycenter_permission_sets.by_name", "huaweicloud_identitycenter_permission_sets.by_id"} {
		sets := list(ds, "permission_sets")
		if len(sets) != 1 || field(sets[0], "permission_set_id") != setID || field(sets[0], "description") != c.SetDescription ||
			field(sets[0], "session_duration") != c.SetDuration {
			t.Fatalf("%s = %v", ds, sets)
		}
	}
	if a := list("huaweicloud_identitycenter_account_assignments.alice", "account_assignments"); len(a) != 1 ||
		field(a[0], "account_id") != dev || field(a[0], "permission_set_id") != setID || field(a[0], "principal_id") != alice {
		t.Fatalf("assignments of alice = %v", a)
	}
	if s := list("huaweicloud_identitycenter_account_provisioning_permission_sets.dev", "permission_sets"); fmt.Sprint(s) != "["+setID+"]" {
		t.Fatalf("permission sets provisioned to dev = %v", s)
	}
	if p := list("huaweicloud_identitycenter_permission_set_provisionings.succeeded", "provisionings"); len(p) == 0 || field(p[0], "status") != "SUCCEEDED" {
		t.Fatalf("succeeded provisionings = %v", p)
	}
	accts := list("huaweicloud_identitycenter_permission_set_provisioning_accounts.ops", "account_ids")
	if !slices.Contains(accts, any(dev)) {
		t.Fatalf("accounts the set is provisioned to = %v, want %s among them", accts, dev)
	}
	pick := func(addr string) []string {
		var out []string
		for _, p := range list(addr, "policies") {
			out = append(out, field(p, "id"))
		}
		sort.Strings(out)
		return out
	}
	sorted := func(s []string) []string { s = slices.Clone(s); sort.Strings(s); return s }
	if got := pick("huaweicloud_identitycenter_system_policy_attachments.ops"); !slices.Equal(got, sorted(c.Roles)) {
		t.Fatalf("system policy attachments = %v, want %v", got, c.Roles)
	}
	if got := pick("huaweicloud_identitycenter_system_identity_policy_attachments.ops"); !slices.Equal(got, sorted(c.Policies)) {
		t.Fatalf("system identity policy attachments = %v, want %v", got, c.Policies)
	}
	attrs := map[string]string{}
	for _, a := range list("huaweicloud_identitycenter_access_control_attribute_configurations.this", "access_control_attributes") {
		v, _ := a.(map[string]any)["value"].([]any)
		attrs[field(a, "key")] = fmt.Sprint(v...)
	}
	if !reflect.DeepEqual(attrs, c.ABAC) {
		t.Fatalf("access control attributes = %v, want %v", attrs, c.ABAC)
	}
	assoc := st["data.huaweicloud_identitycenter_identity_store_associations.this"]
	if assoc["identity_store_id"] == "" || assoc["identity_store_id"] != st["huaweicloud_identitycenter_instance.this"]["identity_store_id"] {
		t.Fatalf("identity store association = %v", assoc)
	}
}

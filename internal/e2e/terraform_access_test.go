package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/testenv"
)

// accessConfig is the configuration of the access test: an instance with
// its alias, a user and a group, two member accounts (one in a unit), a
// permission set with every kind of policy, assignments of the user and
// the group, a provisioning, the instance settings, and every access data
// source. The fields are what the update step changes.
type accessConfig struct {
	URL, AK, SK, DomainID, ProjectID string

	Alias                           string
	UnitName, DevDescription        string
	ProdInUnit                      bool
	SetDescription, SetDuration     string
	SetRelayState, SetTag           string
	Roles, Policies                 []string // system role and identity-policy ids
	CustomActions                   []string // of the custom policy and the custom role
	MFAMode, SessionAge, DevicePerm string
	MFATypes                        []string
	ABAC                            map[string]string // key → ${path:...} source
}

// hcl quotes a value for HCL (strings quoted, "${" escaped).
func hcl(v any) string {
	switch v := v.(type) {
	case string:
		b, _ := json.Marshal(v)
		return strings.ReplaceAll(string(b), "${", "$${")
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = hcl(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	panic(fmt.Sprintf("hcl: %T", v))
}

func (c accessConfig) render() string {
	doc := func(version string) string {
		b, _ := json.Marshal(map[string]any{"Version": version,
			"Statement": []map[string]any{{"Effect": "Allow", "Action": c.CustomActions}}})
		return hcl(string(b))
	}
	prodParent := "local.root"
	if c.ProdInUnit {
		prodParent = "huaweicloud_organizations_organizational_unit.eng.id"
	}
	keys := make([]string, 0, len(c.ABAC))
	for k := range c.ABAC {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var abac strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&abac, "  access_control_attributes {\n    key   = %s\n    value = [%s]\n  }\n", hcl(k), hcl(c.ABAC[k]))
	}
	v := map[string]string{
		"ALIAS": hcl(c.Alias), "UNIT": hcl(c.UnitName), "DEVDESC": hcl(c.DevDescription), "PRODPARENT": prodParent,
		"SETDESC": hcl(c.SetDescription), "DURATION": hcl(c.SetDuration), "RELAY": hcl(c.SetRelayState), "TAG": hcl(c.SetTag),
		"ROLES": hcl(c.Roles), "POLICIES": hcl(c.Policies), "CUSTOMPOLICY": doc("5.0"), "CUSTOMROLE": doc("1.1"),
		"MFAMODE": hcl(c.MFAMode), "AGE": hcl(c.SessionAge), "MFATYPES": hcl(c.MFATypes), "DEVICEPERM": hcl(c.DevicePerm),
		"ABAC": abac.String(),
	}
	body := accessTemplate
	for k, val := range v {
		body = strings.ReplaceAll(body, "@"+k+"@", val)
	}
	return providerBlock(c.URL, c.AK, c.SK, c.DomainID, c.ProjectID) + body
}

const accessTemplate = `
resource "huaweicloud_identitycenter_registered_region" "home" {
  region_id = "cn-north-4"
}

resource "huaweicloud_identitycenter_instance" "this" {
  depends_on = [huaweicloud_identitycenter_registered_region.home]
  alias      = @ALIAS@
}

locals {
  instance = huaweicloud_identitycenter_instance.this.id
  store    = huaweicloud_identitycenter_instance.this.identity_store_id
  root     = data.huaweicloud_organizations_organization.this.root_id
}

data "huaweicloud_organizations_organization" "this" {}

# The accounts and the unit are created with their tags, which the provider
# cannot read back: iic does not serve the organizations tag operations by
# resource type (ListTagResources). Without tags in the configuration every
# plan would show them as unknown.
resource "huaweicloud_organizations_organizational_unit" "eng" {
  name      = @UNIT@
  parent_id = local.root
  tags      = { team = "eng" }
}

resource "huaweicloud_organizations_account" "dev" {
  name        = "dev"
  email       = "dev@example.com"
  description = @DEVDESC@
  tags        = { env = "dev" }
}

resource "huaweicloud_organizations_account" "prod" {
  name      = "prod"
  email     = "prod@example.com"
  parent_id = @PRODPARENT@
  tags      = { env = "prod" }
}

resource "huaweicloud_identitycenter_user" "alice" {
  identity_store_id = local.store
  user_name         = "alice"
  password_mode     = "OTP"
  family_name       = "Example"
  given_name        = "Alice"
  display_name      = "Alice Example"
  email             = "alice@example.com"
}

resource "huaweicloud_identitycenter_group" "ops" {
  identity_store_id = local.store
  name              = "operators"
}

resource "huaweicloud_identitycenter_permission_set" "ops" {
  instance_id      = local.instance
  name             = "ops"
  description      = @SETDESC@
  session_duration = @DURATION@
  relay_state      = @RELAY@
  tags = {
    env = @TAG@
  }
}

locals {
  set = huaweicloud_identitycenter_permission_set.ops.id
}

resource "huaweicloud_identitycenter_system_policy_attachment" "ops" {
  instance_id       = local.instance
  permission_set_id = local.set
  policy_ids        = @ROLES@
}

resource "huaweicloud_identitycenter_system_identity_policy_attachment" "ops" {
  instance_id       = local.instance
  permission_set_id = local.set
  policy_ids        = @POLICIES@
}

resource "huaweicloud_identitycenter_custom_policy_attachment" "ops" {
  instance_id       = local.instance
  permission_set_id = local.set
  custom_policy     = @CUSTOMPOLICY@
}

resource "huaweicloud_identitycenter_custom_role_attachment" "ops" {
  instance_id       = local.instance
  permission_set_id = local.set
  custom_role       = @CUSTOMROLE@
}

resource "huaweicloud_identitycenter_account_assignment" "alice_dev" {
  instance_id       = local.instance
  permission_set_id = local.set
  principal_id      = huaweicloud_identitycenter_user.alice.id
  principal_type    = "USER"
  target_id         = huaweicloud_organizations_account.dev.id
  target_type       = "ACCOUNT"
  depends_on = [
    huaweicloud_identitycenter_system_policy_attachment.ops,
    huaweicloud_identitycenter_system_identity_policy_attachment.ops,
    huaweicloud_identitycenter_custom_policy_attachment.ops,
    huaweicloud_identitycenter_custom_role_attachment.ops,
  ]
}

resource "huaweicloud_identitycenter_account_assignment" "ops_prod" {
  instance_id       = local.instance
  permission_set_id = local.set
  principal_id      = huaweicloud_identitycenter_group.ops.id
  principal_type    = "GROUP"
  target_id         = huaweicloud_organizations_account.prod.id
  target_type       = "ACCOUNT"
  depends_on        = [huaweicloud_identitycenter_account_assignment.alice_dev]
}

resource "huaweicloud_identitycenter_provision_permission_set" "dev" {
  instance_id       = local.instance
  permission_set_id = local.set
  account_id        = huaweicloud_organizations_account.dev.id
  depends_on        = [huaweicloud_identitycenter_account_assignment.alice_dev]
}

resource "huaweicloud_identitycenter_sso_configuration" "this" {
  instance_id                 = local.instance
  configuration_type          = "APP_AUTHENTICATION_CONFIGURATION"
  mfa_mode                    = @MFAMODE@
  no_mfa_signin_behavior      = "ALLOWED_WITH_ENROLLMENT"
  no_password_signin_behavior = "EMAIL_OTP"
  allowed_mfa_types           = @MFATYPES@
  max_authentication_age      = @AGE@
}

resource "huaweicloud_identitycenter_mfa_management_setting" "this" {
  instance_id       = local.instance
  identity_store_id = local.store
  user_permission   = @DEVICEPERM@
}

resource "huaweicloud_identitycenter_access_control_attribute_configuration" "this" {
  instance_id = local.instance
@ABAC@}

# The data sources read after everything they list.
locals {
  all = [
    huaweicloud_identitycenter_account_assignment.ops_prod.id,
    huaweicloud_identitycenter_provision_permission_set.dev.id,
    huaweicloud_identitycenter_access_control_attribute_configuration.this.id,
  ]
}

data "huaweicloud_identitycenter_permission_sets" "by_name" {
  instance_id = local.instance
  name        = "ops"
  depends_on  = [local.all]
}

data "huaweicloud_identitycenter_permission_sets" "by_id" {
  instance_id       = local.instance
  permission_set_id = local.set
  depends_on        = [local.all]
}

data "huaweicloud_identitycenter_account_assignments" "alice" {
  instance_id    = local.instance
  principal_id   = huaweicloud_identitycenter_user.alice.id
  principal_type = "USER"
  depends_on     = [local.all]
}

data "huaweicloud_identitycenter_account_provisioning_permission_sets" "dev" {
  instance_id = local.instance
  account_id  = huaweicloud_organizations_account.dev.id
  depends_on  = [local.all]
}

data "huaweicloud_identitycenter_permission_set_provisionings" "succeeded" {
  instance_id = local.instance
  status      = "SUCCEEDED"
  depends_on  = [local.all]
}

data "huaweicloud_identitycenter_permission_set_provisioning_accounts" "ops" {
  instance_id         = local.instance
  permission_set_id   = local.set
  provisioning_status = "LATEST_PERMISSION_SET_PROVISIONED"
  depends_on          = [local.all]
}

data "huaweicloud_identitycenter_system_policy_attachments" "ops" {
  instance_id       = local.instance
  permission_set_id = local.set
  depends_on        = [local.all]
}

data "huaweicloud_identitycenter_system_identity_policy_attachments" "ops" {
  instance_id       = local.instance
  permission_set_id = local.set
  depends_on        = [local.all]
}

data "huaweicloud_identitycenter_access_control_attribute_configurations" "this" {
  instance_id = local.instance
  depends_on  = [local.all]
}

data "huaweicloud_identitycenter_identity_store_associations" "this" {
  instance_id = local.instance
}
`

// accessImportID is the ID terraform import takes for a managed resource of
// the access configuration ("" = no importer).
func accessImportID(addr string, v map[string]any) string {
	s := func(k string) string { str, _ := v[k].(string); return str }
	switch resourceType(addr) {
	case "huaweicloud_identitycenter_registered_region", "huaweicloud_identitycenter_instance",
		"huaweicloud_organizations_account", "huaweicloud_organizations_organizational_unit",
		"huaweicloud_identitycenter_access_control_attribute_configuration":
		return s("id")
	case "huaweicloud_identitycenter_user", "huaweicloud_identitycenter_group":
		return s("identity_store_id") + "/" + s("id")
	case "huaweicloud_identitycenter_permission_set", "huaweicloud_identitycenter_system_policy_attachment",
		"huaweicloud_identitycenter_system_identity_policy_attachment", "huaweicloud_identitycenter_custom_policy_attachment",
		"huaweicloud_identitycenter_custom_role_attachment", "huaweicloud_identitycenter_provision_permission_set":
		return s("instance_id") + "/" + s("id")
	case "huaweicloud_identitycenter_account_assignment":
		return s("instance_id") + "/" + s("permission_set_id") + "/" + s("target_id") + "/" + s("principal_id")
	}
	return "" // sso_configuration, mfa_management_setting: no importer
}

// accessImportLossy are the attributes of the access resources the provider
// does not read back on import (its Read never sets them).
var accessImportLossy = map[string][]string{
	"huaweicloud_identitycenter_user":                                   {"password_mode"},
	"huaweicloud_identitycenter_account_assignment":                     {"target_type"},
	"huaweicloud_identitycenter_access_control_attribute_configuration": {"instance_id"},
	"huaweicloud_organizations_organizational_unit":                     {"parent_id", "tags"},
	"huaweicloud_organizations_account":                                 {"tags"},
}

// TestTerraformAccess applies the access resources and data sources of the
// huaweicloud provider (permission sets and their policies, assignments,
// provisioning, the instance settings, organizations accounts and units),
// checks that a plan shows no changes, imports every importable resource,
// updates, and destroys, checking the server through its API at each step.
func TestTerraformAccess(t *testing.T) {
	if testing.Short() {
		t.Skip("the Terraform end-to-end test takes a minute or more")
	}
	tf, mirror := terraformTools(t)
	forEachDialect(t, func(t *testing.T, dialect string) {
		testTerraformAccess(t, tf, mirror, dialect)
	})
}

func testTerraformAccess(t *testing.T, tfBin, mirror, dialect string) {
	srv := testenv.Start(t, testenv.Options{Dialect: dialect})
	get := func(path string) map[string]any {
		t.Helper()
		resp, body := srv.Do(t, "GET", path, nil, nil, true)
		var m map[string]any
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, body)
		}
		return m
	}
	list, _ := get("/v3/projects?name=cn-north-4")["projects"].([]any)
	if len(list) != 1 {
		t.Fatalf("projects of cn-north-4 = %v", list)
	}
	projectID, _ := list[0].(map[string]any)["id"].(string)
	cfg := accessConfig{
		URL: srv.URL, AK: srv.App.Root.AccessKey, SK: srv.App.Root.SecretKey, DomainID: srv.App.Root.AccountID, ProjectID: projectID,
		Alias: "iic-access", UnitName: "eng", DevDescription: "Developers",
		SetDescription: "Operators", SetDuration: "PT8H", SetRelayState: "https://console.example.com/", SetTag: "test",
		Roles:         []string{managedID(t, "ECS ReadOnlyAccess")},
		Policies:      []string{managedID(t, "IdentityCenter ReadOnlyAccess")},
		CustomActions: []string{"ecs:servers:list"},
		MFAMode:       "CONTEXT_AWARE", SessionAge: "PT8H", DevicePerm: "READ_ACTIONS", MFATypes: []string{"TOTP"},
		ABAC: map[string]string{"department": "${path:enterprise.department}"},
	}
	dir := t.TempDir()
	write := func(dir string, c accessConfig) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(c.render()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(dir, cfg)
	tf := newTFRunner(t, tfBin, mirror, dir)

	// Create, and a plan with no changes.
	tf.must("init", "-no-color", "-input=false")
	tf.must("apply", "-no-color", "-input=false", "-auto-approve")
	tf.planClean("after apply")
	// The state as the provider reads it now (the permission set's
	// account_ids were read before its accounts were provisioned).
	tf.must("apply", "-refresh-only", "-no-color", "-input=false", "-auto-approve")
	applied := tf.state()
	val := func(addr, k string) string { s, _ := applied[addr][k].(string); return s }
	instanceID := val("huaweicloud_identitycenter_instance.this", "id")
	setID := val("huaweicloud_identitycenter_permission_set.ops", "id")
	dev, prod := val("huaweicloud_organizations_account.dev", "id"), val("huaweicloud_organizations_account.prod", "id")
	alice := val("huaweicloud_identitycenter_user.alice", "id")
	if instanceID == "" || setID == "" || dev == "" || prod == "" || alice == "" {
		t.Fatalf("ids missing from the state: instance %q, set %q, accounts %q %q, alice %q", instanceID, setID, dev, prod, alice)
	}
	checkAccessServer(t, get, instanceID, setID, dev, prod, cfg)
	checkAccessData(t, applied, setID, dev, alice, cfg)

	// Import, into the same state: every importable resource whose
	// attributes all come back from the API is removed from the state and
	// imported again; the plan stays clean and the state is as applied.
	var lossy []string
	for addr, v := range applied {
		if strings.HasPrefix(addr, "data.") {
			continue
		}
		id := accessImportID(addr, v)
		if id == "" {
			continue
		}
		if _, ok := accessImportLossy[resourceType(addr)]; ok {
			lossy = append(lossy, addr)
			continue
		}
		tf.must("state", "rm", "-no-color", addr)
		tf.must("import", "-no-color", "-input=false", addr, id)
	}
	tf.planClean("after import")
	got := tf.state()
	for addr, want := range applied {
		if !strings.HasPrefix(addr, "data.") && !reflect.DeepEqual(got[addr], want) {
			t.Fatalf("%s after import:\n got %v\nwant %v", addr, got[addr], want)
		}
	}
	// The others into a fresh state: what comes back equals what was
	// applied, but for the attributes the provider does not read.
	fresh := t.TempDir()
	write(fresh, cfg)
	tf2 := newTFRunner(t, tfBin, mirror, fresh)
	tf2.must("init", "-no-color", "-input=false")
	for _, addr := range lossy {
		tf2.must("import", "-no-color", "-input=false", addr, accessImportID(addr, applied[addr]))
	}
	imported := tf2.state()
	for _, addr := range lossy {
		for k, want := range applied[addr] {
			if slices.Contains(accessImportLossy[resourceType(addr)], k) {
				continue
			}
			if !reflect.DeepEqual(imported[addr][k], want) {
				t.Fatalf("%s imported into a fresh state: %s = %#v, want %#v", addr, k, imported[addr][k], want)
			}
		}
	}

	// Update every updatable attribute (but the alias: the product sets it
	// once, and TestTerraformProvider sets it in its update); the server
	// has the new values, the plan is clean.
	cfg.UnitName, cfg.DevDescription, cfg.ProdInUnit = "engineering", "Developers team", true
	cfg.SetDescription, cfg.SetDuration, cfg.SetRelayState, cfg.SetTag = "Operators on call", "PT4H", "https://console.example.com/ops", "prod"
	cfg.Roles = append(cfg.Roles, managedID(t, "VPC ReadOnlyAccess"))
	cfg.Policies = []string{managedID(t, "IdentityStore ReadOnlyAccess")}
	cfg.CustomActions = []string{"ecs:servers:list", "ecs:servers:get"}
	cfg.MFAMode, cfg.SessionAge, cfg.DevicePerm, cfg.MFATypes = "ALWAYS_ON", "PT12H", "ALL_ACTIONS", []string{"TOTP", "WEBAUTHN"}
	cfg.ABAC = map[string]string{"department": "${path:enterprise.department}", "email": "${user:email}"}
	write(dir, cfg)
	tf.must("apply", "-no-color", "-input=false", "-auto-approve")
	tf.planClean("after update")
	// The attachments provision the set to its accounts without waiting:
	// the data sources are read again once the server has done so.
	waitProvisioned(t, get, instanceID)
	tf.must("apply", "-refresh-only", "-no-color", "-input=false", "-auto-approve")
	updated := tf.state()
	if id, _ := updated["huaweicloud_identitycenter_permission_set.ops"]["id"].(string); id != setID {
		t.Fatalf("the permission set was replaced: %s, was %s", id, setID)
	}
	checkAccessServer(t, get, instanceID, setID, dev, prod, cfg)
	checkAccessData(t, updated, setID, dev, alice, cfg)

	// Move prod back under the root: a closed account stays in its unit,
	// which iic then does not delete (not empty).
	cfg.ProdInUnit = false
	write(dir, cfg)
	tf.must("apply", "-no-color", "-input=false", "-auto-approve")
	tf.planClean("after moving prod back")
	if parent := get("/v1/organizations/entities?child_id=" + prod)["entities"].([]any)[0].(map[string]any); parent["type"] != "root" {
		t.Fatalf("parent of prod = %v, want the root", parent)
	}

	// Destroy: everything goes, the instance with its settings; the
	// accounts are closing, the unit is deleted.
	tf.must("destroy", "-no-color", "-input=false", "-auto-approve")
	if left := tf.state(); len(left) != 0 {
		t.Fatalf("state after destroy = %v", left)
	}
	if l, _ := get("/v1/instances")["instances"].([]any); len(l) != 0 {
		t.Fatalf("instances after destroy = %v", l)
	}
	for _, id := range []string{dev, prod} {
		if st := get("/v1/organizations/accounts/" + id)["account"].(map[string]any)["status"]; st != "pending_closure" {
			t.Fatalf("account %s after destroy: status %v", id, st)
		}
	}
	if units, _ := get("/v1/organizations/organizational-units")["organizational_units"].([]any); len(units) != 0 {
		t.Fatalf("units after destroy = %v", units)
	}
}

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

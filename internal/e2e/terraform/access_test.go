package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/testenv"
)

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

// importAll removes the resources of ids (address → import ID) from the
// state and imports them again with import blocks: the one plan must import
// each and change nothing. It is terraform import's provider path (import,
// then read) in three runs instead of two per resource.
func (r *tfRunner) importAll(ids map[string]string) {
	r.t.Helper()
	var blocks strings.Builder
	rm := []string{"state", "rm", "-no-color"}
	for addr, id := range ids {
		rm = append(rm, addr)
		fmt.Fprintf(&blocks, "import {\n  to = %s\n  id = %q\n}\n\n", addr, id)
	}
	r.must(rm...)
	file := filepath.Join(r.dir, "imports.tf")
	if err := os.WriteFile(file, []byte(blocks.String()), 0o600); err != nil {
		r.t.Fatal(err)
	}
	defer os.Remove(file)
	r.must("plan", "-no-color", "-input=false", "-out=import.tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Mode    string `json:"mode"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
				Before    any             `json:"before"`
				After     any             `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	out := r.must("show", "-json", "-no-color", "import.tfplan")
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		r.t.Fatalf("terraform show -json import.tfplan: %v\n%s", err, out)
	}
	imported := map[string]bool{}
	for _, rc := range plan.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		if !slices.Equal(rc.Change.Actions, []string{"no-op"}) {
			r.t.Fatalf("import plan: %s %v\nbefore %v\nafter  %v", rc.Address, rc.Change.Actions, rc.Change.Before, rc.Change.After)
		}
		if len(rc.Change.Importing) > 0 {
			imported[rc.Address] = true
		}
	}
	for addr := range ids {
		if !imported[addr] {
			r.t.Fatalf("import plan does not import %s", addr)
		}
	}
	r.must("apply", "-no-color", "-input=false", "import.tfplan")
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
	t.Parallel() // see terraformParallel
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
	// imported again (import blocks, one plan); the plan stays clean and the
	// state is as applied.
	var lossy []string
	ids := map[string]string{}
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
		ids[addr] = id
	}
	tf.importAll(ids)
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

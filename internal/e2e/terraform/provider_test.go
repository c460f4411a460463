// Package terraform drives a real iic server with the pinned Terraform CLI
// and huaweicloud provider (tests only).
package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/testenv"
)

// The Terraform end-to-end test drives a real iic server with the pinned
// Terraform CLI and huaweicloud provider, the way an administrator would.
// tools/terraform/install.sh builds both from the Go module proxy into the
// cache directory below (.ci/run calls it first); IIC_TERRAFORM and
// IIC_TERRAFORM_PROVIDER_DIR point elsewhere.
const (
	terraformVersion = "1.8.5"
	providerVersion  = "1.95.0"
)

// The Terraform tests live in their own package, so that go test runs them
// beside the other end-to-end tests, and run in parallel with each other
// (each flow on each store has its own server, working directory and
// TF_DATA_DIR; the provider mirror is only read): most of a flow is the CLI
// and provider starting and the provider's fixed waits, which overlap.

// terraformCache is where install.sh puts the binaries:
// $IIC_TERRAFORM_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/iic/terraform.
func terraformCache() string {
	if d := os.Getenv("IIC_TERRAFORM_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "iic", "terraform")
}

// terraformTools returns the terraform binary and the provider filesystem
// mirror, or skips the test (loudly) when they have not been built.
func terraformTools(t *testing.T) (tf, mirror string) {
	t.Helper()
	cache := terraformCache()
	tf = os.Getenv("IIC_TERRAFORM")
	if tf == "" {
		tf = filepath.Join(cache, "terraform-"+terraformVersion, "terraform")
	}
	mirror = os.Getenv("IIC_TERRAFORM_PROVIDER_DIR")
	if mirror == "" {
		mirror = filepath.Join(cache, "mirror")
	}
	provider := filepath.Join(mirror, "registry.terraform.io", "huaweicloud", "huaweicloud", providerVersion,
		runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-huaweicloud_v"+providerVersion)
	for _, p := range []string{tf, provider} {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			t.Skipf("\n\n*** SKIPPING the Terraform end-to-end test: %s is missing. ***\n"+
				"*** Build Terraform %s and the huaweicloud provider %s with tools/terraform/install.sh ***\n"+
				"*** (or set IIC_TERRAFORM and IIC_TERRAFORM_PROVIDER_DIR).                             ***\n\n",
				p, terraformVersion, providerVersion)
		}
	}
	return tf, mirror
}

// tfRunner runs terraform in one working directory with a CLI
// configuration that installs the provider from the mirror only.
type tfRunner struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

func newTFRunner(t *testing.T, bin, mirror, dir string) *tfRunner {
	cli := filepath.Join(dir, "terraformrc")
	conf := fmt.Sprintf(`disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/huaweicloud/huaweicloud"]
  }
}
`, mirror)
	if err := os.WriteFile(cli, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		// Nothing of the caller's Terraform or Huawei Cloud settings.
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "HW_") || strings.HasPrefix(k, "HUAWEICLOUD_") || k == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+cli,
		"TF_DATA_DIR="+filepath.Join(dir, ".terraform"))
	return &tfRunner{t: t, bin: bin, dir: dir, env: env}
}

// run runs terraform args and returns its exit code and output; any exit
// code not in ok fails the test with the output.
func (r *tfRunner) run(ok []int, args ...string) (int, string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, isExit := err.(*exec.ExitError)
		if !isExit || ctx.Err() != nil {
			r.t.Fatalf("terraform %s: %v (after %v)\n%s", strings.Join(args, " "), err, time.Since(start), out.String())
		}
		code = ee.ExitCode()
	}
	r.t.Logf("terraform %s: exit %d in %v", strings.Join(args, " "), code, time.Since(start).Round(10*time.Millisecond))
	for _, c := range ok {
		if c == code {
			return code, out.String()
		}
	}
	r.t.Fatalf("terraform %s: exit %d, want %v\n%s", strings.Join(args, " "), code, ok, out.String())
	return code, ""
}

// must runs a command that has to succeed.
func (r *tfRunner) must(args ...string) string {
	r.t.Helper()
	_, out := r.run([]int{0}, args...)
	return out
}

// planClean runs plan -detailed-exitcode and fails unless it shows no
// changes (exit 0; 2 means changes).
func (r *tfRunner) planClean(when string) {
	r.t.Helper()
	if code, out := r.run([]int{0, 2}, "plan", "-no-color", "-input=false", "-detailed-exitcode"); code != 0 {
		r.t.Fatalf("%s: terraform plan shows changes, want none:\n%s", when, out)
	}
}

// state returns the state's resources by address (show -json).
func (r *tfRunner) state() map[string]map[string]any {
	r.t.Helper()
	out := r.must("show", "-json", "-no-color")
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		r.t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	m := map[string]map[string]any{}
	for _, res := range doc.Values.RootModule.Resources {
		m[res.Address] = res.Values
	}
	return m
}

// tfConfig is the configuration under test. Every endpoint points at the
// server, with the provider settings that make no call to Huawei Cloud.
type tfConfig struct {
	URL, AK, SK, DomainID, ProjectID string
	IdPCertPEM                       string
	// What the update step changes.
	AliceDisplayName, GroupDescription, IdPLoginURL string
	MinPasswordLength                               int
	InstanceAlias                                   string // "" = unset
}

// providerBlock is the terraform and provider blocks every configuration
// under test starts with: every endpoint points at the server, with the
// provider settings that make no call to Huawei Cloud.
func providerBlock(url, ak, sk, domainID, projectID string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    huaweicloud = {
      source  = "huaweicloud/huaweicloud"
      version = %[6]q
    }
  }
}

provider "huaweicloud" {
  region                  = "cn-north-4"
  access_key              = %[2]q
  secret_key              = %[3]q
  domain_id               = %[4]q
  project_id              = %[5]q
  auth_url                = "%[1]s/v3"
  skip_check_website_type = true
  skip_check_upgrade      = true
  insecure                = true
  endpoints = {
    identitycenter = "%[1]s/"
    identitystore  = "%[1]s/"
    iam            = "%[1]s/"
    identity       = "%[1]s/v3/"
    organizations  = "%[1]s/"
  }
}

`, url, ak, sk, domainID, projectID, providerVersion)
}

func (c tfConfig) render() string {
	alias := ""
	if c.InstanceAlias != "" {
		alias = fmt.Sprintf("  alias      = %q\n", c.InstanceAlias)
	}
	return providerBlock(c.URL, c.AK, c.SK, c.DomainID, c.ProjectID) + fmt.Sprintf(`
resource "huaweicloud_identitycenter_registered_region" "home" {
  region_id = "cn-north-4"
}

resource "huaweicloud_identitycenter_instance" "this" {
  depends_on = [huaweicloud_identitycenter_registered_region.home]
%[6]s}

locals {
  store = huaweicloud_identitycenter_instance.this.identity_store_id
}

resource "huaweicloud_identitycenter_user" "alice" {
  identity_store_id = local.store
  user_name         = "alice"
  password_mode     = "OTP"
  family_name       = "Example"
  given_name        = "Alice"
  display_name      = %[2]q
  email             = "alice@example.com"
  phone_number      = "+86 10 1234 5678"
  title             = "Engineer"
  user_type         = "Employee"

  addresses {
    country  = "CN"
    locality = "Beijing"
  }

  enterprise {
    department = "R&D"
    manager    = "bob"
  }
}

# No phone, address or enterprise data: the provider sends placeholders
# without values for them.
resource "huaweicloud_identitycenter_user" "bob" {
  identity_store_id = local.store
  user_name         = "bob"
  password_mode     = "OTP"
  family_name       = "Example"
  given_name        = "Bob"
  display_name      = "Bob Example"
  email             = "bob@example.com"
}

resource "huaweicloud_identitycenter_group" "eng" {
  identity_store_id = local.store
  name              = "engineering"
  description       = %[3]q
}

resource "huaweicloud_identitycenter_group_membership" "alice_eng" {
  identity_store_id = local.store
  group_id          = huaweicloud_identitycenter_group.eng.id
  member_id         = huaweicloud_identitycenter_user.alice.id
}

resource "huaweicloud_identitycenter_password_policy" "this" {
  identity_store_id            = local.store
  minimum_password_length      = %[5]d
  require_lowercase_characters = true
  require_numbers              = true
  require_symbols              = true
  require_uppercase_characters = true
  max_password_age             = 90
  password_reuse_prevention    = 3
}

resource "huaweicloud_identitycenter_tenant" "scim" {
  identity_store_id = local.store
}

resource "huaweicloud_identitycenter_bearer_token" "scim" {
  identity_store_id = local.store
  tenant_id         = huaweicloud_identitycenter_tenant.scim.id
}

resource "huaweicloud_identitycenter_identity_provider" "corp" {
  identity_store_id = local.store
  entity_id         = "https://idp.example.com/metadata"
  login_url         = %[4]q
  idp_certificate   = <<-EOT
%[1]s
EOT
}

# The active SP certificate, as in the provider's acceptance test.
resource "huaweicloud_identitycenter_service_provider_certificate" "sp" {
  identity_store_id = local.store
  state             = "ACTIVE"
  depends_on        = [huaweicloud_identitycenter_identity_provider.corp]
}
`, strings.TrimSpace(c.IdPCertPEM), c.AliceDisplayName, c.GroupDescription,
		c.IdPLoginURL, c.MinPasswordLength, alias)
}

// importID is the ID `terraform import` takes for a resource of the
// configuration, from its state values.
func importID(addr string, v map[string]any) string {
	s := func(k string) string { str, _ := v[k].(string); return str }
	switch {
	case strings.HasPrefix(addr, "huaweicloud_identitycenter_registered_region."),
		strings.HasPrefix(addr, "huaweicloud_identitycenter_instance."):
		return s("id")
	case strings.HasPrefix(addr, "huaweicloud_identitycenter_bearer_token."):
		return s("identity_store_id") + "/" + s("tenant_id") + "/" + s("id")
	case strings.HasPrefix(addr, "huaweicloud_identitycenter_password_policy."):
		return "" // no importer
	}
	return s("identity_store_id") + "/" + s("id")
}

// importLossy are the attributes the provider cannot read back on import
// (its acceptance tests' ImportStateVerifyIgnore): no API returns them.
var importLossy = map[string][]string{
	"huaweicloud_identitycenter_user":              {"password_mode"},
	"huaweicloud_identitycenter_identity_provider": {"idp_certificate"},
}

func resourceType(addr string) string { typ, _, _ := strings.Cut(addr, "."); return typ }

// TestTerraformProvider applies the identity-store resources and the
// instance with the huaweicloud provider, checks that a plan shows no
// changes, imports every importable resource, updates, and destroys,
// checking the server through its API at each step.
func TestTerraformProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("the Terraform end-to-end test takes a minute or more")
	}
	tf, mirror := terraformTools(t)
	t.Parallel() // see terraformParallel
	forEachDialect(t, func(t *testing.T, dialect string) {
		testTerraform(t, tf, mirror, dialect)
	})
}

func testTerraform(t *testing.T, tfBin, mirror, dialect string) {
	srv := testenv.Start(t, testenv.Options{Dialect: dialect})
	get := func(path string) (int, map[string]any) {
		t.Helper()
		resp, body := srv.Do(t, "GET", path, nil, nil, true)
		var m map[string]any
		if resp.StatusCode == 200 {
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("GET %s: %v: %s", path, err, body)
			}
		}
		return resp.StatusCode, m
	}
	_, projects := get("/v3/projects?name=cn-north-4")
	list, _ := projects["projects"].([]any)
	if len(list) != 1 {
		t.Fatalf("projects of cn-north-4 = %v", projects)
	}
	projectID, _ := list[0].(map[string]any)["id"].(string)
	certPEM, _ := validCert(t, "idp.example.com")
	cfg := tfConfig{
		URL: srv.URL, AK: srv.App.Root.AccessKey, SK: srv.App.Root.SecretKey, DomainID: srv.App.Root.AccountID, ProjectID: projectID,
		IdPCertPEM: certPEM, AliceDisplayName: "Alice Example", GroupDescription: "Engineers",
		IdPLoginURL: "https://idp.example.com/sso", MinPasswordLength: 12,
	}
	dir := t.TempDir()
	write := func(dir string, c tfConfig) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(c.render()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(dir, cfg)
	tf := newTFRunner(t, tfBin, mirror, dir)

	// Create: init from the mirror only, apply, and a plan with no changes.
	tf.must("init", "-no-color", "-input=false")
	tf.must("apply", "-no-color", "-input=false", "-auto-approve")
	tf.planClean("after apply")
	applied := tf.state()
	storeID, _ := applied["huaweicloud_identitycenter_instance.this"]["identity_store_id"].(string)
	if storeID == "" {
		t.Fatalf("no identity store id in the state: %v", applied["huaweicloud_identitycenter_instance.this"])
	}
	if code, st := get("/v1/identity-center-service/status"); code != 200 || st["serviceStatus"] != "enable" {
		t.Fatalf("service status after apply = %d %v", code, st)
	}
	idOf := func(addr string) string { id, _ := applied[addr]["id"].(string); return id }
	_, bob := get("/v1/identity-stores/" + storeID + "/users/" + idOf("huaweicloud_identitycenter_user.bob"))
	for _, k := range []string{"phone_numbers", "enterprise", "addresses"} {
		if v, ok := bob[k]; ok {
			t.Fatalf("bob has %s = %v; the provider sent no value for it", k, v)
		}
	}
	if sp := applied["huaweicloud_identitycenter_service_provider_certificate.sp"]; sp["state"] != "ACTIVE" {
		t.Fatalf("SP certificate state = %v, want ACTIVE", sp["state"])
	}

	// Import, into the same state: every importable resource whose
	// attributes all come back from the API is removed from the state and
	// imported again, and the plan stays clean.
	var lossy []string
	for addr, v := range applied {
		id := importID(addr, v)
		if id == "" {
			continue
		}
		if _, ok := importLossy[resourceType(addr)]; ok {
			lossy = append(lossy, addr)
			continue
		}
		tf.must("state", "rm", "-no-color", addr)
		tf.must("import", "-no-color", "-input=false", addr, id)
	}
	tf.planClean("after import")
	if got := tf.state(); !reflect.DeepEqual(got, applied) {
		for addr := range applied {
			if !reflect.DeepEqual(got[addr], applied[addr]) {
				t.Fatalf("%s after import:\n got %v\nwant %v", addr, got[addr], applied[addr])
			}
		}
		t.Fatalf("state after import differs: %v", got)
	}
	// Import the users and the IdP into a fresh state too: what comes back
	// equals what was applied, but for the attributes no API returns.
	fresh := t.TempDir()
	write(fresh, cfg)
	tf2 := newTFRunner(t, tfBin, mirror, fresh)
	tf2.must("init", "-no-color", "-input=false")
	for _, addr := range lossy {
		tf2.must("import", "-no-color", "-input=false", addr, importID(addr, applied[addr]))
	}
	imported := tf2.state()
	for _, addr := range lossy {
		want, got := applied[addr], imported[addr]
		for k := range want {
			if slices.Contains(importLossy[resourceType(addr)], k) {
				continue
			}
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Fatalf("%s imported into a fresh state: %s = %#v, want %#v", addr, k, got[k], want[k])
			}
		}
	}

	// Update: the instance's alias, a display name, a description, the
	// IdP's login URL and the password policy; the server has the new
	// values and the plan is clean.
	cfg.InstanceAlias, cfg.AliceDisplayName, cfg.GroupDescription = "iic-portal", "Alice E. Example", "Engineering team"
	cfg.IdPLoginURL, cfg.MinPasswordLength = "https://idp.example.com/sso/v2", 14
	write(dir, cfg)
	tf.must("apply", "-no-color", "-input=false", "-auto-approve")
	tf.planClean("after update")
	if _, l := get("/v1/instances"); fmt.Sprint(l["instances"].([]any)[0].(map[string]any)["alias"]) != cfg.InstanceAlias {
		t.Fatalf("instances after update = %v", l)
	}
	if _, u := get("/v1/identity-stores/" + storeID + "/users/" + idOf("huaweicloud_identitycenter_user.alice")); u["display_name"] != cfg.AliceDisplayName {
		t.Fatalf("alice after update = %v", u)
	}
	if _, g := get("/v1/identity-stores/" + storeID + "/groups/" + idOf("huaweicloud_identitycenter_group.eng")); g["description"] != cfg.GroupDescription {
		t.Fatalf("group after update = %v", g)
	}
	if _, p := get("/v1/identity-stores/" + storeID + "/password-policy"); fmt.Sprint(p["password_policy"].(map[string]any)["minimum_password_length"]) != "14" {
		t.Fatalf("password policy after update = %v", p)
	}
	if _, idps := get("/v1/identity-stores/" + storeID + "/external-idp"); !strings.Contains(fmt.Sprint(idps), cfg.IdPLoginURL) {
		t.Fatalf("external IdP after update = %v", idps)
	}

	// Destroy: everything goes, the active SP certificate and the instance
	// included.
	tf.must("destroy", "-no-color", "-input=false", "-auto-approve")
	if left := tf.state(); len(left) != 0 {
		t.Fatalf("state after destroy = %v", left)
	}
	if code, l := get("/v1/instances"); code != 200 || len(l["instances"].([]any)) != 0 {
		t.Fatalf("instances after destroy = %d %v", code, l)
	}
	if code, st := get("/v1/identity-center-service/status"); code != 200 || st["serviceStatus"] != "disable" {
		t.Fatalf("service status after destroy = %d %v", code, st)
	}
	if code, _ := get("/v1/identity-stores/" + storeID + "/users/" + idOf("huaweicloud_identitycenter_user.alice")); code < 400 {
		t.Fatalf("alice after destroy: %d", code)
	}
}

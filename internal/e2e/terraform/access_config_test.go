package terraform

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
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

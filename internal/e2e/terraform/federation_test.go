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

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/iic-project/iic/internal/testenv"
)

// fedJWKS is the OIDC IdP's public signing key (RFC 7517's example key).
const fedJWKS = `{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}]}`

// samlMetadata is an IdP's SAML metadata document.
func samlMetadata(entityID, sso, certB64 string) string {
	return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="` + entityID + `">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + certB64 + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + sso + `"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`
}

// fedConfig is the OS-FEDERATION configuration under test: a SAML IdP
// with metadata and conversion rules, and an OIDC IdP with its access
// configuration.
type fedConfig struct {
	URL, AK, SK, DomainID, ProjectID string
	Metadata                         string
	// What the update step changes.
	SAMLDescription string
	SAMLEnabled     bool
	OIDCClientID    string
	OIDCScopes      []string
	RuleGroup       string
	// CustomRules are the Keystone mapping rules of corp-custom (JSON);
	// CustomMapping is the mapping its saml protocol is bound to.
	CustomRules, CustomMapping string
}

// customRules are mapping rules in the Keystone language beyond what the
// conversion resource models: groups from an attribute, a whitelist, a
// regular expression.
func customRules(contractorGroup string) string {
	return `[{"local":[{"user":{"name":"{0}"}},{"groups":"{1}"}],"remote":[{"type":"UserName"},{"type":"Groups","whitelist":["eng","ops"]}]},` +
		`{"local":[{"user":{"name":"{0}"}},{"group":{"name":"` + contractorGroup + `"}}],"remote":[{"type":"UserName"},{"type":"orgPersonType","any_one_of":["Contractor.*"],"regex":true}]}]`
}

func (c fedConfig) render() string {
	scopes, _ := json.Marshal(c.OIDCScopes)
	return providerBlock(c.URL, c.AK, c.SK, c.DomainID, c.ProjectID) + fmt.Sprintf(`
resource "huaweicloud_identity_provider" "saml" {
  name        = "corp-saml"
  protocol    = "saml"
  description = %[1]q
  status      = %[2]t
  metadata    = <<-EOT
%[3]s
EOT
}

resource "huaweicloud_identity_provider_conversion" "saml" {
  provider_id = huaweicloud_identity_provider.saml.id

  conversion_rules {
    local {
      username = "{0}"
    }
    local {
      group = %[4]q
    }
    remote {
      attribute = "__NAMEID__"
    }
    remote {
      attribute = "department"
      condition = "any_one_of"
      value     = ["engineering", "operations"]
    }
  }
}

resource "huaweicloud_identity_provider" "oidc" {
  name        = "corp-oidc"
  protocol    = "oidc"
  description = "OpenID Connect"

  access_config {
    access_type            = "program_console"
    provider_url           = "https://accounts.example.com"
    client_id              = %[5]q
    authorization_endpoint = "https://accounts.example.com/authorize"
    scopes                 = %[6]s
    response_type          = "id_token"
    response_mode          = "form_post"
    signing_key            = %[7]q
  }
}

# No protocol: the protocol resource binds one to the mapping resource's
# rules, as the provider's documentation shows.
resource "huaweicloud_identity_provider" "custom" {
  name = "corp-custom"
}

resource "huaweicloud_identity_provider_mapping" "custom" {
  provider_id   = huaweicloud_identity_provider.custom.id
  mapping_rules = %[8]q
}

resource "huaweicloud_identity_provider_protocol" "custom" {
  provider_id = huaweicloud_identity_provider.custom.id
  protocol_id = "saml"
  mapping_id  = %[9]s
}
`, c.SAMLDescription, c.SAMLEnabled, strings.TrimSpace(c.Metadata), c.RuleGroup, c.OIDCClientID, scopes, fedJWKS,
		c.CustomRules, c.CustomMapping)
}

// TestTerraformIdentityProviders applies huaweicloud_identity_provider
// (SAML with metadata, OIDC with an access configuration) and
// huaweicloud_identity_provider_conversion, checks that a plan shows no
// changes, imports each resource, updates, and destroys, checking the server through the SDK at
// each step.
func TestTerraformIdentityProviders(t *testing.T) {
	if testing.Short() {
		t.Skip("the Terraform end-to-end test takes a minute or more")
	}
	tf, mirror := terraformTools(t)
	t.Parallel()
	forEachDialect(t, func(t *testing.T, dialect string) {
		testTerraformFederation(t, tf, mirror, dialect)
	})
}

func testTerraformFederation(t *testing.T, tfBin, mirror, dialect string) {
	srv := testenv.Start(t, testenv.Options{Dialect: dialect})
	c := srv.IAM(t)
	resp, body := srv.Do(t, "GET", "/v3/projects?name=cn-north-4", nil, nil, true)
	var projects struct {
		Projects []struct {
			ID string `json:"id"`
		} `json:"projects"`
	}
	if err := json.Unmarshal(body, &projects); err != nil || resp.StatusCode != 200 || len(projects.Projects) != 1 {
		t.Fatalf("projects of cn-north-4 = %d %s", resp.StatusCode, body)
	}
	_, certB64 := validCert(t, "idp.example.com")
	cfg := fedConfig{
		URL: srv.URL, AK: srv.App.Root.AccessKey, SK: srv.App.Root.SecretKey, DomainID: srv.App.Root.AccountID,
		ProjectID: projects.Projects[0].ID, Metadata: samlMetadata("https://idp.example.com/saml", "https://idp.example.com/sso", certB64),
		SAMLDescription: "Corporate SAML", SAMLEnabled: true, OIDCClientID: "client-1", OIDCScopes: []string{"openid", "email"},
		RuleGroup: "admins", CustomRules: customRules("contractors"), CustomMapping: "huaweicloud_identity_provider_mapping.custom.id",
	}
	dir := t.TempDir()
	write := func(c fedConfig) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(c.render()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(cfg)
	tf := newTFRunner(t, tfBin, mirror, dir)

	tf.must("init", "-no-color", "-input=false")
	tf.must("apply", "-no-color", "-input=false", "-auto-approve")
	tf.planClean("after apply")
	checkFederation(t, srv, cfg)
	st := tf.state()
	if s := st["huaweicloud_identity_provider.saml"]; s["protocol"] != "saml" || s["sso_type"] != "virtual_user_sso" ||
		!strings.Contains(fmt.Sprint(s["login_link"]), "idp=corp-saml&protocol=saml") {
		t.Fatalf("saml IdP state = %v", s)
	}
	if s := st["huaweicloud_identity_provider.oidc"]; s["protocol"] != "oidc" ||
		!strings.Contains(fmt.Sprint(s["conversion_rules"]), "FederationUser") {
		t.Fatalf("oidc IdP state = %v", s)
	}

	// Import: each resource leaves the state and comes back from the API
	// alone (metadata as its hash, the conversion rules by the mapping's
	// id), and the plan stays clean.
	for addr, id := range map[string]string{
		"huaweicloud_identity_provider.saml":            "corp-saml",
		"huaweicloud_identity_provider.oidc":            "corp-oidc",
		"huaweicloud_identity_provider_conversion.saml": "mapping_corp-saml",
		"huaweicloud_identity_provider.custom":          "corp-custom",
		"huaweicloud_identity_provider_mapping.custom":  "mapping_corp-custom",
		"huaweicloud_identity_provider_protocol.custom": "corp-custom:saml",
	} {
		tf.must("state", "rm", "-no-color", addr)
		tf.must("import", "-no-color", "-input=false", addr, id)
	}
	tf.planClean("after import")

	// Update: the SAML IdP's description and status, its metadata (a new
	// SSO endpoint), a conversion rule, and the OIDC client id and scopes.
	cfg.SAMLDescription, cfg.SAMLEnabled, cfg.RuleGroup = "Corporate SAML (disabled)", false, "operators"
	cfg.Metadata = samlMetadata("https://idp.example.com/saml", "https://idp.example.com/sso/v2", certB64)
	cfg.OIDCClientID, cfg.OIDCScopes = "client-2", []string{"openid", "email", "profile"}
	// corp-custom's rules change (PATCH) and its protocol moves to the
	// SAML IdP's mapping (PATCH).
	cfg.CustomRules, cfg.CustomMapping = customRules("vendors"), "huaweicloud_identity_provider_conversion.saml.id"
	write(cfg)
	tf.must("apply", "-no-color", "-input=false", "-auto-approve")
	tf.planClean("after update")
	checkFederation(t, srv, cfg)

	// Destroy: both IdPs go, with their protocols, metadata and OIDC
	// configuration; the conversion resource resets the mapping to the
	// default rule before its IdP goes.
	tf.must("destroy", "-no-color", "-input=false", "-auto-approve")
	if left := tf.state(); len(left) != 0 {
		t.Fatalf("state after destroy = %v", left)
	}
	for _, id := range []string{"corp-saml", "corp-oidc", "corp-custom"} {
		_, err := c.KeystoneShowIdentityProvider(&model.KeystoneShowIdentityProviderRequest{Id: id})
		testenv.WantError(t, err, 404, "IIC.404")
		_, err = c.KeystoneListProtocols(&model.KeystoneListProtocolsRequest{IdpId: id})
		testenv.WantError(t, err, 404, "IIC.404")
	}
	// The mappings cannot be deleted through the provider: both resources
	// reset them to their default rule (the mapping resource's spells the
	// remote type "_NAMEID__").
	for id, remote := range map[string]string{"mapping_corp-saml": "__NAMEID__", "mapping_corp-custom": "_NAMEID__"} {
		m, err := c.KeystoneShowMapping(&model.KeystoneShowMappingRequest{Id: id})
		if err != nil || m.Mapping == nil || len(m.Mapping.Rules) != 1 || m.Mapping.Rules[0].Local[0].User == nil ||
			m.Mapping.Rules[0].Local[0].User.Name != "FederationUser" || m.Mapping.Rules[0].Remote[0].Type != remote {
			t.Fatalf("%s after destroy = %+v, %v", id, m, err)
		}
	}
	_, err := c.ShowMetadata(&model.ShowMetadataRequest{IdpId: "corp-saml", ProtocolId: "saml"})
	testenv.WantError(t, err, 404, "IIC.404")
	_, err = c.ShowOpenIdConnectConfig(&model.ShowOpenIdConnectConfigRequest{IdpId: "corp-oidc"})
	testenv.WantError(t, err, 404, "IIC.404")
}

// checkFederation checks the server's objects against the configuration
// through the Huawei SDK.
func checkFederation(t *testing.T, srv *testenv.Server, cfg fedConfig) {
	t.Helper()
	c := srv.IAM(t)
	saml, err := c.KeystoneShowIdentityProvider(&model.KeystoneShowIdentityProviderRequest{Id: "corp-saml"})
	if err != nil || saml.IdentityProvider.Description != cfg.SAMLDescription || saml.IdentityProvider.Enabled != cfg.SAMLEnabled {
		t.Fatalf("saml IdP = %+v, %v", saml, err)
	}
	oidc, err := c.KeystoneShowIdentityProvider(&model.KeystoneShowIdentityProviderRequest{Id: "corp-oidc"})
	if err != nil || oidc.IdentityProvider.Description != "OpenID Connect" || !oidc.IdentityProvider.Enabled {
		t.Fatalf("oidc IdP = %+v, %v", oidc, err)
	}
	customMapping := "mapping_corp-custom"
	if strings.Contains(cfg.CustomMapping, "conversion") {
		customMapping = "mapping_corp-saml"
	}
	for idp, want := range map[string][2]string{"corp-saml": {"saml", "mapping_corp-saml"}, "corp-oidc": {"oidc", "mapping_corp-oidc"},
		"corp-custom": {"saml", customMapping}} {
		l, err := c.KeystoneListProtocols(&model.KeystoneListProtocolsRequest{IdpId: idp})
		if err != nil || l.Protocols == nil || len(*l.Protocols) != 1 || (*l.Protocols)[0].Id != want[0] || (*l.Protocols)[0].MappingId != want[1] {
			t.Fatalf("protocols of %s = %+v, %v", idp, l, err)
		}
	}
	// The SDK's model has no "groups" or "whitelist": read the raw body.
	resp, b := srv.Do(t, "GET", "/v3/OS-FEDERATION/mappings/mapping_corp-custom", nil, nil, true)
	var cm struct {
		Mapping struct {
			Rules any `json:"rules"`
		} `json:"mapping"`
	}
	var wantRules any
	if resp.StatusCode != 200 || json.Unmarshal(b, &cm) != nil || json.Unmarshal([]byte(cfg.CustomRules), &wantRules) != nil ||
		!reflect.DeepEqual(cm.Mapping.Rules, wantRules) {
		t.Fatalf("corp-custom's mapping = %d %s, want rules %s", resp.StatusCode, b, cfg.CustomRules)
	}
	md, err := c.ShowMetadata(&model.ShowMetadataRequest{IdpId: "corp-saml", ProtocolId: "saml"})
	if err != nil || md.Data == nil || strings.TrimSpace(*md.Data) != strings.TrimSpace(cfg.Metadata) ||
		md.EntityId == nil || *md.EntityId != "https://idp.example.com/saml" {
		t.Fatalf("metadata = %+v, %v", md, err)
	}
	m, err := c.KeystoneShowMapping(&model.KeystoneShowMappingRequest{Id: "mapping_corp-saml"})
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := json.Marshal(m.Mapping.Rules)
	if !strings.Contains(string(rules), `"name":"`+cfg.RuleGroup+`"`) || !strings.Contains(string(rules), `"any_one_of":["engineering","operations"]`) {
		t.Fatalf("conversion rules = %s", rules)
	}
	oc, err := c.ShowOpenIdConnectConfig(&model.ShowOpenIdConnectConfigRequest{IdpId: "corp-oidc"})
	if err != nil || oc.OpenidConnectConfig == nil || oc.OpenidConnectConfig.ClientId != cfg.OIDCClientID ||
		oc.OpenidConnectConfig.AccessMode != "program_console" ||

		!slices.Equal(strings.Fields(oc.OpenidConnectConfig.Scope), cfg.OIDCScopes) {
		t.Fatalf("oidc config = %+v, %v", oc, err)
	}
}

package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/iic-project/iic/internal/testenv"
)

func fedCreateIdP(t *testing.T, c *iam.IamClient, id string, opt *model.IdentityproviderOption) *model.IdentityprovidersResult {
	t.Helper()
	resp, err := c.KeystoneCreateIdentityProvider(&model.KeystoneCreateIdentityProviderRequest{Id: id,
		Body: &model.KeystoneCreateIdentityProviderRequestBody{IdentityProvider: opt}})
	if err != nil {
		t.Fatalf("create idp %s: %v", id, err)
	}
	if resp.HttpStatusCode != http.StatusCreated {
		t.Fatalf("create idp: status %d", resp.HttpStatusCode)
	}
	return resp.IdentityProvider
}

func fedRules() []model.MappingRules {
	groups := model.RulesLocalGroup{Name: "admins"}
	return []model.MappingRules{{
		Local:  []model.RulesLocal{{User: &model.RulesLocalUser{Name: "FederationUser"}}, {Group: &groups}},
		Remote: []model.RulesRemote{{Type: "UserName"}, {Type: "Groups", AnyOneOf: &[]string{"admin"}}},
	}}
}

func fedCreateMapping(t *testing.T, c *iam.IamClient, id string) *model.MappingResult {
	t.Helper()
	resp, err := c.KeystoneCreateMapping(&model.KeystoneCreateMappingRequest{Id: id,
		Body: &model.KeystoneCreateMappingRequestBody{Mapping: &model.MappingOption{Rules: fedRules()}}})
	if err != nil {
		t.Fatalf("create mapping %s: %v", id, err)
	}
	if resp.HttpStatusCode != http.StatusCreated {
		t.Fatalf("create mapping: status %d", resp.HttpStatusCode)
	}
	return resp.Mapping
}

func fedCreateProtocol(t *testing.T, c *iam.IamClient, idp, proto, mapping string) *model.ProtocolResult {
	t.Helper()
	resp, err := c.KeystoneCreateProtocol(&model.KeystoneCreateProtocolRequest{IdpId: idp, ProtocolId: proto,
		Body: &model.KeystoneCreateProtocolRequestBody{Protocol: &model.ProtocolOption{MappingId: &mapping}}})
	if err != nil {
		t.Fatalf("create protocol %s/%s: %v", idp, proto, err)
	}
	if resp.HttpStatusCode != http.StatusCreated {
		t.Fatalf("create protocol: status %d", resp.HttpStatusCode)
	}
	return resp.Protocol
}

// Identity providers through the SDK: create (201, defaults), show, list,
// the seed's PATCH cases, delete.
func TestFederationIdentityProvidersThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		c := srv.IAM(t)
		acme := fedCreateIdP(t, c, "ACME", &model.IdentityproviderOption{Description: ptr("the ACME IdP")})
		if acme.Id != "ACME" || acme.Enabled || acme.Description != "the ACME IdP" || acme.SsoType != "virtual_user_sso" ||
			acme.RemoteIds == nil || len(acme.RemoteIds) != 0 {
			t.Fatalf("created = %+v", acme)
		}
		self := pub(srv) + "/v3/OS-FEDERATION/identity_providers/ACME"
		if acme.Links == nil || acme.Links.Self != self || acme.Links.Protocols != self+"/protocols" {
			t.Fatalf("links = %+v, want self %s", acme.Links, self)
		}
		fedCreateIdP(t, c, "Beta", &model.IdentityproviderOption{SsoType: ptr("iam_user_sso"), Enabled: ptr(true)})
		_, err := c.KeystoneCreateIdentityProvider(&model.KeystoneCreateIdentityProviderRequest{Id: "ACME",
			Body: &model.KeystoneCreateIdentityProviderRequestBody{IdentityProvider: &model.IdentityproviderOption{}}})
		testenv.WantError(t, err, 409, "IIC.1257")
		_, err = c.KeystoneCreateIdentityProvider(&model.KeystoneCreateIdentityProviderRequest{Id: "Gamma",
			Body: &model.KeystoneCreateIdentityProviderRequestBody{IdentityProvider: &model.IdentityproviderOption{SsoType: ptr("saml_sso")}}})
		testenv.WantError(t, err, 400, "IIC.400")

		show, err := c.KeystoneShowIdentityProvider(&model.KeystoneShowIdentityProviderRequest{Id: "Beta"})
		if err != nil || show.IdentityProvider.SsoType != "iam_user_sso" || !show.IdentityProvider.Enabled {
			t.Fatalf("show Beta = %+v, %v", show, err)
		}
		list, err := c.KeystoneListIdentityProviders(&model.KeystoneListIdentityProvidersRequest{})
		if err != nil || list.IdentityProviders == nil || len(*list.IdentityProviders) != 2 || (*list.IdentityProviders)[0].Id != "ACME" {
			t.Fatalf("list = %+v, %v", list, err)
		}

		// The seed's PATCH: each field alone, both, empty → 400, unknown → 404.
		update := func(id string, opt *model.UpdateIdentityproviderOption) (*model.IdentityprovidersResult, error) {
			resp, err := c.KeystoneUpdateIdentityProvider(&model.KeystoneUpdateIdentityProviderRequest{Id: id,
				Body: &model.KeystoneUpdateIdentityProviderRequestBody{IdentityProvider: opt}})
			if err != nil {
				return nil, err
			}
			return resp.IdentityProvider, nil
		}
		got, err := update("ACME", &model.UpdateIdentityproviderOption{Enabled: ptr(true)})
		if err != nil || !got.Enabled || got.Description != "the ACME IdP" || got.Links.Self != self {
			t.Fatalf("enable = %+v, %v", got, err)
		}
		got, err = update("ACME", &model.UpdateIdentityproviderOption{Description: ptr("renamed")})
		if err != nil || !got.Enabled || got.Description != "renamed" {
			t.Fatalf("describe = %+v, %v", got, err)
		}
		got, err = update("ACME", &model.UpdateIdentityproviderOption{Description: ptr(""), Enabled: ptr(false)})
		if err != nil || got.Enabled || got.Description != "" || got.RemoteIds == nil {
			t.Fatalf("both = %+v, %v", got, err)
		}
		_, err = update("ACME", &model.UpdateIdentityproviderOption{})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = update("nobody", &model.UpdateIdentityproviderOption{Enabled: ptr(true)})
		testenv.WantError(t, err, 404, "IIC.404")
		if show, _ := c.KeystoneShowIdentityProvider(&model.KeystoneShowIdentityProviderRequest{Id: "ACME"}); show.IdentityProvider.Enabled {
			t.Fatal("a refused update changed the IdP")
		}
		// The seed's curl body, signed: {"identity_provider":{"enabled":false}}.
		resp, body := srv.Do(t, "PATCH", "/v3/OS-FEDERATION/identity_providers/Beta", []byte(`{"identity_provider":{"enabled":false}}`),
			map[string]string{"Content-Type": "application/json;charset=utf8", "Accept": "application/json"}, true)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"enabled":false`) || !strings.Contains(string(body), `"remote_ids":[]`) {
			t.Fatalf("seed PATCH = %d %s", resp.StatusCode, body)
		}
		for _, b := range []string{`{}`, `{"identity_provider":null}`, `{"identity_provider":{"enabled":"no"}}`, `{"identity_provider":{"sso_type":"iam_user_sso"}}`} {
			resp, body := srv.Do(t, "PATCH", "/v3/OS-FEDERATION/identity_providers/Beta", []byte(b), nil, true)
			if resp.StatusCode != 400 || !strings.Contains(string(body), `"error_code":"IIC.400"`) {
				t.Fatalf("PATCH %s = %d %s", b, resp.StatusCode, body)
			}
		}

		// No credentials → 401; a key without permission → 403; a key
		// allowed iam:identityProviders:updateIdentityProvider → 200.
		resp, body = srv.Do(t, "PATCH", "/v3/OS-FEDERATION/identity_providers/Beta", []byte(`{"identity_provider":{"enabled":true}}`), nil, false)
		if resp.StatusCode != 401 || !strings.Contains(string(body), `"error_code":"IIC.1410"`) {
			t.Fatalf("unsigned PATCH = %d %s", resp.StatusCode, body)
		}
		other := srv.CreatePolicy(t, "fed-read", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["iam:identityProviders:getIdentityProvider"],"Resource":["*"]}]}`)
		ak, sk := srv.CreateKey(t, other)
		_, err = srv.IAMAs(t, ak, sk).KeystoneUpdateIdentityProvider(&model.KeystoneUpdateIdentityProviderRequest{Id: "Beta",
			Body: &model.KeystoneUpdateIdentityProviderRequestBody{IdentityProvider: &model.UpdateIdentityproviderOption{Enabled: ptr(true)}}})
		testenv.WantError(t, err, 403, "IIC.1000")
		if _, err := srv.IAMAs(t, ak, sk).KeystoneShowIdentityProvider(&model.KeystoneShowIdentityProviderRequest{Id: "Beta"}); err != nil {
			t.Fatalf("show with iam:identityProviders:getIdentityProvider: %v", err)
		}
		admin := srv.CreatePolicy(t, "fed-update", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["iam:identityProviders:updateIdentityProvider"],"Resource":["*"]}]}`)
		ak2, sk2 := srv.CreateKey(t, admin)
		if _, err := srv.IAMAs(t, ak2, sk2).KeystoneUpdateIdentityProvider(&model.KeystoneUpdateIdentityProviderRequest{Id: "Beta",
			Body: &model.KeystoneUpdateIdentityProviderRequestBody{IdentityProvider: &model.UpdateIdentityproviderOption{Enabled: ptr(true)}}}); err != nil {
			t.Fatalf("update with iam:identityProviders:updateIdentityProvider: %v", err)
		}

		del, err := c.KeystoneDeleteIdentityProvider(&model.KeystoneDeleteIdentityProviderRequest{Id: "Beta"})
		if err != nil || del.HttpStatusCode != 204 {
			t.Fatalf("delete = %+v, %v", del, err)
		}
		_, err = c.KeystoneShowIdentityProvider(&model.KeystoneShowIdentityProviderRequest{Id: "Beta"})
		testenv.WantError(t, err, 404, "IIC.404")
		_, err = c.KeystoneDeleteIdentityProvider(&model.KeystoneDeleteIdentityProviderRequest{Id: "Beta"})
		testenv.WantError(t, err, 404, "IIC.404")
	})
}

// Mappings and protocols through the SDK: rules validated on write, a
// protocol bound to an existing mapping, a mapping in use not deletable,
// deleting the IdP removes its protocols and metadata.
func TestFederationMappingsProtocolsMetadataThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		c := srv.IAM(t)
		fedCreateIdP(t, c, "ACME", &model.IdentityproviderOption{})
		m := fedCreateMapping(t, c, "mapping_ACME")
		if m.Id != "mapping_ACME" || len(m.Rules) != 1 || m.Rules[0].Local[0].User.Name != "FederationUser" ||
			m.Links.Self != pub(srv)+"/v3/OS-FEDERATION/mappings/mapping_ACME" {
			t.Fatalf("mapping = %+v", m)
		}
		_, err := c.KeystoneCreateMapping(&model.KeystoneCreateMappingRequest{Id: "mapping_ACME",
			Body: &model.KeystoneCreateMappingRequestBody{Mapping: &model.MappingOption{Rules: fedRules()}}})
		testenv.WantError(t, err, 409, "IIC.1257")
		// A rule referring to a remote match that does not exist: the
		// parser's path and message come back.
		bad := []model.MappingRules{{Local: []model.RulesLocal{{User: &model.RulesLocalUser{Name: "{3}"}}}, Remote: []model.RulesRemote{{Type: "UserName"}}}}
		_, err = c.KeystoneCreateMapping(&model.KeystoneCreateMappingRequest{Id: "bad",
			Body: &model.KeystoneCreateMappingRequestBody{Mapping: &model.MappingOption{Rules: bad}}})
		se := testenv.WantError(t, err, 400, "IIC.400")
		if !strings.Contains(se.ErrorMessage, "rules[0]") {
			t.Fatalf("mapping error without its path: %s", se.ErrorMessage)
		}
		resp, body := srv.Do(t, "PUT", "/v3/OS-FEDERATION/mappings/empty", []byte(`{"mapping":{"rules":[]}}`), nil, true)
		if resp.StatusCode != 400 {
			t.Fatalf("empty rules = %d %s", resp.StatusCode, body)
		}
		upd, err := c.KeystoneUpdateMapping(&model.KeystoneUpdateMappingRequest{Id: "mapping_ACME",
			Body: &model.KeystoneUpdateMappingRequestBody{Mapping: &model.MappingOption{Rules: append(fedRules(), fedRules()...)}}})
		if err != nil || len(upd.Mapping.Rules) != 2 {
			t.Fatalf("update mapping = %+v, %v", upd, err)
		}
		fedCreateMapping(t, c, "spare")
		ml, err := c.KeystoneListMappings(&model.KeystoneListMappingsRequest{})
		if err != nil || len(*ml.Mappings) != 2 {
			t.Fatalf("list mappings = %+v, %v", ml, err)
		}

		// Protocols.
		_, err = c.KeystoneCreateProtocol(&model.KeystoneCreateProtocolRequest{IdpId: "ACME", ProtocolId: "saml",
			Body: &model.KeystoneCreateProtocolRequestBody{Protocol: &model.ProtocolOption{MappingId: ptr("nope")}}})
		testenv.WantError(t, err, 404, "IIC.404")
		_, err = c.KeystoneCreateProtocol(&model.KeystoneCreateProtocolRequest{IdpId: "nobody", ProtocolId: "saml",
			Body: &model.KeystoneCreateProtocolRequestBody{Protocol: &model.ProtocolOption{MappingId: ptr("spare")}}})
		testenv.WantError(t, err, 404, "IIC.404")
		_, err = c.KeystoneCreateProtocol(&model.KeystoneCreateProtocolRequest{IdpId: "ACME", ProtocolId: "ldap",
			Body: &model.KeystoneCreateProtocolRequestBody{Protocol: &model.ProtocolOption{MappingId: ptr("spare")}}})
		testenv.WantError(t, err, 400, "IIC.400")
		p := fedCreateProtocol(t, c, "ACME", "saml", "mapping_ACME")
		base := pub(srv) + "/v3/OS-FEDERATION/identity_providers/ACME"
		if p.Id != "saml" || p.MappingId != "mapping_ACME" || p.Links.IdentityProvider != base || p.Links.Self != base+"/protocols/saml" {
			t.Fatalf("protocol = %+v", p)
		}
		_, err = c.KeystoneCreateProtocol(&model.KeystoneCreateProtocolRequest{IdpId: "ACME", ProtocolId: "saml",
			Body: &model.KeystoneCreateProtocolRequestBody{Protocol: &model.ProtocolOption{MappingId: ptr("spare")}}})
		testenv.WantError(t, err, 409, "IIC.1257")
		_, err = c.KeystoneDeleteMapping(&model.KeystoneDeleteMappingRequest{Id: "mapping_ACME"})
		testenv.WantError(t, err, 409, "409")
		sp, err := c.KeystoneShowProtocol(&model.KeystoneShowProtocolRequest{IdpId: "ACME", ProtocolId: "saml"})
		if err != nil || sp.Protocol.MappingId != "mapping_ACME" {
			t.Fatalf("show protocol = %+v, %v", sp, err)
		}
		up, err := c.KeystoneUpdateProtocol(&model.KeystoneUpdateProtocolRequest{IdpId: "ACME", ProtocolId: "saml",
			Body: &model.KeystoneUpdateProtocolRequestBody{Protocol: &model.ProtocolOption{MappingId: ptr("spare")}}})
		if err != nil || up.Protocol.MappingId != "spare" {
			t.Fatalf("update protocol = %+v, %v", up, err)
		}
		_, err = c.KeystoneUpdateProtocol(&model.KeystoneUpdateProtocolRequest{IdpId: "ACME", ProtocolId: "saml",
			Body: &model.KeystoneUpdateProtocolRequestBody{Protocol: &model.ProtocolOption{MappingId: ptr("nope")}}})
		testenv.WantError(t, err, 404, "IIC.404")
		if _, err := c.KeystoneDeleteMapping(&model.KeystoneDeleteMappingRequest{Id: "mapping_ACME"}); err != nil {
			t.Fatalf("delete an unused mapping: %v", err)
		}
		pl, err := c.KeystoneListProtocols(&model.KeystoneListProtocolsRequest{IdpId: "ACME"})
		if err != nil || len(*pl.Protocols) != 1 {
			t.Fatalf("list protocols = %+v, %v", pl, err)
		}
		_, err = c.KeystoneListProtocols(&model.KeystoneListProtocolsRequest{IdpId: "nobody"})
		testenv.WantError(t, err, 404, "IIC.404")

		// Metadata: refused when it is not metadata, imported, shown.
		_, b64 := validCert(t, "fed-idp")
		doc := idpMetadata("https://idp.acme.example", "https://idp.acme.example/sso", b64)
		acct := srv.App.Root.AccountID
		meta := func(idp, proto, md string) error {
			_, err := c.CreateMetadata(&model.CreateMetadataRequest{IdpId: idp, ProtocolId: proto,
				Body: &model.CreateMetadataRequestBody{DomainId: acct, Metadata: md}})
			return err
		}
		_, err = c.ShowMetadata(&model.ShowMetadataRequest{IdpId: "ACME", ProtocolId: "saml"})
		testenv.WantError(t, err, 404, "IIC.404")
		for _, md := range []string{"not xml", `<html><body>hello</body></html>`, `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`} {
			se := testenv.WantError(t, meta("ACME", "saml", md), 400, "IIC.1327")
			if !strings.HasPrefix(se.ErrorMessage, "Invalid metadata: ") {
				t.Fatalf("metadata error = %s", se.ErrorMessage)
			}
		}
		testenv.WantError(t, meta("ACME", "oidc", doc), 400, "IIC.400")
		testenv.WantError(t, meta("nobody", "saml", doc), 404, "IIC.404")
		resp2, err := c.CreateMetadata(&model.CreateMetadataRequest{IdpId: "ACME", ProtocolId: "saml",
			Body: &model.CreateMetadataRequestBody{DomainId: acct, Metadata: doc}})
		if err != nil || resp2.HttpStatusCode != 201 || resp2.Message == nil {
			t.Fatalf("import metadata = %+v, %v", resp2, err)
		}
		sm, err := c.ShowMetadata(&model.ShowMetadataRequest{IdpId: "ACME", ProtocolId: "saml"})
		if err != nil || *sm.EntityId != "https://idp.acme.example" || *sm.Data != doc || *sm.IdpId != "ACME" || *sm.DomainId != acct || *sm.Id == "" {
			t.Fatalf("show metadata = %+v, %v", sm, err)
		}

		// Deleting the IdP removes its protocols and metadata.
		if _, err := c.KeystoneDeleteIdentityProvider(&model.KeystoneDeleteIdentityProviderRequest{Id: "ACME"}); err != nil {
			t.Fatal(err)
		}
		fedCreateIdP(t, c, "ACME", &model.IdentityproviderOption{})
		_, err = c.ShowMetadata(&model.ShowMetadataRequest{IdpId: "ACME", ProtocolId: "saml"})
		testenv.WantError(t, err, 404, "IIC.404")
		if pl, err := c.KeystoneListProtocols(&model.KeystoneListProtocolsRequest{IdpId: "ACME"}); err != nil || len(*pl.Protocols) != 0 {
			t.Fatalf("protocols of the recreated IdP = %+v, %v", pl, err)
		}
		if _, err := c.KeystoneDeleteMapping(&model.KeystoneDeleteMappingRequest{Id: "spare"}); err != nil {
			t.Fatalf("delete the mapping the deleted protocol used: %v", err)
		}
	})
}

const fedJWKS = `{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}]}`

// The OpenID Connect configuration of an IdP: create (201), show, update
// (200), validated.
func TestFederationOIDCConfigThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		c := srv.IAM(t)
		fedCreateIdP(t, c, "oidc-idp", &model.IdentityproviderOption{})
		create := func(idp string, cfg model.CreateOpenIdConnectConfig) (*model.CreateOpenIdConnectConfigResponse, error) {
			return c.CreateOpenIdConnectConfig(&model.CreateOpenIdConnectConfigRequest{IdpId: idp,
				Body: &model.CreateOpenIdConnectConfigRequestBody{OpenidConnectConfig: &cfg}})
		}
		rt, rm := model.GetCreateOpenIdConnectConfigResponseTypeEnum().ID_TOKEN, model.GetCreateOpenIdConnectConfigResponseModeEnum().FORM_POST
		good := model.CreateOpenIdConnectConfig{AccessMode: "program_console", IdpUrl: "https://accounts.example.com", ClientId: "client-1",
			AuthorizationEndpoint: ptr("https://accounts.example.com/authorize"), Scope: ptr("openid email"), ResponseType: &rt, ResponseMode: &rm,
			SigningKey: fedJWKS}
		for name, mutate := range map[string]func(*model.CreateOpenIdConnectConfig){
			"access mode":              func(c *model.CreateOpenIdConnectConfig) { c.AccessMode = "console" },
			"http idp_url":             func(c *model.CreateOpenIdConnectConfig) { c.IdpUrl = "http://accounts.example.com" },
			"no client id":             func(c *model.CreateOpenIdConnectConfig) { c.ClientId = "" },
			"scope without openid":     func(c *model.CreateOpenIdConnectConfig) { c.Scope = ptr("email profile") },
			"console without endpoint": func(c *model.CreateOpenIdConnectConfig) { c.AuthorizationEndpoint = nil },
			"signing key not a JWKS":   func(c *model.CreateOpenIdConnectConfig) { c.SigningKey = "-----BEGIN PUBLIC KEY-----" },
			"private key": func(c *model.CreateOpenIdConnectConfig) {
				c.SigningKey = `{"keys":[{"kty":"RSA","n":"x","e":"AQAB","d":"secret"}]}`
			},
		} {
			bad := good
			mutate(&bad)
			_, err := create("oidc-idp", bad)
			if se := testenv.WantError(t, err, 400, "IIC.400"); se.ErrorMessage == "" {
				t.Fatalf("%s: no message", name)
			}
		}
		_, err := create("nobody", good)
		testenv.WantError(t, err, 404, "IIC.404")
		_, err = c.ShowOpenIdConnectConfig(&model.ShowOpenIdConnectConfigRequest{IdpId: "oidc-idp"})
		testenv.WantError(t, err, 404, "IIC.404")
		resp, err := create("oidc-idp", good)
		if err != nil || resp.HttpStatusCode != 201 || resp.OpenidConnectConfig.ClientId != "client-1" || resp.OpenidConnectConfig.SigningKey != fedJWKS {
			t.Fatalf("create = %+v, %v", resp, err)
		}
		_, err = create("oidc-idp", good)
		testenv.WantError(t, err, 409, "IIC.1257")
		show, err := c.ShowOpenIdConnectConfig(&model.ShowOpenIdConnectConfigRequest{IdpId: "oidc-idp"})
		if err != nil || show.OpenidConnectConfig.Scope != "openid email" || show.OpenidConnectConfig.ResponseMode.Value() != "form_post" {
			t.Fatalf("show = %+v, %v", show, err)
		}
		frag := model.GetUpdateOpenIdConnectConfigResponseModeEnum().FRAGMENT
		upd, err := c.UpdateOpenIdConnectConfig(&model.UpdateOpenIdConnectConfigRequest{IdpId: "oidc-idp",
			Body: &model.UpdateOpenIdConnectConfigRequestBody{OpenidConnectConfig: &model.UpdateOpenIdConnectConfig{ClientId: ptr("client-2"), ResponseMode: &frag}}})
		if err != nil || upd.OpenidConnectConfig.ClientId != "client-2" || upd.OpenidConnectConfig.ResponseMode.Value() != "fragment" ||
			upd.OpenidConnectConfig.IdpUrl != "https://accounts.example.com" {
			t.Fatalf("update = %+v, %v", upd, err)
		}
		_, err = c.UpdateOpenIdConnectConfig(&model.UpdateOpenIdConnectConfigRequest{IdpId: "oidc-idp",
			Body: &model.UpdateOpenIdConnectConfigRequestBody{OpenidConnectConfig: &model.UpdateOpenIdConnectConfig{Scope: ptr("profile")}}})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.UpdateOpenIdConnectConfig(&model.UpdateOpenIdConnectConfigRequest{IdpId: "oidc-idp",
			Body: &model.UpdateOpenIdConnectConfigRequestBody{OpenidConnectConfig: &model.UpdateOpenIdConnectConfig{}}})
		testenv.WantError(t, err, 400, "IIC.400")
		// Deleting the IdP removes its configuration.
		if _, err := c.KeystoneDeleteIdentityProvider(&model.KeystoneDeleteIdentityProviderRequest{Id: "oidc-idp"}); err != nil {
			t.Fatal(err)
		}
		fedCreateIdP(t, c, "oidc-idp", &model.IdentityproviderOption{})
		_, err = c.ShowOpenIdConnectConfig(&model.ShowOpenIdConnectConfigRequest{IdpId: "oidc-idp"})
		testenv.WantError(t, err, 404, "IIC.404")
	})
}

// The surface's dialect: a wrong method on a known path is a 405 with
// Allow, an empty id is an envelope (never a redirect), an oversized body a
// 413, and every error body carries error_code, error_msg and Keystone's
// error object.
func TestFederationErrorDialect(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	type body struct {
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
		RequestID string `json:"request_id"`
		Error     struct {
			Code    int    `json:"code"`
			Title   string `json:"title"`
			Message string `json:"message"`
		} `json:"error"`
	}
	check := func(method, path string, payload []byte, status int, code string) http.Header {
		t.Helper()
		resp, out := srv.Do(t, method, path, payload, nil, true)
		var b body
		if resp.StatusCode != status || json.Unmarshal(out, &b) != nil || b.ErrorCode != code || b.ErrorMsg == "" ||
			b.RequestID == "" || b.RequestID != resp.Header.Get("X-Request-Id") || b.Error.Code != status || b.Error.Message != b.ErrorMsg || b.Error.Title == "" {
			t.Fatalf("%s %s = %d %s, want %d %s", method, path, resp.StatusCode, out, status, code)
		}
		return resp.Header
	}
	h := check("POST", "/v3/OS-FEDERATION/identity_providers/ACME", []byte(`{}`), 405, "405")
	if allow := h.Get("Allow"); allow != "GET, HEAD, PUT, PATCH, DELETE" {
		t.Fatalf("Allow = %q", allow)
	}
	check("DELETE", "/v3-ext/OS-FEDERATION/identity_providers/ACME/protocols/saml/metadata", nil, 405, "405")
	check("DELETE", "/v3.0/OS-FEDERATION/identity-providers/ACME/openid-connect-config", nil, 405, "405")
	check("GET", "/v3/OS-FEDERATION/identity_providers//protocols", nil, 404, "IIC.404")
	check("PUT", "/v3/OS-FEDERATION/identity_providers//protocols/saml", []byte(`{}`), 404, "IIC.404")
	check("GET", "/v3/OS-FEDERATION/nothing-here", nil, 404, "IIC.404")
	check("GET", "/v3/OS-FEDERATION/identity_providers/ACME", nil, 404, "IIC.404")
	big := append(append([]byte(`{"identity_provider":{"description":"`), strings.Repeat("x", 2<<20)...), '"', '}', '}')
	check("PUT", "/v3/OS-FEDERATION/identity_providers/ACME", big, 413, "413")
	check("PUT", "/v3/OS-FEDERATION/identity_providers/"+strings.Repeat("a", 65), []byte(`{"identity_provider":{}}`), 400, "IIC.400")
	// Other surfaces keep the product's envelope (no Keystone object).
	resp, out := srv.Do(t, "POST", "/v1/instances/x", []byte(`{}`), nil, true)
	if resp.StatusCode != 404 || strings.Contains(string(out), `"error":{`) {
		t.Fatalf("admin surface = %d %s", resp.StatusCode, out)
	}
}

// federationFixtures makes the OS-FEDERATION objects the bad-input sweep
// aims at: an IdP with a saml protocol bound to a mapping, its metadata
// and an OIDC configuration.
func federationFixtures(t *testing.T, srv *testenv.Server, certB64 string) (idpID, mappingID string) {
	t.Helper()
	c := srv.IAM(t)
	fedCreateIdP(t, c, "sweep-fed", &model.IdentityproviderOption{Description: ptr("sweep")})
	fedCreateMapping(t, c, "sweep-mapping")
	fedCreateProtocol(t, c, "sweep-fed", "saml", "sweep-mapping")
	if _, err := c.CreateMetadata(&model.CreateMetadataRequest{IdpId: "sweep-fed", ProtocolId: "saml", Body: &model.CreateMetadataRequestBody{
		DomainId: srv.App.Root.AccountID, Metadata: idpMetadata("https://idp.sweep.example", "https://idp.sweep.example/sso", certB64)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateOpenIdConnectConfig(&model.CreateOpenIdConnectConfigRequest{IdpId: "sweep-fed", Body: &model.CreateOpenIdConnectConfigRequestBody{
		OpenidConnectConfig: &model.CreateOpenIdConnectConfig{AccessMode: "program", IdpUrl: "https://accounts.example.com", ClientId: "c", SigningKey: fedJWKS}}}); err != nil {
		t.Fatal(err)
	}
	return "sweep-fed", "sweep-mapping"
}

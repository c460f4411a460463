package e2e

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/iic-project/iic/internal/testenv"
)

// sdkMethod sends a request the SDK has no operation for (another method
// on one of its paths) through the iam v3 client's own HTTP client, so the
// answer is decoded the way every SDK operation decodes it.
func sdkMethod(c *iam.IamClient, method, path string) error {
	d := def.NewHttpRequestDefBuilder().WithMethod(method).WithPath(path).
		WithResponse(new(model.KeystoneListIdentityProvidersResponse)).WithContentType("application/json;charset=UTF-8").Build()
	_, err := c.HcClient.Sync(&model.KeystoneListIdentityProvidersRequest{}, d)
	return err
}

// Every error status of the OS-FEDERATION, Keystone token and Keystone
// discovery operations — 400, 401, 403, 404, 405, 409, 413 — reaches a
// Huawei SDK iam v3 caller as a ServiceResponseError whose StatusCode,
// ErrorCode and ErrorMessage are the answer's status, error_code and
// error_msg, with the request id.
func TestFederationKeystoneErrorsDecodedBySDK(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{AuthCacheTTL: -1})
	setSignInUser(t, srv, tokenPassword, "Security Administrator")
	c, anon := srv.IAM(t), srv.IAMToken(t, "")
	name := rootName(t, srv)
	want := func(what string, err error, status int, code, msg string) {
		t.Helper()
		var se *sdkerr.ServiceResponseError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, want a service error", what, err)
			return
		}
		if se.StatusCode != status || se.ErrorCode != code || se.ErrorMessage != msg || se.RequestId == "" {
			t.Errorf("%s: decoded %d %q %q (request id %q), want %d %q %q", what, se.StatusCode, se.ErrorCode, se.ErrorMessage, se.RequestId, status, code, msg)
		}
	}
	big := strings.Repeat("x", 2<<20)
	const badSignature = "Signature verification failed: the access key does not exist or the signature does not match " +
		"(check the AK/SK pair and that the request was not altered)."

	// 400.
	_, err := c.KeystoneCreateIdentityProvider(&model.KeystoneCreateIdentityProviderRequest{Id: "gamma",
		Body: &model.KeystoneCreateIdentityProviderRequestBody{IdentityProvider: &model.IdentityproviderOption{SsoType: ptr("saml_sso")}}})
	want("bad sso_type", err, 400, "IIC.400", "Bad Request: sso_type must be virtual_user_sso or iam_user_sso.")
	_, err = anon.KeystoneCreateUserTokenByPassword(&model.KeystoneCreateUserTokenByPasswordRequest{Body: &model.KeystoneCreateUserTokenByPasswordRequestBody{
		Auth: &model.PwdAuth{Identity: &model.PwdIdentity{Methods: []model.PwdIdentityMethods{model.GetPwdIdentityMethodsEnum().PASSWORD}}}}})
	want("password method without password", err, 400, "IIC.400", "Bad Request: auth.identity.password.user is required by the password method.")

	// 401.
	_, err = srv.IAMAs(t, srv.App.Root.AccessKey, "not-the-secret-key").KeystoneListIdentityProviders(&model.KeystoneListIdentityProvidersRequest{})
	want("wrong secret key", err, 401, "IIC.1410", badSignature)
	_, err = srv.IAMToken(t, "no-such-token").KeystoneListMappings(&model.KeystoneListMappingsRequest{})
	want("unknown X-Auth-Token", err, 401, "IIC.1410", "The token in X-Auth-Token is invalid or has expired.")
	_, err = passwordToken(anon, name, "admin", "Wrong-Horse-7", nil)
	want("wrong password", err, 401, "IIC.1410", "The user name or password is wrong.")
	_, err = srv.IAMAs(t, srv.App.Root.AccessKey, "not-the-secret-key").KeystoneListAuthDomains(&model.KeystoneListAuthDomainsRequest{})
	want("discovery, wrong secret key", err, 401, "IIC.1410", badSignature)

	// 404.
	_, err = c.KeystoneShowIdentityProvider(&model.KeystoneShowIdentityProviderRequest{Id: "nobody"})
	want("unknown IdP", err, 404, "IIC.404", "Not Found: identity provider nobody.")
	_, err = c.KeystoneShowMapping(&model.KeystoneShowMappingRequest{Id: "nothing"})
	want("unknown mapping", err, 404, "IIC.404", "Not Found: mapping nothing.")
	_, err = c.ShowOpenIdConnectConfig(&model.ShowOpenIdConnectConfigRequest{IdpId: "nobody"})
	want("unknown OIDC config", err, 404, "IIC.404", "Not Found: identity provider nobody.")
	token := mustToken(t, srv, tokenPassword)
	_, err = srv.IAMToken(t, token).KeystoneValidateToken(&model.KeystoneValidateTokenRequest{XSubjectToken: "no-such-token"})
	want("unknown subject token", err, 404, "IIC.404", "Not Found: the token.")

	// 405.
	want("POST on the IdP list", sdkMethod(c, http.MethodPost, "/v3/OS-FEDERATION/identity_providers"), 405, "405", "The method is not allowed for the requested URL (allowed: GET, HEAD).")
	want("DELETE on the tokens", sdkMethod(c, http.MethodDelete, "/v3/auth/tokens"), 405, "405", "The method is not allowed for the requested URL (allowed: GET, HEAD, POST).")
	want("POST on the auth domains", sdkMethod(c, http.MethodPost, "/v3/auth/domains"), 405, "405", "The method is not allowed for the requested URL (allowed: GET, HEAD).")
	want("PUT on the projects", sdkMethod(c, http.MethodPut, "/v3/projects"), 405, "405", "The method is not allowed for the requested URL (allowed: GET, HEAD).")

	// 409.
	fedCreateIdP(t, c, "acme", &model.IdentityproviderOption{})
	_, err = c.KeystoneCreateIdentityProvider(&model.KeystoneCreateIdentityProviderRequest{Id: "acme",
		Body: &model.KeystoneCreateIdentityProviderRequestBody{IdentityProvider: &model.IdentityproviderOption{}}})
	want("IdP again", err, 409, "IIC.1257", "Duplicate entity objects.")
	fedCreateMapping(t, c, "acme-map")
	fedCreateProtocol(t, c, "acme", "saml", "acme-map")
	_, err = c.KeystoneDeleteMapping(&model.KeystoneDeleteMappingRequest{Id: "acme-map"})
	want("mapping in use", err, 409, "409", "Conflict occurred attempting to delete mapping acme-map (a protocol is bound to it): it is in use.")

	// 413.
	_, err = c.KeystoneCreateIdentityProvider(&model.KeystoneCreateIdentityProviderRequest{Id: "huge",
		Body: &model.KeystoneCreateIdentityProviderRequestBody{IdentityProvider: &model.IdentityproviderOption{Description: &big}}})
	want("oversized IdP", err, 413, "413", "Request Entity Too Large: the request body exceeds the 1 MiB limit.")
	_, err = passwordToken(anon, name, "admin", big, nil)
	want("oversized token request", err, 413, "413", "Request Entity Too Large: the request body exceeds the 1 MiB limit.")

	// 403: a token whose user has no role.
	setSignInUser(t, srv, "Other-Horse-8")
	weak := srv.IAMToken(t, mustToken(t, srv, "Other-Horse-8"))
	_, err = weak.KeystoneListIdentityProviders(&model.KeystoneListIdentityProvidersRequest{})
	want("list IdPs without the permission", err, 403, "IIC.1000", "No permission for action iam:identityProviders:listIdentityProviders.")
	_, err = weak.KeystoneDeleteProtocol(&model.KeystoneDeleteProtocolRequest{IdpId: "acme", ProtocolId: "saml"})
	want("delete a protocol without the permission", err, 403, "IIC.1000", "No permission for action iam:identityProviders:deleteProtocol.")
}

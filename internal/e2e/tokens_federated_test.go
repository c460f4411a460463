package e2e

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/iic-project/iic/internal/api/iamfed"
	"github.com/iic-project/iic/internal/testenv"
)

// The federated-token operations iic does not serve yet answer 400
// IIC.1615 in the IAM dialect, which the SDK decodes (error_code and
// error_msg), unauthenticated or with a token, on every path they have.
func TestFederatedTokensNotSupportedThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		setSignInUser(t, srv, tokenPassword, "Security Administrator")
		fedCreateIdP(t, srv.IAM(t), "ACME", &model.IdentityproviderOption{Enabled: ptr(true)})
		for _, c := range []struct {
			who   string
			token string
		}{{"anonymous", ""}, {"with a token", mustToken(t, srv, tokenPassword)}} {
			iam := srv.IAMToken(t, c.token)
			calls := map[string]func() error{
				"CreateUnscopeTokenByIdpInitiated": func() error {
					_, err := iam.CreateUnscopeTokenByIdpInitiated(&model.CreateUnscopeTokenByIdpInitiatedRequest{XIdpId: "ACME",
						Body: &model.CreateUnscopeTokenByIdpInitiatedRequestBody{SAMLResponse: def.NewMultiPart("PHNhbWxwOlJlc3BvbnNlLz4=")}})
					return err
				},
				"CreateUnscopedTokenWithIdToken": func() error {
					_, err := iam.CreateUnscopedTokenWithIdToken(&model.CreateUnscopedTokenWithIdTokenRequest{IdpId: "ACME", ProtocolId: "oidc",
						Authorization: "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"})
					return err
				},
				"CreateTokenWithIdToken": func() error {
					_, err := iam.CreateTokenWithIdToken(&model.CreateTokenWithIdTokenRequest{XIdpId: "ACME",
						Body: &model.GetIdTokenRequestBody{Auth: &model.GetIdTokenAuthParams{IdToken: &model.GetIdTokenIdTokenBody{Id: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}}}})
					return err
				},
			}
			for name, call := range calls {
				var se *sdkerr.ServiceResponseError
				if err := call(); !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest || se.ErrorCode != "IIC.1615" ||
					!strings.Contains(se.ErrorMessage, "not supported") {
					t.Errorf("%s %s: %v, want 400 IIC.1615 decoded by the SDK", name, c.who, err)
				}
			}
		}
		// Every path, raw: the dialect's envelope with Keystone's error object.
		for _, op := range iamfed.Unsupported {
			method, path, _ := strings.Cut(op.Pattern, " ")
			path = strings.NewReplacer("{idp_id}", "ACME", "{protocol_id}", "saml").Replace(path)
			resp, body := srv.Do(t, method, path, []byte(`{}`), nil, false)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"error_code":"IIC.1615"`) || !strings.Contains(string(body), `"error":{"code":400`) {
				t.Errorf("%s %s: %d %s", method, path, resp.StatusCode, body)
			}
		}
		// Another method on such a path: 405 in the same dialect.
		if resp, body := srv.Do(t, "DELETE", "/v3.0/OS-AUTH/id-token/tokens", nil, nil, false); resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(string(body), `"error_code"`) {
			t.Errorf("DELETE id-token/tokens: %d %s", resp.StatusCode, body)
		}
	})
}

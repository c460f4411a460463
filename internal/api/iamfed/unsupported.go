package iamfed

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
)

// idTokenPath is the OIDC id_token exchange of the SDK's
// CreateTokenWithIdToken (outside the OS-FEDERATION prefixes).
const idTokenPath = "/v3.0/OS-AUTH/id-token/tokens"

// Unsupported are the federated-token operations of Huawei IAM that iic
// does not serve yet: a federated user's sign-in by SAML assertion or OIDC
// id_token. Each answers 400 IIC.1615 ("Requests of this type are not
// supported.") in the surface's dialect, whatever the request carries
// (nothing of it is read or checked), never a 404.
var Unsupported = []struct{ Name, Pattern string }{
	{"CreateUnscopeTokenByIdpInitiated", "POST " + prefixV30 + "/tokens"},
	{"CreateUnscopedTokenWithIdToken", "POST " + prefix + "/identity_providers/{idp_id}/protocols/{protocol_id}/auth"},
	{"CreateUnscopedTokenWithIdToken", "GET " + prefix + "/identity_providers/{idp_id}/protocols/{protocol_id}/auth"},
	{"CreateTokenWithIdToken", "POST " + idTokenPath},
}

// MountUnsupported mounts the Unsupported operations, unauthenticated (like
// their Huawei counterparts, whose proof is the assertion or id_token).
func MountUnsupported(rt *httpx.Router) {
	for _, op := range Unsupported {
		rt.Handle(op.Pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpx.WriteError(w, r, apierr.IIC1615.New())
		}))
	}
}

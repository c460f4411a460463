// Package sts is the surface of the STS operations iic serves (SDK
// services/sts/v1): GetCallerIdentity answers who signed the request; the
// other operations of the service answer that iic does not support them.
package sts

import (
	"net/http"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
)

// API serves the STS surface.
type API struct{}

// Ops are the signed operations.
func (a *API) Ops() []httpx.Op {
	return []httpx.Op{
		{Name: "GetCallerIdentity", Pattern: "GET /v5/caller-identity", Handler: a.getCallerIdentity},
	}
}

// Unsupported are the SDK's other STS operations: iic issues temporary
// credentials only through the portal (an assigned permission set's agency).
var Unsupported = []struct{ Name, Pattern string }{
	{"AssumeAgency", "POST /v5/agencies/assume"},
	{"AssumeAgencyWithOIDC", "POST /v5/agencies/assume-with-oidc"},
	{"AssumeAgencyWithSAML", "POST /v5/agencies/assume-with-saml"},
	{"DecodeAuthorizationMessage", "POST /v5/decode-authorization-message"},
}

// MountUnsupported answers the unsupported operations with a 400 that
// names them (no authentication: the answer reveals and changes nothing).
func MountUnsupported(rt *httpx.Router) {
	for _, op := range Unsupported {
		name := op.Name
		rt.Handle(op.Pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpx.WriteError(w, r, apierr.IIC400_400.New("iic does not support the STS operation "+name+
				"; temporary credentials come from the user portal (GetAgencyCredentials)"))
		}))
	}
}

type callerIdentity struct {
	AccountID    string `json:"account_id"`
	PrincipalURN string `json:"principal_urn"`
	PrincipalID  string `json:"principal_id"`
}

// getCallerIdentity answers the signer: the account, its URN as policies
// see it (g:PrincipalUrn) and its id — the account id for the root key, the
// access key for a scoped key, <agency name>:<session name> for an agency
// session (the session name is the user's name).
func (a *API) getCallerIdentity(w http.ResponseWriter, r *http.Request) error {
	p := authz.PrincipalFrom(r.Context())
	if p == nil {
		return apierr.IIC1260.New()
	}
	out := callerIdentity{AccountID: p.AccountID, PrincipalURN: authz.PrincipalURN(p), PrincipalID: p.AccessKey}
	switch {
	case p.Kind == authz.KindRoot:
		out.PrincipalID = p.AccountID
	case p.Kind == authz.KindTemporary && p.AgencyURN != "":
		out.PrincipalID = p.AgencyURN[strings.LastIndexByte(p.AgencyURN, ':')+1:] + ":" + p.SessionName
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

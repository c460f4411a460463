package scim

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/idsource"
	"github.com/iic-project/iic/internal/store"
)

// TokenCheck checks a bearer token presented to a tenant's endpoint
// (idsource.Service.AuthenticateSCIMToken): an unknown, expired or other
// tenant's token is idsource.ErrInvalidToken.
type TokenCheck func(ctx context.Context, tenantID, presented string) (store.SCIMTenant, error)

// BearerTokens is the surface's Authenticator: one Authorization header
// "Bearer <token>", checked by check against the tenant the path names. The
// principal is the tenant (authz.KindSCIM). Every failure to authenticate
// is one 401 with no hint.
func BearerTokens(check TokenCheck) httpx.Authenticator { return bearer{check} }

type bearer struct{ check TokenCheck }

func (bearer) Credential() string { return "a SCIM bearer token (Authorization: Bearer)" }

func (bearer) Presented(r *http.Request) bool {
	for _, h := range r.Header.Values("Authorization") {
		if scheme, _, _ := strings.Cut(h, " "); strings.EqualFold(scheme, "Bearer") {
			return true
		}
	}
	return false
}

func (b bearer) Authenticate(r *http.Request, _ []byte, _ httpx.AuthOp) (*authz.Principal, error) {
	hs := r.Header.Values("Authorization")
	if len(hs) != 1 {
		return nil, errUnauthorized
	}
	scheme, tok, ok := strings.Cut(hs[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, errUnauthorized
	}
	tn, err := b.check(r.Context(), r.PathValue("tenant"), strings.TrimSpace(tok))
	if err != nil {
		if errors.Is(err, idsource.ErrInvalidToken) {
			return nil, errUnauthorized
		}
		return nil, err
	}
	return &authz.Principal{Kind: authz.KindSCIM, Store: &authz.StoreCaller{IdentityStoreID: tn.IdentityStoreID, SCIMTenant: tn.ID}}, nil
}

package oidc

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"strings"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// CodeRequest is an authorization the portal grants a signed-in user.
type CodeRequest struct {
	ClientID    string
	User        UserRef
	RedirectURI string
	// CodeChallenge and CodeChallengeMethod are PKCE's (RFC 7636): every
	// authorization carries an S256 challenge (clients are public).
	CodeChallenge       string
	CodeChallengeMethod string
	Scopes              []string
}

// Authorization is what the portal's authorization page shows of a valid
// request: the client asking and the scopes it would be granted.
type Authorization struct {
	ClientID   string
	ClientName string
	Scopes     []string
}

// CheckAuthorization validates an authorization request (its User is not
// looked at) in the order RFC 6749 §4.1.2.1 needs:
//
//   - the client and the redirect URI first: an unknown (404 IIC.1600) or
//     expired (403 IIC.1601) client, one that did not register the
//     authorization-code grant (400 IIC.1609) or a redirect URI it may not
//     use (400 IIC.1606) is a plain apierr error, which the page shows and
//     never redirects to;
//   - then the rest: a missing or malformed PKCE challenge, a method other
//     than S256 (invalid_request) and a scope the client did not register
//     (invalid_scope) are *Error values whose OAuth code the page sends back
//     to the redirect URI.
//
// Clients register no redirect URIs (the SDK's model has none), so the
// ones a client may use are the loopback redirects of native apps
// (RFC 8252 §7.3: http://127.0.0.1, http://[::1], http://localhost, any
// port, matched as given): a code never leaves the user's machine.
func (s *Service) CheckAuthorization(ctx context.Context, in CodeRequest) (Authorization, error) {
	if in.ClientID == "" || len(in.ClientID) > 128 {
		return Authorization{}, apierr.IIC1600.New()
	}
	cl, err := s.Store.OIDC().GetClient(ctx, in.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return Authorization{}, apierr.IIC1600.New()
	}
	if err != nil {
		return Authorization{}, err
	}
	now := s.now()
	if !now.Before(cl.SecretExpiresAt) || !now.Before(cl.ExpiresAt) {
		return Authorization{}, apierr.IIC1601.New()
	}
	if !contains(cl.GrantTypes, GrantAuthorizationCode) {
		return Authorization{}, apierr.IIC1609.New("the authorization code grant")
	}
	if !loopbackRedirect(in.RedirectURI) {
		return Authorization{}, apierr.IIC1606_400.New("redirect_uri must be a loopback http URI (http://127.0.0.1:<port>/…, http://[::1]:<port>/… or http://localhost:<port>/…)")
	}
	switch {
	case in.CodeChallenge == "":
		return Authorization{}, invalidParam("code_challenge is required (PKCE, S256)")
	case in.CodeChallengeMethod != "S256":
		return Authorization{}, invalidParam(`code_challenge_method must be "S256"`)
	case len(in.CodeChallenge) != 43 || strings.Trim(in.CodeChallenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "":
		return Authorization{}, invalidParam("code_challenge must be the 43-character base64url SHA-256 of the code verifier")
	}
	scopes := cl.Scopes
	if len(in.Scopes) > 0 {
		if scopes, err = narrowScopes(in.Scopes, cl.Scopes); err != nil {
			return Authorization{}, err // an *Error: invalid_scope or invalid_request
		}
	}
	return Authorization{ClientID: cl.ID, ClientName: cl.Name, Scopes: scopes}, nil
}

// IssueAuthorizationCode issues a single-use authorization code (valid
// CodeTTL) for a signed-in user once the request passes
// CheckAuthorization; the portal's authorization page calls it when the
// user consents and redirects to RedirectURI with it.
func (s *Service) IssueAuthorizationCode(ctx context.Context, in CodeRequest) (string, error) {
	auth, err := s.CheckAuthorization(ctx, in)
	if err != nil {
		return "", err
	}
	if in.User.IdentityStoreID == "" || in.User.UserID == "" {
		return "", apierr.IIC1606_400.New("a signed-in user is required")
	}
	now := s.now()
	code := s.IDs.Token(43)
	err = s.Store.OIDC().CreateAuthCode(ctx, store.OIDCAuthCode{
		Hash: secrets.TokenHash(code), ClientID: auth.ClientID, IdentityStoreID: in.User.IdentityStoreID, UserID: in.User.UserID,
		RedirectURI: in.RedirectURI, CodeChallenge: in.CodeChallenge, Scopes: auth.Scopes, CreatedAt: now, ExpiresAt: now.Add(s.cfg().CodeTTL),
	})
	if store.ConflictKey(err) == store.KeyReference {
		return "", apierr.IIC1312.New()
	}
	return code, err
}

func loopbackRedirect(raw string) bool {
	if len(raw) > 2048 {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || u.Opaque != "" || strings.ContainsAny(raw, "#\\") {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// TokenRequest is the input of CreateToken: the SDK's fields, and the
// PKCE code_verifier its model lacks.
type TokenRequest struct {
	ClientID     string
	ClientSecret string
	GrantType    string
	DeviceCode   string
	Code         string
	RedirectURI  string
	CodeVerifier string
	RefreshToken string
	Scopes       []string
}

// Tokens is a successful token answer: an access token and a refresh
// token of one family, each shown once.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // the access token's remaining lifetime, seconds
	TokenType    string
}

// CreateToken runs the token endpoint for an authenticated client:
// the device code grant (RFC 8628), refresh_token (rotation: each refresh
// token is exchanged once for a new access and refresh token of the same
// family, and presenting a used one again revokes the whole family — the
// legitimate holder and a thief cannot both go on), and authorization_code
// (single use, bound to client and redirect_uri and to the PKCE S256
// challenge every authorization carries). client_credentials and password are not
// served (400 IIC.1615): an access token always stands for a user, and a
// client acts for none; anything else is 401 IIC.1612.
func (s *Service) CreateToken(ctx context.Context, in TokenRequest) (Tokens, error) {
	if in.GrantType == "" {
		return Tokens{}, invalidParam("grant_type is required")
	}
	cl, err := s.authenticateClient(ctx, in.ClientID, in.ClientSecret)
	if err != nil {
		return Tokens{}, err
	}
	switch in.GrantType {
	case GrantDeviceCode:
		return s.deviceGrant(ctx, cl, in)
	case GrantRefreshToken:
		return s.refreshGrant(ctx, cl, in)
	case GrantAuthorizationCode:
		return s.codeGrant(ctx, cl, in)
	case GrantClientCredentials, GrantPassword:
		return Tokens{}, oauth("unsupported_grant_type", apierr.IIC1615.New())
	}
	return Tokens{}, oauth("unsupported_grant_type", apierr.IIC1612.New())
}

// issue creates, through tx, an access token and a refresh token for user in
// family (a new family when ""), the refresh token ending at sessionEnd.
func (s *Service) issue(ctx context.Context, tx store.Store, clientID string, user UserRef, scopes []string, family string, sessionEnd time.Time) (Tokens, error) {
	out, at, rt := s.tokens(clientID, user, scopes, family, sessionEnd)
	if err := tx.OIDC().CreateTokens(ctx, at, rt); err != nil {
		return Tokens{}, err
	}
	return out, nil
}

// tokens draws an access and a refresh token of family (a new one when
// empty), the access token living AccessTTL but not past sessionEnd: what
// the client gets and the two rows to store.
func (s *Service) tokens(clientID string, user UserRef, scopes []string, family string, sessionEnd time.Time) (Tokens, store.OIDCToken, store.OIDCToken) {
	now := s.now()
	if family == "" {
		family = s.IDs.UUID()
	}
	accessEnd := now.Add(s.cfg().AccessTTL)
	if accessEnd.After(sessionEnd) {
		accessEnd = sessionEnd
	}
	access, refresh := s.IDs.Token(43), s.IDs.Token(64)
	base := store.OIDCToken{FamilyID: family, ClientID: clientID, IdentityStoreID: user.IdentityStoreID, UserID: user.UserID, Scopes: scopes, CreatedAt: now}
	at, rt := base, base
	at.Hash, at.Kind, at.ExpiresAt = secrets.TokenHash(access), store.TokenAccess, accessEnd
	rt.Hash, rt.Kind, rt.ExpiresAt = secrets.TokenHash(refresh), store.TokenRefresh, sessionEnd
	return Tokens{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(accessEnd.Sub(now).Round(time.Second) / time.Second), TokenType: "Bearer"}, at, rt
}

func (s *Service) refreshGrant(ctx context.Context, cl store.OIDCClient, in TokenRequest) (Tokens, error) {
	if in.RefreshToken == "" {
		return Tokens{}, invalidParam("refresh_token is required for the refresh token grant")
	}
	hash := secrets.TokenHash(in.RefreshToken)
	old, err := s.Store.OIDC().GetToken(ctx, hash)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (old.Kind != store.TokenRefresh || old.ClientID != cl.ID)) {
		return Tokens{}, invalidGrant()
	}
	if err != nil {
		return Tokens{}, err
	}
	now := s.now()
	if !now.Before(old.ExpiresAt) {
		return Tokens{}, invalidGrant()
	}
	if !old.UsedAt.IsZero() {
		return Tokens{}, s.revokeFamily(ctx, old.FamilyID)
	}
	user := UserRef{old.IdentityStoreID, old.UserID}
	if !old.UserEnabled {
		return Tokens{}, s.revokeFamily(ctx, old.FamilyID)
	}
	scopes, err := narrowScopes(in.Scopes, old.Scopes)
	if err != nil {
		return Tokens{}, err
	}
	out, at, rt := s.tokens(cl.ID, user, scopes, old.FamilyID, old.ExpiresAt)
	err = s.Store.OIDC().RotateToken(ctx, hash, now, at, rt)
	switch {
	case errors.Is(err, store.ErrConflict) && store.ConflictKey(err) != store.KeyReference:
		// Spent meanwhile by a concurrent request: a reuse.
		return Tokens{}, s.revokeFamily(ctx, old.FamilyID)
	case errors.Is(err, store.ErrNotFound), store.ConflictKey(err) == store.KeyReference:
		return Tokens{}, invalidGrant()
	}
	return out, err
}

// revokeFamily deletes every token of a family and returns invalid_grant.
func (s *Service) revokeFamily(ctx context.Context, family string) error {
	if _, err := s.Store.OIDC().DeleteTokenFamily(ctx, family); err != nil {
		return err
	}
	return invalidGrant()
}

func (s *Service) codeGrant(ctx context.Context, cl store.OIDCClient, in TokenRequest) (Tokens, error) {
	if !contains(cl.GrantTypes, GrantAuthorizationCode) {
		return Tokens{}, oauth("unauthorized_client", apierr.IIC1609.New("the authorization code grant"))
	}
	if in.Code == "" {
		return Tokens{}, invalidParam("code is required for the authorization code grant")
	}
	// The code is spent by any attempt to redeem it, right or wrong.
	c, err := s.Store.OIDC().TakeAuthCode(ctx, secrets.TokenHash(in.Code))
	if errors.Is(err, store.ErrNotFound) {
		return Tokens{}, invalidGrant()
	}
	if err != nil {
		return Tokens{}, err
	}
	now := s.now()
	if c.ClientID != cl.ID || !now.Before(c.ExpiresAt) || in.RedirectURI != c.RedirectURI || !pkceMatches(c.CodeChallenge, in.CodeVerifier) {
		return Tokens{}, invalidGrant()
	}
	scopes, err := narrowScopes(in.Scopes, c.Scopes)
	if err != nil {
		return Tokens{}, err
	}
	out, err := s.issue(ctx, s.Store, cl.ID, UserRef{c.IdentityStoreID, c.UserID}, scopes, "", now.Add(s.cfg().SessionTTL))
	if store.ConflictKey(err) == store.KeyReference {
		return Tokens{}, invalidGrant()
	}
	return out, err
}

// pkceMatches checks a code_verifier against an S256 challenge (RFC 7636
// §4.6); no challenge accepts no verifier only.
func pkceMatches(challenge, verifier string) bool {
	if challenge == "" {
		return verifier == ""
	}
	if !validVerifier(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// validVerifier: 43 to 128 unreserved characters (RFC 7636 §4.1).
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// TokenInfo is what an access token stands for.
type TokenInfo struct {
	User      UserRef
	ClientID  string
	Scopes    []string
	ExpiresAt time.Time
	// FamilyID names the authorization the token came from (Revoke ends it).
	FamilyID string
}

// Authenticate returns what a live access token stands for (the portal
// API's access-token header). An unknown, expired or refresh token, or one
// whose user was deleted or disabled, is 401 IIC.1604; a disabled user's
// tokens are revoked.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (TokenInfo, error) {
	if accessToken == "" || len(accessToken) > 256 {
		return TokenInfo{}, apierr.IIC1604.New()
	}
	t, err := s.Store.OIDC().GetToken(ctx, secrets.TokenHash(accessToken))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (t.Kind != store.TokenAccess || !s.now().Before(t.ExpiresAt))) {
		return TokenInfo{}, apierr.IIC1604.New()
	}
	if err != nil {
		return TokenInfo{}, err
	}
	user := UserRef{t.IdentityStoreID, t.UserID}
	if !t.UserEnabled {
		if _, err := s.Store.OIDC().DeleteTokenFamily(ctx, t.FamilyID); err != nil {
			return TokenInfo{}, err
		}
		return TokenInfo{}, apierr.IIC1604.New()
	}
	return TokenInfo{User: user, ClientID: t.ClientID, Scopes: t.Scopes, ExpiresAt: t.ExpiresAt, FamilyID: t.FamilyID}, nil
}

// Revoke ends the authorization an access token belongs to: the token, its
// refresh token and every token rotated from them (the portal's Logout).
// An unknown or expired token is 401 IIC.1604.
func (s *Service) Revoke(ctx context.Context, accessToken string) error {
	if accessToken == "" || len(accessToken) > 256 {
		return apierr.IIC1604.New()
	}
	t, err := s.Store.OIDC().GetToken(ctx, secrets.TokenHash(accessToken))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (t.Kind != store.TokenAccess || !s.now().Before(t.ExpiresAt))) {
		return apierr.IIC1604.New()
	}
	if err != nil {
		return err
	}
	_, err = s.Store.OIDC().DeleteTokenFamily(ctx, t.FamilyID)
	return err
}

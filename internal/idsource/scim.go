package idsource

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// TokenPrefix starts every SCIM bearer token (recognisable in secret
// scanners and logs that must redact it).
const TokenPrefix = "iicscim_"

// ErrInvalidToken is AuthenticateSCIMToken's answer to any token that is
// unknown, expired or belongs to another tenant (deliberately one error).
var ErrInvalidToken = errors.New("idsource: invalid SCIM bearer token")

// Tenant is a SCIM provisioning tenant with its endpoint.
type Tenant struct {
	store.SCIMTenant
	Endpoint string
}

func (s *Service) tenantView(t store.SCIMTenant) Tenant {
	return Tenant{SCIMTenant: t, Endpoint: s.PublicURL + "/" + t.ID + "/scim/v2"}
}

// CreateTenant enables SCIM provisioning for the store (one tenant per
// store: IIC.1331 if it exists).
func (s *Service) CreateTenant(ctx context.Context, storeID string) (Tenant, error) {
	existing, err := s.Store.SCIMTenants().List(ctx, storeID)
	if err != nil {
		return Tenant{}, err
	}
	if len(existing) > 0 {
		return Tenant{}, apierr.IIC1331.New()
	}
	t := store.SCIMTenant{IdentityStoreID: storeID, ID: s.IDs.UUID(), CreatedAt: s.now()}
	if err := s.Store.SCIMTenants().Create(ctx, t); err != nil {
		if isConflict(err) {
			return Tenant{}, apierr.IIC1331.New()
		}
		return Tenant{}, err
	}
	return s.tenantView(t), nil
}

// ListTenants returns the store's tenants (zero or one).
func (s *Service) ListTenants(ctx context.Context, storeID string) ([]Tenant, error) {
	list, err := s.Store.SCIMTenants().List(ctx, storeID)
	if err != nil {
		return nil, err
	}
	out := make([]Tenant, 0, len(list))
	for _, t := range list {
		out = append(out, s.tenantView(t))
	}
	return out, nil
}

// DeleteTenant disables SCIM provisioning; IIC.1333 while it has tokens.
func (s *Service) DeleteTenant(ctx context.Context, storeID, tenantID string) error {
	err := s.Store.SCIMTenants().Delete(ctx, storeID, tenantID)
	switch {
	case isNotFound(err):
		return apierr.IIC1332.New()
	case isConflict(err):
		return apierr.IIC1333.New()
	}
	return err
}

// NewToken is a created bearer token; Secret is shown this once.
type NewToken struct {
	store.BearerToken
	Secret string
}

// CreateToken creates a bearer token for the tenant (at most
// MaxBearerTokens: IIC.1335); the secret is returned once and stored only
// as its SHA-256 hash.
func (s *Service) CreateToken(ctx context.Context, storeID, tenantID string) (NewToken, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return NewToken{}, err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	tok := store.BearerToken{IdentityStoreID: storeID, TenantID: tenantID, ID: s.IDs.UUID(), Hash: secrets.TokenHash(secret), CreatedAt: now, ExpiresAt: now.Add(BearerTokenLifetime)}
	err := s.Store.SCIMTenants().AddToken(ctx, tok, MaxBearerTokens)
	switch {
	case isNotFound(err):
		return NewToken{}, apierr.IIC1332.New()
	case isConflict(err):
		return NewToken{}, apierr.IIC1335.New()
	case err != nil:
		return NewToken{}, err
	}
	return NewToken{BearerToken: tok, Secret: secret}, nil
}

// ListTokens returns the tenant's tokens (no secrets), oldest first.
func (s *Service) ListTokens(ctx context.Context, storeID, tenantID string) ([]store.BearerToken, error) {
	if err := s.tenantOf(ctx, storeID, tenantID); err != nil {
		return nil, err
	}
	return s.Store.SCIMTenants().ListTokens(ctx, storeID, tenantID)
}

// DeleteToken revokes a token (IIC.1334 if unknown).
func (s *Service) DeleteToken(ctx context.Context, storeID, tenantID, tokenID string) error {
	if err := s.tenantOf(ctx, storeID, tenantID); err != nil {
		return err
	}
	err := s.Store.SCIMTenants().DeleteToken(ctx, storeID, tenantID, tokenID)
	if isNotFound(err) {
		return apierr.IIC1334.New()
	}
	return err
}

// tenantOf checks that tenantID is a tenant of the store.
func (s *Service) tenantOf(ctx context.Context, storeID, tenantID string) error {
	t, err := s.Store.SCIMTenants().Get(ctx, tenantID)
	if isNotFound(err) || (err == nil && t.IdentityStoreID != storeID) {
		return apierr.IIC1332.New()
	}
	return err
}

// AuthenticateSCIMToken checks a bearer token presented to tenantID's SCIM
// endpoint (with or without the "Bearer " scheme) and returns the tenant.
// The token is found by its hash (so nothing is compared against a secret
// byte by byte), the hashes are compared in constant time, the tenant must
// match and the token must not have expired. Every failure is
// ErrInvalidToken.
func (s *Service) AuthenticateSCIMToken(ctx context.Context, tenantID, presented string) (store.SCIMTenant, error) {
	if len(presented) > 7 && strings.EqualFold(presented[:7], "bearer ") {
		presented = strings.TrimSpace(presented[7:])
	}
	if presented == "" || len(presented) > 512 {
		return store.SCIMTenant{}, ErrInvalidToken
	}
	hash := secrets.TokenHash(presented)
	tok, err := s.Store.SCIMTenants().GetTokenByHash(ctx, hash)
	if isNotFound(err) {
		return store.SCIMTenant{}, ErrInvalidToken
	}
	if err != nil {
		return store.SCIMTenant{}, err
	}
	if subtle.ConstantTimeCompare(tok.Hash, hash) != 1 || subtle.ConstantTimeCompare([]byte(tok.TenantID), []byte(tenantID)) != 1 ||
		!s.Now().Before(tok.ExpiresAt) {
		return store.SCIMTenant{}, ErrInvalidToken
	}
	t, err := s.Store.SCIMTenants().Get(ctx, tenantID)
	if isNotFound(err) {
		return store.SCIMTenant{}, ErrInvalidToken
	}
	return t, err
}

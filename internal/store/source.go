package store

import (
	"context"
	"time"
)

// ExternalIdP is an identity store's external SAML 2.0 identity provider
// configuration. A store holds at most one.
type ExternalIdP struct {
	IdentityStoreID   string
	ID                string
	EntityID          string // the IdP's SAML entity id (issuer)
	LoginURL          string // the IdP's single sign-on URL
	WantRequestSigned bool   // the IdP wants signed AuthnRequests
	Enabled           bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// IdPCertificate is a signing certificate of an external IdP (PEM, one
// X.509 certificate). NotAfter is copied from the certificate.
type IdPCertificate struct {
	IdentityStoreID string
	IdPID           string
	ID              string
	PEM             string
	NotAfter        time.Time
	CreatedAt       time.Time
}

// Sources stores an identity store's external IdP configuration and its
// certificates.
type Sources interface {
	// CreateIdP inserts idp; ErrConflict if the id is taken or the store
	// already has an IdP configuration.
	CreateIdP(ctx context.Context, idp ExternalIdP) error
	// GetIdP returns the IdP configuration, or ErrNotFound.
	GetIdP(ctx context.Context, storeID, idpID string) (ExternalIdP, error)
	// ListIdPs returns the store's IdP configurations (zero or one), oldest
	// first.
	ListIdPs(ctx context.Context, storeID string) ([]ExternalIdP, error)
	// UpdateIdP applies fn to the stored configuration atomically;
	// ErrNotFound if absent. The ids and CreatedAt are not changed.
	UpdateIdP(ctx context.Context, storeID, idpID string, fn func(*ExternalIdP) error) error
	// DeleteIdP removes the configuration and, by cascade, its
	// certificates; ErrNotFound if absent.
	DeleteIdP(ctx context.Context, storeID, idpID string) error
	// AddIdPCertificate inserts c unless its IdP already holds max
	// certificates, atomically: ErrNotFound if the IdP does not exist,
	// ErrConflict if max is reached or the certificate id is taken.
	AddIdPCertificate(ctx context.Context, c IdPCertificate, max int) error
	// ListIdPCertificates returns the IdP's certificates, oldest first (an
	// unknown IdP has none).
	ListIdPCertificates(ctx context.Context, storeID, idpID string) ([]IdPCertificate, error)
	// DeleteIdPCertificate removes one certificate; ErrNotFound if absent.
	DeleteIdPCertificate(ctx context.Context, storeID, idpID, certID string) error
}

// SPCertificate is a SAML signing certificate of the store acting as a
// service provider. KeySealed is the PKCS#8 private key sealed by the
// service (never stored in the clear). At most one per store is Active.
type SPCertificate struct {
	IdentityStoreID string
	ID              string
	CertificatePEM  string
	KeySealed       []byte
	Algorithm       string // e.g. SHA256withRSA
	NotAfter        time.Time
	Active          bool
	CreatedAt       time.Time
}

// SPCertificates stores the store's SAML SP signing certificates.
type SPCertificates interface {
	// Create inserts c unless the store already holds max certificates,
	// atomically; ErrConflict if max is reached, the id is taken, or c is
	// Active while another certificate of the store is.
	Create(ctx context.Context, c SPCertificate, max int) error
	// Get returns one certificate, or ErrNotFound.
	Get(ctx context.Context, storeID, certID string) (SPCertificate, error)
	// List returns the store's certificates, oldest first.
	List(ctx context.Context, storeID string) ([]SPCertificate, error)
	// Activate makes certID the store's only active certificate,
	// atomically; ErrNotFound if it does not exist (nothing changes then).
	Activate(ctx context.Context, storeID, certID string) error
	// Delete removes a certificate, the active one too (the store then has
	// no active certificate); ErrNotFound if absent.
	Delete(ctx context.Context, storeID, certID string) error
}

// SCIMTenant is a store's SCIM provisioning tenant; its id (a UUID, unique
// across stores) is the first segment of the SCIM endpoint path.
type SCIMTenant struct {
	IdentityStoreID string
	ID              string
	CreatedAt       time.Time
}

// BearerToken is a SCIM bearer token of a tenant. Only the SHA-256 hash of
// the secret is stored; it is unique across all tokens.
type BearerToken struct {
	IdentityStoreID string
	TenantID        string
	ID              string
	Hash            []byte
	CreatedAt       time.Time
	ExpiresAt       time.Time
}

// SCIMTenants stores SCIM provisioning tenants and their bearer tokens.
type SCIMTenants interface {
	// Create inserts t; ErrConflict if the id is taken or the store already
	// has a tenant.
	Create(ctx context.Context, t SCIMTenant) error
	// Get returns the tenant with id tenantID in any store, or ErrNotFound.
	Get(ctx context.Context, tenantID string) (SCIMTenant, error)
	// List returns the store's tenants, oldest first.
	List(ctx context.Context, storeID string) ([]SCIMTenant, error)
	// Delete removes the store's tenant; ErrNotFound if absent, ErrConflict
	// while it still has bearer tokens (nothing is deleted then).
	Delete(ctx context.Context, storeID, tenantID string) error
	// AddToken inserts tok unless its tenant already holds max tokens,
	// atomically: ErrNotFound if the tenant does not exist in the store,
	// ErrConflict if max is reached or the id or hash is taken.
	AddToken(ctx context.Context, tok BearerToken, max int) error
	// ListTokens returns the tenant's tokens, oldest first.
	ListTokens(ctx context.Context, storeID, tenantID string) ([]BearerToken, error)
	// DeleteToken removes one token; ErrNotFound if absent.
	DeleteToken(ctx context.Context, storeID, tenantID, tokenID string) error
	// GetTokenByHash returns the token whose secret hashes to hash, or
	// ErrNotFound.
	GetTokenByHash(ctx context.Context, hash []byte) (BearerToken, error)
}

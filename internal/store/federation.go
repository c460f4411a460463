package store

import (
	"context"
	"time"
)

// FederatedIdP is an account's Keystone-style (OS-FEDERATION) identity
// provider. Its id is chosen by the caller and unique within the account.
type FederatedIdP struct {
	AccountID   string
	ID          string
	Description string
	Enabled     bool
	SSOType     string   // virtual_user_sso or iam_user_sso
	RemoteIDs   []string // never nil once read
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FederationMapping is an account's mapping: its rules as the JSON array
// the caller wrote (validated by the service before it is stored).
type FederationMapping struct {
	AccountID string
	ID        string
	Rules     []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FederationProtocol binds a protocol (saml, oidc) of an identity provider
// to a mapping of the same account.
type FederationProtocol struct {
	AccountID string
	IdPID     string
	ID        string
	MappingID string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SAMLMetadata is the IdP metadata imported for an identity provider's
// protocol: the document as sent and what was read from it (Extract is the
// service's JSON record of endpoints and certificates).
type SAMLMetadata struct {
	AccountID  string
	IdPID      string
	ProtocolID string
	Document   string
	EntityID   string
	Extract    []byte
	UpdatedAt  time.Time
}

// FederationOIDCConfig is the OpenID Connect configuration of an identity
// provider (at most one per IdP).
type FederationOIDCConfig struct {
	AccountID             string
	IdPID                 string
	AccessMode            string
	IdPURL                string
	ClientID              string
	AuthorizationEndpoint string
	Scope                 string
	ResponseType          string
	ResponseMode          string
	SigningKey            string // the IdP's public keys (a JWKS), not a secret
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// Federation stores the OS-FEDERATION aggregate of each account: identity
// providers, mappings, protocols, SAML metadata and OIDC configurations.
// Every method is scoped by account id; ids of one account never resolve
// for another.
type Federation interface {
	// CreateIdP inserts idp; ErrConflict (KeyID) if the id is taken.
	CreateIdP(ctx context.Context, idp FederatedIdP) error
	// GetIdP returns the identity provider, or ErrNotFound.
	GetIdP(ctx context.Context, accountID, id string) (FederatedIdP, error)
	// ListIdPs returns the account's identity providers ordered by id.
	ListIdPs(ctx context.Context, accountID string) ([]FederatedIdP, error)
	// UpdateIdP applies fn to the stored identity provider atomically;
	// ErrNotFound if absent. Ids and CreatedAt are not changed.
	UpdateIdP(ctx context.Context, accountID, id string, fn func(*FederatedIdP) error) error
	// DeleteIdP removes the identity provider and, in the same
	// transaction, its protocols, their metadata and its OIDC
	// configuration; ErrNotFound if absent.
	DeleteIdP(ctx context.Context, accountID, id string) error

	// CreateMapping inserts m; ErrConflict (KeyID) if the id is taken.
	CreateMapping(ctx context.Context, m FederationMapping) error
	// GetMapping returns the mapping, or ErrNotFound.
	GetMapping(ctx context.Context, accountID, id string) (FederationMapping, error)
	// ListMappings returns the account's mappings ordered by id.
	ListMappings(ctx context.Context, accountID string) ([]FederationMapping, error)
	// UpdateMapping replaces the rules; ErrNotFound if absent.
	UpdateMapping(ctx context.Context, accountID, id string, rules []byte, at time.Time) error
	// DeleteMapping removes the mapping: ErrNotFound if absent,
	// ErrConflict (KeyReference) while a protocol uses it.
	DeleteMapping(ctx context.Context, accountID, id string) error

	// CreateProtocol inserts p: ErrConflict (KeyID) if the IdP already
	// has the protocol, ErrConflict (KeyReference) if the IdP or the
	// mapping does not exist.
	CreateProtocol(ctx context.Context, p FederationProtocol) error
	// GetProtocol returns the protocol, or ErrNotFound.
	GetProtocol(ctx context.Context, accountID, idpID, id string) (FederationProtocol, error)
	// ListProtocols returns the IdP's protocols ordered by id (an unknown
	// IdP has none).
	ListProtocols(ctx context.Context, accountID, idpID string) ([]FederationProtocol, error)
	// UpdateProtocol binds the protocol to another mapping: ErrNotFound if
	// the protocol is absent, ErrConflict (KeyReference) if the mapping is.
	UpdateProtocol(ctx context.Context, accountID, idpID, id, mappingID string, at time.Time) error
	// DeleteProtocol removes the protocol and its metadata; ErrNotFound if
	// absent.
	DeleteProtocol(ctx context.Context, accountID, idpID, id string) error

	// PutSAMLMetadata stores (or replaces) the metadata of a protocol;
	// ErrConflict (KeyReference) if the protocol does not exist.
	PutSAMLMetadata(ctx context.Context, m SAMLMetadata) error
	// GetSAMLMetadata returns the protocol's metadata, or ErrNotFound.
	GetSAMLMetadata(ctx context.Context, accountID, idpID, protocolID string) (SAMLMetadata, error)

	// CreateOIDCConfig inserts c: ErrConflict (KeyID) if the IdP has one,
	// ErrConflict (KeyReference) if the IdP does not exist.
	CreateOIDCConfig(ctx context.Context, c FederationOIDCConfig) error
	// GetOIDCConfig returns the IdP's configuration, or ErrNotFound.
	GetOIDCConfig(ctx context.Context, accountID, idpID string) (FederationOIDCConfig, error)
	// UpdateOIDCConfig applies fn to the stored configuration atomically;
	// ErrNotFound if absent.
	UpdateOIDCConfig(ctx context.Context, accountID, idpID string, fn func(*FederationOIDCConfig) error) error
}

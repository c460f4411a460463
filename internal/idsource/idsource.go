// Package idsource owns an identity store's identity sources: the external
// SAML 2.0 IdP configuration and its certificates, the store's SAML service
// provider settings and signing certificates, and SCIM provisioning tenants
// with their bearer tokens.
package idsource

import (
	"time"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// Service implements the identity-source operations.
type Service struct {
	Store    store.Store
	IDs      ids.Generator
	Now      func() time.Time
	Keys     *secrets.Keyring
	Identity *identity.Service // for Instance (store ownership) checks
	// PublicURL is the server's external base URL (SCIM endpoint, SP
	// entity id and ACS URL are built from it).
	PublicURL string
}

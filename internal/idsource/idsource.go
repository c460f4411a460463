// Package idsource owns an identity store's identity sources: the external
// SAML 2.0 IdP configuration and its certificates, the store's SAML service
// provider settings and signing certificates, and SCIM provisioning tenants
// with their bearer tokens.
//
// URLs this package hands out (served by the SAML and SCIM surfaces):
//
//	SP entity id (issuer)  <PublicURL>/v1/saml/<identity store id>/metadata
//	SP ACS URL (HTTP-POST) <PublicURL>/v1/saml/<identity store id>/acs
//	OIDC redirect URL      <PublicURL>/v1/oidc/<identity store id>/callback
//	SCIM endpoint          <PublicURL>/<tenant id>/scim/v2
//
// Limits: one external IdP per store with at most MaxIdPCertificates
// signing certificates; at most MaxSPCertificates SP certificates per store,
// exactly one of them active once any exists; one SCIM tenant per store with
// at most MaxBearerTokens bearer tokens, each valid for BearerTokenLifetime.
package idsource

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// Limits of the identity sources.
const (
	MaxIdPCertificates  = 2 // per external IdP, like AWS (two for rotation)
	MaxSPCertificates   = 2 // per store: the active one and its successor
	MaxBearerTokens     = 2 // per SCIM tenant, like AWS
	BearerTokenLifetime = 365 * 24 * time.Hour
	SPCertificateLife   = 5 * 365 * 24 * time.Hour
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

func badRequest(format string, args ...any) error {
	return apierr.IIC400_400.New(fmt.Sprintf(format, args...))
}

// invalidMetadata is IIC.1327 with the reason appended.
func invalidMetadata(format string, args ...any) error {
	return &apierr.Error{Def: apierr.IIC1327, Message: "Invalid metadata: " + fmt.Sprintf(format, args...) + "."}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Summary is the identity store's user and group counts with their quotas.
type Summary struct {
	Users, UsersQuota, Groups, GroupsQuota int
}

// GetSummary counts the store's users and groups.
func (s *Service) GetSummary(ctx context.Context, storeID string) (Summary, error) {
	q := s.Identity.Quotas
	if q.Users <= 0 {
		q.Users = identity.DefaultQuotas.Users
	}
	if q.Groups <= 0 {
		q.Groups = identity.DefaultQuotas.Groups
	}
	out := Summary{UsersQuota: q.Users, GroupsQuota: q.Groups}
	var err error
	if out.Users, err = s.Store.Users().Count(ctx, storeID); err != nil {
		return Summary{}, err
	}
	if out.Groups, err = s.Store.Groups().Count(ctx, storeID); err != nil {
		return Summary{}, err
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

// Package federation is the OS-FEDERATION service: an account's identity
// providers, the mappings that turn a federated user's attributes into a
// local user and groups (rule language: package mapping), the protocols
// binding an identity provider to a mapping, the SAML metadata imported for
// a protocol (read by package samlmeta) and the OpenID Connect
// configuration of an identity provider. It owns the invariants: ids are
// chosen by the caller and validated here, a protocol's mapping must
// exist, a mapping in use cannot be deleted, and deleting an identity
// provider removes everything bound to it.
package federation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Single sign-on types of an identity provider (Huawei IAM's sso_type).
const (
	SSOVirtualUser = "virtual_user_sso" // federated users get a virtual identity (the default)
	SSOIAMUser     = "iam_user_sso"     // federated users are mapped to existing IAM users
)

// Protocol ids an identity provider may have.
const (
	ProtocolSAML = "saml"
	ProtocolOIDC = "oidc"
)

// Limits of what an account may store.
const (
	MaxDescription = 255
	MaxRemoteIDs   = 50
	MaxRemoteID    = 255
	MaxMetadata    = 512 << 10 // bytes of one SAML metadata document
)

// ids of identity providers and mappings: Keystone's 64 characters, in
// the alphabet Huawei's console allows (letters, digits, - and _).
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Service is the federation service.
type Service struct {
	Store store.Store
	Now   func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func invalid(format string, args ...any) error {
	return apierr.IIC400_400.New(fmt.Sprintf(format, args...))
}

func notFound(what, id string) error {
	return apierr.IIC404.New(what+" "+id).About(what, id)
}

func checkID(what, id string) error {
	if !idPattern.MatchString(id) {
		return invalid("the %s id must be 1 to 64 letters, digits, '-' or '_'", what)
	}
	return nil
}

// IdPFields are the settable fields of an identity provider; nil leaves a
// field at its default (create) or unchanged (update).
type IdPFields struct {
	Description *string
	Enabled     *bool
	SSOType     *string
	RemoteIDs   *[]string
}

func checkIdPFields(f IdPFields) error {
	if f.Description != nil && (utf8.RuneCountInString(*f.Description) > MaxDescription) {
		return invalid("description must be at most %d characters", MaxDescription)
	}
	if f.SSOType != nil && *f.SSOType != SSOVirtualUser && *f.SSOType != SSOIAMUser {
		return invalid("sso_type must be %s or %s", SSOVirtualUser, SSOIAMUser)
	}
	if f.RemoteIDs != nil {
		if len(*f.RemoteIDs) > MaxRemoteIDs {
			return invalid("an identity provider has at most %d remote ids", MaxRemoteIDs)
		}
		seen := map[string]bool{}
		for _, r := range *f.RemoteIDs {
			if r == "" || len(r) > MaxRemoteID {
				return invalid("a remote id must be 1 to %d bytes", MaxRemoteID)
			}
			if seen[r] {
				return invalid("remote id %q is listed twice", r)
			}
			seen[r] = true
		}
	}
	return nil
}

// CreateIdP creates the identity provider id of the account: disabled and
// of type virtual_user_sso unless f says otherwise.
func (s *Service) CreateIdP(ctx context.Context, accountID, id string, f IdPFields) (store.FederatedIdP, error) {
	if err := checkID("identity provider", id); err != nil {
		return store.FederatedIdP{}, err
	}
	if err := checkIdPFields(f); err != nil {
		return store.FederatedIdP{}, err
	}
	now := s.now()
	p := store.FederatedIdP{AccountID: accountID, ID: id, SSOType: SSOVirtualUser, RemoteIDs: []string{}, CreatedAt: now, UpdatedAt: now}
	apply(&p, f)
	if err := s.Store.Federation().CreateIdP(ctx, p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.FederatedIdP{}, apierr.IIC1257.New().WithKey(store.KeyID).About("identity provider", id)
		}
		return store.FederatedIdP{}, err
	}
	return p, nil
}

func apply(p *store.FederatedIdP, f IdPFields) {
	if f.Description != nil {
		p.Description = *f.Description
	}
	if f.Enabled != nil {
		p.Enabled = *f.Enabled
	}
	if f.SSOType != nil {
		p.SSOType = *f.SSOType
	}
	if f.RemoteIDs != nil {
		p.RemoteIDs = append([]string{}, *f.RemoteIDs...)
	}
}

// GetIdP returns an identity provider of the account.
func (s *Service) GetIdP(ctx context.Context, accountID, id string) (store.FederatedIdP, error) {
	p, err := s.Store.Federation().GetIdP(ctx, accountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, notFound("identity provider", id)
	}
	return p, err
}

// ListIdPs returns the account's identity providers ordered by id.
func (s *Service) ListIdPs(ctx context.Context, accountID string) ([]store.FederatedIdP, error) {
	return s.Store.Federation().ListIdPs(ctx, accountID)
}

// UpdateIdP changes an identity provider's description and enabled state,
// as the update operation documents it: at least one of the two must be
// given.
func (s *Service) UpdateIdP(ctx context.Context, accountID, id string, description *string, enabled *bool) (store.FederatedIdP, error) {
	if description == nil && enabled == nil {
		return store.FederatedIdP{}, invalid("an identity provider update must set description or enabled")
	}
	f := IdPFields{Description: description, Enabled: enabled}
	if err := checkIdPFields(f); err != nil {
		return store.FederatedIdP{}, err
	}
	var out store.FederatedIdP
	err := s.Store.Federation().UpdateIdP(ctx, accountID, id, func(p *store.FederatedIdP) error {
		apply(p, f)
		p.UpdatedAt = s.now()
		out = *p
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return out, notFound("identity provider", id)
	}
	return out, err
}

// DeleteIdP deletes an identity provider with its protocols, their
// metadata and its OIDC configuration.
func (s *Service) DeleteIdP(ctx context.Context, accountID, id string) error {
	err := s.Store.Federation().DeleteIdP(ctx, accountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("identity provider", id)
	}
	return err
}

// Package identity owns the identity store's people and groups: users,
// groups, memberships, passwords and password policy, MFA devices, portal
// sessions and the e-mails the store sends. It is the one place their
// invariants live; the identity-store API, SCIM and the portal all call it.
package identity

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// Quotas bound an identity store.
type Quotas struct {
	Users  int // default 100,000
	Groups int // default 100,000
}

// DefaultQuotas are the product's defaults.
var DefaultQuotas = Quotas{Users: 100_000, Groups: 100_000}

// Service implements the identity-store operations.
type Service struct {
	Store  store.Store
	IDs    ids.Generator
	Now    func() time.Time
	Paging *paging.Signer
	Keys   *secrets.Keyring
	Quotas Quotas
	// Mailer sends the store's e-mails; nil = e-mail is not configured.
	Mailer Mailer
	// Hasher hashes the passwords people choose; nil = Argon2id with
	// DefaultArgon2.
	Hasher Hasher
	// PublicURL is the server's external base URL, for links in e-mails.
	PublicURL string
	// PrincipalInUse, if set, is asked inside the delete's transaction
	// before a user or group (principalType USER or GROUP) is deleted; its
	// error (409 IIC.1306 while account assignments name the principal)
	// refuses the delete.
	PrincipalInUse func(ctx context.Context, tx store.Store, storeID, principalType, principalID string) error
	// SignInsEnded, if set, is told after the commit which sign-ins an
	// administrator's OTP reset, a used set-password link or disabling the
	// user ended, for what was issued in them (temporary credentials) to
	// end too. It reports its own failures: the change stands either way.
	SignInsEnded func(ctx context.Context, ended EndedSignIns)
}

var (
	defaultHasherOnce sync.Once
	defaultHasher     *Argon2
)

func (s *Service) hasher() Hasher {
	if s.Hasher != nil {
		return s.Hasher
	}
	defaultHasherOnce.Do(func() { defaultHasher = NewArgon2(DefaultArgon2) })
	return defaultHasher
}

// Mailer delivers one e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// The service's operations take the id of an identity store the caller
// was already found to administer: the surfaces resolve that once per
// request (the Guard's tenancy for the identity-store API; the SCIM token's
// tenant; the portal session's store) and the service does not look it up
// again.

// lockStore locks the instance row of identity store storeID for the rest
// of tx, so that quota checks and partial updates of the store's settings
// serialize; an unknown store is 404 IIC.1259.
func lockStore(ctx context.Context, tx store.Store, storeID string) error {
	in, err := tx.Instances().GetByIdentityStore(ctx, storeID)
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1259.New()
	}
	if err != nil {
		return err
	}
	return tx.Instances().Update(ctx, in.ID, func(*store.Instance) error { return nil })
}

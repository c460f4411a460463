// Package identity owns the identity store's people and groups: users,
// groups, memberships, passwords and password policy, MFA devices, portal
// sessions and the e-mails the store sends. It is the one place their
// invariants live; the identity-store API, SCIM and the portal all call it.
package identity

import (
	"context"
	"errors"
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
	// PublicURL is the server's external base URL, for links in e-mails.
	PublicURL string
}

// Mailer delivers one e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Instance returns the instance owning identity store storeID, provided it
// belongs to accountID; otherwise 404 IIC.1259 (the store's existence is not
// revealed to other accounts).
func (s *Service) Instance(ctx context.Context, accountID, storeID string) (store.Instance, error) {
	in, err := s.Store.Instances().GetByIdentityStore(ctx, storeID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.AccountID != accountID) {
		return store.Instance{}, apierr.IIC1259.New()
	}
	return in, err
}

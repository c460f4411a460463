package store

import (
	"context"
	"time"
)

// RegisteredRegion is the home region an account registered for Identity
// Center. An account has at most one.
type RegisteredRegion struct {
	AccountID string
	RegionID  string
	CreatedAt time.Time
}

// Regions stores registered regions, one per account.
type Regions interface {
	// Register records the account's region; ErrConflict if the account
	// already has one.
	Register(ctx context.Context, r RegisteredRegion) error
	// Get returns the account's region, or ErrNotFound.
	Get(ctx context.Context, accountID string) (RegisteredRegion, error)
	// Delete removes the account's region; ErrNotFound if none.
	Delete(ctx context.Context, accountID string) error
}

// Instance is an Identity Center instance with its identity store. An
// account has at most one.
type Instance struct {
	ID              string // "ins-" + 16 hex
	AccountID       string // unique
	IdentityStoreID string // "d-" + 10 hex, unique
	RegionID        string
	Alias           string // portal sub-domain alias; empty until set
	CreatedAt       time.Time
	Seq             int64
}

// Instances stores Identity Center instances.
type Instances interface {
	// Create inserts in; ErrConflict if the account already has an instance
	// or an id is taken.
	Create(ctx context.Context, in Instance) error
	// Get returns the instance with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Instance, error)
	// GetByIdentityStore returns the instance owning identity store id, or
	// ErrNotFound.
	GetByIdentityStore(ctx context.Context, identityStoreID string) (Instance, error)
	// ListByAccount returns up to limit instances of the account after
	// position after, in Seq order.
	ListByAccount(ctx context.Context, accountID string, after int64, limit int) ([]Instance, error)
	// Update applies fn to the stored instance atomically.
	Update(ctx context.Context, id string, fn func(*Instance) error) error
	// Delete removes the instance; ErrNotFound if it does not exist.
	Delete(ctx context.Context, id string) error
	// QueuePurge records that the identity store's rows are to be deleted
	// (its instance is gone); queueing a store twice is not an error.
	QueuePurge(ctx context.Context, identityStoreID string, at time.Time) error
	// PendingPurges lists the identity stores queued for purging, oldest
	// first.
	PendingPurges(ctx context.Context) ([]string, error)
	// PurgeStep deletes, in one transaction, up to batch users of the
	// queued identity store with all that hangs off them (passwords,
	// tokens, MFA devices, sessions, memberships, external ids); once no
	// user is left, up to batch groups; once none is left, everything else
	// of the store (policy, identity sources, certificates, SCIM tenants
	// and tokens, counters) and the queue entry, and it reports done.
	// Steps may run concurrently (several replicas): deletes are
	// idempotent.
	PurgeStep(ctx context.Context, identityStoreID string, batch int) (done bool, err error)
}

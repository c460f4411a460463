package store

import (
	"context"
	"time"
)

// Policy is a custom (customer-managed) policy of one account. Document is
// the policy text exactly as accepted (a JSON object that policy.Parse
// accepts); Name is unique within the account, compared case-insensitively.
type Policy struct {
	AccountID   string
	ID          string
	Name        string
	Description string
	Document    []byte
	// LegacyActions marks a policy stored before iic used the documented
	// action names (migration 0014): it is evaluated against the old names
	// (authz.Operation.LegacyAction), so it keeps allowing and denying
	// exactly what it did. New policies are false.
	LegacyActions bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Seq           int64
}

// Policies stores custom policies.
type Policies interface {
	// Create inserts p; ErrConflict if the id is taken, or the name is
	// taken in the account.
	Create(ctx context.Context, p Policy) error
	// Get returns the policy id of the account, or ErrNotFound (also when
	// the policy belongs to another account).
	Get(ctx context.Context, accountID, id string) (Policy, error)
	// Delete removes the policy; ErrNotFound if the account has no such
	// policy.
	Delete(ctx context.Context, accountID, id string) error
	// List returns up to limit policies of the account after position
	// after, in Seq order.
	List(ctx context.Context, accountID string, after int64, limit int) ([]Policy, error)
	// Count returns how many custom policies the account holds.
	Count(ctx context.Context, accountID string) (int, error)
}

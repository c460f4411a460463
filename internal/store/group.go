package store

import (
	"context"
	"time"
)

// Group is a group of users in an identity store. DisplayName is unique
// within the store, compared case-insensitively; external ids are unique per
// issuer within the store.
type Group struct {
	IdentityStoreID string
	ID              string
	DisplayName     string
	Description     string
	ExternalIDs     []ExternalID
	CreatedAt       time.Time
	CreatedBy       string
	UpdatedAt       time.Time
	UpdatedBy       string
	Seq             int64
}

// GroupFilter narrows Groups.List.
type GroupFilter struct {
	// DisplayNameContains keeps groups whose display name contains it,
	// case-insensitively; "" = any.
	DisplayNameContains string
}

// Groups stores identity-store groups.
type Groups interface {
	// Create inserts g; ErrConflict if the id, the display name
	// (case-insensitive) or one of the external ids is taken in the store.
	Create(ctx context.Context, g Group) error
	// Get returns the group, or ErrNotFound.
	Get(ctx context.Context, storeID, groupID string) (Group, error)
	// GetMany returns the groups among ids that exist, in Seq order, in one
	// query; unknown ids are skipped.
	GetMany(ctx context.Context, storeID string, ids []string) ([]Group, error)
	// Update applies fn to the stored group atomically (nothing is written
	// if fn fails); ErrNotFound if absent, ErrConflict if the new display
	// name or an external id is taken.
	Update(ctx context.Context, storeID, groupID string, fn func(*Group) error) error
	// Delete removes the group and, by cascade, its memberships and
	// external ids; ErrNotFound if absent.
	Delete(ctx context.Context, storeID, groupID string) error
	// List returns up to limit groups after position after, in Seq order.
	List(ctx context.Context, storeID string, f GroupFilter, after int64, limit int) ([]Group, error)
	// Count returns how many groups the store holds.
	Count(ctx context.Context, storeID string) (int, error)
	// GetByDisplayName returns the group named name (case-insensitive), or
	// ErrNotFound.
	GetByDisplayName(ctx context.Context, storeID, name string) (Group, error)
	// GetByExternalID returns the group holding the external id, or
	// ErrNotFound.
	GetByExternalID(ctx context.Context, storeID string, id ExternalID) (Group, error)
}

// Membership says user UserID belongs to group GroupID; both are in store
// IdentityStoreID. A (group, user) pair has at most one membership.
type Membership struct {
	IdentityStoreID string
	ID              string
	GroupID         string
	UserID          string
	CreatedAt       time.Time
	Seq             int64
}

// Memberships stores group memberships. Deleting a group or a user deletes
// its memberships.
type Memberships interface {
	// Create inserts m; ErrConflict if the id or the (group, user) pair is
	// taken, or if the group or the user does not exist in the store.
	Create(ctx context.Context, m Membership) error
	// Get returns the membership, or ErrNotFound.
	Get(ctx context.Context, storeID, membershipID string) (Membership, error)
	// Find returns the membership of userID in groupID, or ErrNotFound.
	Find(ctx context.Context, storeID, groupID, userID string) (Membership, error)
	// Delete removes the membership; ErrNotFound if absent.
	Delete(ctx context.Context, storeID, membershipID string) error
	// ListByGroup returns up to limit memberships of groupID after position
	// after, in Seq order.
	ListByGroup(ctx context.Context, storeID, groupID string, after int64, limit int) ([]Membership, error)
	// ListByUser returns up to limit memberships of userID after position
	// after, in Seq order.
	ListByUser(ctx context.Context, storeID, userID string, after int64, limit int) ([]Membership, error)
	// MemberOf returns, in one query, the ids among groupIDs that userID
	// belongs to (each once; unknown groups are simply absent).
	MemberOf(ctx context.Context, storeID, userID string, groupIDs []string) (map[string]bool, error)
}

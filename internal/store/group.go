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
	// Version starts at 1 and grows by one with every Update and every
	// membership added to or removed from the group (its member list is
	// part of what a client sees).
	Version int64
}

// GroupFilter narrows Groups.List.
type GroupFilter struct {
	// DisplayNameContains keeps groups whose display name contains it,
	// case-insensitively; "" = any.
	DisplayNameContains string
}

// Groups stores identity-store groups.
type Groups interface {
	// Create inserts g; a ConflictError (KeyID, KeyDisplayName,
	// KeyExternalID) if one of its unique keys is taken in the store.
	Create(ctx context.Context, g Group) error
	// CreateWithin is Create refusing with ErrLimit, writing nothing, when
	// the store already holds limit groups (limit <= 0: no limit); exact
	// under concurrent creates as Users.CreateWithin.
	CreateWithin(ctx context.Context, g Group, limit int) error
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
// its memberships. Every write that adds or removes a membership increments
// the group's Version.
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
	// AddMembers makes each of userIDs a member of groupID (ids[i] is the
	// new membership's id for userIDs[i]), skipping users that already are,
	// in one statement per few hundred users whatever the group's size, and
	// returns the users added, in the order given. A user or the group
	// missing is a ConflictError KeyReference and nothing is written.
	AddMembers(ctx context.Context, storeID, groupID string, userIDs, ids []string, now time.Time) ([]string, error)
	// RemoveMembers ends the memberships of userIDs in groupID (users that
	// are not members are skipped) and returns the users removed, in the
	// order given.
	RemoveMembers(ctx context.Context, storeID, groupID string, userIDs []string) ([]string, error)
	// MemberIDs returns the user ids of every member of groupID, in no
	// particular order.
	MemberIDs(ctx context.Context, storeID, groupID string) ([]string, error)
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

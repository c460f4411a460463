package store

import (
	"context"
	"errors"
	"time"
)

// ExternalID identifies a user or group in an external system (SCIM, an IdP).
type ExternalID struct {
	Issuer string `json:"issuer"`
	ID     string `json:"id"`
}

// User is a person in an identity store. UserName and the primary Email are
// unique within the store, compared case-insensitively. Profile holds the
// remaining SDK attributes (name parts, emails, addresses, phone numbers,
// enterprise data, locale, ...) as a JSON object owned by the identity
// service.
type User struct {
	IdentityStoreID string
	ID              string
	UserName        string
	DisplayName     string
	Email           string // primary email; "" if none
	ExternalIDs     []ExternalID
	Enabled         bool
	EmailVerified   bool
	Profile         []byte // JSON object
	CreatedAt       time.Time
	CreatedBy       string
	UpdatedAt       time.Time
	UpdatedBy       string
	Seq             int64
	// Version starts at 1 and grows by one with every Update (an entity
	// tag for clients that must not overwrite a change they have not seen).
	Version int64
}

// UserFilter narrows Users.List.
type UserFilter struct {
	UserName string // exact, case-insensitive; "" = any
}

// UserText names the text of a user that Users.Containing searches.
type UserText int

const (
	UserTextUserName UserText = iota // the user name
	UserTextEmail                    // the primary e-mail
)

// MinContaining is the shortest substring, in characters, Users.Containing
// searches for: its indexes are of character trigrams.
const MinContaining = 3

// ErrTooShort is Users.Containing's answer to a substring shorter than
// MinContaining characters.
var ErrTooShort = errors.New("store: substring too short to search for")

// Users stores identity-store users.
type Users interface {
	// Create inserts u; a ConflictError (KeyID, KeyUserName, KeyEmail,
	// KeyExternalID) if one of its unique keys is taken in the store.
	Create(ctx context.Context, u User) error
	// CreateWithin is Create refusing with ErrLimit, writing nothing, when
	// the store already holds limit users (limit <= 0: no limit). The
	// count is exact under concurrent creates: each create takes its place
	// in the store's counter row as its last statement, so concurrent
	// creates in one store queue only for the rest of their transactions.
	CreateWithin(ctx context.Context, u User, limit int) error
	// Get returns the user, or ErrNotFound.
	Get(ctx context.Context, storeID, userID string) (User, error)
	// GetMany returns the users among ids that exist, in Seq order, in one
	// query; unknown ids are skipped.
	GetMany(ctx context.Context, storeID string, ids []string) ([]User, error)
	// Update applies fn to the stored user atomically and increments its
	// Version; a ConflictError if the new user name, email or an external
	// id is taken.
	Update(ctx context.Context, storeID, userID string, fn func(*User) error) error
	// Delete removes the user (and, by cascade, whatever references it);
	// ErrNotFound if absent.
	Delete(ctx context.Context, storeID, userID string) error
	// List returns up to limit users after position after, in Seq order.
	List(ctx context.Context, storeID string, f UserFilter, after int64, limit int) ([]User, error)
	// Count returns how many users the store holds.
	Count(ctx context.Context, storeID string) (int, error)
	// GetByEmail returns the user whose primary e-mail is email
	// (case-insensitive), or ErrNotFound.
	GetByEmail(ctx context.Context, storeID, email string) (User, error)
	// GetByExternalID returns the user holding the external id, or
	// ErrNotFound. External ids are unique per issuer within a store
	// (Create and Update return ErrConflict otherwise).
	GetByExternalID(ctx context.Context, storeID string, id ExternalID) (User, error)
	// Containing returns, in Seq order, every user of the store whose text
	// (user name or primary e-mail) contains sub, compared by their
	// strings.ToLower forms, from an index: its cost follows the number of
	// users holding sub's trigrams, not the store's size. ErrLimit if more
	// than max users match (max must be > 0); ErrTooShort if sub holds fewer
	// than MinContaining characters.
	Containing(ctx context.Context, storeID string, text UserText, sub string, max int) ([]User, error)
}

package store

import (
	"context"
	"time"
)

// Session is a user's portal session. The bearer token that identifies it
// is kept only as its SHA-256 (TokenHash, unique). ExpiresAt is the sliding
// (idle) expiry; the absolute limit is the sign-in service's, counted from
// CreatedAt.
type Session struct {
	IdentityStoreID string
	UserID          string
	ID              string
	TokenHash       []byte
	CreatedAt       time.Time
	LastSeenAt      time.Time
	ExpiresAt       time.Time
	SourceIP        string
	UserAgent       string
	// AuthMethods says how the user signed in ("pwd", "totp", "webauthn",
	// "email_otp", "saml", ...), for policy conditions such as MFA present.
	AuthMethods []string
}

// Sessions stores users' portal sessions. Every session references a user
// (identity store id + user id): creating one for a missing or disabled
// user is ErrNotFound, and deleting the user deletes its sessions.
type Sessions interface {
	// Create inserts s; ErrNotFound if the user does not exist or is
	// disabled (read under the user's lock, so that a concurrent disable
	// comes either before the check or after the session exists),
	// ErrConflict if the id or token hash is taken.
	Create(ctx context.Context, s Session) error
	// GetByToken returns the session whose token hash is tokenHash, or
	// ErrNotFound. Expired sessions are returned too: callers check
	// ExpiresAt.
	GetByToken(ctx context.Context, tokenHash []byte) (Session, error)
	// List returns a user's sessions that expire after now, oldest first
	// (ties by id).
	List(ctx context.Context, storeID, userID string, now time.Time) ([]Session, error)
	// Touch sets a session's LastSeenAt and ExpiresAt (sliding expiry);
	// ErrNotFound if absent.
	Touch(ctx context.Context, storeID, sessionID string, lastSeen, expires time.Time) error
	// Delete removes those of ids that are sessions of the user (other ids
	// are ignored) and returns how many were removed.
	Delete(ctx context.Context, storeID, userID string, ids []string) (int, error)
	// DeleteOfUser removes every session of a user (sign-out everywhere,
	// disabling) and returns how many.
	DeleteOfUser(ctx context.Context, storeID, userID string) (int, error)
	// DeleteExpired removes up to limit sessions with ExpiresAt at or
	// before now and returns how many.
	DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error)
}

package store

import (
	"context"
	"time"
)

// PasswordPolicy is an identity store's rule set for passwords. A store
// that never stored one has the identity service's defaults.
type PasswordPolicy struct {
	IdentityStoreID  string
	MinLength        int
	RequireLowercase bool
	RequireUppercase bool
	RequireNumbers   bool
	RequireSymbols   bool
	MaxAgeDays       int // 0 = passwords do not expire
	ReusePrevention  int // how many previous passwords may not be reused
	UpdatedAt        time.Time
}

// Password is a user's current password hash. Hash and History hold PHC
// strings (e.g. "$argon2id$v=19$m=...,t=...,p=...$salt$hash"); the store
// never sees a plain password.
type Password struct {
	IdentityStoreID string
	UserID          string
	Hash            string
	// OneTime marks a generated password the user must change at the next
	// sign-in.
	OneTime bool
	// History holds previous hashes, newest first (for reuse prevention).
	History []string
	SetAt   time.Time
}

// Token purposes.
const (
	TokenSetPassword = "set-password"
	TokenVerifyEmail = "verify-email"
)

// UserToken is a one-time token sent to a user (set-password link,
// e-mail verification link). Only its SHA-256 hash is stored.
type UserToken struct {
	Hash            string // hex SHA-256 of the token
	IdentityStoreID string
	UserID          string
	Purpose         string
	Email           string // the address the token was sent to
	ExpiresAt       time.Time
	CreatedAt       time.Time
}

// UserSecrets stores what proves a user's identity besides the user row:
// password hashes, the store's password policy, one-time e-mail tokens.
// Passwords and tokens of a user go away with the user (cascade).
type UserSecrets interface {
	// GetPasswordPolicy returns the store's policy, or ErrNotFound if none
	// was ever stored.
	GetPasswordPolicy(ctx context.Context, storeID string) (PasswordPolicy, error)
	// PutPasswordPolicy creates or replaces the policy of p.IdentityStoreID.
	PutPasswordPolicy(ctx context.Context, p PasswordPolicy) error
	// GetPassword returns the user's password, or ErrNotFound if the user
	// has none (or does not exist).
	GetPassword(ctx context.Context, storeID, userID string) (Password, error)
	// PutPassword creates or replaces the user's password; ErrConflict if
	// the user does not exist.
	PutPassword(ctx context.Context, p Password) error
	// DeletePassword removes the user's password; ErrNotFound if it had
	// none.
	DeletePassword(ctx context.Context, storeID, userID string) error
	// CreateToken stores t; ErrConflict if its hash exists or the user does
	// not exist.
	CreateToken(ctx context.Context, t UserToken) error
	// ConsumeToken deletes and returns the token with hash and purpose if
	// it has not expired at now; ErrNotFound otherwise (absent, other
	// purpose, expired or already consumed). Exactly one of concurrent
	// consumers of the same token succeeds.
	ConsumeToken(ctx context.Context, hash, purpose string, now time.Time) (UserToken, error)
	// DeleteTokens removes the user's tokens of purpose ("" = all) and
	// returns how many it removed.
	DeleteTokens(ctx context.Context, storeID, userID, purpose string) (int, error)
	// DeleteExpiredTokens removes up to limit tokens of any store that
	// expired at or before now and returns how many it removed (used tokens
	// are already gone: ConsumeToken deletes them).
	DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error)
}

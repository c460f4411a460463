package store

import (
	"context"
	"time"
)

// SignInUser is an account's sign-in user for Keystone tokens (POST
// /v3/auth/tokens by password): one per account, named within it. Its
// password is an Argon2id PHC string; Roles are the names of the
// system-defined roles it holds (e.g. "Security Administrator").
type SignInUser struct {
	AccountID    string
	ID           string
	Name         string
	PasswordHash string
	Roles        []string // system role names and custom policy ids; never nil once read
	// TOTPSecretSealed is the sealed secret of its TOTP device (nil: none).
	TOTPSecretSealed []byte
	// TOTPLastStep is the device's replay guard: the last time step whose
	// code was accepted (ClaimTOTPStep advances it; PutUser writes it).
	TOTPLastStep      int64
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// KeystoneToken is an issued token, stored by the SHA-256 of its value
// (the value itself is never stored).
type KeystoneToken struct {
	Hash      []byte
	AccountID string
	UserID    string // the sign-in user the token was issued to
	Methods   []string
	// ProjectID scopes the token to a project ("" = scoped to the domain).
	ProjectID string
	// Agency is set on an agency token: the agency it assumed (account,
	// name, URN and its permission set's reference).
	AgencyAccountID string
	AgencyName      string
	AgencyURN       string
	Agency          AgencyRef
	IssuedAt        time.Time
	ExpiresAt       time.Time
}

// Keystone holds the accounts' sign-in users and the tokens issued to them.
type Keystone interface {
	// PutUser creates or replaces the sign-in user of u.AccountID. When
	// the stored password hash changes, every token issued to the user is
	// deleted in the same transaction (a password change revokes them).
	// Another account's user of the same id is ErrConflict.
	PutUser(ctx context.Context, u SignInUser) error
	// GetUser returns the sign-in user of an account, or ErrNotFound.
	GetUser(ctx context.Context, accountID string) (SignInUser, error)
	// ClaimTOTPStep records that the code of time step step was accepted
	// for the sign-in user of accountID, atomically: it succeeds only when
	// step is after the stored TOTPLastStep, else it is ErrConflict (a
	// replay, or a race lost to another request with the same code);
	// ErrNotFound when the account has no sign-in user.
	ClaimTOTPStep(ctx context.Context, accountID string, step int64) error
	// DeleteUser removes an account's sign-in user and its tokens.
	DeleteUser(ctx context.Context, accountID string) error
	// CreateToken stores t (a duplicate hash is ErrConflict).
	CreateToken(ctx context.Context, t KeystoneToken) error
	// GetToken returns the token of hash, or ErrNotFound.
	GetToken(ctx context.Context, hash []byte) (KeystoneToken, error)
	// DeleteExpiredTokens removes up to limit tokens that expired before
	// before and reports how many.
	DeleteExpiredTokens(ctx context.Context, before time.Time, limit int) (int, error)
}

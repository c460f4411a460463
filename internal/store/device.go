package store

import (
	"context"
	"errors"
	"time"
)

// ErrLimit is returned when a write would exceed a per-owner limit the
// caller passed in (for example the number of MFA devices of a user).
var ErrLimit = errors.New("store: limit reached")

// MFADevice is a user's registered second factor. Secret holds the secret
// material (a TOTP seed, a WebAuthn credential) sealed by the caller; the
// store never sees it in the clear.
type MFADevice struct {
	IdentityStoreID string
	UserID          string
	ID              string
	Type            string // "TOTP" or "WEBAUTHN" (identity service's constants)
	DeviceName      string // what the device is ("Authenticator app", ...)
	DisplayName     string // the name users and admins give it
	SecretSealed    []byte
	// LastStep is the kind-specific replay guard: for TOTP the last
	// accepted time step, for WebAuthn the last signature counter.
	LastStep   int64
	CreatedAt  time.Time
	LastUsedAt time.Time // zero = never used
}

// MFARegistration is a pending, admin-started device registration: the
// portal link carries a one-time token whose SHA-256 is TokenHash. While the
// user sets the device up, Type and SecretSealed hold the chosen kind and
// the not yet confirmed secret.
type MFARegistration struct {
	TokenHash       []byte
	IdentityStoreID string
	UserID          string
	Type            string // "" until the user picks a kind
	SecretSealed    []byte // nil until a secret was generated
	CreatedAt       time.Time
	CreatedBy       string
	ExpiresAt       time.Time
}

// Devices stores users' MFA devices and pending device registrations
// (portal sessions are the Sessions aggregate). All rows reference a user (identity store id + user
// id): creating one for a missing user is ErrNotFound, and deleting the user
// deletes them.
type Devices interface {
	// CreateDevice inserts d unless the user already holds max devices
	// (ErrLimit; max <= 0 means no limit). The count and the insert are
	// atomic with respect to concurrent CreateDevice calls for the same
	// user. ErrNotFound if the user does not exist, ErrConflict if the id
	// is taken.
	CreateDevice(ctx context.Context, d MFADevice, max int) error
	// GetDevice returns one device of a user, or ErrNotFound.
	GetDevice(ctx context.Context, storeID, userID, deviceID string) (MFADevice, error)
	// ListDevices returns a user's devices, oldest first (ties by id); an
	// unknown user has none.
	ListDevices(ctx context.Context, storeID, userID string) ([]MFADevice, error)
	// UpdateDevice applies fn to the stored device atomically; identity
	// fields (store, user, id) cannot change. ErrNotFound if absent; an
	// error from fn is returned and nothing is written.
	UpdateDevice(ctx context.Context, storeID, userID, deviceID string, fn func(*MFADevice) error) error
	// DeleteDevice removes one device; ErrNotFound if absent.
	DeleteDevice(ctx context.Context, storeID, userID, deviceID string) error

	// CreateRegistration inserts r; ErrNotFound if the user does not
	// exist, ErrConflict if the token hash is taken.
	CreateRegistration(ctx context.Context, r MFARegistration) error
	// GetRegistration returns the registration with this token hash, or
	// ErrNotFound. Expired rows are returned too: callers check ExpiresAt.
	GetRegistration(ctx context.Context, tokenHash []byte) (MFARegistration, error)
	// UpdateRegistration applies fn to the registration atomically (only
	// Type, SecretSealed and ExpiresAt are written); ErrNotFound if absent.
	UpdateRegistration(ctx context.Context, tokenHash []byte, fn func(*MFARegistration) error) error
	// DeleteRegistration removes one registration; ErrNotFound if absent.
	DeleteRegistration(ctx context.Context, tokenHash []byte) error
	// DeleteRegistrationsOfUser removes every pending registration of a
	// user and returns how many there were.
	DeleteRegistrationsOfUser(ctx context.Context, storeID, userID string) (int, error)
	// DeleteExpiredRegistrations removes up to limit registrations with ExpiresAt at
	// or before now and returns how many.
	DeleteExpiredRegistrations(ctx context.Context, now time.Time, limit int) (int, error)
}

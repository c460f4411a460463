package store

import (
	"context"
	"time"
)

// AccessControlAttribute maps a key (the principal tag a signed-in user
// carries) to identity-store attribute paths (its value's source).
type AccessControlAttribute struct {
	Key    string
	Source []string
}

// InstanceSettings are an instance's configurable settings. The center
// service owns their values and defaults; the store keeps them as given.
type InstanceSettings struct {
	InstanceID string

	// Sign-in (SSO configuration).
	MFAMode                  string
	AllowedMFATypes          []string
	NoMFASignInBehavior      string
	NoPasswordSignInBehavior string
	MaxAuthenticationAge     string // ISO-8601 duration

	// MFADevicePermission is what users may do with their own MFA devices.
	MFADevicePermission string
	// DisasterRecoveryChoice is the HA / disaster-recovery consent.
	DisasterRecoveryChoice string

	// Attribute-based access control: ABACStatus is "" when no
	// configuration exists.
	ABACStatus       string
	ABACStatusReason string
	ABACAttributes   []AccessControlAttribute

	UpdatedAt time.Time
}

// InstanceSettingsStore stores one InstanceSettings row per instance. A
// row goes with its instance: deleting the instance deletes it.
type InstanceSettingsStore interface {
	// Get returns the instance's settings, or ErrNotFound when none were
	// ever written (the service then answers its defaults).
	Get(ctx context.Context, instanceID string) (InstanceSettings, error)
	// Update applies fn atomically to the instance's stored settings, or,
	// when none exist, to initial (whose InstanceID is set to instanceID)
	// and stores the result. ErrNotFound if the instance does not exist. An
	// error from fn is returned and nothing is written.
	Update(ctx context.Context, instanceID string, initial InstanceSettings, fn func(*InstanceSettings) error) error
}

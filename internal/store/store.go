package store

import (
	"context"
	"errors"
)

var (
	// ErrNotFound is returned when the requested row does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is returned when a write violates a uniqueness or
	// reference constraint. Backends return it as a *ConflictError naming
	// the key (errors.Is(err, ErrConflict) holds for both).
	ErrConflict = errors.New("store: conflict")
)

// Keys a ConflictError names.
const (
	KeyID          = "id"           // the row's id
	KeyUserName    = "user_name"    // a user's name (case-insensitive)
	KeyEmail       = "email"        // a user's primary e-mail (case-insensitive)
	KeyExternalID  = "external_id"  // an (issuer, external id) of a user or group
	KeyDisplayName = "display_name" // a group's display name (case-insensitive)
	KeyMember      = "member"       // a (group, user) membership pair
	KeyReference   = "reference"    // a row the write refers to does not exist
)

// ConflictError is the ErrConflict of a write refused by one unique key or
// reference: Key is one of the Key constants, or the backend's column
// name for a key this list does not name.
type ConflictError struct {
	Key string
}

func (e *ConflictError) Error() string { return "store: conflict on " + e.Key }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// ConflictKey returns the Key of the ConflictError inside err, or "" when
// err is not a conflict or names no key.
func ConflictKey(err error) string {
	var ce *ConflictError
	if errors.As(err, &ce) {
		return ce.Key
	}
	return ""
}

// Store gives access to every aggregate. Obtain one from a backend's Open.
type Store interface {
	Settings() Settings
	Accounts() Accounts
	Projects() Projects
	Credentials() Credentials
	Regions() Regions
	Instances() Instances
	Policies() Policies
	// Signatures is the replay guard's record of used request signatures.
	Signatures() Signatures

	// Identity store: users and their passwords (identity service).
	Users() Users
	UserSecrets() UserSecrets
	// end users

	// Identity store: groups and memberships (identity service).
	Groups() Groups
	Memberships() Memberships
	// end groups

	// Identity store: MFA devices and registrations (identity service).
	Devices() Devices
	// end devices

	// Identity store: portal sessions (identity and sign-in services).
	Sessions() Sessions
	// end sessions

	// Sign-in state: failure counters, known contexts, challenges (sign-in
	// service).
	SignIns() SignIns
	// end signins

	// Identity sources: external IdPs, SP certificates, SCIM tenants and
	// bearer tokens (idsource service).
	Sources() Sources
	SPCertificates() SPCertificates
	SCIMTenants() SCIMTenants
	// end sources

	// Organizations: the organization, its root, units, member accounts,
	// create/close requests, trusted services, delegated administrators
	// and tags (organization service).
	Organizations() Organizations
	// end organizations
	// Permission sets, account assignments, the agencies provisioning
	// materializes and the asynchronous requests that change them
	// (permission service).
	PermissionSets() PermissionSets
	Assignments() Assignments
	Agencies() Agencies
	Requests() Requests
	// end permission

	// Background jobs: the durable queue of the job runner (jobs service).
	Jobs() Jobs
	// end jobs

	// Instance settings: sign-in, MFA-device self-management, disaster
	// recovery, access-control attributes (center service).
	InstanceSettings() InstanceSettingsStore
	// end instance settings

	// OIDC: registered clients, device authorizations, access and refresh
	// tokens, authorization codes, wrong user-code counts (oidc service).
	OIDC() OIDC
	// end oidc

	// OS-FEDERATION: identity providers, mappings, protocols, SAML
	// metadata, OIDC configurations (federation service).
	Federation() Federation
	// end federation

	// Keystone tokens: accounts' sign-in users and the tokens issued to
	// them (tokens service).
	Keystone() Keystone
	// end keystone

	// WithTx runs fn with a Store whose reads and writes all belong to one
	// transaction. Calling WithTx on the Store passed to fn runs fn inline
	// in the same transaction.
	WithTx(ctx context.Context, fn func(tx Store) error) error
	// Ping reports whether the database answers and migrations are applied.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Settings is a small key/value table for server-wide values (the root
// account id, the master-key check value).
type Settings interface {
	// Get returns the value of key, or ErrNotFound.
	Get(ctx context.Context, key string) (string, error)
	// PutIfAbsent stores value under key unless the key exists, and returns
	// the value stored afterwards (the existing one if there was one).
	PutIfAbsent(ctx context.Context, key, value string) (string, error)
}

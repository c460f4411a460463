package store

import (
	"context"
	"time"
)

// PolicySet is what a permission set grants and what provisioning copies
// into an agency: system-defined identity policies (v5) and roles (v1.1) by
// catalog id, in attach order, and at most one custom identity policy and
// one custom role document ("" = none).
type PolicySet struct {
	ManagedPolicies []string
	ManagedRoles    []string
	CustomPolicy    string
	CustomRole      string
}

// PermissionSet is a template of permissions in an instance. Name is unique
// within the instance; ID is unique everywhere. Version grows by one on
// every change that provisioning copies (policies, session duration, relay
// state, description): an agency whose copied version is older is out of
// date.
type PermissionSet struct {
	InstanceID      string
	ID              string
	Name            string
	Description     string
	RelayState      string
	SessionDuration string
	Policies        PolicySet
	Tags            []Tag
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Seq             int64
}

// PermissionSetFilter narrows PermissionSets.List ("" = any).
type PermissionSetFilter struct {
	ID   string
	Name string
}

// PermissionSets stores permission sets. Deleting an instance deletes its
// permission sets and, by cascade, their assignments, agencies and
// requests.
type PermissionSets interface {
	// Create inserts ps; ErrConflict if the id or the (instance, name) pair
	// is taken or the instance does not exist.
	Create(ctx context.Context, ps PermissionSet) error
	// Get returns the permission set of the instance, or ErrNotFound.
	Get(ctx context.Context, instanceID, id string) (PermissionSet, error)
	// Find returns the permission set with id in any instance, or
	// ErrNotFound (the tag routes name a permission set without its
	// instance).
	Find(ctx context.Context, id string) (PermissionSet, error)
	// Update applies fn to the stored permission set atomically (nothing is
	// written if fn fails); ErrNotFound if absent.
	Update(ctx context.Context, instanceID, id string, fn func(*PermissionSet) error) error
	// Delete removes the permission set; ErrNotFound if absent.
	Delete(ctx context.Context, instanceID, id string) error
	// List returns up to limit permission sets of the instance after
	// position after, in Seq order.
	List(ctx context.Context, instanceID string, f PermissionSetFilter, after int64, limit int) ([]PermissionSet, error)
	// Count returns how many permission sets the instance holds.
	Count(ctx context.Context, instanceID string) (int, error)
}

// Principal types of an assignment.
const (
	PrincipalUser  = "USER"
	PrincipalGroup = "GROUP"
)

// Assignment gives a principal (a user or group of the instance's identity
// store) a permission set in an account. (instance, account, permission
// set, principal type, principal) is unique.
type Assignment struct {
	InstanceID      string
	AccountID       string
	PermissionSetID string
	PrincipalType   string
	PrincipalID     string
	CreatedAt       time.Time
	Seq             int64
}

// Assignments stores account assignments.
type Assignments interface {
	// Create inserts a; ErrConflict if it exists or its permission set or
	// account does not.
	Create(ctx context.Context, a Assignment) error
	// Exists reports whether the assignment a names exists (Seq and
	// CreatedAt are ignored).
	Exists(ctx context.Context, a Assignment) (bool, error)
	// Delete removes the assignment a names; ErrNotFound if absent.
	Delete(ctx context.Context, a Assignment) error
	// ListByAccount returns up to limit assignments in accountID (of
	// permissionSetID only, unless "") after position after, in Seq order.
	ListByAccount(ctx context.Context, instanceID, accountID, permissionSetID string, after int64, limit int) ([]Assignment, error)
	// ListByPrincipals returns up to limit assignments held by any of
	// principalIDs (in accountID only, unless "") after position after, in
	// Seq order, in one query.
	ListByPrincipals(ctx context.Context, instanceID string, principalIDs []string, accountID string, after int64, limit int) ([]Assignment, error)
	// CountFor counts the assignments of permissionSetID in accountID
	// (accountID "" = in every account).
	CountFor(ctx context.Context, instanceID, permissionSetID, accountID string) (int, error)
	// CountByPrincipal counts the assignments held by principalID.
	CountByPrincipal(ctx context.Context, instanceID, principalID string) (int, error)
}

// Agency is a permission set materialized in an account: the role people
// assigned to the permission set assume there. It holds a copy of the
// permission set's policies and session duration as of provisioning, with
// the permission set Version they were copied at. One per (instance,
// account, permission set).
type Agency struct {
	InstanceID      string
	AccountID       string
	PermissionSetID string
	Name            string
	URN             string
	Version         int64
	Policies        PolicySet
	SessionDuration string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Seq             int64
}

// AgencyFilter narrows agency lists by provisioning state: Current true
// keeps agencies at their permission set's version, false those behind it;
// nil keeps all.
type AgencyFilter struct {
	Current *bool
}

// Agencies stores agencies.
type Agencies interface {
	// Put inserts the agency or replaces the stored one of the same
	// (instance, account, permission set), keeping its CreatedAt and Seq.
	Put(ctx context.Context, a Agency) error
	// Get returns the agency, or ErrNotFound.
	Get(ctx context.Context, instanceID, accountID, permissionSetID string) (Agency, error)
	// Delete removes the agency; ErrNotFound if absent.
	Delete(ctx context.Context, instanceID, accountID, permissionSetID string) error
	// ListByPermissionSet returns up to limit agencies of permissionSetID
	// after position after, in Seq order.
	ListByPermissionSet(ctx context.Context, instanceID, permissionSetID string, f AgencyFilter, after int64, limit int) ([]Agency, error)
	// ListByAccount returns up to limit agencies in accountID after
	// position after, in Seq order.
	ListByAccount(ctx context.Context, instanceID, accountID string, f AgencyFilter, after int64, limit int) ([]Agency, error)
	// CountByAccount counts the agencies in accountID.
	CountByAccount(ctx context.Context, instanceID, accountID string) (int, error)
}

// Kinds of asynchronous requests.
const (
	RequestAssignmentCreate = "assignment-create"
	RequestAssignmentDelete = "assignment-delete"
	RequestProvision        = "provision"
)

// Request statuses.
const (
	StatusInProgress = "IN_PROGRESS"
	StatusSucceeded  = "SUCCEEDED"
	StatusFailed     = "FAILED"
)

// Request is an asynchronous assignment creation or deletion, or a
// provisioning of a permission set (Kind). It starts IN_PROGRESS and ends
// SUCCEEDED or FAILED (with FailureReason). TargetID is the account
// ("" for a provisioning of all provisioned accounts); Attempts counts the
// transactions that processed it (exactly one once finished).
type Request struct {
	InstanceID      string
	ID              string
	Kind            string
	Status          string
	FailureReason   string
	PermissionSetID string
	PrincipalType   string
	PrincipalID     string
	TargetType      string
	TargetID        string
	Attempts        int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Seq             int64
}

// Requests stores asynchronous requests.
type Requests interface {
	// Create inserts r; ErrConflict if the id is taken.
	Create(ctx context.Context, r Request) error
	// Get returns the request of the instance with kind and id, or
	// ErrNotFound.
	Get(ctx context.Context, instanceID, kind, id string) (Request, error)
	// Claim returns the request with id locked for the rest of the
	// transaction (another transaction claiming it waits), or ErrNotFound.
	Claim(ctx context.Context, id string) (Request, error)
	// Finish sets the request's status, failure reason and UpdatedAt and
	// adds one to Attempts; ErrNotFound if absent.
	Finish(ctx context.Context, id, status, reason string, at time.Time) error
	// List returns up to limit requests of the instance with kind (and
	// status, unless "") after position after, in Seq order.
	List(ctx context.Context, instanceID, kind, status string, after int64, limit int) ([]Request, error)
}

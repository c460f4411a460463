package store

import (
	"context"
	"strings"
	"time"
)

// Organization is a set of accounts under one management account, with one
// root. An account manages at most one organization and belongs to at most
// one.
type Organization struct {
	ID                  string // "o-" + 32 lowercase hex
	ManagementAccountID string // unique
	RootID              string // "r-" + 16 lowercase hex
	CreatedAt           time.Time
}

// OrgUnit is an organizational unit: a container of accounts and other
// units under the root or another unit.
type OrgUnit struct {
	ID             string // "ou-" + 24 lowercase hex
	OrganizationID string
	ParentID       string // the root's id or another unit's
	Name           string // unique among the parent's units
	Depth          int    // 1 for a unit under the root
	CreatedAt      time.Time
	Seq            int64
}

// Member states (AccountDto.status).
const (
	MemberActive         = "active"
	MemberPendingClosure = "pending_closure"
	MemberSuspended      = "suspended"
)

// Member is an account's place in its organization. The management account
// is a member too (parent: the root).
type Member struct {
	AccountID      string // unique: an account is in one organization at most
	OrganizationID string
	ParentID       string // the root's id or a unit's
	JoinMethod     string // "created" or "invited"
	Status         string // Member* states
	Description    string
	JoinedAt       time.Time
	Seq            int64
}

// Create-account request states (CreateAccountStatusDto.state).
const (
	CreateInProgress = "in_progress"
	CreateSucceeded  = "succeeded"
	CreateFailed     = "failed"
)

// CreateAccountRequest is one asynchronous CreateAccount: in_progress until
// its completion step creates the account (succeeded) or cannot (failed).
type CreateAccountRequest struct {
	ID             string // "cas-" + 32 lowercase hex
	OrganizationID string
	AccountName    string
	Email          string
	Description    string
	Tags           []Tag // set on the account when it is created
	State          string
	AccountID      string // set once succeeded
	FailureReason  string
	CreatedAt      time.Time
	CompletedAt    time.Time // zero while in progress
	Seq            int64
}

// CloseAccountRequest records a CloseAccount; one per account.
type CloseAccountRequest struct {
	AccountID      string
	OrganizationID string
	State          string // MemberPendingClosure or MemberSuspended
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TrustedService is a cloud service integrated with an organization.
type TrustedService struct {
	OrganizationID   string
	ServicePrincipal string
	EnabledAt        time.Time
	Seq              int64
}

// DelegatedAdmin is a member account registered as the delegated
// administrator of a service.
type DelegatedAdmin struct {
	OrganizationID   string
	AccountID        string
	ServicePrincipal string
	EnabledAt        time.Time
	Seq              int64
}

// Tag is a key/value pair on a resource: an organization account, unit or
// root, an instance or a permission set (keys unique per resource).
type Tag struct {
	Key   string
	Value string
}

// TagKeyFoldClash finds a key of add that equals another key of have or
// add except for letter case (ok false when there is none): tag keys are
// unique as written, but policy conditions look them up case-insensitively,
// so such a pair could not be told apart.
func TagKeyFoldClash(have, add []Tag) (key, other string, ok bool) {
	all := append(append(make([]Tag, 0, len(have)+len(add)), have...), add...)
	for _, t := range add {
		for _, o := range all {
			if o.Key != t.Key && strings.EqualFold(o.Key, t.Key) {
				return t.Key, o.Key, true
			}
		}
	}
	return "", "", false
}

// AdminView is what the Identity Center tenancy check needs about an
// account, read in one query: its organization (ID "" when it is in none),
// the organization's management account, whether service is a trusted
// service of the organization and whether the account is its delegated
// administrator for service.
type AdminView struct {
	OrganizationID      string
	ManagementAccountID string
	Trusted             bool
	Delegated           bool
}

// Organizations stores organizations with their units, members,
// create/close requests, trusted services, delegated administrators and
// tags. Deleting an organization deletes everything of it.
type Organizations interface {
	// Create inserts o; ErrConflict if its management account already
	// manages one or the id is taken.
	Create(ctx context.Context, o Organization) error
	// Get returns the organization with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Organization, error)
	// GetByManagement returns the organization managed by accountID, or
	// ErrNotFound.
	GetByManagement(ctx context.Context, accountID string) (Organization, error)
	// Delete removes the organization and all its rows; ErrNotFound if none.
	Delete(ctx context.Context, id string) error
	// AdminView reads accountID's organization facts for service in one
	// query (a zero AdminView when the account is in no organization).
	AdminView(ctx context.Context, accountID, service string) (AdminView, error)

	// CreateUnit inserts u; ErrConflict if its parent already has a unit
	// of that name or the id is taken.
	CreateUnit(ctx context.Context, u OrgUnit) error
	// GetUnit returns the organization's unit id, or ErrNotFound.
	GetUnit(ctx context.Context, orgID, id string) (OrgUnit, error)
	// ListUnits returns up to limit units of the organization after
	// position after, in Seq order; parentID "" = every parent.
	ListUnits(ctx context.Context, orgID, parentID string, after int64, limit int) ([]OrgUnit, error)
	// RenameUnit sets the unit's name; ErrNotFound, or ErrConflict if a
	// sibling has that name.
	RenameUnit(ctx context.Context, orgID, id, name string) error
	// DeleteUnit removes the unit and its tags; ErrNotFound if none.
	DeleteUnit(ctx context.Context, orgID, id string) error
	// CountChildren counts the units and members directly under parentID.
	CountChildren(ctx context.Context, orgID, parentID string) (int, error)

	// AddMember inserts m; ErrConflict if the account is in an
	// organization already.
	AddMember(ctx context.Context, m Member) error
	// GetMember returns the membership of accountID, or ErrNotFound.
	GetMember(ctx context.Context, accountID string) (Member, error)
	// ListMembers returns up to limit members of the organization after
	// position after, in Seq order; parentID "" = every parent.
	ListMembers(ctx context.Context, orgID, parentID string, after int64, limit int) ([]Member, error)
	// UpdateMember applies fn to the stored membership atomically.
	UpdateMember(ctx context.Context, accountID string, fn func(*Member) error) error
	// RemoveMember deletes the membership with the account's tags,
	// delegations and close request; ErrNotFound if none.
	RemoveMember(ctx context.Context, accountID string) error
	// CountMembers counts the organization's members.
	CountMembers(ctx context.Context, orgID string) (int, error)

	// CreateRequest inserts a create-account request; ErrConflict if the id
	// is taken.
	CreateRequest(ctx context.Context, r CreateAccountRequest) error
	// GetRequest returns the organization's request id, or ErrNotFound.
	GetRequest(ctx context.Context, orgID, id string) (CreateAccountRequest, error)
	// ListRequests returns up to limit requests of the organization after
	// position after, in Seq order, in one of states (none = all).
	ListRequests(ctx context.Context, orgID string, states []string, after int64, limit int) ([]CreateAccountRequest, error)
	// PendingRequests lists the ids of requests still in progress, oldest
	// first, across organizations (up to limit).
	PendingRequests(ctx context.Context, limit int) ([]string, error)
	// FinishRequest sets the state, account id, failure reason and
	// completion time of an in-progress request; ErrNotFound if it is not
	// in progress (already finished: completions are idempotent).
	FinishRequest(ctx context.Context, id, state, accountID, reason string, at time.Time) error
	// GetRequestByID returns request id of any organization, or ErrNotFound.
	GetRequestByID(ctx context.Context, id string) (CreateAccountRequest, error)

	// PutCloseRequest inserts or replaces the close request of its account.
	PutCloseRequest(ctx context.Context, r CloseAccountRequest) error
	// ListCloseRequests lists the organization's close requests in one of
	// states (none = all), by account id.
	ListCloseRequests(ctx context.Context, orgID string, states []string) ([]CloseAccountRequest, error)

	// EnableService records a trusted service; ErrConflict if enabled.
	EnableService(ctx context.Context, t TrustedService) error
	// DisableService removes a trusted service and its delegated
	// administrators; ErrNotFound if it was not enabled.
	DisableService(ctx context.Context, orgID, service string) error
	// ListServices returns up to limit trusted services after position
	// after, in Seq order.
	ListServices(ctx context.Context, orgID string, after int64, limit int) ([]TrustedService, error)

	// AddDelegate records a delegated administrator; ErrConflict if the
	// account is already one for the service.
	AddDelegate(ctx context.Context, d DelegatedAdmin) error
	// RemoveDelegate removes one; ErrNotFound if it is not registered.
	RemoveDelegate(ctx context.Context, orgID, accountID, service string) error
	// ListDelegates returns up to limit delegated administrators after
	// position after, in Seq order; service "" = every service,
	// accountID "" = every account.
	ListDelegates(ctx context.Context, orgID, accountID, service string, after int64, limit int) ([]DelegatedAdmin, error)

	// SetTags adds or replaces tags on the organization's resource.
	SetTags(ctx context.Context, orgID, resourceID string, tags []Tag) error
	// RemoveTags removes the tags with those keys (missing keys are
	// ignored).
	RemoveTags(ctx context.Context, orgID, resourceID string, keys []string) error
	// Tags returns the resource's tags ordered by key.
	Tags(ctx context.Context, orgID, resourceID string) ([]Tag, error)
}

// Package permission owns permission sets, account assignments and the
// agencies that provisioning materializes in member accounts.
//
// A permission set is a template: system-defined identity policies (v5) and
// roles (v1.1), at most one custom identity policy and one custom role, a
// session duration and a relay state. Assigning it to a user or group in an
// account creates, on the first assignment of that permission set in that
// account, an agency there: a stored copy of the permission set's policies
// as of that moment, trusted by the instance. Every change to the permission
// set raises its Version, so its agencies read
// LATEST_PERMISSION_SET_NOT_PROVISIONED until ProvisionPermissionSet copies
// it again; the last assignment's removal removes the agency.
//
// Assignment creation and deletion and provisioning are asynchronous: the
// request row is written IN_PROGRESS together with its job (package jobs),
// and the job's step applies it and marks it SUCCEEDED or FAILED in the
// step's transaction, so an applied request commits exactly once (a crash
// before the commit leaves it IN_PROGRESS and its job to be claimed again).
package permission

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// Organization checks that an account belongs to the organization managed
// by managementAccountID: nil when accountID is an active account of it;
// 400 IIC.1210 when no such account exists; 403 IIC.1291 when it is outside
// the organization.
type Organization interface {
	CheckMember(ctx context.Context, managementAccountID, accountID string) error
}

// Quotas bound what one instance and one permission set may hold.
type Quotas struct {
	PermissionSets    int // per instance
	PoliciesPerSet    int // managed policies + managed roles + custom policy + custom role
	ManagedPolicies   int // system-defined identity policies per permission set
	PermissionSetsPer int // permission sets provisioned to one account
}

// DefaultQuotas are the product's documented defaults.
var DefaultQuotas = Quotas{PermissionSets: 2000, PoliciesPerSet: 20, ManagedPolicies: 10, PermissionSetsPer: 50}

// Service implements the permission-set, assignment and provisioning
// operations.
type Service struct {
	Store        store.Store
	IDs          ids.Generator
	Now          func() time.Time
	Paging       *paging.Signer
	Quotas       Quotas
	Organization Organization
	// Jobs runs the queued requests (JobKind, registered by app).
	Jobs *jobs.Runner
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// queued wakes the job runner after a transaction queued requests.
func (s *Service) queued() { s.Jobs.Kick() }

// PermissionSetURN is the resource name of a permission set,
// IdentityCenter::<account>:permissionSet:<instance>/<permission set>.
func PermissionSetURN(in store.Instance, psID string) string {
	return "IdentityCenter::" + in.AccountID + ":permissionSet:" + in.ID + "/" + psID
}

// AgencyName is the name of the agency a permission set materializes in an
// account.
func AgencyName(ps store.PermissionSet) string { return "IdentityCenter_" + ps.Name }

// AgencyURN is the IAM resource name of an agency in account.
func AgencyURN(accountID, name string) string { return "iam::" + accountID + ":agency:" + name }

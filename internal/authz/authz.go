// Package authz defines who is calling (Principal), what they ask to do
// (Request: an action name, a resource URN and the request context) and the
// one hook every operation passes through (Authorizer).
//
// Two Authorizers live here: Policies, the one the server uses, which
// evaluates the principal's policies with the policy engine (see its doc
// and actions.go for the action naming and read-verb convention), and
// RootOnly, which lets the management account's root keys do everything and
// denies every other principal.
package authz

import (
	"context"
	"net/netip"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Kind says how a principal authenticated.
type Kind string

const (
	KindRoot      Kind = "root"      // the management account's root access key
	KindScoped    Kind = "scoped"    // an admin access key bound to policies
	KindTemporary Kind = "temporary" // temporary credentials of an assumed agency

	// Principals of the unsigned surfaces. The policy authorizer denies
	// them every action: no policy names them.
	KindPortalUser Kind = "portal-user" // an identity-store user: the portal API's access token, the web portal's session
	KindSCIM       Kind = "scim"        // a SCIM tenant's bearer token
	KindAnonymous  Kind = "anonymous"   // no credential at the transport (the OIDC endpoints: client credentials are in the body)
)

// IsAccessKey reports whether k is a principal of an access key (root,
// scoped, temporary): the only kinds the policy authorizer decides.
func (k Kind) IsAccessKey() bool { return k == KindRoot || k == KindScoped || k == KindTemporary }

// Principal is the authenticated caller as the authorizer sees it.
type Principal struct {
	Kind      Kind
	AccountID string // the account (domain id) the credential belongs to
	AccessKey string
	// UserID and UserName name the person behind temporary credentials, or
	// the label of a scoped key.
	UserID   string
	UserName string
	// SessionName and AgencyURN describe an assumed agency.
	SessionName string
	AgencyURN   string
	ExpiresAt   time.Time
	// Tags are principal tags (access-control attributes).
	Tags map[string]string
	// PolicyIDs are the policies bound to a scoped key (or given to
	// temporary credentials directly).
	PolicyIDs []string
	// Agency names the agency a temporary principal's session assumed:
	// the policies stored in that agency apply (see Policies).
	Agency store.AgencyRef
	// ProjectID is the project the request is scoped to: the X-Project-Id
	// of an AK/SK request (checked to be the account's), the project of a
	// project-scoped Keystone token ("" = the account, domain-scoped).
	// Policies see it as g:ProjectId.
	ProjectID string
	// MFA reports whether the session behind the credential used MFA.
	MFA bool
	// Store says whose identity store a portal user or a SCIM tenant
	// belongs to (nil for access keys and anonymous callers).
	Store *StoreCaller
	// ReplayKey identifies this request to the replay guard (its
	// signature; nil for reads). It belongs to the request, not the
	// caller: authn sets it on the Principal it builds for each request.
	ReplayKey []byte
}

// StoreCaller is what a principal of an identity store's own surfaces
// carries beside its Kind (and, for a portal user, UserID).
type StoreCaller struct {
	IdentityStoreID string
	// Session is a portal user's sign-in session: the key the credentials
	// issued in it are deleted by when it ends (portal.User.Session).
	Session string
	// SCIMTenant is the tenant a SCIM bearer token belongs to.
	SCIMTenant string
}

// Actor is the principal's stable identifier, the one value iic records
// wherever it notes who acted (created_by / updated_by of users and groups,
// the creator of an MFA registration link): UserID when it is set — the
// portal user behind temporary credentials, the access key of a scoped key
// (the g:UserId policies see) — else the account id, for the account's root
// key. Labels (a scoped key's UserName) and the root access key, which can
// change or be replaced, are never used. Huawei documents created_by only as
// "the creator"; an id that stays the same for the same caller is the
// closest match to what it records. A SCIM tenant acts as "scim:<tenant>".
func (p *Principal) Actor() string {
	if p.Kind == KindSCIM && p.Store != nil {
		return "scim:" + p.Store.SCIMTenant
	}
	if p.UserID != "" {
		return p.UserID
	}
	return p.AccountID
}

// Request is one authorization question. The Guard fills the action
// fields from the operation's row of the action table (Operation).
type Request struct {
	Action string // the documented action, e.g. "IdentityCenter:instance:list"
	// Alternates are other documented names of the action (pages that
	// disagree): a policy allowing either allows, a Deny on either denies.
	Alternates []string
	// LegacyAction is the name policies stored before the documented names
	// are matched against (see store.Policy.LegacyActions).
	LegacyAction string
	// Dependencies are actions the caller must also be allowed; those of a
	// service iic serves itself (DependencyEnforced) are checked, and a
	// missing one is 403 IIC.1001 "Access denied: <action>".
	Dependencies []string
	// Resource is the URN of the target in the documented form
	// <service>:<region>:<account-id>:<type>:<path> (see ResourceURN), ""
	// for actions without resource-level permission (policies use "*").
	Resource string
	// ResourceURI is the target in the URI form of 1.x policies' Resource
	// {"uri": [...]} (AgencyURI for obtaining an agency token), "" for
	// every other request (policy.Request.ResourceURI).
	ResourceURI string
	// ResourceTags, RequestTags and TagKeys back the condition keys
	// g:ResourceTag/<key>, g:RequestTag/<key> and g:TagKeys (tags of the
	// target resource, tags the request sets, the keys it names).
	ResourceTags    map[string]string
	RequestTags     map[string]string
	TagKeys         []string
	SourceIP        netip.Addr
	SecureTransport bool
	Time            time.Time
}

// Authorizer decides whether p may perform req. It returns nil to allow and
// an *apierr.Error (403 IIC.1000) to deny.
type Authorizer interface {
	Authorize(ctx context.Context, p *Principal, req *Request) error
}

// RootOnly allows root principals everything and everyone else nothing.
type RootOnly struct{}

// Authorize implements Authorizer.
func (RootOnly) Authorize(_ context.Context, p *Principal, req *Request) error {
	if p != nil && p.Kind == KindRoot {
		return nil
	}
	return Denied(req.Action)
}

// Denied is the error for a denied action.
func Denied(action string) error { return apierr.IIC1000_403.New(action) }

// DependencyDenied is the error for an allowed action whose dependency is
// not allowed: 403 IIC.1001 "Access denied: <dependency>".
func DependencyDenied(dependency string) error { return apierr.IIC1001.New(dependency) }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

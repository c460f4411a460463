package authz

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/policy"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/ttlcache"
)

// PolicyCacheTTL is the default of CacheTTL: how long a custom policy read from the store is
// reused. A policy deleted on another replica stops applying within
// PolicyCacheTTL; on this replica, Invalidate makes it immediate.
const PolicyCacheTTL = 5 * time.Second

// Policies is the policy-engine Authorizer:
//
//   - only access-key principals are decided (Kind.IsAccessKey): a portal
//     user, a SCIM tenant or an anonymous caller is denied every action;
//   - root principals may do everything;
//   - the discovery actions (AlwaysAllowed) are allowed to every other
//     access-key principal;
//   - every other principal (scoped access keys, temporary credentials) is
//     decided by policy.Evaluate over the policies named by its PolicyIDs:
//     system-defined policies (package managed) or custom policies of the
//     principal's own account (store.Policies). Unknown ids, and custom
//     policies of other accounts, contribute nothing. A principal without
//     policies is denied everything else;
//   - a temporary principal whose session assumed an agency (Principal.Agency)
//     also holds exactly the policies stored in that agency, read from the
//     agency at request time: its system-defined identity policies and roles
//     by id and its custom identity policy and custom role documents. An
//     agency that no longer exists (its last assignment was removed) grants
//     nothing, and a re-provisioned agency's policies apply to sessions
//     already issued. Like custom policies, an agency's compiled policies are
//     kept for CacheTTL, so a change made through another replica (or through
//     this one: agencies are not invalidated) applies within it.
//
// A request names its action with the documented name and its alternates;
// custom policies stored before iic used the documented names
// (store.Policy.LegacyActions) are matched against the operation's old name
// instead (policy.Compiled.Legacy), so they decide exactly as before; a
// warning is logged once per such policy.
//
// Once the action is allowed, each of the request's Dependencies that is
// enforced (EnforceDependency; by default DependencyEnforced: only actions
// of services iic serves itself) must be allowed too, or the answer is 403
// IIC.1001 "Access denied: <dependency>".
//
// Denials are 403 IIC.1000 "No permission for action <action>.". Custom
// policies are compiled once (policy.Cache, keyed by the document's hash)
// and kept for PolicyCacheTTL; the per-request path is a few map look-ups
// and one allocation-free policy.Evaluate.
type Policies struct {
	store store.Store
	cache *policy.Cache

	// EnforceDependency says whether a dependency is checked; nil =
	// DependencyEnforced. Set it before the first request.
	EnforceDependency func(action string) bool
	// Logger gets the deprecation warnings; nil = slog.Default().
	Logger *slog.Logger
	// CacheTTL is how long a custom policy read from the store is reused
	// (0 = PolicyCacheTTL; negative = read it on every request). A policy
	// changed or deleted through another replica applies here within it.
	CacheTTL time.Duration
	warned   sync.Map // customKey → struct{}: legacy policies warned about

	custom   ttlcache.Cache[customKey, *customEntry]
	agencies ttlcache.Cache[agencyKey, *agencyEntry]

	// accountNames caches account id → name for g:DomainName (accounts
	// are never renamed).
	accountNames sync.Map
}

type customKey struct{ account, id string }

type agencyKey struct {
	account string
	ref     store.AgencyRef
}

type agencyEntry struct {
	ps []*policy.Compiled // nil: no such agency (or it grants nothing)
}

type customEntry struct {
	c    *policy.Compiled // nil: no such policy
	name string
}

// NewPolicies returns the policy authorizer reading custom policies from st.
func NewPolicies(st store.Store) *Policies {
	return &Policies{store: st, cache: policy.NewCache(4096)}
}

// Authorize implements Authorizer.
func (a *Policies) Authorize(ctx context.Context, p *Principal, req *Request) error {
	if p == nil || !p.Kind.IsAccessKey() {
		return Denied(req.Action)
	}
	if p.Kind == KindRoot || AlwaysAllowed(req.Action) {
		return nil
	}
	var buf [16]*policy.Compiled
	ps, err := a.resolve(ctx, p.AccountID, p.PolicyIDs, buf[:0], nil, req.Time)
	if err != nil {
		return err
	}
	if p.Kind == KindTemporary && p.Agency != (store.AgencyRef{}) {
		e, err := a.agencyPolicies(ctx, p.AccountID, p.Agency, req.Time)
		if err != nil {
			return err
		}
		ps = append(ps, e.ps...)
	}
	if len(ps) == 0 {
		return Denied(req.Action)
	}
	var pc policy.Context
	a.fillContext(ctx, &pc, p, req)
	preq := policy.Request{Action: req.Action, Alternates: req.Alternates, LegacyAction: req.LegacyAction, Resource: req.Resource,
		ResourceURI: req.ResourceURI, Ctx: &pc}
	if d := policy.Evaluate(ps, &preq); !d.Allowed {
		return Denied(req.Action)
	}
	for _, dep := range req.Dependencies {
		if !a.enforced(dep) {
			continue
		}
		if d := policy.Evaluate(ps, &policy.Request{Action: dep, Ctx: &pc}); !d.Allowed {
			return DependencyDenied(dep)
		}
	}
	return nil
}

func (a *Policies) enforced(dep string) bool {
	if a.EnforceDependency != nil {
		return a.EnforceDependency(dep)
	}
	return DependencyEnforced(dep)
}

// servedServices are the services whose actions iic serves itself, so that
// a dependency on them can be enforced (lower case). The documented
// dependencies today are on organizations and iam agencies, which iic does
// not serve yet: each is enforced as its service lands here.
var servedServices = map[string]bool{}

// DependencyEnforced reports whether a dependency on action is enforced by
// default: its service is one iic serves.
func DependencyEnforced(action string) bool {
	svc, _, _ := strings.Cut(action, ":")
	return servedServices[strings.ToLower(svc)]
}

// Resolve returns the compiled policies named by ids for principals of
// account, with their display names, skipping unknown ids (as Authorize
// does). It is what the simulator uses to evaluate stored policies exactly
// like the live authorizer.
func (a *Policies) Resolve(ctx context.Context, account string, ids []string, now time.Time) ([]*policy.Compiled, []string, error) {
	var names []string
	ps, err := a.resolve(ctx, account, ids, nil, &names, now)
	return ps, names, err
}

func (a *Policies) resolve(ctx context.Context, account string, ids []string, out []*policy.Compiled, names *[]string, now time.Time) ([]*policy.Compiled, error) {
	for _, id := range ids {
		if m := managed.Lookup(id); m != nil {
			out = append(out, m.Compiled)
			if names != nil {
				*names = append(*names, m.Name)
			}
			continue
		}
		e, err := a.customPolicy(ctx, account, id, now)
		if err != nil {
			return nil, err
		}
		if e.c != nil {
			out = append(out, e.c)
			if names != nil {
				*names = append(*names, e.name)
			}
		}
	}
	return out, nil
}

func (a *Policies) customPolicy(ctx context.Context, account, id string, now time.Time) (*customEntry, error) {
	now = orNow(now)
	k := customKey{account, id}
	if e, ok := a.custom.Get(k, now); ok {
		return e, nil
	}
	e := &customEntry{}
	sp, err := a.store.Policies().Get(ctx, account, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		// Stored documents were validated when created; one that no
		// longer compiles grants nothing.
		if c, err := a.cache.Get(sp.Document); err == nil {
			e.c, e.name = c, sp.Name
			if sp.LegacyActions {
				e.c = c.Legacy()
				if _, dup := a.warned.LoadOrStore(k, struct{}{}); !dup {
					a.logger().Warn("custom policy uses the action names iic had before the documented ones; it keeps its meaning, but recreate it with the documented names (see the action table in internal/authz/actions.tsv)",
						"account", account, "policy_id", id, "policy_name", sp.Name)
				}
			}
		}
	}
	a.custom.Put(k, e, now.Add(a.ttl()))
	return e, nil
}

// ttl is how long a cached policy or agency is reused (a negative
// CacheTTL: already stale when stored).
func (a *Policies) ttl() time.Duration {
	if a.CacheTTL == 0 {
		return PolicyCacheTTL
	}
	return a.CacheTTL
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// agencyPolicies returns the compiled policies of the agency ref names in
// account, from the cache when fresh.
func (a *Policies) agencyPolicies(ctx context.Context, account string, ref store.AgencyRef, now time.Time) (*agencyEntry, error) {
	now = orNow(now)
	k := agencyKey{account, ref}
	if e, ok := a.agencies.Get(k, now); ok {
		return e, nil
	}
	e := &agencyEntry{}
	ag, err := a.store.Agencies().Get(ctx, ref.InstanceID, account, ref.PermissionSetID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		e.ps = a.compileAgency(ag.Policies)
	}
	a.agencies.Put(k, e, now.Add(a.ttl()))
	return e, nil
}

// compileAgency compiles what an agency holds: system-defined policies and
// roles by catalog id (unknown ids grant nothing) and its custom documents
// (validated when they were put; one that no longer compiles grants
// nothing).
func (a *Policies) compileAgency(set store.PolicySet) []*policy.Compiled {
	var out []*policy.Compiled
	for _, ids := range [][]string{set.ManagedPolicies, set.ManagedRoles} {
		for _, id := range ids {
			if m := managed.Lookup(id); m != nil {
				out = append(out, m.Compiled)
			}
		}
	}
	for _, doc := range []string{set.CustomPolicy, set.CustomRole} {
		if doc == "" {
			continue
		}
		if c, err := a.cache.Get([]byte(doc)); err == nil {
			out = append(out, c)
		}
	}
	return out
}

func (a *Policies) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// Invalidate forgets the cached copy of a custom policy; call it after
// deleting or changing one.
func (a *Policies) Invalidate(account, id string) {
	a.custom.Delete(customKey{account, id})
}

// Static g:PrincipalType / g:PrincipalIsRootUser values (shared, never
// modified, so that building a context does not allocate).
var (
	extraScoped    = []policy.KV{{Key: "g:PrincipalType", Values: []string{"User"}}, {Key: "g:PrincipalIsRootUser", Values: []string{"false"}}}
	extraTemporary = []policy.KV{{Key: "g:PrincipalType", Values: []string{"AssumedAgency"}}, {Key: "g:PrincipalIsRootUser", Values: []string{"false"}}}
	extraRoot      = []policy.KV{{Key: "g:PrincipalType", Values: []string{"Root"}}, {Key: "g:PrincipalIsRootUser", Values: []string{"true"}}}
)

// fillContext sets the global condition keys of a request:
//
//	g:UserId, g:UserName      the principal's UserID / UserName
//	g:DomainId, g:PrincipalAccount  the principal's account id
//	g:DomainName              the account's name
//	g:PrincipalUrn            see PrincipalURN
//	g:PrincipalTag/<key>      the principal's tags
//	g:PrincipalType           "User" (scoped key), "AssumedAgency" (temporary), "Root"
//	g:PrincipalIsRootUser     "true" only for root
//	g:SourceIp                the peer address (proxies are not trusted)
//	g:CurrentTime, g:EpochTime  the request time
//	g:MFAPresent              whether the session behind the credential used MFA
//	g:SecureTransport         whether the request came over TLS
//	g:ResourceTag/<key>       the target resource's tags (Request.ResourceTags)
//	g:RequestTag/<key>        the tags the request sets (Request.RequestTags)
//	g:TagKeys                 the tag keys the request names (Request.TagKeys)
func (a *Policies) fillContext(ctx context.Context, pc *policy.Context, p *Principal, req *Request) {
	pc.UserID, pc.UserName = p.UserID, p.UserName
	pc.DomainID, pc.PrincipalAccount = p.AccountID, p.AccountID
	pc.DomainName = a.accountName(ctx, p.AccountID)
	pc.PrincipalURN = PrincipalURN(p)
	if len(p.Tags) > 0 {
		pc.PrincipalTags = make([]policy.Tag, 0, len(p.Tags))
		for k, v := range p.Tags {
			pc.PrincipalTags = append(pc.PrincipalTags, policy.Tag{Key: k, Value: v})
		}
	}
	switch p.Kind {
	case KindRoot:
		pc.Extra = extraRoot
	case KindTemporary:
		pc.Extra = extraTemporary
	default:
		pc.Extra = extraScoped
	}
	if p.ProjectID != "" || len(req.ResourceTags)+len(req.RequestTags) > 0 {
		pc.Extra = append(make([]policy.KV, 0, len(pc.Extra)+1+len(req.ResourceTags)+len(req.RequestTags)), pc.Extra...)
		if p.ProjectID != "" {
			pc.Extra = append(pc.Extra, policy.KV{Key: "g:ProjectId", Values: []string{p.ProjectID}})
		}
		for k, v := range req.ResourceTags {
			pc.Extra = append(pc.Extra, policy.KV{Key: "g:ResourceTag/" + k, Values: []string{v}})
		}
		for k, v := range req.RequestTags {
			pc.Extra = append(pc.Extra, policy.KV{Key: "g:RequestTag/" + k, Values: []string{v}})
		}
	}
	pc.TagKeys = req.TagKeys
	pc.SourceIP = req.SourceIP
	pc.CurrentTime = req.Time
	pc.MFAPresent = policy.OptBool(p.MFA)
	pc.SecureTransport = policy.OptBool(req.SecureTransport)
}

// Context returns the condition context Authorize evaluates p's request
// with (for the simulator and tests).
func (a *Policies) Context(ctx context.Context, p *Principal, req *Request) *policy.Context {
	pc := new(policy.Context)
	a.fillContext(ctx, pc, p, req)
	return pc
}

func (a *Policies) accountName(ctx context.Context, id string) string {
	if v, ok := a.accountNames.Load(id); ok {
		return v.(string)
	}
	acct, err := a.store.Accounts().Get(ctx, id)
	if err != nil {
		return "" // absent: conditions on g:DomainName are false
	}
	a.accountNames.Store(id, acct.Name)
	return acct.Name
}

// PrincipalURN is the g:PrincipalUrn of p:
//
//	root                 iam::<account>:root
//	scoped access key    iam::<account>:accessKey:<access key>
//	temporary (agency)   sts::<account>:assumed-agency:<agency name>/<session name>
//	temporary (other)    sts::<account>:session:<access key>
func PrincipalURN(p *Principal) string {
	switch p.Kind {
	case KindRoot:
		return "iam::" + p.AccountID + ":root"
	case KindTemporary:
		if p.AgencyURN != "" {
			name := p.AgencyURN
			for i := len(name) - 1; i >= 0; i-- {
				if name[i] == ':' {
					name = name[i+1:]
					break
				}
			}
			return "sts::" + p.AccountID + ":assumed-agency:" + name + "/" + p.SessionName
		}
		return "sts::" + p.AccountID + ":session:" + p.AccessKey
	}
	return "iam::" + p.AccountID + ":accessKey:" + p.AccessKey
}

package authz

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/policy"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/store"
)

// PolicyCacheTTL bounds how long a custom policy read from the store is
// reused. A policy deleted on another replica stops applying within
// PolicyCacheTTL; on this replica, Invalidate makes it immediate.
const PolicyCacheTTL = 5 * time.Second

// customCacheSize bounds the custom-policy cache; when full it is emptied.
const customCacheSize = 10_000

// Policies is the policy-engine Authorizer:
//
//   - root principals may do everything;
//   - the discovery actions (AlwaysAllowed) are allowed to every principal;
//   - every other principal (scoped access keys, temporary credentials) is
//     decided by policy.Evaluate over the policies named by its PolicyIDs:
//     system-defined policies (package managed) or custom policies of the
//     principal's own account (store.Policies). Unknown ids, and custom
//     policies of other accounts, contribute nothing. A principal without
//     policies is denied everything else.
//
// Denials are 403 IIC.1000 "No permission for action <action>.". Custom
// policies are compiled once (policy.Cache, keyed by the document's hash)
// and kept for PolicyCacheTTL; the per-request path is a few map look-ups
// and one allocation-free policy.Evaluate.
type Policies struct {
	store store.Store
	cache *policy.Cache

	mu     sync.RWMutex
	custom map[customKey]*customEntry

	// accountNames caches account id → name for g:DomainName (accounts
	// are never renamed).
	accountNames sync.Map
}

type customKey struct{ account, id string }

type customEntry struct {
	c     *policy.Compiled // nil: no such policy
	name  string
	until time.Time
}

// NewPolicies returns the policy authorizer reading custom policies from st.
func NewPolicies(st store.Store) *Policies {
	return &Policies{store: st, cache: policy.NewCache(4096), custom: map[customKey]*customEntry{}}
}

// Authorize implements Authorizer.
func (a *Policies) Authorize(ctx context.Context, p *Principal, req *Request) error {
	if p == nil {
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
	if len(ps) == 0 {
		return Denied(req.Action)
	}
	var pc policy.Context
	a.fillContext(ctx, &pc, p, req)
	if d := policy.Evaluate(ps, &policy.Request{Action: req.Action, Resource: req.Resource, Ctx: &pc}); d.Allowed {
		return nil
	}
	return Denied(req.Action)
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
	if now.IsZero() {
		now = time.Now()
	}
	k := customKey{account, id}
	a.mu.RLock()
	e := a.custom[k]
	a.mu.RUnlock()
	if e != nil && now.Before(e.until) {
		return e, nil
	}
	e = &customEntry{until: now.Add(PolicyCacheTTL)}
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
		}
	}
	a.mu.Lock()
	if len(a.custom) >= customCacheSize {
		a.custom = map[customKey]*customEntry{}
	}
	a.custom[k] = e
	a.mu.Unlock()
	return e, nil
}

// Invalidate forgets the cached copy of a custom policy; call it after
// deleting or changing one.
func (a *Policies) Invalidate(account, id string) {
	a.mu.Lock()
	delete(a.custom, customKey{account, id})
	a.mu.Unlock()
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

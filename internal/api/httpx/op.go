package httpx

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/iic-project/iic/internal/authz"
)

// HandlerFunc is an operation handler; a returned error goes to WriteError.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Op is one signed API operation.
type Op struct {
	// Name is the operation's name in the action table (the SDK operation,
	// e.g. "CreateUser"); Mount takes its authorization metadata from there.
	Name string
	// Pattern is the route, "METHOD /path/{var}".
	Pattern string
	// Resource returns the URN the action targets (nil or "" = no
	// resource-level permission). It may read path values and the
	// principal (e.g. its account id).
	Resource func(r *http.Request, p *authz.Principal) string
	// Target, when set, replaces Resource: it resolves what the operation
	// acts on before authorization (loading the resources' tags for
	// g:ResourceTag conditions, reading the tags a create sets for
	// g:RequestTag/g:TagKeys). An error it returns (e.g. a 404) is the
	// answer. An operation acting on several resources (an account
	// assignment names an instance, a permission set and an account) is
	// allowed only if every resource is allowed.
	Target  func(r *http.Request, p *authz.Principal) (Target, error)
	Handler HandlerFunc
	// Tenant makes the Guard resolve the request's Tenant (Guard.Tenancy)
	// once, after authentication: after authorization for an op without
	// Target, before Target and authorization for one with it. Handlers
	// read it with TenantFrom. Set by the surfaces of the Identity Center
	// and identity-store services.
	Tenant bool
	// UnsignedPayload accepts a body the client did not sign (a signed
	// X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD); only for operations whose
	// real clients post non-JSON bodies that way.
	UnsignedPayload bool

	// Set by Mount from the action table: the documented action and the
	// whole row (alternates, access level, dependencies, legacy name).
	Action string
	Spec   *authz.Operation
}

// Target is what an operation acts on, as its Op.Target resolved it.
type Target struct {
	Resources   []Resource
	RequestTags map[string]string // tags the request sets (g:RequestTag/<key>)
	TagKeys     []string          // tag keys the request names (g:TagKeys)
}

// Resource is one resource an operation acts on: its URN (authz.ResourceURN)
// and its current tags (g:ResourceTag/<key>).
//
// Tagged says the resource's type carries tags (a permission set, an
// organizations account or OU; an instance does not). Huawei documents that a
// condition key listed for some of an action's resource types "takes effect
// only for the listed resource types": g:ResourceTag is the tagged
// resource's tags, so an untagged resource of the same request is decided
// with the tags of each tagged one. A policy copied from a page —
// Allow accountAssignment:create on "*" when g:ResourceTag/env is dev —
// then allows exactly the assignments of permission sets tagged env=dev,
// and a Deny on a tag denies exactly those.
type Resource struct {
	URN    string
	Tags   map[string]string
	Tagged bool
}

// Guard authenticates and authorizes signed operations: each mount names
// its Authenticator, the Guard's Authorizer decides every operation.
type Guard struct {
	Authz authz.Authorizer
	Now   func() time.Time
	// Tenancy resolves tenant-scoped operations (Op.Tenant); nil = none is.
	Tenancy Tenancy

	mounted []Op
}

// Mount registers ops on rt behind the guard, their callers authenticated
// by auth. An op without a row in the action table is a programming error
// and panics.
func (g *Guard) Mount(rt *Router, auth Authenticator, ops []Op) {
	for _, op := range ops {
		op.Spec = authz.OperationByName(op.Name)
		if op.Spec == nil {
			panic("httpx: operation " + op.Name + " (" + op.Pattern + ") has no row in the action table")
		}
		op.Action = op.Spec.Action
		rt.Handle(op.Pattern, g.handler(op, auth))
		g.mounted = append(g.mounted, op)
	}
}

// Ops lists every operation mounted behind the guard, in mount order (for
// the action catalog and its tests).
func (g *Guard) Ops() []Op { return append([]Op(nil), g.mounted...) }

func (g *Guard) handler(op Op, auth Authenticator) http.Handler {
	aop := AuthOp{UnsignedPayload: op.UnsignedPayload, ReadOnly: op.Spec.IsRead()}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, err := auth.Authenticate(r, Body(ctx), aop)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		infoFrom(ctx).principal = p.AccessKey
		req := authz.Request{Action: op.Action, Alternates: op.Spec.Alternates, LegacyAction: op.Spec.LegacyAction,
			Dependencies: op.Spec.Dependencies, SourceIP: SourceIP(r), SecureTransport: r.TLS != nil, Time: g.Now()}
		// An operation without resource-level permission is authorized
		// before its tenant is resolved (a caller without the permission
		// learns nothing about ids); one with a Target needs the tenant to
		// find its resources and their tags first.
		if op.Target == nil {
			if err := g.authorize(ctx, r, op, p, req); err != nil {
				WriteError(w, r, err)
				return
			}
		}
		if r, err = g.resolveTenant(r, op, p); err != nil {
			WriteError(w, r, g.unresolved(ctx, op, p, req, err))
			return
		}
		ctx = r.Context()
		if op.Target != nil {
			if err := g.authorize(ctx, r, op, p, req); err != nil {
				WriteError(w, r, g.unresolved(ctx, op, p, req, err))
				return
			}
		}
		r = r.WithContext(authz.WithPrincipal(ctx, p))
		if err := op.Handler(w, r); err != nil {
			if statusOf(err) >= 500 {
				release(ctx, auth, r, p)
			}
			WriteError(w, r, err)
		}
	})
}

// unresolved is the answer when an op with a Target could not resolve its
// tenant or resources (err): a caller not allowed the action on any
// resource gets that denial rather than err, so that a 404 tells only
// callers with the permission that an id does not exist.
func (g *Guard) unresolved(ctx context.Context, op Op, p *authz.Principal, req authz.Request, err error) error {
	if op.Target == nil || statusOf(err) == http.StatusForbidden {
		return err
	}
	req.Resource = ""
	if derr := g.Authz.Authorize(ctx, p, &req); derr != nil {
		return derr
	}
	return err
}

// authorize decides req for each resource op acts on; all must be allowed.
func (g *Guard) authorize(ctx context.Context, r *http.Request, op Op, p *authz.Principal, req authz.Request) error {
	if op.Target == nil {
		if op.Resource != nil {
			req.Resource = op.Resource(r, p)
		}
		return g.Authz.Authorize(ctx, p, &req)
	}
	t, err := op.Target(r, p)
	if err != nil {
		return err
	}
	req.RequestTags, req.TagKeys = t.RequestTags, t.TagKeys
	if len(t.Resources) == 0 {
		return g.Authz.Authorize(ctx, p, &req)
	}
	var tagged []Resource
	for _, res := range t.Resources {
		if res.Tagged {
			tagged = append(tagged, res)
		}
	}
	for _, res := range t.Resources {
		if res.Tagged || len(tagged) == 0 {
			if err := g.authorizeOne(ctx, p, req, res.URN, res.Tags); err != nil {
				return err
			}
			continue
		}
		for _, tr := range tagged {
			if err := g.authorizeOne(ctx, p, req, res.URN, tr.Tags); err != nil {
				return err
			}
		}
	}
	return nil
}

// authorizeOne decides req on the resource urn with g:ResourceTag = tags.
func (g *Guard) authorizeOne(ctx context.Context, p *authz.Principal, req authz.Request, urn string, tags map[string]string) error {
	req.Resource, req.ResourceTags = urn, tags
	return g.Authz.Authorize(ctx, p, &req)
}

// SourceIP is the peer address of r (proxies are not trusted).
func SourceIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

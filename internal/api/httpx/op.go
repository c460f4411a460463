package httpx

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/iic-project/iic/internal/authn"
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
	Handler  HandlerFunc
	// UnsignedPayload accepts a body the client did not sign (a signed
	// X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD); only for operations whose
	// real clients post non-JSON bodies that way.
	UnsignedPayload bool

	// Set by Mount from the action table: the documented action and the
	// whole row (alternates, access level, dependencies, legacy name).
	Action string
	Spec   *authz.Operation
}

// Authenticator turns a signed request into a principal (package authn).
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request, body []byte, opt authn.Options) (*authz.Principal, error)
	// Release forgets the replay record of p's request (the write failed
	// with a server fault and may be sent again).
	Release(ctx context.Context, p *authz.Principal) error
}

// Guard authenticates and authorizes signed operations.
type Guard struct {
	Authn Authenticator
	Authz authz.Authorizer
	Now   func() time.Time

	mounted []Op
}

// Mount registers ops on rt behind the guard. An op without a row in the
// action table is a programming error and panics.
func (g *Guard) Mount(rt *Router, ops []Op) {
	for _, op := range ops {
		op.Spec = authz.OperationByName(op.Name)
		if op.Spec == nil {
			panic("httpx: operation " + op.Name + " (" + op.Pattern + ") has no row in the action table")
		}
		op.Action = op.Spec.Action
		rt.Handle(op.Pattern, g.handler(op))
		g.mounted = append(g.mounted, op)
	}
}

// Ops lists every operation mounted behind the guard, in mount order (for
// the action catalog and its tests).
func (g *Guard) Ops() []Op { return append([]Op(nil), g.mounted...) }

func (g *Guard) handler(op Op) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, err := g.Authn.Authenticate(ctx, r, Body(ctx), authn.Options{UnsignedPayload: op.UnsignedPayload, ReadOnly: op.Spec.IsRead()})
		if err != nil {
			WriteError(w, r, err)
			return
		}
		infoFrom(ctx).principal = p.AccessKey
		req := authz.Request{Action: op.Action, Alternates: op.Spec.Alternates, LegacyAction: op.Spec.LegacyAction,
			Dependencies: op.Spec.Dependencies, SourceIP: SourceIP(r), SecureTransport: r.TLS != nil, Time: g.Now()}
		if op.Resource != nil {
			req.Resource = op.Resource(r, p)
		}
		if err := g.Authz.Authorize(ctx, p, &req); err != nil {
			WriteError(w, r, err)
			return
		}
		r = r.WithContext(authz.WithPrincipal(ctx, p))
		if err := op.Handler(w, r); err != nil {
			if statusOf(err) >= 500 {
				if rerr := g.Authn.Release(ctx, p); rerr != nil {
					Logger(ctx).Warn("replay guard: release failed", "err", rerr.Error())
				}
			}
			WriteError(w, r, err)
		}
	})
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

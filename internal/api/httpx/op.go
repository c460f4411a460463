package httpx

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
)

// HandlerFunc is an operation handler; a returned error goes to WriteError.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Op is one signed API operation.
type Op struct {
	// Pattern is the route, "METHOD /path/{var}".
	Pattern string
	// Action is the authorization action, "service:resource:verb".
	Action string
	// Resource returns the URN the action targets ("" = not scoped). It may
	// read path values and the principal (e.g. its account id).
	Resource func(r *http.Request, p *authz.Principal) string
	Handler  HandlerFunc
}

// Authenticator turns a signed request into a principal.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request, body []byte) (*authz.Principal, error)
}

// Guard authenticates and authorizes signed operations.
type Guard struct {
	Authn Authenticator
	Authz authz.Authorizer
	Now   func() time.Time

	mounted []Op
}

// Mount registers ops on rt behind the guard.
func (g *Guard) Mount(rt *Router, ops []Op) {
	for _, op := range ops {
		rt.Handle(op.Pattern, g.handler(op))
	}
	g.mounted = append(g.mounted, ops...)
}

// Ops lists every operation mounted behind the guard, in mount order (for
// the action catalog and its tests).
func (g *Guard) Ops() []Op { return append([]Op(nil), g.mounted...) }

func (g *Guard) handler(op Op) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, err := g.Authn.Authenticate(ctx, r, Body(ctx))
		if err != nil {
			WriteError(w, r, err)
			return
		}
		infoFrom(ctx).principal = p.AccessKey
		req := authz.Request{Action: op.Action, SourceIP: SourceIP(r), SecureTransport: r.TLS != nil, Time: g.Now()}
		if op.Resource != nil {
			req.Resource = op.Resource(r, p)
		}
		if err := g.Authz.Authorize(ctx, p, &req); err != nil {
			WriteError(w, r, err)
			return
		}
		if err := checkText(r); err != nil {
			WriteError(w, r, err)
			return
		}
		r = r.WithContext(authz.WithPrincipal(ctx, p))
		if err := op.Handler(w, r); err != nil {
			WriteError(w, r, err)
		}
	})
}

// checkText rejects a path or query that, unescaped, is not valid UTF-8 or
// holds a NUL byte: no identifier or filter can contain one, and PostgreSQL
// refuses such text (the query would fail with a 500).
func checkText(r *http.Request) error {
	if !cleanText(r.URL.Path) {
		return apierr.IIC400_400.New("the request path must be valid UTF-8 without NUL characters")
	}
	for k, vs := range r.URL.Query() {
		for _, v := range append(vs, k) {
			if !cleanText(v) {
				return apierr.IIC400_400.New("query parameter " + strconv.Quote(strings.ToValidUTF8(k, "?")) + " must be valid UTF-8 without NUL characters")
			}
		}
	}
	return nil
}

func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// SourceIP is the peer address of r (proxies are not trusted).
func SourceIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

package httpx

import (
	"errors"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
)

// Router is a ServeMux that never answers with a redirect: unclean paths
// (//, /./, /../) and unknown routes get a 404 envelope instead, because a
// client re-sending a signed request to a redirected URL fails its signature.
//
// The SDK's routes are not all compatible under ServeMux's rules: e.g.
// GET /v1/instances/identitycenter:permissionset/{resource_id}/tags and
// GET /v1/instances/{instance_id}/permission-sets/{permission_set_id} both
// match /v1/instances/identitycenter:permissionset/permission-sets/tags and
// neither is more specific, which ServeMux refuses. So the Router keeps
// layers: a pattern that conflicts with every existing layer opens a new
// one, and a request is served by the first layer with a route for it.
// A request no route takes — an unknown path, a known path with another
// method, a path that only matches with a trailing slash added — gets a
// 404 through WriteError, so in the dialect of the surface that claimed it.
type Router struct {
	layers   []*http.ServeMux
	patterns map[string]bool
}

// NewRouter returns an empty Router.
func NewRouter() *Router {
	return &Router{layers: []*http.ServeMux{newLayer()}, patterns: map[string]bool{}}
}

// newLayer returns a ServeMux whose "/" takes what no route does. It is
// never served (layerFor skips it), but it answers ServeMux's look-up at
// once where, without it, ServeMux would also work out which other
// methods the path has (for a 405) on every request a later layer serves.
func newLayer() *http.ServeMux {
	m := http.NewServeMux()
	m.Handle("/", http.NotFoundHandler())
	return m
}

// Handle registers h for pattern ("METHOD /path/{var}"). The pattern is
// recorded as the metrics route label. Registering the same pattern twice
// panics.
func (rt *Router) Handle(pattern string, h http.Handler) {
	if rt.patterns[pattern] {
		panic("httpx: pattern " + pattern + " registered twice")
	}
	rt.patterns[pattern] = true
	wrapped := &route{pattern: pattern, h: h}
	for _, m := range rt.layers {
		if tryHandle(m, pattern, wrapped) {
			return
		}
	}
	m := newLayer()
	if !tryHandle(m, pattern, wrapped) {
		panic("httpx: pattern " + pattern + " conflicts with the catch-all /")
	}
	rt.layers = append(rt.layers, m)
}

// tryHandle registers h on m unless pattern conflicts with one of m's.
func tryHandle(m *http.ServeMux, pattern string, h http.Handler) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			if err, isErr := p.(error); isErr && strings.Contains(err.Error(), "conflicts with") {
				ok = false
				return
			}
			panic(p)
		}
	}()
	m.Handle(pattern, h)
	return true
}

// route is a registered handler; it records its pattern as the request's
// metrics label.
type route struct {
	pattern string
	h       http.Handler
}

func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	infoFrom(r.Context()).route = rt.pattern
	rt.h.ServeHTTP(w, r)
}

// layerFor returns the first layer that would serve r with a registered
// route, or nil. What a ServeMux does without one — its 404, its 405, or
// a redirect to the path with a trailing slash added (Handler then names
// the pattern of the target) — is never used: its handler is no *route.
func (rt *Router) layerFor(r *http.Request) *http.ServeMux {
	for _, m := range rt.layers {
		if h, _ := m.Handler(r); isRoute(h) {
			return m
		}
	}
	return nil
}

func isRoute(h http.Handler) bool {
	_, ok := h.(*route)
	return ok
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "" || p[0] != '/' || cleanPath(p) != p {
		WriteError(w, r, apierr.IIC404.New("the path "+quotePath(r.URL.EscapedPath())+" is not in canonical form (empty segment or dot segment)"))
		return
	}
	// No id, name or filter of ours holds NUL or invalid UTF-8, and
	// PostgreSQL cannot even compare such text: refuse it here, once.
	if !printableText(r.URL.Path) {
		WriteError(w, r, apierr.IIC400_400.New("the path must be valid UTF-8 without NUL characters"))
		return
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			if !printableText(k) || !printableText(v) {
				WriteError(w, r, apierr.IIC400_400.New("query parameters must be valid UTF-8 without NUL characters"))
				return
			}
		}
	}
	m := rt.layerFor(r)
	if m == nil {
		rt.noRoute(w, r)
		return
	}
	m.ServeHTTP(w, r)
}

// MethodNotAllowedError is inside the error of a request whose path has
// routes for other methods only (errors.As), so that a dialect may answer
// 405 with an Allow header. The product's envelope answers 404 IIC.404.
type MethodNotAllowedError struct {
	Allow []string // the methods the path has routes for, in routeMethods order
}

func (e *MethodNotAllowedError) Error() string {
	return "method not allowed (allowed: " + strings.Join(e.Allow, ", ") + ")"
}

// routeMethods are the methods a MethodNotAllowedError may list.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// noRoute answers a request no route takes: 404 IIC.404, with a
// MethodNotAllowedError inside when the path has routes for other methods.
func (rt *Router) noRoute(w http.ResponseWriter, r *http.Request) {
	var err error = apierr.IIC404.New("no API operation at " + r.Method + " " + quotePath(r.URL.EscapedPath()))
	if allow := rt.allowedMethods(r); len(allow) > 0 {
		err = errors.Join(err, &MethodNotAllowedError{Allow: allow})
	}
	WriteError(w, r, err)
}

// allowedMethods lists the methods of routeMethods that a route would serve
// r's path with.
func (rt *Router) allowedMethods(r *http.Request) []string {
	var allow []string
	other := *r
	for _, method := range routeMethods {
		if method == r.Method {
			continue
		}
		other.Method = method
		if rt.layerFor(&other) != nil {
			allow = append(allow, method)
		}
	}
	return allow
}

// printableText reports whether s is valid UTF-8 without NUL.
func printableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// cleanPath is ServeMux's notion of a clean path: path.Clean, keeping a
// trailing slash.
func cleanPath(p string) string {
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

func quotePath(p string) string {
	if len(p) > 200 {
		p = p[:200] + "..."
	}
	return strings.ToValidUTF8(p, "?")
}

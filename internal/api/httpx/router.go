package httpx

import (
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
// one, and a request is served by the first layer with a route for it
// (the first layer's 404 or 405 answers when none has).
type Router struct {
	layers   []*http.ServeMux
	patterns map[string]bool
}

// NewRouter returns an empty Router.
func NewRouter() *Router {
	rt := &Router{layers: []*http.ServeMux{http.NewServeMux()}, patterns: map[string]bool{}}
	rt.layers[0].HandleFunc("/", notFound)
	return rt
}

// Handle registers h for pattern ("METHOD /path/{var}"). The pattern is
// recorded as the metrics route label. Registering the same pattern twice
// panics.
func (rt *Router) Handle(pattern string, h http.Handler) {
	if rt.patterns[pattern] {
		panic("httpx: pattern " + pattern + " registered twice")
	}
	rt.patterns[pattern] = true
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = pattern
		h.ServeHTTP(w, r)
	})
	for _, m := range rt.layers {
		if tryHandle(m, pattern, wrapped) {
			return
		}
	}
	m := http.NewServeMux()
	m.Handle(pattern, wrapped)
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

// layerFor returns the first layer with a route for r (the first layer
// when none has one).
func (rt *Router) layerFor(r *http.Request) *http.ServeMux {
	for _, m := range rt.layers {
		if _, pattern := m.Handler(r); pattern != "" && pattern != "/" {
			return m
		}
	}
	return rt.layers[0]
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
	rt.layerFor(r).ServeHTTP(w, r)
}

// printableText reports whether s is valid UTF-8 without NUL.
func printableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, apierr.IIC404.New("no API operation at "+r.Method+" "+quotePath(r.URL.EscapedPath())))
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

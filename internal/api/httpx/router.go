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
type Router struct {
	mux *http.ServeMux
}

// NewRouter returns an empty Router.
func NewRouter() *Router {
	rt := &Router{mux: http.NewServeMux()}
	rt.mux.HandleFunc("/", notFound)
	return rt
}

// Handle registers h for pattern ("METHOD /path/{var}"). The pattern is
// recorded as the metrics route label.
func (rt *Router) Handle(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = pattern
		h.ServeHTTP(w, r)
	}))
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
	rt.mux.ServeHTTP(w, r)
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

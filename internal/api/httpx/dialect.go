package httpx

import (
	"net/http"
	"net/url"
	"strings"
)

// ErrorWriter writes err as one surface's error response. It must write a
// response for every error (an error that is not an *apierr.Error is an
// internal error whose text the client never sees) and must not call
// WriteError.
//
// It renders the *apierr.Error's Kind, details (Key, Resource) and message.
// The errors httpx itself raises also carry markers for what the table's
// rows cannot say: ErrBodyTooLarge, ErrBodyTimeout and ErrBodyBudget
// (errors.Is) for refused bodies, and a *MethodNotAllowedError (errors.As)
// for a path that has routes for other methods only.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// Dialects says which surface's ErrorWriter answers a request's errors. A
// surface that does not speak the product's envelope (SCIM, later OAuth and
// the portal) claims its requests once, at wiring time; the Middleware
// picks the claim when a request arrives, so that every error of that
// request — an unknown path or method under the surface's prefix, a
// non-canonical path, a body that is too large or too slow, a panic, and
// whatever the surface's own handlers pass to WriteError — is written in
// the claiming surface's dialect. Requests nobody claims get the product's
// envelope. Claims are made before serving and never change.
type Dialects struct {
	claims []claim
}

type claim struct {
	match func(*http.Request) bool
	write ErrorWriter
}

// Claim makes write answer the errors of the requests match accepts. The
// first matching claim wins.
func (d *Dialects) Claim(match func(*http.Request) bool, write ErrorWriter) {
	d.claims = append(d.claims, claim{match, write})
}

// writerFor returns the ErrorWriter claiming r, or nil for the envelope.
func (d *Dialects) writerFor(r *http.Request) ErrorWriter {
	if d == nil {
		return nil
	}
	for _, c := range d.claims {
		if c.match(r) {
			return c.write
		}
	}
	return nil
}

// SegmentsMatch returns a matcher for paths whose segments start with
// pattern's: "{}" matches any one non-empty segment, anything else itself.
// SegmentsMatch("/{}/scim/v2") matches /t-1/scim/v2 and /t-1/scim/v2/Users/x,
// not /t-1/scim/v2x or /scim/v2.
//
// Segments are those of the escaped path, each unescaped, as ServeMux
// matches them: /t%2F1/scim/v2/Users is a request of the surface (its
// routes see the tenant "t/1"), /t-1/scim%2Fv2/Users is not.
func SegmentsMatch(pattern string) func(*http.Request) bool {
	want := strings.Split(strings.Trim(pattern, "/"), "/")
	return func(r *http.Request) bool {
		p := strings.TrimPrefix(r.URL.EscapedPath(), "/")
		for _, w := range want {
			seg, rest, _ := strings.Cut(p, "/")
			if seg == "" {
				return false
			}
			if w != "{}" {
				if u, err := url.PathUnescape(seg); err != nil || u != w {
					return false
				}
			}
			p = rest
		}
		return true
	}
}

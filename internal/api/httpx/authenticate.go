package httpx

import (
	"context"
	"net/http"
	"strings"

	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/authz"
)

// Authenticator turns the credential a request carries into its caller,
// the one Principal the authorizer sees. Every surface takes one when it is
// mounted (the route table in internal/app says which): AK/SK signatures
// (AKSK) behind the Guard, SCIM bearer tokens, the portal API's access
// token, the web portal's session cookie; the OIDC endpoints take
// NoCredential. A surface that accepts several kinds of credential takes
// their composition, OneOf.
//
// Authenticate's errors are answered in the surface's dialect; an
// *apierr.Error keeps its code.
type Authenticator interface {
	// Credential names the credential, for messages (e.g. "an AK/SK
	// signature (Authorization)").
	Credential() string
	// Presented reports whether r carries this kind of credential — its
	// header or cookie is there — without checking it.
	Presented(r *http.Request) bool
	// Authenticate checks the credential r carries (body is r's body, read
	// by the Middleware) for an operation like op and returns the caller.
	Authenticate(r *http.Request, body []byte, op AuthOp) (*authz.Principal, error)
}

// AuthOp is what authentication needs to know of the operation a request
// is for (zero for the surfaces without an action table).
type AuthOp struct {
	// ReadOnly says the operation changes nothing (access level List or
	// Read): its request may be repeated (no replay guard).
	ReadOnly bool
	// UnsignedPayload accepts a body the client did not sign (Op's).
	UnsignedPayload bool
}

// Releaser is implemented by an Authenticator whose authentication leaves a
// record a failed request must give back: AK/SK's replay guard remembers
// each signed write, and a write that failed with a server fault (5xx) had
// no effect and may be sent again. Release is given the request p was
// authenticated from, and ignores a principal it did not make.
type Releaser interface {
	Release(r *http.Request, p *authz.Principal) error
}

// OneOf composes the authenticators of a surface that accepts several kinds
// of credential: a request is authenticated by the one whose credential it
// presents. A request presenting none goes to first, whose answer says what
// to send; one presenting two kinds is refused with mixed(message) before
// either is checked (different parts of the server must not read different
// callers from one request). With a single authenticator OneOf is that
// authenticator.
func OneOf(mixed func(msg string) error, first Authenticator, more ...Authenticator) Authenticator {
	if len(more) == 0 {
		return first
	}
	return &oneOf{all: append([]Authenticator{first}, more...), mixed: mixed}
}

type oneOf struct {
	all   []Authenticator
	mixed func(msg string) error
}

func (o *oneOf) Credential() string {
	names := make([]string, len(o.all))
	for i, a := range o.all {
		names[i] = a.Credential()
	}
	return strings.Join(names, " or ")
}

func (o *oneOf) Presented(r *http.Request) bool {
	for _, a := range o.all {
		if a.Presented(r) {
			return true
		}
	}
	return false
}

// pick returns the one authenticator whose credential r presents (first
// when none), or an error when r presents two kinds.
func (o *oneOf) pick(r *http.Request) (Authenticator, error) {
	var found Authenticator
	for _, a := range o.all {
		if !a.Presented(r) {
			continue
		}
		if found != nil {
			return nil, o.mixed("The request carries two kinds of credential, " + found.Credential() + " and " + a.Credential() + ": send one")
		}
		found = a
	}
	if found == nil {
		return o.all[0], nil
	}
	return found, nil
}

func (o *oneOf) Authenticate(r *http.Request, body []byte, op AuthOp) (*authz.Principal, error) {
	a, err := o.pick(r)
	if err != nil {
		return nil, err
	}
	return a.Authenticate(r, body, op)
}

// Release releases through the authenticator that authenticated r.
func (o *oneOf) Release(r *http.Request, p *authz.Principal) error {
	a, err := o.pick(r)
	if err != nil {
		return nil // never authenticated
	}
	if rel, ok := a.(Releaser); ok {
		return rel.Release(r, p)
	}
	return nil
}

// AKSK authenticates AK/SK-signed requests, temporary credentials'
// X-Security-Token included, with a (see package authn). It presents
// itself by the Authorization and X-Security-Token headers and releases the
// replay record of a failed write.
func AKSK(a *authn.Authenticator) Authenticator { return akskAuth{a} }

type akskAuth struct{ a *authn.Authenticator }

func (akskAuth) Credential() string { return "an AK/SK signature (Authorization)" }

func (akskAuth) Presented(r *http.Request) bool {
	return r.Header["Authorization"] != nil || r.Header[aksk.SecurityTokenHeader] != nil
}

func (s akskAuth) Authenticate(r *http.Request, body []byte, op AuthOp) (*authz.Principal, error) {
	return s.a.Authenticate(r.Context(), r, body, authn.Options{UnsignedPayload: op.UnsignedPayload, ReadOnly: op.ReadOnly})
}

func (s akskAuth) Release(r *http.Request, p *authz.Principal) error {
	return s.a.Release(r.Context(), p)
}

// XAuthToken authenticates requests carrying a Keystone token in the
// X-Auth-Token header with validate (the tokens service's Authenticate),
// which returns the token's principal or a 401. It presents itself by that
// header.
func XAuthToken(validate func(ctx context.Context, token string) (*authz.Principal, error)) Authenticator {
	return xAuthToken{validate}
}

// XAuthTokenHeader carries a Keystone token on the signed surfaces.
const XAuthTokenHeader = "X-Auth-Token"

type xAuthToken struct {
	validate func(ctx context.Context, token string) (*authz.Principal, error)
}

func (xAuthToken) Credential() string { return "a token (X-Auth-Token)" }

func (xAuthToken) Presented(r *http.Request) bool { return r.Header[XAuthTokenHeader] != nil }

func (x xAuthToken) Authenticate(r *http.Request, _ []byte, _ AuthOp) (*authz.Principal, error) {
	v := r.Header[XAuthTokenHeader]
	if len(v) != 1 {
		return nil, authn.Unauthorized("Send one X-Auth-Token header")
	}
	return x.validate(r.Context(), v[0])
}

// NoCredential is the authenticator of endpoints whose transport carries no
// credential: every request is an anonymous caller (authz.KindAnonymous).
// The OIDC endpoints take it: RegisterClient is open to anyone, and the
// device and token endpoints' clients authenticate with client_id and
// client_secret inside the JSON body, which the OIDC service checks with
// the grant (see package api/oidc).
var NoCredential Authenticator = noCredential{}

type noCredential struct{}

func (noCredential) Credential() string             { return "no credential" }
func (noCredential) Presented(r *http.Request) bool { return false }
func (noCredential) Authenticate(*http.Request, []byte, AuthOp) (*authz.Principal, error) {
	return &authz.Principal{Kind: authz.KindAnonymous}, nil
}

// release gives back what authenticating r as p left behind (Releaser),
// logging a failure.
func release(ctx context.Context, a Authenticator, r *http.Request, p *authz.Principal) {
	rel, ok := a.(Releaser)
	if !ok {
		return
	}
	if err := rel.Release(r, p); err != nil {
		Logger(ctx).Warn("replay guard: release failed", "err", err.Error())
	}
}

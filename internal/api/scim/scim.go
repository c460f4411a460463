// Package scim is the SCIM 2.0 surface (RFC 7643, RFC 7644) at
// /{tenant_id}/scim/v2: the SDK's identitycenterscim operations and the
// rest of the RFC — discovery, filters, sorting, paging, attribute
// projection, PATCH, PUT, weak ETags, /.search and /Bulk.
//
// It authenticates with the tenant's bearer tokens (not AK/SK), acts on the
// tenant's identity store through the identity service — so SCIM ids are
// identity-store ids and a SCIM write is the same record the identity-store
// API, assignments and sign-in see — and renders every error of its
// requests in SCIM's dialect (errors.go).
package scim

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/identity"
)

// Prefix is the surface's path prefix; its first segment is the tenant id.
const Prefix = "/{tenant}/scim/v2"

// API serves SCIM.
type API struct {
	Identity *identity.Service
	// PublicURL is the server's external base URL, for meta.location.
	PublicURL string

	cursors cursorCache
	auth    httpx.Authenticator
}

// tenant is an authenticated request's tenant.
type tenant struct {
	ID      string
	StoreID string
	actor   string // the principal's Actor
}

func (t tenant) caller() identity.Caller { return identity.Caller{Actor: t.actor} }

type handler func(w http.ResponseWriter, r *http.Request, t tenant) error

// Mount registers the surface's routes on rt, their callers authenticated
// by auth (BearerTokens), and claims its requests in d, so that every error
// under Prefix is a SCIM error.
func (a *API) Mount(rt *httpx.Router, d *httpx.Dialects, auth httpx.Authenticator) {
	a.auth = auth
	d.Claim(httpx.SegmentsMatch("/{}/scim/v2"), writeError)
	routes := []struct {
		pattern string
		h       handler
	}{
		{"GET /ServiceProviderConfig", a.serviceProviderConfig},
		{"GET /ResourceTypes", a.resourceTypes},
		{"GET /ResourceTypes/{name}", a.resourceTypeByName},
		{"GET /Schemas", a.schemas},
		{"GET /Schemas/{id}", a.schemaByID},

		{"GET /Users", a.listUsers},
		{"POST /Users", a.createUser},
		{"POST /Users/.search", a.searchUsers},
		{"GET /Users/{id}", a.getUser},
		{"PUT /Users/{id}", a.putUser},
		{"PATCH /Users/{id}", a.patchUser},
		{"DELETE /Users/{id}", a.deleteUser},

		{"GET /Groups", a.listGroups},
		{"POST /Groups", a.createGroup},
		{"POST /Groups/.search", a.searchGroups},
		{"GET /Groups/{id}", a.getGroup},
		{"PUT /Groups/{id}", a.putGroup},
		{"PATCH /Groups/{id}", a.patchGroup},
		{"DELETE /Groups/{id}", a.deleteGroup},

		{"POST /.search", a.searchRoot},
		{"POST /Bulk", a.bulk},
	}
	for _, route := range routes {
		method, path, _ := strings.Cut(route.pattern, " ")
		rt.Handle(method+" "+Prefix+path, a.serve(route.h))
	}
	// /Me needs a signed-in user, which a provisioning token is not.
	rt.Handle(Prefix+"/Me", a.serve(func(http.ResponseWriter, *http.Request, tenant) error { return notImplemented("/Me") }))
	rt.Handle(Prefix+"/Me/{rest...}", a.serve(func(http.ResponseWriter, *http.Request, tenant) error { return notImplemented("/Me") }))
}

// serve authenticates the request, checks its media type and runs h; every
// error is written in the SCIM dialect.
func (a *API) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := a.authenticate(r)
		if err == nil {
			err = checkMediaType(r)
		}
		if err == nil {
			err = h(w, r, t)
		}
		if err != nil {
			writeError(w, r, err)
		}
	})
}

// authenticate returns the tenant of the request's principal; a principal
// that is not a SCIM tenant is refused like a wrong token.
func (a *API) authenticate(r *http.Request) (tenant, error) {
	p, err := a.auth.Authenticate(r, httpx.Body(r.Context()), httpx.AuthOp{})
	if err != nil {
		return tenant{}, err
	}
	if p.Kind != authz.KindSCIM || p.Store == nil || p.Store.SCIMTenant == "" {
		return tenant{}, errUnauthorized
	}
	return tenant{ID: p.Store.SCIMTenant, StoreID: p.Store.IdentityStoreID, actor: p.Actor()}, nil
}

// checkMediaType refuses a body that is not application/scim+json or
// application/json (the SDK sends the latter).
func checkMediaType(r *http.Request) error {
	if len(httpx.Body(r.Context())) == 0 {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/scim+json" && mt != "application/json") {
		return &Error{Status: http.StatusUnsupportedMediaType, Detail: "Bad Request: the body must be application/scim+json or application/json"}
	}
	return nil
}

// writeJSON writes v as application/scim+json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"schemas":["` + URNError + `"],"status":"500","detail":"There was an internal server error."}`)
	}
	w.Header().Set("Content-Type", "application/scim+json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// baseURL is the absolute URL of the tenant's endpoint.
func (a *API) baseURL(t tenant) string {
	return strings.TrimSuffix(a.PublicURL, "/") + "/" + t.ID + "/scim/v2"
}

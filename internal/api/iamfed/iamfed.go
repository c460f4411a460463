// Package iamfed is Huawei IAM's Keystone-style federation surface
// (OS-FEDERATION): identity providers, mappings and protocols under
// /v3/OS-FEDERATION, SAML metadata under /v3-ext/OS-FEDERATION and the
// OpenID Connect configuration under /v3.0/OS-FEDERATION, signed with AK/SK
// like every signed surface. Its errors — its handlers', unknown paths,
// wrong methods (405), oversized bodies (413) — are written in its own
// dialect (errors.go), and so are those of every other request under /v3,
// /v3.0 and /v3-ext (ClaimErrors): /v3/auth/tokens, Keystone's look-ups
// /v3/auth/domains and /v3/projects, and the paths iic does not serve.
package iamfed

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/federation"
)

// API holds the services the surface calls.
type API struct {
	Federation *federation.Service
	// PublicURL is how clients reach the server; links are built from it,
	// never from the request's (unsigned) Host header.
	PublicURL string
}

// Path prefixes of the surface.
const (
	prefix    = "/v3/OS-FEDERATION"
	prefixExt = "/v3-ext/OS-FEDERATION"
	prefixV30 = "/v3.0/OS-FEDERATION"
)

// Ops is the surface's route table.
func (a *API) Ops() []httpx.Op {
	const idp = prefix + "/identity_providers/{id}"
	const proto = prefix + "/identity_providers/{idp_id}/protocols/{protocol_id}"
	const mapping = prefix + "/mappings/{id}"
	const oidc = prefixV30 + "/identity-providers/{idp_id}/openid-connect-config"
	const metadata = prefixExt + "/identity_providers/{idp_id}/protocols/{protocol_id}/metadata"
	return []httpx.Op{
		{Name: "KeystoneListIdentityProviders", Pattern: "GET " + prefix + "/identity_providers", Handler: a.listIdPs},
		{Name: "KeystoneCreateIdentityProvider", Pattern: "PUT " + idp, Handler: a.createIdP},
		{Name: "KeystoneShowIdentityProvider", Pattern: "GET " + idp, Handler: a.showIdP},
		{Name: "KeystoneUpdateIdentityProvider", Pattern: "PATCH " + idp, Handler: a.updateIdP},
		{Name: "KeystoneDeleteIdentityProvider", Pattern: "DELETE " + idp, Handler: a.deleteIdP},

		{Name: "KeystoneListMappings", Pattern: "GET " + prefix + "/mappings", Handler: a.listMappings},
		{Name: "KeystoneCreateMapping", Pattern: "PUT " + mapping, Handler: a.createMapping},
		{Name: "KeystoneShowMapping", Pattern: "GET " + mapping, Handler: a.showMapping},
		{Name: "KeystoneUpdateMapping", Pattern: "PATCH " + mapping, Handler: a.updateMapping},
		{Name: "KeystoneDeleteMapping", Pattern: "DELETE " + mapping, Handler: a.deleteMapping},

		{Name: "KeystoneListProtocols", Pattern: "GET " + prefix + "/identity_providers/{idp_id}/protocols", Handler: a.listProtocols},
		{Name: "KeystoneCreateProtocol", Pattern: "PUT " + proto, Handler: a.createProtocol},
		{Name: "KeystoneShowProtocol", Pattern: "GET " + proto, Handler: a.showProtocol},
		{Name: "KeystoneUpdateProtocol", Pattern: "PATCH " + proto, Handler: a.updateProtocol},
		{Name: "KeystoneDeleteProtocol", Pattern: "DELETE " + proto, Handler: a.deleteProtocol},

		{Name: "CreateMetadata", Pattern: "POST " + metadata, Handler: a.createMetadata},
		{Name: "ShowMetadata", Pattern: "GET " + metadata, Handler: a.showMetadata},

		{Name: "CreateOpenIdConnectConfig", Pattern: "POST " + oidc, Handler: a.createOIDCConfig},
		{Name: "ShowOpenIdConnectConfig", Pattern: "GET " + oidc, Handler: a.showOIDCConfig},
		{Name: "UpdateOpenIdConnectConfig", Pattern: "PUT " + oidc, Handler: a.updateOIDCConfig},
	}
}

// ClaimErrors makes the surface's dialect answer every error of a request
// whose first path segment is one of Huawei IAM's Keystone API versions —
// v3, v3.0 or v3-ext: the OS-FEDERATION operations, /v3/auth/tokens,
// /v3.0/OS-AUTH/id-token/tokens and Keystone's look-ups (package keystone
// serves /v3/auth/domains and /v3/projects), and as well the paths of that
// API iic does not serve (404) or serves with other methods only (405 with
// Allow), which a Keystone client decodes like every other error of its API.
// A surface whose own paths may start there (SCIM's /{tenant}/scim/v2)
// claims them before this one.
func ClaimErrors(d *httpx.Dialects) { d.Claim(keystoneAPI, writeError) }

// keystoneAPI reports whether r's first path segment is v3, v3.0 or v3-ext.
// Segments are those of the escaped path, each unescaped, as ServeMux
// matches them (httpx.SegmentsMatch); every other request leaves at the
// first check.
func keystoneAPI(r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/v3") {
		return false
	}
	seg, _, _ := strings.Cut(r.URL.EscapedPath()[1:], "/")
	if strings.Contains(seg, "%") {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return false
		}
		seg = u
	}
	switch seg {
	case "v3", "v3.0", "v3-ext":
		return true
	}
	return false
}

func account(r *http.Request) string { return authz.PrincipalFrom(r.Context()).AccountID }

// links is a Keystone collection's links.
type links struct {
	Self     string  `json:"self"`
	Previous *string `json:"previous"`
	Next     *string `json:"next"`
}

func (a *API) url(path string) string { return a.PublicURL + path }

// Package keystone serves the Keystone-shaped IAM look-ups the Huawei SDK
// makes when a client is built with a region but no domain or project id:
// GET /v3/auth/domains and GET /v3/projects?name=<region>. The SDK panics
// if a reply lacks its "domains" or "projects" array, so both are always
// present.
package keystone

import (
	"net/http"

	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
)

// API holds the services the surface calls.
type API struct {
	Accounts *account.Service
	// PublicURL is how clients reach the server; links are built from it,
	// never from the request's (unsigned) Host header.
	PublicURL string
}

// Ops is the surface's route table.
func (a *API) Ops() []httpx.Op {
	return []httpx.Op{
		{Name: "KeystoneListAuthDomains", Pattern: "GET /v3/auth/domains", Resource: iamScope("domain"), Handler: a.listAuthDomains},
		{Name: "KeystoneListProjects", Pattern: "GET /v3/projects", Resource: iamScope("project"), Handler: a.listProjects},
		// The domains and projects a token's user may scope a token to:
		// its own account and that account's projects.
		{Name: "KeystoneListFederationDomains", Pattern: "GET /v3/OS-FEDERATION/domains", Resource: iamScope("domain"), Handler: a.listAuthDomains},
		{Name: "KeystoneListFederationProjects", Pattern: "GET /v3/OS-FEDERATION/projects", Resource: iamScope("project"), Handler: a.listProjects},
	}
}

func iamScope(typ string) func(*http.Request, *authz.Principal) string {
	return func(_ *http.Request, p *authz.Principal) string { return "iam::" + p.AccountID + ":" + typ + ":*" }
}

type links struct {
	Self     string  `json:"self"`
	Previous *string `json:"previous"`
	Next     *string `json:"next"`
}

func (a *API) selfLink(r *http.Request) string { return a.PublicURL + r.URL.Path }

func (a *API) listAuthDomains(w http.ResponseWriter, r *http.Request) error {
	p := authz.PrincipalFrom(r.Context())
	acct, err := a.Accounts.Get(r.Context(), p.AccountID)
	if err != nil {
		return err
	}
	self := a.selfLink(r)
	type domain struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Enabled     bool   `json:"enabled"`
		Description string `json:"description"`
		Links       links  `json:"links"`
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Domains []domain `json:"domains"`
		Links   links    `json:"links"`
	}{
		Domains: []domain{{ID: acct.ID, Name: acct.Name, Enabled: true, Links: links{Self: self + "/" + acct.ID}}},
		Links:   links{Self: self},
	})
	return nil
}

func (a *API) listProjects(w http.ResponseWriter, r *http.Request) error {
	p := authz.PrincipalFrom(r.Context())
	all, err := a.Accounts.Projects(r.Context(), p.AccountID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	name, byName := q.Get("name"), q.Has("name")
	self := a.selfLink(r)
	type project struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		DomainID    string `json:"domain_id"`
		ParentID    string `json:"parent_id"`
		IsDomain    bool   `json:"is_domain"`
		Enabled     bool   `json:"enabled"`
		Description string `json:"description"`
		Links       links  `json:"links"`
	}
	out := struct {
		Projects []project `json:"projects"`
		Links    links     `json:"links"`
	}{Projects: []project{}, Links: links{Self: self}}
	for _, pr := range all {
		if byName && pr.Name != name {
			continue
		}
		out.Projects = append(out.Projects, project{ID: pr.ID, Name: pr.Name, DomainID: pr.AccountID, ParentID: pr.AccountID,
			Enabled: true, Links: links{Self: self + "/" + pr.ID}})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

package orgs

import (
	"encoding/json"
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/organization"
)

// The Target functions resolve, before authorization, the resources an
// operation acts on (account, unit or root, with their tags for
// g:ResourceTag) and the tags a request sets (g:RequestTag, g:TagKeys). They
// read the body leniently: a body that does not decode is the handler's to
// refuse, after authorization.

func (a *API) target(r *http.Request, p *authz.Principal, typ, id string) (httpx.Target, error) {
	urn, tags, err := a.Orgs.Target(r.Context(), p.AccountID, typ, id)
	if err != nil {
		return httpx.Target{}, err
	}
	return httpx.Target{Resources: []httpx.Resource{{URN: urn, Tags: tags, Tagged: true}}}, nil
}

func (a *API) accountTarget(r *http.Request, p *authz.Principal) (httpx.Target, error) {
	return a.target(r, p, organization.TypeAccount, r.PathValue("account_id"))
}

func (a *API) unitTarget(r *http.Request, p *authz.Principal) (httpx.Target, error) {
	return a.target(r, p, organization.TypeUnit, r.PathValue("organizational_unit_id"))
}

func (a *API) resourceTarget(r *http.Request, p *authz.Principal) (httpx.Target, error) {
	return a.target(r, p, "", r.PathValue("resource_id"))
}

// requestTags reads the "tags" a body sets.
func requestTags(r *http.Request) (map[string]string, []string) {
	var in struct {
		Tags []tagDTO `json:"tags"`
	}
	if json.Unmarshal(httpx.Body(r.Context()), &in) != nil || len(in.Tags) == 0 {
		return nil, nil
	}
	tags, keys := make(map[string]string, len(in.Tags)), make([]string, 0, len(in.Tags))
	for _, t := range in.Tags {
		tags[t.Key] = t.Value
		keys = append(keys, t.Key)
	}
	return tags, keys
}

func (a *API) createAccountTarget(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
	tags, keys := requestTags(r)
	return httpx.Target{RequestTags: tags, TagKeys: keys}, nil
}

func (a *API) createUnitTarget(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
	tags, keys := requestTags(r)
	return httpx.Target{RequestTags: tags, TagKeys: keys}, nil
}

func (a *API) tagTarget(r *http.Request, p *authz.Principal) (httpx.Target, error) {
	t, err := a.resourceTarget(r, p)
	t.RequestTags, t.TagKeys = requestTags(r)
	return t, err
}

func (a *API) untagTarget(r *http.Request, p *authz.Principal) (httpx.Target, error) {
	t, err := a.resourceTarget(r, p)
	var in struct {
		TagKeys []string `json:"tag_keys"`
	}
	if json.Unmarshal(httpx.Body(r.Context()), &in) == nil {
		t.TagKeys = in.TagKeys
	}
	return t, err
}

// delegateTarget is the account a (de)registration names in its body.
func (a *API) delegateTarget(r *http.Request, p *authz.Principal) (httpx.Target, error) {
	var in delegateDTO
	_ = json.Unmarshal(httpx.Body(r.Context()), &in)
	return a.target(r, p, organization.TypeAccount, in.AccountID)
}

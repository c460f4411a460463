package admin

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/store"
)

// permissionSetTagType is the one resource_type the SDK's tag operations
// take. Its routes are mounted with the literal type (the Router serves
// them beside the overlapping permission-set routes).
const permissionSetTagType = "identitycenter:permissionset"

func (a *API) tagOps() []httpx.Op {
	const base = "/v1/instances/" + permissionSetTagType + "/{resource_id}/tags"
	return []httpx.Op{
		{Name: "CreateTagResource", Pattern: "POST " + base + "/create", Tenant: true, Target: a.tagTarget(true), Handler: a.createTags},
		{Name: "DeleteTagResource", Pattern: "POST " + base + "/delete", Tenant: true, Target: a.tagTarget(false), Handler: a.deleteTags},
		{Name: "ListTagResources", Pattern: "GET " + base, Tenant: true, Target: a.tagTarget(false), Handler: a.listTags},
	}
}

// taggedSet finds the permission set a tag route names, in the tenant's
// instance (404 IIC.1205 otherwise).
func (a *API) taggedSet(r *http.Request) (store.Instance, store.PermissionSet, error) {
	return a.Permission.Find(r.Context(), tenant(r), r.PathValue("resource_id"))
}

type deleteTagDTO struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

// tagTarget: the instance and the permission set with its current tags; a
// create also
// carries the tags it sets (g:RequestTag, g:TagKeys), a delete the keys
// it removes (g:TagKeys).
func (a *API) tagTarget(create bool) func(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
	return func(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
		inst, ps, err := a.taggedSet(r)
		if err != nil {
			return httpx.Target{}, err
		}
		t := httpx.Target{Resources: []httpx.Resource{instanceResource(inst), permissionSetResource(inst, ps)}}
		switch {
		case create:
			var in struct {
				Tags []tagDTO `json:"tags"`
			}
			if err := httpx.Decode(r, &in); err != nil {
				return httpx.Target{}, err
			}
			t.RequestTags, t.TagKeys = requestTags(in.Tags)
		case r.Method == http.MethodPost:
			var in struct {
				Tags []deleteTagDTO `json:"tags"`
			}
			if err := httpx.Decode(r, &in); err != nil {
				return httpx.Target{}, err
			}
			for _, k := range in.Tags {
				t.TagKeys = append(t.TagKeys, k.Key)
			}
		}
		return t, nil
	}
}

func (a *API) createTags(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Tags []tagDTO `json:"tags"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	inst, ps, err := a.taggedSet(r)
	if err != nil {
		return err
	}
	if err := a.Permission.AddTags(r.Context(), inst, ps.ID, toTags(in.Tags)); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) deleteTags(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Tags []deleteTagDTO `json:"tags"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	inst, ps, err := a.taggedSet(r)
	if err != nil {
		return err
	}
	keys := make([]store.Tag, len(in.Tags))
	withValue := make([]bool, len(in.Tags))
	for i, t := range in.Tags {
		keys[i].Key = t.Key
		if t.Value != nil {
			keys[i].Value, withValue[i] = *t.Value, true
		}
	}
	if err := a.Permission.RemoveTags(r.Context(), inst, ps.ID, keys, withValue); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) listTags(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := pageArgs(r)
	if err != nil {
		return err
	}
	_, ps, err := a.taggedSet(r)
	if err != nil {
		return err
	}
	page, err := a.Permission.ListTags(ps, limit, marker)
	if err != nil {
		return err
	}
	out := struct {
		Tags     []tagDTO `json:"tags"`
		PageInfo pageInfo `json:"page_info"`
	}{Tags: []tagDTO{}, PageInfo: newPageInfo(page.NextMarker, len(page.Tags))}
	for _, t := range page.Tags {
		out.Tags = append(out.Tags, tagDTO{t.Key, t.Value})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// badRequest is a 400 IIC.400 saying msg.
func badRequest(msg string) error { return apierr.IIC400_400.New(msg) }

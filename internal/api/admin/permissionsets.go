package admin

import (
	"encoding/json"
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/store"
)

// permissionSetOps are the permission-set operations: the set itself, its
// system-defined policies and roles, its custom policy and role.
func (a *API) permissionSetOps() []httpx.Op {
	const base = "/v1/instances/{instance_id}/permission-sets"
	const one = base + "/{permission_set_id}"
	inst, set := a.instanceTarget, a.permissionSetTarget
	return []httpx.Op{
		{Name: "CreatePermissionSet", Pattern: "POST " + base, Tenant: true, Target: a.createPermissionSetTarget, Handler: a.createPermissionSet},
		{Name: "ListPermissionSets", Pattern: "GET " + base, Tenant: true, Target: inst, Handler: a.listPermissionSets},
		{Name: "GetPermissionSetSummary", Pattern: "GET /v1/instances/{instance_id}/permission-set-summary", Tenant: true, Target: inst, Handler: a.permissionSetSummary},
		{Name: "DescribePermissionSet", Pattern: "GET " + one, Tenant: true, Target: set, Handler: a.describePermissionSet},
		{Name: "UpdatePermissionSet", Pattern: "PUT " + one, Tenant: true, Target: set, Handler: a.updatePermissionSet},
		{Name: "DeletePermissionSet", Pattern: "DELETE " + one, Tenant: true, Target: set, Handler: a.deletePermissionSet},
		{Name: "AttachManagedPolicyToPermissionSet", Pattern: "POST " + one + "/attach-managed-policy", Tenant: true, Target: set, Handler: a.attach(permission.KindPolicy)},
		{Name: "DetachManagedPolicyFromPermissionSet", Pattern: "POST " + one + "/detach-managed-policy", Tenant: true, Target: set, Handler: a.detach(permission.KindPolicy)},
		{Name: "ListManagedPoliciesInPermissionSet", Pattern: "GET " + one + "/managed-policies", Tenant: true, Target: set, Handler: a.listAttached(permission.KindPolicy)},
		{Name: "AttachManagedRoleToPermissionSet", Pattern: "POST " + one + "/attach-managed-role", Tenant: true, Target: set, Handler: a.attach(permission.KindRole)},
		{Name: "DetachManagedRoleFromPermissionSet", Pattern: "POST " + one + "/detach-managed-role", Tenant: true, Target: set, Handler: a.detach(permission.KindRole)},
		{Name: "ListManagedRolesInPermissionSet", Pattern: "GET " + one + "/managed-roles", Tenant: true, Target: set, Handler: a.listAttached(permission.KindRole)},
		{Name: "PutCustomPolicyToPermissionSet", Pattern: "PUT " + one + "/custom-policy", Tenant: true, Target: set, Handler: a.putCustom(permission.KindPolicy)},
		{Name: "GetCustomPolicyForPermissionSet", Pattern: "GET " + one + "/custom-policy", Tenant: true, Target: set, Handler: a.getCustom(permission.KindPolicy)},
		{Name: "DeleteCustomPolicyFromPermissionSet", Pattern: "DELETE " + one + "/custom-policy", Tenant: true, Target: set, Handler: a.deleteCustom(permission.KindPolicy)},
		{Name: "PutCustomRoleToPermissionSet", Pattern: "PUT " + one + "/custom-role", Tenant: true, Target: set, Handler: a.putCustom(permission.KindRole)},
		{Name: "GetCustomRoleForPermissionSet", Pattern: "GET " + one + "/custom-role", Tenant: true, Target: set, Handler: a.getCustom(permission.KindRole)},
		{Name: "DeleteCustomRoleFromPermissionSet", Pattern: "DELETE " + one + "/custom-role", Tenant: true, Target: set, Handler: a.deleteCustom(permission.KindRole)},
	}
}

// instanceResource is the instance an operation acts on.
func instanceResource(in store.Instance) httpx.Resource {
	return httpx.Resource{URN: center.InstanceURN(in)}
}

// permissionSetResource is a permission set with its tags (g:ResourceTag).
func permissionSetResource(in store.Instance, ps store.PermissionSet) httpx.Resource {
	return httpx.Resource{URN: permission.PermissionSetURN(in, ps.ID), Tags: permission.TagMap(ps.Tags), Tagged: true}
}

// instanceTarget: operations on the instance as a whole.
func (a *API) instanceTarget(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
	return httpx.Target{Resources: []httpx.Resource{instanceResource(instance(r))}}, nil
}

// permissionSetTarget: operations on the permission set the path names
// (404 IIC.1205 when the instance has none such).
func (a *API) permissionSetTarget(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
	in := instance(r)
	ps, err := a.Permission.Get(r.Context(), in, r.PathValue("permission_set_id"))
	if err != nil {
		return httpx.Target{}, err
	}
	return httpx.Target{Resources: []httpx.Resource{instanceResource(in), permissionSetResource(in, ps)}}, nil
}

type tagDTO struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type createPermissionSetBody struct {
	Name            string   `json:"name"`
	Description     *string  `json:"description"`
	RelayState      *string  `json:"relay_state"`
	SessionDuration *string  `json:"session_duration"`
	Tags            []tagDTO `json:"tags"`
}

func toTags(in []tagDTO) []store.Tag {
	var out []store.Tag
	for _, t := range in {
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

// requestTags are the tags a request sets, for g:RequestTag and g:TagKeys.
func requestTags(tags []tagDTO) (map[string]string, []string) {
	m := map[string]string{}
	var keys []string
	for _, t := range tags {
		m[t.Key] = t.Value
		keys = append(keys, t.Key)
	}
	return m, keys
}

// createPermissionSetTarget: the instance and the permission set to be
// (<instance>/*), with the tags the request sets.
func (a *API) createPermissionSetTarget(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
	var in createPermissionSetBody
	if err := httpx.Decode(r, &in); err != nil {
		return httpx.Target{}, err
	}
	inst := instance(r)
	tags, keys := requestTags(in.Tags)
	return httpx.Target{Resources: []httpx.Resource{instanceResource(inst), {URN: permission.PermissionSetURN(inst, "*")}},
		RequestTags: tags, TagKeys: keys}, nil
}

type permissionSetDTO struct {
	CreatedDate     int64  `json:"created_date"`
	Description     string `json:"description"`
	Name            string `json:"name"`
	PermissionSetID string `json:"permission_set_id"`
	RelayState      string `json:"relay_state"`
	SessionDuration string `json:"session_duration"`
	PermissionURN   string `json:"permission_urn"`
}

func toPermissionSetDTO(in store.Instance, ps store.PermissionSet) permissionSetDTO {
	return permissionSetDTO{CreatedDate: ps.CreatedAt.UnixMilli(), Description: ps.Description, Name: ps.Name, PermissionSetID: ps.ID,
		RelayState: ps.RelayState, SessionDuration: ps.SessionDuration, PermissionURN: permission.PermissionSetURN(in, ps.ID)}
}

func (a *API) createPermissionSet(w http.ResponseWriter, r *http.Request) error {
	var in createPermissionSetBody
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	inst := instance(r)
	ps, err := a.Permission.Create(r.Context(), inst, permission.CreateInput{Name: in.Name, Description: in.Description,
		RelayState: in.RelayState, SessionDuration: in.SessionDuration, Tags: toTags(in.Tags)})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		PermissionSet permissionSetDTO `json:"permission_set"`
	}{toPermissionSetDTO(inst, ps)})
	return nil
}

// pageArgs reads limit and marker.
func pageArgs(r *http.Request) (int, string, error) {
	limit, err := paging.ParseLimit(r.URL.Query().Get("limit"))
	return limit, r.URL.Query().Get("marker"), err
}

func (a *API) listPermissionSets(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := pageArgs(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.PermissionSetFilter{ID: q.Get("permission_set_id"), Name: q.Get("name")}
	inst := instance(r)
	if urn := q.Get("permission_urn"); urn != "" {
		id, ok := permissionSetIDFromURN(inst, urn)
		if !ok {
			id = "urn:none" // an URN of another instance matches nothing
		}
		if f.ID != "" && f.ID != id {
			id = "urn:none"
		}
		f.ID = id
	}
	page, err := a.Permission.List(r.Context(), inst, f, limit, marker)
	if err != nil {
		return err
	}
	out := struct {
		PermissionSets []permissionSetDTO `json:"permission_sets"`
		PageInfo       pageInfo           `json:"page_info"`
	}{PermissionSets: []permissionSetDTO{}, PageInfo: newPageInfo(page.NextMarker, len(page.Sets))}
	for _, ps := range page.Sets {
		out.PermissionSets = append(out.PermissionSets, toPermissionSetDTO(inst, ps))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// permissionSetIDFromURN returns the permission-set id of an URN of inst.
func permissionSetIDFromURN(inst store.Instance, urn string) (string, bool) {
	prefix := permission.PermissionSetURN(inst, "")
	if len(urn) <= len(prefix) || urn[:len(prefix)] != prefix {
		return "", false
	}
	return urn[len(prefix):], true
}

func (a *API) permissionSetSummary(w http.ResponseWriter, r *http.Request) error {
	s, err := a.Permission.Summary(r.Context(), instance(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		PermissionSets             int `json:"permission_sets"`
		PermissionSetsQuota        int `json:"permission_sets_quota"`
		PermissionPolicyCountQuota int `json:"permission_policy_count_quota"`
		PermissionPolicyQuota      int `json:"permission_policy_quota"`
	}{s.PermissionSets, s.PermissionSetsQuota, s.PolicyCountQuota, s.PolicyQuota})
	return nil
}

func (a *API) describePermissionSet(w http.ResponseWriter, r *http.Request) error {
	inst := instance(r)
	ps, err := a.Permission.Get(r.Context(), inst, r.PathValue("permission_set_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		PermissionSet permissionSetDTO `json:"permission_set"`
	}{toPermissionSetDTO(inst, ps)})
	return nil
}

func (a *API) updatePermissionSet(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Description     *string `json:"description"`
		RelayState      *string `json:"relay_state"`
		SessionDuration *string `json:"session_duration"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if _, err := a.Permission.Update(r.Context(), instance(r), r.PathValue("permission_set_id"),
		permission.UpdateInput{Description: in.Description, RelayState: in.RelayState, SessionDuration: in.SessionDuration}); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) deletePermissionSet(w http.ResponseWriter, r *http.Request) error {
	if err := a.Permission.Delete(r.Context(), instance(r), r.PathValue("permission_set_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

// managedIDField is the body field naming a system-defined policy or role.
func managedIDField(kind string) string {
	if kind == permission.KindRole {
		return "managed_role_id"
	}
	return "managed_policy_id"
}

func decodeManagedID(r *http.Request, kind string) (string, error) {
	var body map[string]json.RawMessage
	if err := httpx.Decode(r, &body); err != nil {
		return "", err
	}
	field := managedIDField(kind)
	var id string
	if raw, ok := body[field]; ok {
		if err := json.Unmarshal(raw, &id); err != nil {
			return "", apierr.IIC400_400.New(field + " must be a string")
		}
	}
	if id == "" || len(id) > 64 {
		return "", apierr.IIC400_400.New(field + " must be 1-64 characters")
	}
	return id, nil
}

func (a *API) attach(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := decodeManagedID(r, kind)
		if err != nil {
			return err
		}
		if err := a.Permission.Attach(r.Context(), instance(r), r.PathValue("permission_set_id"), kind, id); err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, empty)
		return nil
	}
}

func (a *API) detach(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := decodeManagedID(r, kind)
		if err != nil {
			return err
		}
		if err := a.Permission.Detach(r.Context(), instance(r), r.PathValue("permission_set_id"), kind, id); err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, empty)
		return nil
	}
}

type attachedPolicyDTO struct {
	PolicyID   string `json:"policy_id"`
	PolicyName string `json:"policy_name"`
}

type attachedRoleDTO struct {
	RoleID   string `json:"role_id"`
	RoleName string `json:"role_name"`
}

func (a *API) listAttached(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		limit, marker, err := pageArgs(r)
		if err != nil {
			return err
		}
		page, err := a.Permission.ListAttached(r.Context(), instance(r), r.PathValue("permission_set_id"), kind, limit, marker)
		if err != nil {
			return err
		}
		info := newPageInfo(page.NextMarker, len(page.Items))
		if kind == permission.KindRole {
			out := struct {
				Roles    []attachedRoleDTO `json:"attached_managed_roles"`
				PageInfo pageInfo          `json:"page_info"`
			}{Roles: []attachedRoleDTO{}, PageInfo: info}
			for _, it := range page.Items {
				out.Roles = append(out.Roles, attachedRoleDTO{it.ID, it.Name})
			}
			httpx.WriteJSON(w, http.StatusOK, out)
			return nil
		}
		out := struct {
			Policies []attachedPolicyDTO `json:"attached_managed_policies"`
			PageInfo pageInfo            `json:"page_info"`
		}{Policies: []attachedPolicyDTO{}, PageInfo: info}
		for _, it := range page.Items {
			out.Policies = append(out.Policies, attachedPolicyDTO{it.ID, it.Name})
		}
		httpx.WriteJSON(w, http.StatusOK, out)
		return nil
	}
}

// customField is the body and answer field of a custom document.
func customField(kind string) string {
	if kind == permission.KindRole {
		return "custom_role"
	}
	return "custom_policy"
}

func (a *API) putCustom(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body map[string]json.RawMessage
		if err := httpx.Decode(r, &body); err != nil {
			return err
		}
		field := customField(kind)
		var text string
		if raw, ok := body[field]; ok {
			if err := json.Unmarshal(raw, &text); err != nil {
				return apierr.IIC400_400.New(field + " must be a JSON string holding the policy document")
			}
		}
		if err := a.Permission.PutCustom(r.Context(), instance(r), r.PathValue("permission_set_id"), kind, text); err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, empty)
		return nil
	}
}

func (a *API) getCustom(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		text, err := a.Permission.GetCustom(r.Context(), instance(r), r.PathValue("permission_set_id"), kind)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{customField(kind): text})
		return nil
	}
}

func (a *API) deleteCustom(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := a.Permission.DeleteCustom(r.Context(), instance(r), r.PathValue("permission_set_id"), kind); err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, empty)
		return nil
	}
}

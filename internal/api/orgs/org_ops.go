package orgs

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/organization"
	"github.com/iic-project/iic/internal/store"
)

type organizationDTO struct {
	ID                    string `json:"id"`
	URN                   string `json:"urn"`
	ManagementAccountID   string `json:"management_account_id"`
	ManagementAccountName string `json:"management_account_name"`
	CreatedAt             string `json:"created_at"`
}

func toOrganizationDTO(o organization.Org) organizationDTO {
	return organizationDTO{ID: o.ID, URN: organization.URN(o.Organization, "organization", ""), ManagementAccountID: o.ManagementAccountID,
		ManagementAccountName: o.ManagementAccountName, CreatedAt: rfc3339(o.CreatedAt)}
}

func (a *API) createOrganization(w http.ResponseWriter, r *http.Request) error {
	o, err := a.Orgs.CreateOrganization(r.Context(), caller(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]organizationDTO{"organization": toOrganizationDTO(o)})
	return nil
}

func (a *API) showOrganization(w http.ResponseWriter, r *http.Request) error {
	o, err := a.Orgs.ShowOrganization(r.Context(), caller(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]organizationDTO{"organization": toOrganizationDTO(o)})
	return nil
}

func (a *API) deleteOrganization(w http.ResponseWriter, r *http.Request) error {
	if err := a.Orgs.DeleteOrganization(r.Context(), caller(r)); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

type policyTypeDTO struct {
	Status string `json:"status"`
	Type   string `json:"type"`
}

type rootDTO struct {
	ID          string          `json:"id"`
	URN         string          `json:"urn"`
	Name        string          `json:"name"`
	PolicyTypes []policyTypeDTO `json:"policy_types"`
	CreatedAt   string          `json:"created_at"`
}

func (a *API) listRoots(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := listParams(r)
	if err != nil {
		return err
	}
	if marker != "" {
		return badMarker()
	}
	roots, err := a.Orgs.ListRoots(r.Context(), caller(r))
	if err != nil {
		return err
	}
	out := struct {
		Roots    []rootDTO `json:"roots"`
		PageInfo pageInfo  `json:"page_info"`
	}{Roots: []rootDTO{}}
	for _, rt := range roots[:min(limit, len(roots))] {
		out.Roots = append(out.Roots, rootDTO{ID: rt.ID, URN: rt.URN, Name: "Root", PolicyTypes: []policyTypeDTO{}, CreatedAt: rfc3339(rt.CreatedAt)})
	}
	out.PageInfo = newPageInfo("", len(out.Roots))
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type tagDTO struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func fromTagDTOs(in []tagDTO) []store.Tag {
	out := make([]store.Tag, 0, len(in))
	for _, t := range in {
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

type unitDTO struct {
	ID        string `json:"id"`
	URN       string `json:"urn"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

func toUnitDTO(u organization.Unit) unitDTO {
	return unitDTO{ID: u.ID, URN: u.URN(), Name: u.Name, CreatedAt: rfc3339(u.CreatedAt)}
}

func (a *API) createUnit(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name     string   `json:"name"`
		ParentID string   `json:"parent_id"`
		Tags     []tagDTO `json:"tags"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	u, err := a.Orgs.CreateUnit(r.Context(), caller(r), in.Name, in.ParentID, fromTagDTOs(in.Tags))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]unitDTO{"organizational_unit": toUnitDTO(u)})
	return nil
}

func (a *API) listUnits(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := listParams(r)
	if err != nil {
		return err
	}
	p, err := a.Orgs.ListUnits(r.Context(), caller(r), r.URL.Query().Get("parent_id"), limit, marker)
	if err != nil {
		return err
	}
	out := struct {
		Units    []unitDTO `json:"organizational_units"`
		PageInfo pageInfo  `json:"page_info"`
	}{Units: []unitDTO{}, PageInfo: newPageInfo(p.NextMarker, len(p.Items))}
	for _, u := range p.Items {
		out.Units = append(out.Units, toUnitDTO(u))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) showUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := a.Orgs.ShowUnit(r.Context(), caller(r), r.PathValue("organizational_unit_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]unitDTO{"organizational_unit": toUnitDTO(u)})
	return nil
}

func (a *API) updateUnit(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	u, err := a.Orgs.RenameUnit(r.Context(), caller(r), r.PathValue("organizational_unit_id"), in.Name)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]unitDTO{"organizational_unit": toUnitDTO(u)})
	return nil
}

func (a *API) deleteUnit(w http.ResponseWriter, r *http.Request) error {
	if err := a.Orgs.DeleteUnit(r.Context(), caller(r), r.PathValue("organizational_unit_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

package orgs

import (
	"net/http"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
)

// Entity types of ListEntities.
const (
	entityRoot = "root"
	entityUnit = "organizational_unit"
)

type entityDTO struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	Type string `json:"type"`
}

// listEntities answers ListEntities for a child_id: the one entity (the
// root or a unit) the account or unit child_id names sits directly under,
// on one page. That is the query the huaweicloud Terraform provider makes
// to read an account's parent_id. Without child_id (all entities, or a
// parent's children) it answers 400 IIC.400 saying so.
func (a *API) listEntities(w http.ResponseWriter, r *http.Request) error {
	if _, marker, err := listParams(r); err != nil {
		return err
	} else if marker != "" {
		return badMarker()
	}
	q := r.URL.Query()
	child := q.Get("child_id")
	if child == "" {
		return apierr.IIC400_400.New("iic answers ListEntities only with child_id (the parent of an account or organizational unit)")
	}
	var parentID string
	if strings.HasPrefix(child, "ou-") {
		u, err := a.Orgs.ShowUnit(r.Context(), caller(r), child)
		if err != nil {
			return err
		}
		parentID = u.ParentID
	} else {
		acct, err := a.Orgs.ShowAccount(r.Context(), caller(r), child)
		if err != nil {
			return err
		}
		parentID = acct.ParentID
	}
	parent := entityDTO{ID: parentID, Name: "Root", Type: entityRoot}
	if strings.HasPrefix(parentID, "ou-") {
		u, err := a.Orgs.ShowUnit(r.Context(), caller(r), parentID)
		if err != nil {
			return err
		}
		parent = entityDTO{ID: u.ID, Name: u.Name, Type: entityUnit}
	}
	entities := []entityDTO{parent}
	if p := q.Get("parent_id"); p != "" && p != parentID {
		entities = []entityDTO{}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Entities []entityDTO `json:"entities"`
		PageInfo pageInfo    `json:"page_info"`
	}{entities, newPageInfo("", len(entities))})
	return nil
}

package iamfed

import (
	"encoding/json"
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

type mappingDTO struct {
	ID    string `json:"id"`
	Links struct {
		Self string `json:"self"`
	} `json:"links"`
	Rules json.RawMessage `json:"rules"`
}

func (a *API) mappingDTO(m store.FederationMapping) mappingDTO {
	d := mappingDTO{ID: m.ID, Rules: json.RawMessage(m.Rules)}
	d.Links.Self = a.url(prefix + "/mappings/" + m.ID)
	return d
}

type mappingOut struct {
	Mapping mappingDTO `json:"mapping"`
}

// decodeMapping reads {"mapping": {"rules": [...]}}; the rules are
// validated by the service.
func decodeMapping(r *http.Request) (json.RawMessage, error) {
	var in struct {
		Mapping *struct {
			Rules json.RawMessage `json:"rules"`
		} `json:"mapping"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return nil, err
	}
	if in.Mapping == nil {
		return nil, apierr.IIC400_400.New("the body must be {\"mapping\": {\"rules\": [...]}}")
	}
	return in.Mapping.Rules, nil
}

func (a *API) createMapping(w http.ResponseWriter, r *http.Request) error {
	rules, err := decodeMapping(r)
	if err != nil {
		return err
	}
	m, err := a.Federation.CreateMapping(r.Context(), account(r), r.PathValue("id"), rules)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, mappingOut{a.mappingDTO(m)})
	return nil
}

func (a *API) showMapping(w http.ResponseWriter, r *http.Request) error {
	m, err := a.Federation.GetMapping(r.Context(), account(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, mappingOut{a.mappingDTO(m)})
	return nil
}

func (a *API) listMappings(w http.ResponseWriter, r *http.Request) error {
	all, err := a.Federation.ListMappings(r.Context(), account(r))
	if err != nil {
		return err
	}
	out := struct {
		Mappings []mappingDTO `json:"mappings"`
		Links    links        `json:"links"`
	}{Mappings: make([]mappingDTO, 0, len(all)), Links: links{Self: a.url(r.URL.Path)}}
	for _, m := range all {
		out.Mappings = append(out.Mappings, a.mappingDTO(m))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateMapping(w http.ResponseWriter, r *http.Request) error {
	rules, err := decodeMapping(r)
	if err != nil {
		return err
	}
	m, err := a.Federation.UpdateMapping(r.Context(), account(r), r.PathValue("id"), rules)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, mappingOut{a.mappingDTO(m)})
	return nil
}

func (a *API) deleteMapping(w http.ResponseWriter, r *http.Request) error {
	if err := a.Federation.DeleteMapping(r.Context(), account(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

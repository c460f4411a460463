package iamfed

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

type protocolDTO struct {
	ID        string `json:"id"`
	MappingID string `json:"mapping_id"`
	Links     struct {
		IdentityProvider string `json:"identity_provider"`
		Self             string `json:"self"`
	} `json:"links"`
}

func (a *API) protocolDTO(p store.FederationProtocol) protocolDTO {
	d := protocolDTO{ID: p.ID, MappingID: p.MappingID}
	d.Links.IdentityProvider = a.url(prefix + "/identity_providers/" + p.IdPID)
	d.Links.Self = d.Links.IdentityProvider + "/protocols/" + p.ID
	return d
}

type protocolOut struct {
	Protocol protocolDTO `json:"protocol"`
}

func decodeProtocol(r *http.Request) (string, error) {
	var in struct {
		Protocol *struct {
			MappingID *string `json:"mapping_id"`
		} `json:"protocol"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return "", err
	}
	if in.Protocol == nil || in.Protocol.MappingID == nil {
		return "", apierr.IIC400_400.New("the body must be {\"protocol\": {\"mapping_id\": \"...\"}}")
	}
	return *in.Protocol.MappingID, nil
}

func (a *API) createProtocol(w http.ResponseWriter, r *http.Request) error {
	mappingID, err := decodeProtocol(r)
	if err != nil {
		return err
	}
	p, err := a.Federation.CreateProtocol(r.Context(), account(r), r.PathValue("idp_id"), r.PathValue("protocol_id"), mappingID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, protocolOut{a.protocolDTO(p)})
	return nil
}

func (a *API) showProtocol(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Federation.GetProtocol(r.Context(), account(r), r.PathValue("idp_id"), r.PathValue("protocol_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, protocolOut{a.protocolDTO(p)})
	return nil
}

func (a *API) listProtocols(w http.ResponseWriter, r *http.Request) error {
	all, err := a.Federation.ListProtocols(r.Context(), account(r), r.PathValue("idp_id"))
	if err != nil {
		return err
	}
	out := struct {
		Protocols []protocolDTO `json:"protocols"`
		Links     links         `json:"links"`
	}{Protocols: make([]protocolDTO, 0, len(all)), Links: links{Self: a.url(r.URL.Path)}}
	for _, p := range all {
		out.Protocols = append(out.Protocols, a.protocolDTO(p))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateProtocol(w http.ResponseWriter, r *http.Request) error {
	mappingID, err := decodeProtocol(r)
	if err != nil {
		return err
	}
	p, err := a.Federation.UpdateProtocol(r.Context(), account(r), r.PathValue("idp_id"), r.PathValue("protocol_id"), mappingID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, protocolOut{a.protocolDTO(p)})
	return nil
}

func (a *API) deleteProtocol(w http.ResponseWriter, r *http.Request) error {
	if err := a.Federation.DeleteProtocol(r.Context(), account(r), r.PathValue("idp_id"), r.PathValue("protocol_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

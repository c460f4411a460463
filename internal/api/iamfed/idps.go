package iamfed

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/federation"
	"github.com/iic-project/iic/internal/store"
)

type idpLinks struct {
	Self      string `json:"self"`
	Protocols string `json:"protocols"`
}

// idpDTO is an identity provider on the wire; remote_ids is always an
// array (the SDK cannot decode null).
type idpDTO struct {
	SSOType     string   `json:"sso_type"`
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Enabled     bool     `json:"enabled"`
	RemoteIDs   []string `json:"remote_ids"`
	Links       idpLinks `json:"links"`
}

func (a *API) idpDTO(p store.FederatedIdP) idpDTO {
	self := a.url(prefix + "/identity_providers/" + p.ID)
	remote := p.RemoteIDs
	if remote == nil {
		remote = []string{}
	}
	return idpDTO{SSOType: p.SSOType, ID: p.ID, Description: p.Description, Enabled: p.Enabled, RemoteIDs: remote,
		Links: idpLinks{Self: self, Protocols: self + "/protocols"}}
}

type idpOut struct {
	IdentityProvider idpDTO `json:"identity_provider"`
}

// idpIn is the body of create and update.
type idpIn struct {
	IdentityProvider *struct {
		SSOType     *string   `json:"sso_type"`
		Description *string   `json:"description"`
		Enabled     *bool     `json:"enabled"`
		RemoteIDs   *[]string `json:"remote_ids"`
	} `json:"identity_provider"`
}

func decodeIdP(r *http.Request) (idpIn, error) {
	var in idpIn
	if err := httpx.Decode(r, &in); err != nil {
		return in, err
	}
	if in.IdentityProvider == nil {
		return in, apierr.IIC400_400.New("the body must be {\"identity_provider\": {...}}")
	}
	return in, nil
}

func (a *API) createIdP(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeIdP(r)
	if err != nil {
		return err
	}
	b := in.IdentityProvider
	p, err := a.Federation.CreateIdP(r.Context(), account(r), r.PathValue("id"),
		federation.IdPFields{Description: b.Description, Enabled: b.Enabled, SSOType: b.SSOType, RemoteIDs: b.RemoteIDs})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, idpOut{a.idpDTO(p)})
	return nil
}

func (a *API) showIdP(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Federation.GetIdP(r.Context(), account(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, idpOut{a.idpDTO(p)})
	return nil
}

func (a *API) listIdPs(w http.ResponseWriter, r *http.Request) error {
	all, err := a.Federation.ListIdPs(r.Context(), account(r))
	if err != nil {
		return err
	}
	out := struct {
		IdentityProviders []idpDTO `json:"identity_providers"`
		Links             links    `json:"links"`
	}{IdentityProviders: make([]idpDTO, 0, len(all)), Links: links{Self: a.url(r.URL.Path)}}
	for _, p := range all {
		out.IdentityProviders = append(out.IdentityProviders, a.idpDTO(p))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// updateIdP is the seed's operation: {"identity_provider": {...}} with at
// least one of description and enabled; sso_type and remote_ids are not
// changed by it.
func (a *API) updateIdP(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeIdP(r)
	if err != nil {
		return err
	}
	b := in.IdentityProvider
	if b.SSOType != nil || b.RemoteIDs != nil {
		return apierr.IIC400_400.New("an identity provider update may set description and enabled only")
	}
	p, err := a.Federation.UpdateIdP(r.Context(), account(r), r.PathValue("id"), b.Description, b.Enabled)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, idpOut{a.idpDTO(p)})
	return nil
}

func (a *API) deleteIdP(w http.ResponseWriter, r *http.Request) error {
	if err := a.Federation.DeleteIdP(r.Context(), account(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

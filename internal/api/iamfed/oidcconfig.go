package iamfed

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/federation"
	"github.com/iic-project/iic/internal/store"
)

type oidcDTO struct {
	AccessMode            string `json:"access_mode"`
	IdPURL                string `json:"idp_url"`
	ClientID              string `json:"client_id"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	Scope                 string `json:"scope"`
	ResponseType          string `json:"response_type"`
	ResponseMode          string `json:"response_mode"`
	SigningKey            string `json:"signing_key"`
}

func toOIDCDTO(c store.FederationOIDCConfig) oidcDTO {
	return oidcDTO{AccessMode: c.AccessMode, IdPURL: c.IdPURL, ClientID: c.ClientID, AuthorizationEndpoint: c.AuthorizationEndpoint,
		Scope: c.Scope, ResponseType: c.ResponseType, ResponseMode: c.ResponseMode, SigningKey: c.SigningKey}
}

type oidcOut struct {
	Config oidcDTO `json:"openid_connect_config"`
}

func decodeOIDC(r *http.Request) (federation.OIDCFields, error) {
	var in struct {
		Config *struct {
			AccessMode            *string `json:"access_mode"`
			IdPURL                *string `json:"idp_url"`
			ClientID              *string `json:"client_id"`
			AuthorizationEndpoint *string `json:"authorization_endpoint"`
			Scope                 *string `json:"scope"`
			ResponseType          *string `json:"response_type"`
			ResponseMode          *string `json:"response_mode"`
			SigningKey            *string `json:"signing_key"`
		} `json:"openid_connect_config"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return federation.OIDCFields{}, err
	}
	c := in.Config
	if c == nil {
		return federation.OIDCFields{}, apierr.IIC400_400.New("the body must be {\"openid_connect_config\": {...}}")
	}
	return federation.OIDCFields{AccessMode: c.AccessMode, IdPURL: c.IdPURL, ClientID: c.ClientID, AuthorizationEndpoint: c.AuthorizationEndpoint,
		Scope: c.Scope, ResponseType: c.ResponseType, ResponseMode: c.ResponseMode, SigningKey: c.SigningKey}, nil
}

func (a *API) createOIDCConfig(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeOIDC(r)
	if err != nil {
		return err
	}
	c, err := a.Federation.CreateOIDCConfig(r.Context(), account(r), r.PathValue("idp_id"), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, oidcOut{toOIDCDTO(c)})
	return nil
}

func (a *API) showOIDCConfig(w http.ResponseWriter, r *http.Request) error {
	c, err := a.Federation.GetOIDCConfig(r.Context(), account(r), r.PathValue("idp_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, oidcOut{toOIDCDTO(c)})
	return nil
}

func (a *API) updateOIDCConfig(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeOIDC(r)
	if err != nil {
		return err
	}
	c, err := a.Federation.UpdateOIDCConfig(r.Context(), account(r), r.PathValue("idp_id"), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, oidcOut{toOIDCDTO(c)})
	return nil
}

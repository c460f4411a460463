package idstore

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
)

func (a *API) scimTenantOps() []httpx.Op {
	const tenant = "/v1/identity-stores/{identity_store_id}/tenant/{tenant_id}"
	return []httpx.Op{
		{Name: "CreateProvisioningTenant", Pattern: "POST /v1/identity-stores/{identity_store_id}/provision-tenant", Handler: a.createTenant},
		{Name: "ListProvisioningTenants", Pattern: "GET /v1/identity-stores/{identity_store_id}/provision-tenant", Handler: a.listTenants},
		{Name: "DeleteProvisioningTenant", Pattern: "DELETE " + tenant, Handler: a.deleteTenant},
		{Name: "CreateBearerToken", Pattern: "POST " + tenant + "/bearer-token", Handler: a.createToken},
		{Name: "ListBearerTokens", Pattern: "GET " + tenant + "/bearer-token", Handler: a.listTokens},
		{Name: "DeleteBearerToken", Pattern: "DELETE " + tenant + "/bearer-token/{token_id}", Handler: a.deleteToken},
	}
}

// Times are Unix milliseconds as JSON numbers (the SDK reads float32).
type tenantDTO struct {
	CreationTime int64  `json:"creation_time"`
	ScimEndpoint string `json:"scim_endpoint"`
	TenantID     string `json:"tenant_id"`
}

func (a *API) createTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := a.Sources.CreateTenant(r.Context(), storeIDOf(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, tenantDTO{CreationTime: millis(t.CreatedAt), ScimEndpoint: t.Endpoint, TenantID: t.ID})
	return nil
}

func (a *API) listTenants(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Sources.ListTenants(r.Context(), storeIDOf(r))
	if err != nil {
		return err
	}
	out := struct {
		ProvisioningTenants []tenantDTO `json:"provisioning_tenants"`
	}{ProvisioningTenants: []tenantDTO{}}
	for _, t := range list {
		out.ProvisioningTenants = append(out.ProvisioningTenants, tenantDTO{CreationTime: millis(t.CreatedAt), ScimEndpoint: t.Endpoint, TenantID: t.ID})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	if err := a.Sources.DeleteTenant(r.Context(), storeIDOf(r), r.PathValue("tenant_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, emptyBody)
	return nil
}

type tokenDTO struct {
	CreationTime   int64  `json:"creation_time"`
	ExpirationTime int64  `json:"expiration_time"`
	TokenID        string `json:"token_id"`
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	t, err := a.Sources.CreateToken(r.Context(), storeIDOf(r), r.PathValue("tenant_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, struct {
		tokenDTO
		Token string `json:"token"`
	}{tokenDTO{millis(t.CreatedAt), millis(t.ExpiresAt), t.ID}, t.Secret})
	return nil
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Sources.ListTokens(r.Context(), storeIDOf(r), r.PathValue("tenant_id"))
	if err != nil {
		return err
	}
	out := struct {
		BearerTokens []tokenDTO `json:"bearer_tokens"`
	}{BearerTokens: []tokenDTO{}}
	for _, t := range list {
		out.BearerTokens = append(out.BearerTokens, tokenDTO{millis(t.CreatedAt), millis(t.ExpiresAt), t.ID})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request) error {
	if err := a.Sources.DeleteToken(r.Context(), storeIDOf(r), r.PathValue("tenant_id"), r.PathValue("token_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, emptyBody)
	return nil
}

package iicadmin

import (
	"net/http"

	"github.com/iic-project/iic/internal/accesskeys"
	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

type keyDTO struct {
	AccessKey   string   `json:"access_key"`
	SecretKey   string   `json:"secret_key,omitempty"`
	PolicyIDs   []string `json:"policy_ids"`
	Description string   `json:"description"`
	UserName    string   `json:"user_name"`
	Status      string   `json:"status"`
	CreatedAt   string   `json:"created_at"`
}

func toKeyDTO(c store.Credential) keyDTO {
	status := "active"
	if c.Disabled {
		status = "inactive"
	}
	pids := c.PolicyIDs
	if pids == nil {
		pids = []string{}
	}
	return keyDTO{AccessKey: c.AccessKey, PolicyIDs: pids, Description: c.Description, UserName: c.UserName,
		Status: status, CreatedAt: timestamp(c.CreatedAt)}
}

func (a *API) createKey(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		PolicyIDs   []string `json:"policy_ids"`
		Description string   `json:"description"`
		UserName    string   `json:"user_name"`
	}
	if err := httpx.Decode(r, &body); err != nil {
		return err
	}
	if body.PolicyIDs == nil {
		return apierr.IIC400_400.New("policy_ids is required")
	}
	c, sk, err := a.Access.CreateKey(r.Context(), account(r), accesskeys.KeyInput{PolicyIDs: body.PolicyIDs, Description: body.Description, UserName: body.UserName})
	if err != nil {
		return err
	}
	dto := toKeyDTO(c)
	dto.SecretKey = sk
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusCreated, map[string]keyDTO{"credential": dto})
	return nil
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request) error {
	limit, err := paging.ParseLimit(r.URL.Query().Get("limit"))
	if err != nil {
		return err
	}
	page, err := a.Access.ListKeys(r.Context(), account(r), limit, r.URL.Query().Get("marker"))
	if err != nil {
		return err
	}
	out := struct {
		Credentials []keyDTO `json:"credentials"`
		PageInfo    pageInfo `json:"page_info"`
	}{Credentials: []keyDTO{}, PageInfo: newPageInfo(page.NextMarker, len(page.Keys))}
	for _, c := range page.Keys {
		out.Credentials = append(out.Credentials, toKeyDTO(c))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) deleteKey(w http.ResponseWriter, r *http.Request) error {
	if err := a.Access.DeleteKey(r.Context(), account(r), r.PathValue("access_key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

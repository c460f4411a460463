package iamfed

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/federation"
)

// createMetadata imports an IdP's SAML metadata: {"domain_id",
// "xaccount_type", "metadata"} (the document as a string).
func (a *API) createMetadata(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DomainID     string  `json:"domain_id"`
		XaccountType string  `json:"xaccount_type"`
		Metadata     *string `json:"metadata"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Metadata == nil {
		return apierr.IIC400_400.New("metadata is required")
	}
	if _, err := a.Federation.ImportMetadata(r.Context(), account(r), r.PathValue("idp_id"), r.PathValue("protocol_id"), in.DomainID, *in.Metadata); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, struct {
		Message string `json:"message"`
	}{"Import metadata successful"})
	return nil
}

func (a *API) showMetadata(w http.ResponseWriter, r *http.Request) error {
	acct := account(r)
	m, err := a.Federation.GetMetadata(r.Context(), acct, r.PathValue("idp_id"), r.PathValue("protocol_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		ID           string `json:"id"`
		IdPID        string `json:"idp_id"`
		EntityID     string `json:"entity_id"`
		ProtocolID   string `json:"protocol_id"`
		DomainID     string `json:"domain_id"`
		XaccountType string `json:"xaccount_type"`
		UpdateTime   string `json:"update_time"`
		Data         string `json:"data"`
	}{federation.MetadataID(m), m.IdPID, m.EntityID, m.ProtocolID, acct, "", m.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000000"), m.Document})
	return nil
}

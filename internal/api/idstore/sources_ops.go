package idstore

import (
	"net/http"
	"time"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/idsource"
)

const idpPath = "/v1/identity-stores/{identity_store_id}/external-idp"

func (a *API) sourceOps() []httpx.Op {
	return []httpx.Op{
		{Name: "ListExternalIdPConfigurationsForDirectory", Pattern: "GET " + idpPath, Handler: a.listIdPs},
		{Name: "CreateExternalIdPConfigurationForDirectory", Pattern: "POST " + idpPath, Handler: a.createIdP},
		{Name: "UpdateExternalIdPConfigurationForDirectory", Pattern: "PUT " + idpPath + "/{idp_id}", Handler: a.updateIdP},
		{Name: "DeleteExternalIdPConfigurationForDirectory", Pattern: "DELETE " + idpPath + "/{idp_id}", Handler: a.deleteIdP},
		{Name: "EnableExternalIdPConfigurationForDirectory", Pattern: "POST " + idpPath + "/{idp_id}/enable", Handler: a.setIdPEnabled(true)},
		{Name: "DisableExternalIdPConfigurationForDirectory", Pattern: "POST " + idpPath + "/{idp_id}/disable", Handler: a.setIdPEnabled(false)},
		{Name: "ListExternalIdPCertificates", Pattern: "GET " + idpPath + "/{idp_id}/certificate", Handler: a.listIdPCertificates},
		{Name: "ImportExternalIdPCertificate", Pattern: "POST " + idpPath + "/{idp_id}/certificate", Handler: a.importIdPCertificate},
		{Name: "DeleteExternalIdPCertificate", Pattern: "DELETE " + idpPath + "/{idp_id}/certificate/{certificate_id}", Handler: a.deleteIdPCertificate},
		{Name: "GetSpConfigurationForDirectory", Pattern: "GET /v1/identity-stores/{identity_store_id}/sp-config", Handler: a.getSPConfig},
		{Name: "ListSpCertificates", Pattern: "GET /v1/identity-stores/{identity_store_id}/saml-certificates", Handler: a.listSPCertificates},
		{Name: "CreateSpCertificate", Pattern: "POST /v1/identity-stores/{identity_store_id}/saml-certificates", Handler: a.createSPCertificate},
		{Name: "DeleteSpCertificate", Pattern: "DELETE /v1/identity-stores/{identity_store_id}/saml-certificates/{certificate_id}", Handler: a.deleteSPCertificate},
		{Name: "UpdateSpActiveCertificate", Pattern: "POST /v1/identity-stores/{identity_store_id}/saml-certificates/{certificate_id}/active", Handler: a.activateSPCertificate},
		{Name: "GetIdentityStoreSummary", Pattern: "GET /v1/identity-stores/{identity_store_id}/identity-store-summary", Handler: a.getSummary},
	}
}

// emptyBody is the body of operations that answer nothing.
var emptyBody = struct{}{}

func millis(t time.Time) int64 { return t.UnixMilli() }

type idpSAMLConfigDTO struct {
	EntityID          string `json:"entity_id"`
	LoginURL          string `json:"login_url"`
	WantRequestSigned bool   `json:"want_request_signed"`
}

type idpCertRefDTO struct {
	CertificateID string `json:"certificate_id"`
	Status        string `json:"status"`
}

type idpDTO struct {
	IdpCertificateIDs []idpCertRefDTO  `json:"idp_certificate_ids"`
	IdpID             string           `json:"idp_id"`
	IdpSAMLConfig     idpSAMLConfigDTO `json:"idp_saml_config"`
	IsEnabled         bool             `json:"is_enabled"`
}

type spSAMLConfigDTO struct {
	AcsURL   string `json:"acs_url"`
	Issuer   string `json:"issuer"`
	Metadata string `json:"metadata"`
}

func spSAMLDTO(c idsource.SPConfig) spSAMLConfigDTO {
	return spSAMLConfigDTO{AcsURL: c.ACSURL, Issuer: c.EntityID, Metadata: c.Metadata}
}

func (a *API) listIdPs(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Sources.ListIdPs(r.Context(), storeIDOf(r))
	if err != nil {
		return err
	}
	out := struct {
		Associations []idpDTO `json:"associations"`
	}{Associations: []idpDTO{}}
	for _, p := range list {
		d := idpDTO{IdpCertificateIDs: []idpCertRefDTO{}, IdpID: p.ID, IsEnabled: p.Enabled,
			IdpSAMLConfig: idpSAMLConfigDTO{EntityID: p.EntityID, LoginURL: p.LoginURL, WantRequestSigned: p.WantRequestSigned}}
		for _, c := range p.Certificates {
			d.IdpCertificateIDs = append(d.IdpCertificateIDs, idpCertRefDTO{CertificateID: c.ID, Status: c.Status})
		}
		out.Associations = append(out.Associations, d)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createIdP(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IdpSAMLMetadata *string           `json:"idp_saml_metadata"`
		IdpCertificate  *string           `json:"idp_certificate"`
		IdpSAMLConfig   *idpSAMLConfigDTO `json:"idp_saml_config"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	var req idsource.NewIdP
	if in.IdpSAMLMetadata != nil {
		req.Metadata = *in.IdpSAMLMetadata
	}
	if in.IdpCertificate != nil {
		req.Certificate = *in.IdpCertificate
	}
	if in.IdpSAMLConfig != nil {
		req.Config = &idsource.IdPConfig{EntityID: in.IdpSAMLConfig.EntityID, LoginURL: in.IdpSAMLConfig.LoginURL, WantRequestSigned: in.IdpSAMLConfig.WantRequestSigned}
	}
	p, sp, err := a.Sources.CreateIdP(r.Context(), storeIDOf(r), req)
	if err != nil {
		return err
	}
	out := struct {
		HwsSpSAMLConfig   spSAMLConfigDTO `json:"hws_sp_saml_config"`
		IdpCertificateID  string          `json:"idp_certificate_id"`
		IdpCertificateIDs []string        `json:"idp_certificate_ids"`
		IdpID             string          `json:"idp_id"`
	}{HwsSpSAMLConfig: spSAMLDTO(sp), IdpCertificateIDs: []string{}, IdpID: p.ID}
	for _, c := range p.Certificates {
		out.IdpCertificateIDs = append(out.IdpCertificateIDs, c.ID)
	}
	if len(out.IdpCertificateIDs) > 0 {
		out.IdpCertificateID = out.IdpCertificateIDs[0]
	}
	httpx.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (a *API) updateIdP(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		EntityID string `json:"entity_id"`
		LoginURL string `json:"login_url"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Sources.UpdateIdP(r.Context(), storeIDOf(r), r.PathValue("idp_id"), idsource.IdPConfig{EntityID: in.EntityID, LoginURL: in.LoginURL}); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, emptyBody)
	return nil
}

func (a *API) deleteIdP(w http.ResponseWriter, r *http.Request) error {
	if err := a.Sources.DeleteIdP(r.Context(), storeIDOf(r), r.PathValue("idp_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, emptyBody)
	return nil
}

func (a *API) setIdPEnabled(enabled bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := a.Sources.SetIdPEnabled(r.Context(), storeIDOf(r), r.PathValue("idp_id"), enabled); err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, emptyBody)
		return nil
	}
}

type idpCertificateDTO struct {
	CertificateID          string  `json:"certificate_id"`
	IssuerName             string  `json:"issuer_name"`
	NotAfter               int64   `json:"not_after"`
	NotBefore              int64   `json:"not_before"`
	PublicKey              string  `json:"public_key"`
	SerialNumber           float64 `json:"serial_number"`
	SerialNumberString     string  `json:"serial_number_string"`
	SignatureAlgorithmName string  `json:"signature_algorithm_name"`
	SubjectName            string  `json:"subject_name"`
	Version                int     `json:"version"`
	X509CertificateInPem   string  `json:"x509_Certificate_in_pem"`
}

func (a *API) listIdPCertificates(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Sources.ListIdPCertificates(r.Context(), storeIDOf(r), r.PathValue("idp_id"))
	if err != nil {
		return err
	}
	out := struct {
		IdpCertificates []idpCertificateDTO `json:"idp_certificates"`
	}{IdpCertificates: []idpCertificateDTO{}}
	for _, c := range list {
		out.IdpCertificates = append(out.IdpCertificates, idpCertificateDTO{
			CertificateID: c.ID, IssuerName: c.X509.Issuer.String(), NotAfter: millis(c.X509.NotAfter), NotBefore: millis(c.X509.NotBefore),
			PublicKey: c.PublicKey(), SerialNumber: c.SerialNumber(), SerialNumberString: c.SerialString(),
			SignatureAlgorithmName: c.X509.SignatureAlgorithm.String(), SubjectName: c.X509.Subject.String(), Version: c.X509.Version,
			X509CertificateInPem: c.PEM,
		})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) importIdPCertificate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		X509CertificateInPem string `json:"x509_certificate_in_pem"`
		CertificateUse       string `json:"certificate_use"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	id, err := a.Sources.ImportIdPCertificate(r.Context(), storeIDOf(r), r.PathValue("idp_id"), in.X509CertificateInPem, in.CertificateUse)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		CertificateID string `json:"certificate_id"`
	}{id})
	return nil
}

func (a *API) deleteIdPCertificate(w http.ResponseWriter, r *http.Request) error {
	if err := a.Sources.DeleteIdPCertificate(r.Context(), storeIDOf(r), r.PathValue("idp_id"), r.PathValue("certificate_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, emptyBody)
	return nil
}

func (a *API) getSPConfig(w http.ResponseWriter, r *http.Request) error {
	c, err := a.Sources.GetSPConfig(r.Context(), storeIDOf(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		SpOIDCConfig struct {
			RedirectURL string `json:"redirect_url"`
		} `json:"sp_oidc_config"`
		SpSAMLConfig spSAMLConfigDTO `json:"sp_saml_config"`
	}{SpOIDCConfig: struct {
		RedirectURL string `json:"redirect_url"`
	}{c.RedirectURL}, SpSAMLConfig: spSAMLDTO(c)})
	return nil
}

type spCertificateDTO struct {
	CertificateID   string `json:"certificate_id"`
	X509Certificate string `json:"x509certificate"`
	Algorithm       string `json:"algorithm"`
	ExpiryDate      int64  `json:"expiry_date"`
	State           string `json:"state"`
}

func spCertDTO(c idsource.SPCertificate) spCertificateDTO {
	return spCertificateDTO{CertificateID: c.ID, X509Certificate: c.PEM, Algorithm: c.Algorithm, ExpiryDate: millis(c.NotAfter), State: c.State}
}

// listSPCertificates answers a bare JSON array (the SDK's shape).
func (a *API) listSPCertificates(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Sources.ListSPCertificates(r.Context(), storeIDOf(r))
	if err != nil {
		return err
	}
	out := make([]spCertificateDTO, 0, len(list))
	for _, c := range list {
		out = append(out, spCertDTO(c))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createSPCertificate(w http.ResponseWriter, r *http.Request) error {
	c, err := a.Sources.CreateSPCertificate(r.Context(), storeIDOf(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, spCertDTO(c))
	return nil
}

func (a *API) deleteSPCertificate(w http.ResponseWriter, r *http.Request) error {
	if err := a.Sources.DeleteSPCertificate(r.Context(), storeIDOf(r), r.PathValue("certificate_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, emptyBody)
	return nil
}

func (a *API) activateSPCertificate(w http.ResponseWriter, r *http.Request) error {
	if err := a.Sources.ActivateSPCertificate(r.Context(), storeIDOf(r), r.PathValue("certificate_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, emptyBody)
	return nil
}

func (a *API) getSummary(w http.ResponseWriter, r *http.Request) error {
	s, err := a.Sources.GetSummary(r.Context(), storeIDOf(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Users       int `json:"users"`
		UsersQuota  int `json:"users_quota"`
		Groups      int `json:"groups"`
		GroupsQuota int `json:"groups_quota"`
	}{s.Users, s.UsersQuota, s.Groups, s.GroupsQuota})
	return nil
}

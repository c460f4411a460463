package idsource

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"math/big"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// IdPConfig is the SAML configuration of an external IdP given directly
// (instead of metadata).
type IdPConfig struct {
	EntityID          string
	LoginURL          string
	WantRequestSigned bool
}

// NewIdP is the input of CreateIdP: either Metadata, or Config together
// with Certificate (PEM or base64 DER).
type NewIdP struct {
	Metadata    string
	Config      *IdPConfig
	Certificate string
}

// IdP is an external IdP configuration with its certificates.
type IdP struct {
	store.ExternalIdP
	Certificates []Certificate
}

// Certificate is an IdP certificate with its parsed form.
type Certificate struct {
	store.IdPCertificate
	X509   *x509.Certificate
	Status string // ACTIVE, or EXPIRED once NotAfter has passed
}

func (s *Service) certView(c store.IdPCertificate, x *x509.Certificate) Certificate {
	status := StateActive
	if !s.now().Before(c.NotAfter) {
		status = StateExpired
	}
	return Certificate{IdPCertificate: c, X509: x, Status: status}
}

// PublicKey is the base64 DER SubjectPublicKeyInfo.
func (c Certificate) PublicKey() string {
	return base64.StdEncoding.EncodeToString(c.X509.RawSubjectPublicKeyInfo)
}

// SerialNumber is the serial as a number when it fits a float64 exactly
// (the SDK reads a float32), else 0; the decimal string is always exact.
func (c Certificate) SerialNumber() float64 {
	if c.X509.SerialNumber.BitLen() <= 53 {
		return float64(c.X509.SerialNumber.Int64())
	}
	return 0
}

// SerialString is the serial in decimal.
func (c Certificate) SerialString() string { return new(big.Int).Set(c.X509.SerialNumber).String() }

func idpNotFound() error { return apierr.IIC1330.New() }

// CreateIdP configures the store's external SAML IdP. The configuration
// starts disabled (EnableIdP switches sign-in to it). It makes sure the
// store has an active SP certificate, which the IdP needs to trust us.
func (s *Service) CreateIdP(ctx context.Context, storeID string, in NewIdP) (IdP, SPConfig, error) {
	now := s.now()
	var cfg IdPConfig
	var rawCerts []string
	switch {
	case in.Metadata != "" && in.Config != nil:
		return IdP{}, SPConfig{}, badRequest("give either idp_saml_metadata or idp_saml_config, not both")
	case in.Metadata != "":
		md, err := ParseIdPMetadata(in.Metadata)
		if err != nil {
			return IdP{}, SPConfig{}, invalidMetadata("%s", err)
		}
		cfg = IdPConfig{EntityID: md.EntityID, LoginURL: md.LoginURL, WantRequestSigned: md.WantRequestSigned}
		rawCerts = md.Certificates
		if in.Certificate != "" {
			rawCerts = append(rawCerts, in.Certificate)
		}
	case in.Config != nil:
		cfg = *in.Config
		if err := CheckEntityID("idp_saml_config.entity_id", cfg.EntityID); err != nil {
			return IdP{}, SPConfig{}, invalidMetadata("%s", err)
		}
		if err := CheckURL("idp_saml_config.login_url", cfg.LoginURL); err != nil {
			return IdP{}, SPConfig{}, invalidMetadata("%s", err)
		}
		if in.Certificate == "" {
			return IdP{}, SPConfig{}, invalidMetadata("idp_certificate is required with idp_saml_config")
		}
		rawCerts = []string{in.Certificate}
	default:
		return IdP{}, SPConfig{}, badRequest("idp_saml_metadata or idp_saml_config is required")
	}
	var certs []*x509.Certificate
	for _, raw := range rawCerts {
		c, err := CheckCertificate(raw, now)
		if err != nil {
			return IdP{}, SPConfig{}, invalidMetadata("%s", err)
		}
		if !containsCert(certs, c) {
			certs = append(certs, c)
		}
	}
	if len(certs) > MaxIdPCertificates {
		return IdP{}, SPConfig{}, invalidMetadata("an IdP may have at most %d signing certificates, got %d", MaxIdPCertificates, len(certs))
	}
	if existing, err := s.Store.Sources().ListIdPs(ctx, storeID); err != nil {
		return IdP{}, SPConfig{}, err
	} else if len(existing) > 0 {
		return IdP{}, SPConfig{}, apierr.IIC1328.New()
	}
	if err := s.ensureSPCertificate(ctx, storeID); err != nil {
		return IdP{}, SPConfig{}, err
	}
	out := IdP{ExternalIdP: store.ExternalIdP{IdentityStoreID: storeID, ID: s.IDs.UUID(), EntityID: cfg.EntityID, LoginURL: cfg.LoginURL,
		WantRequestSigned: cfg.WantRequestSigned, CreatedAt: now, UpdatedAt: now}}
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if err := tx.Sources().CreateIdP(ctx, out.ExternalIdP); err != nil {
			if isConflict(err) {
				return apierr.IIC1328.New()
			}
			return err
		}
		for _, c := range certs {
			sc := store.IdPCertificate{IdentityStoreID: storeID, IdPID: out.ID, ID: s.IDs.UUID(), PEM: CertificatePEM(c), NotAfter: c.NotAfter.UTC(), CreatedAt: now}
			if err := tx.Sources().AddIdPCertificate(ctx, sc, MaxIdPCertificates); err != nil {
				return err
			}
			out.Certificates = append(out.Certificates, s.certView(sc, c))
		}
		return nil
	})
	if err != nil {
		return IdP{}, SPConfig{}, err
	}
	sp, err := s.spConfig(ctx, storeID)
	return out, sp, err
}

func containsCert(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, o := range list {
		if bytes.Equal(o.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// ListIdPs returns the store's external IdP configurations (zero or one).
func (s *Service) ListIdPs(ctx context.Context, storeID string) ([]IdP, error) {
	list, err := s.Store.Sources().ListIdPs(ctx, storeID)
	if err != nil {
		return nil, err
	}
	out := make([]IdP, 0, len(list))
	for _, p := range list {
		certs, err := s.certificates(ctx, storeID, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, IdP{ExternalIdP: p, Certificates: certs})
	}
	return out, nil
}

func (s *Service) certificates(ctx context.Context, storeID, idpID string) ([]Certificate, error) {
	list, err := s.Store.Sources().ListIdPCertificates(ctx, storeID, idpID)
	if err != nil {
		return nil, err
	}
	out := make([]Certificate, 0, len(list))
	for _, c := range list {
		x, err := ParseCertificate(c.PEM)
		if err != nil {
			return nil, err // stored certificates were validated on the way in
		}
		out = append(out, s.certView(c, x))
	}
	return out, nil
}

// UpdateIdP changes the IdP's entity id and SSO URL.
func (s *Service) UpdateIdP(ctx context.Context, storeID, idpID string, cfg IdPConfig) error {
	if err := CheckEntityID("entity_id", cfg.EntityID); err != nil {
		return badRequest("%s", err)
	}
	if err := CheckURL("login_url", cfg.LoginURL); err != nil {
		return badRequest("%s", err)
	}
	err := s.Store.Sources().UpdateIdP(ctx, storeID, idpID, func(p *store.ExternalIdP) error {
		p.EntityID, p.LoginURL, p.UpdatedAt = cfg.EntityID, cfg.LoginURL, s.now()
		return nil
	})
	if isNotFound(err) {
		return idpNotFound()
	}
	return err
}

// DeleteIdP removes the IdP configuration and its certificates.
func (s *Service) DeleteIdP(ctx context.Context, storeID, idpID string) error {
	err := s.Store.Sources().DeleteIdP(ctx, storeID, idpID)
	if isNotFound(err) {
		return idpNotFound()
	}
	return err
}

// SetIdPEnabled enables or disables the IdP; IIC.1329 if it already is.
func (s *Service) SetIdPEnabled(ctx context.Context, storeID, idpID string, enabled bool) error {
	err := s.Store.Sources().UpdateIdP(ctx, storeID, idpID, func(p *store.ExternalIdP) error {
		if p.Enabled == enabled {
			state := "disabled"
			if enabled {
				state = "enabled"
			}
			return &apierr.Error{Def: apierr.IIC1329, Message: "The IdP configuration status is incorrect: it is already " + state + "."}
		}
		p.Enabled, p.UpdatedAt = enabled, s.now()
		return nil
	})
	if isNotFound(err) {
		return idpNotFound()
	}
	return err
}

// ListIdPCertificates returns the IdP's certificates, oldest first.
func (s *Service) ListIdPCertificates(ctx context.Context, storeID, idpID string) ([]Certificate, error) {
	if _, err := s.Store.Sources().GetIdP(ctx, storeID, idpID); err != nil {
		if isNotFound(err) {
			return nil, idpNotFound()
		}
		return nil, err
	}
	return s.certificates(ctx, storeID, idpID)
}

// Certificate uses accepted by ImportIdPCertificate.
const CertificateUseSigning = "SIGNING"

// ImportIdPCertificate adds a signing certificate (PEM or base64 DER) to
// the IdP and returns its id.
func (s *Service) ImportIdPCertificate(ctx context.Context, storeID, idpID, pemText, use string) (string, error) {
	if use != "" && use != CertificateUseSigning {
		return "", badRequest("certificate_use must be SIGNING")
	}
	now := s.now()
	cert, err := CheckCertificate(pemText, now)
	if err != nil {
		return "", badRequest("x509_certificate_in_pem: %s", err)
	}
	c := store.IdPCertificate{IdentityStoreID: storeID, IdPID: idpID, ID: s.IDs.UUID(), PEM: CertificatePEM(cert), NotAfter: cert.NotAfter.UTC(), CreatedAt: now}
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		existing, err := tx.Sources().ListIdPCertificates(ctx, storeID, idpID)
		if err != nil {
			return err
		}
		for _, e := range existing {
			if x, err := ParseCertificate(e.PEM); err == nil && bytes.Equal(x.Raw, cert.Raw) {
				return badRequest("x509_certificate_in_pem: the IdP already has this certificate (%s)", e.ID)
			}
		}
		err = tx.Sources().AddIdPCertificate(ctx, c, MaxIdPCertificates)
		switch {
		case isNotFound(err):
			return idpNotFound()
		case isConflict(err):
			return badRequest("an IdP holds at most %d certificates; delete one first", MaxIdPCertificates)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// DeleteIdPCertificate removes a certificate; the IdP's last one cannot be
// deleted (import its successor first).
func (s *Service) DeleteIdPCertificate(ctx context.Context, storeID, idpID, certID string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		// Touching the IdP row locks it against concurrent certificate changes.
		if err := tx.Sources().UpdateIdP(ctx, storeID, idpID, func(p *store.ExternalIdP) error { p.UpdatedAt = s.now(); return nil }); err != nil {
			if isNotFound(err) {
				return idpNotFound()
			}
			return err
		}
		certs, err := tx.Sources().ListIdPCertificates(ctx, storeID, idpID)
		if err != nil {
			return err
		}
		found := false
		for _, c := range certs {
			found = found || c.ID == certID
		}
		if !found {
			return apierr.IIC400_404.New("IdP certificate " + certID + " not found")
		}
		if len(certs) == 1 {
			return badRequest("certificate %s is the IdP's only signing certificate; import its successor first", certID)
		}
		return tx.Sources().DeleteIdPCertificate(ctx, storeID, idpID, certID)
	})
}

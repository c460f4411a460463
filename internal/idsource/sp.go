package idsource

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"math/big"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// SP certificate states on the wire.
const (
	StateActive   = "ACTIVE"
	StateInactive = "INACTIVE"
	StateExpired  = "EXPIRED"
)

// SPAlgorithm is the signature algorithm of generated SP certificates.
const SPAlgorithm = "SHA256withRSA"

// SPConfig is the store's SAML (and OIDC) service-provider configuration.
type SPConfig struct {
	EntityID    string // also the metadata URL
	ACSURL      string
	Metadata    string // SAML 2.0 SP metadata XML
	RedirectURL string // OIDC redirect URL
}

// SPEntityID is the store's SP entity id: <PublicURL>/v1/saml/<store>/metadata.
func (s *Service) SPEntityID(storeID string) string {
	return s.PublicURL + "/v1/saml/" + storeID + "/metadata"
}

// SPACSURL is the store's assertion consumer service: <PublicURL>/v1/saml/<store>/acs.
func (s *Service) SPACSURL(storeID string) string {
	return s.PublicURL + "/v1/saml/" + storeID + "/acs"
}

// GetSPConfig returns the store's SP configuration.
func (s *Service) GetSPConfig(ctx context.Context, storeID string) (SPConfig, error) {
	return s.spConfig(ctx, storeID)
}

func (s *Service) spConfig(ctx context.Context, storeID string) (SPConfig, error) {
	certs, err := s.Store.SPCertificates().List(ctx, storeID)
	if err != nil {
		return SPConfig{}, err
	}
	cfg := SPConfig{EntityID: s.SPEntityID(storeID), ACSURL: s.SPACSURL(storeID), RedirectURL: s.PublicURL + "/v1/oidc/" + storeID + "/callback"}
	var active *store.SPCertificate
	for i := range certs {
		if certs[i].Active {
			active = &certs[i]
		}
	}
	cfg.Metadata, err = spMetadata(cfg, active)
	return cfg, err
}

type spMDKey struct {
	Use  string `xml:"use,attr"`
	Info struct {
		XMLName xml.Name `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo"`
		Cert    string   `xml:"X509Data>X509Certificate"`
	}
}

type spMD struct {
	XMLName  xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID string   `xml:"entityID,attr"`
	SP       struct {
		AuthnRequestsSigned  bool     `xml:"AuthnRequestsSigned,attr"`
		WantAssertionsSigned bool     `xml:"WantAssertionsSigned,attr"`
		Protocol             string   `xml:"protocolSupportEnumeration,attr"`
		Key                  *spMDKey `xml:"KeyDescriptor,omitempty"`
		NameIDFormat         string   `xml:"NameIDFormat"`
		ACS                  struct {
			Binding  string `xml:"Binding,attr"`
			Location string `xml:"Location,attr"`
			Index    int    `xml:"index,attr"`
		} `xml:"AssertionConsumerService"`
	} `xml:"SPSSODescriptor"`
}

func spMetadata(cfg SPConfig, active *store.SPCertificate) (string, error) {
	var md spMD
	md.EntityID = cfg.EntityID
	md.SP.AuthnRequestsSigned = active != nil
	md.SP.WantAssertionsSigned = true
	md.SP.Protocol = "urn:oasis:names:tc:SAML:2.0:protocol"
	if active != nil {
		c, err := ParseCertificate(active.CertificatePEM)
		if err != nil {
			return "", err
		}
		md.SP.Key = &spMDKey{Use: "signing"}
		md.SP.Key.Info.Cert = base64.StdEncoding.EncodeToString(c.Raw)
	}
	md.SP.NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	md.SP.ACS.Binding, md.SP.ACS.Location, md.SP.ACS.Index = BindingPOST, cfg.ACSURL, 0
	b, err := xml.MarshalIndent(md, "", "  ")
	if err != nil {
		return "", err
	}
	return xml.Header + string(b), nil
}

// SPCertificate is an SP certificate as shown to the admin (no key).
type SPCertificate struct {
	ID        string
	PEM       string
	Algorithm string
	NotAfter  time.Time
	State     string
}

func (s *Service) spView(c store.SPCertificate) SPCertificate {
	state := StateInactive
	if c.Active {
		state = StateActive
	}
	if !s.now().Before(c.NotAfter) {
		state = StateExpired
	}
	return SPCertificate{ID: c.ID, PEM: c.CertificatePEM, Algorithm: c.Algorithm, NotAfter: c.NotAfter, State: state}
}

// SPKeyAAD binds a sealed SP private key to its store and certificate.
func SPKeyAAD(storeID, certID string) []byte {
	return []byte("sp-certificate:" + storeID + ":" + certID)
}

// newSPCertificate generates an RSA-2048 key and a self-signed certificate.
func (s *Service) newSPCertificate(storeID string, active bool) (store.SPCertificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return store.SPCertificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return store.SPCertificate{}, err
	}
	now := s.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial.Add(serial, big.NewInt(1)),
		Subject:      pkix.Name{CommonName: "iic SAML " + storeID, Organization: []string{"iic"}},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(SPCertificateLife),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return store.SPCertificate{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return store.SPCertificate{}, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return store.SPCertificate{}, err
	}
	id := s.IDs.UUID()
	return store.SPCertificate{IdentityStoreID: storeID, ID: id, CertificatePEM: CertificatePEM(cert), KeySealed: s.Keys.Seal(pkcs8, SPKeyAAD(storeID, id)),
		Algorithm: SPAlgorithm, NotAfter: cert.NotAfter.UTC().Truncate(time.Millisecond), Active: active, CreatedAt: now}, nil
}

// CreateSPCertificate generates a signing certificate: it becomes active
// when the store has no active one (its first, or after the active one was
// deleted), else inactive until UpdateSpActiveCertificate.
func (s *Service) CreateSPCertificate(ctx context.Context, storeID string) (SPCertificate, error) {
	existing, err := s.Store.SPCertificates().List(ctx, storeID)
	if err != nil {
		return SPCertificate{}, err
	}
	if len(existing) >= MaxSPCertificates {
		return SPCertificate{}, spLimit()
	}
	active := true
	for _, e := range existing {
		if e.Active {
			active = false
		}
	}
	c, err := s.newSPCertificate(storeID, active)
	if err != nil {
		return SPCertificate{}, err
	}
	if err := s.Store.SPCertificates().Create(ctx, c, MaxSPCertificates); err != nil {
		if isConflict(err) {
			return SPCertificate{}, spLimit()
		}
		return SPCertificate{}, err
	}
	return s.spView(c), nil
}

func spLimit() error {
	return badRequest("an identity store holds at most %d SAML certificates; delete an inactive one first", MaxSPCertificates)
}

// ensureSPCertificate gives the store an active SP certificate if it has
// none yet.
func (s *Service) ensureSPCertificate(ctx context.Context, storeID string) error {
	existing, err := s.Store.SPCertificates().List(ctx, storeID)
	if err != nil || len(existing) > 0 {
		return err
	}
	c, err := s.newSPCertificate(storeID, true)
	if err != nil {
		return err
	}
	if err := s.Store.SPCertificates().Create(ctx, c, MaxSPCertificates); err != nil && !isConflict(err) {
		return err // a conflict means a concurrent call made one
	}
	return nil
}

// ListSPCertificates returns the store's SP certificates, oldest first.
func (s *Service) ListSPCertificates(ctx context.Context, storeID string) ([]SPCertificate, error) {
	list, err := s.Store.SPCertificates().List(ctx, storeID)
	if err != nil {
		return nil, err
	}
	out := make([]SPCertificate, 0, len(list))
	for _, c := range list {
		out = append(out, s.spView(c))
	}
	return out, nil
}

func spNotFound(id string) error {
	return apierr.IIC400_404.New("SAML certificate " + id + " not found")
}

// ActivateSPCertificate makes certID the store's active SP certificate.
func (s *Service) ActivateSPCertificate(ctx context.Context, storeID, certID string) error {
	c, err := s.Store.SPCertificates().Get(ctx, storeID, certID)
	if isNotFound(err) {
		return spNotFound(certID)
	}
	if err != nil {
		return err
	}
	if !s.now().Before(c.NotAfter) {
		return badRequest("SAML certificate %s has expired and cannot be activated", certID)
	}
	err = s.Store.SPCertificates().Activate(ctx, storeID, certID)
	if isNotFound(err) {
		return spNotFound(certID)
	}
	return err
}

// DeleteSPCertificate removes an SP certificate, the active one too: the
// product allows it (the huaweicloud Terraform provider's acceptance test
// activates the certificate it created and then destroys it), so a
// configuration that manages the active certificate can be destroyed. No
// other certificate is activated in its place: until one is (or a new one
// is created, which becomes active), the SP metadata carries no signing key
// and requests go unsigned. An unknown certificate is 404.
func (s *Service) DeleteSPCertificate(ctx context.Context, storeID, certID string) error {
	err := s.Store.SPCertificates().Delete(ctx, storeID, certID)
	if isNotFound(err) {
		return spNotFound(certID)
	}
	return err
}

// SPSigningKey returns the store's active SP certificate and its private
// key, for the SAML surface.
func (s *Service) SPSigningKey(ctx context.Context, storeID string) (*x509.Certificate, *rsa.PrivateKey, error) {
	list, err := s.Store.SPCertificates().List(ctx, storeID)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range list {
		if !c.Active {
			continue
		}
		raw, err := s.Keys.Open(c.KeySealed, SPKeyAAD(storeID, c.ID))
		if err != nil {
			return nil, nil, err
		}
		k, err := x509.ParsePKCS8PrivateKey(raw)
		if err != nil {
			return nil, nil, err
		}
		cert, err := ParseCertificate(c.CertificatePEM)
		if err != nil {
			return nil, nil, err
		}
		key, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, nil, apierr.IIC1260.New()
		}
		return cert, key, nil
	}
	return nil, nil, store.ErrNotFound
}

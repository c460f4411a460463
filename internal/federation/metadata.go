package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/federation/samlmeta"
	"github.com/iic-project/iic/internal/store"
)

// metadataExtract is what the service records of an imported document
// (SAMLMetadata.Extract): the next step, checking assertions, reads the
// endpoints and certificates from here instead of parsing again.
type metadataExtract struct {
	EntityID      string     `json:"entity_id"`
	ValidUntil    *time.Time `json:"valid_until,omitempty"`
	WantSigned    bool       `json:"want_authn_requests_signed"`
	SingleSignOn  []endpoint `json:"single_sign_on"`
	SingleLogout  []endpoint `json:"single_logout"`
	NameIDFormats []string   `json:"name_id_formats"`
	Certificates  []cert     `json:"signing_certificates"`
}

type endpoint struct {
	Binding  string `json:"binding"`
	Location string `json:"location"`
}

type cert struct {
	DER      []byte    `json:"der"`
	Subject  string    `json:"subject"`
	NotAfter time.Time `json:"not_after"`
	SHA256   string    `json:"sha256"`
}

// ImportMetadata validates doc as the SAML 2.0 metadata of an identity
// provider (entity id, SSO endpoints, signing certificates) and stores it
// for the identity provider's saml protocol, replacing what was there.
// domainID, when given, must be the caller's account.
func (s *Service) ImportMetadata(ctx context.Context, accountID, idpID, protocolID, domainID, doc string) (store.SAMLMetadata, error) {
	if domainID != "" && domainID != accountID {
		return store.SAMLMetadata{}, invalid("domain_id must be the id of the caller's account")
	}
	if protocolID != ProtocolSAML {
		return store.SAMLMetadata{}, invalid("SAML metadata belongs to the %s protocol", ProtocolSAML)
	}
	if doc == "" {
		return store.SAMLMetadata{}, invalid("metadata is required")
	}
	if len(doc) > MaxMetadata {
		return store.SAMLMetadata{}, invalid("metadata must be at most %d bytes", MaxMetadata)
	}
	now := s.now()
	md, err := samlmeta.Parse([]byte(doc), now)
	if err != nil {
		var se *samlmeta.Error
		if errors.As(err, &se) {
			return store.SAMLMetadata{}, &apierr.Error{Def: apierr.IIC1327, Message: "Invalid metadata: " + se.Msg + "."}
		}
		return store.SAMLMetadata{}, err
	}
	x := metadataExtract{EntityID: md.EntityID, WantSigned: md.WantAuthnRequestsSigned, NameIDFormats: md.NameIDFormats,
		SingleSignOn: endpoints(md.SingleSignOn), SingleLogout: endpoints(md.SingleLogout)}
	if !md.ValidUntil.IsZero() {
		v := md.ValidUntil.UTC()
		x.ValidUntil = &v
	}
	for _, c := range md.SigningCertificates {
		x.Certificates = append(x.Certificates, cert{DER: c.DER, Subject: c.Subject, NotAfter: c.NotAfter.UTC(), SHA256: c.SHA256})
	}
	extract, err := json.Marshal(x)
	if err != nil {
		return store.SAMLMetadata{}, err
	}
	m := store.SAMLMetadata{AccountID: accountID, IdPID: idpID, ProtocolID: protocolID, Document: doc, EntityID: md.EntityID, Extract: extract, UpdatedAt: now}
	err = s.Store.Federation().PutSAMLMetadata(ctx, m)
	if store.ConflictKey(err) == store.KeyReference {
		return m, s.protocolNotFound(ctx, accountID, idpID, protocolID)
	}
	return m, err
}

func endpoints(in []samlmeta.Endpoint) []endpoint {
	out := make([]endpoint, 0, len(in))
	for _, e := range in {
		out = append(out, endpoint{Binding: e.Binding, Location: e.Location})
	}
	return out
}

// GetMetadata returns the metadata imported for an identity provider's
// protocol.
func (s *Service) GetMetadata(ctx context.Context, accountID, idpID, protocolID string) (store.SAMLMetadata, error) {
	m, err := s.Store.Federation().GetSAMLMetadata(ctx, accountID, idpID, protocolID)
	if errors.Is(err, store.ErrNotFound) {
		if _, perr := s.GetProtocol(ctx, accountID, idpID, protocolID); perr != nil {
			return m, perr
		}
		return m, notFound("metadata of protocol", idpID+"/"+protocolID)
	}
	return m, err
}

// MetadataID is the stable id of an imported document: a digest of the
// identity provider, protocol and document.
func MetadataID(m store.SAMLMetadata) string {
	h := sha256.Sum256([]byte(m.IdPID + "\x00" + m.ProtocolID + "\x00" + m.Document))
	return hex.EncodeToString(h[:16])
}

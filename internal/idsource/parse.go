package idsource

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Input bounds for untrusted IdP material.
const (
	maxMetadataBytes = 512 << 10
	maxCertBytes     = 64 << 10
	maxEntityID      = 1024
	maxURL           = 2048
)

// SAML 2.0 binding URIs.
const (
	BindingRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	BindingPOST     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
)

// ParseCertificate parses one X.509 certificate given as PEM (a single
// CERTIFICATE block) or as bare base64 DER (whitespace allowed, the form
// found in SAML metadata). It does not check validity dates.
func ParseCertificate(s string) (*x509.Certificate, error) {
	if len(s) > maxCertBytes {
		return nil, fmt.Errorf("certificate is longer than %d bytes", maxCertBytes)
	}
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		return nil, errors.New("certificate is empty")
	}
	var der []byte
	if strings.HasPrefix(trimmed, "-----BEGIN") {
		block, rest := pem.Decode([]byte(trimmed))
		if block == nil {
			return nil, errors.New("certificate is not valid PEM")
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block is %q, not CERTIFICATE", block.Type)
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, errors.New("PEM must hold exactly one certificate")
		}
		der = block.Bytes
	} else {
		clean := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, trimmed)
		var err error
		if der, err = base64.StdEncoding.DecodeString(clean); err != nil {
			return nil, errors.New("certificate is neither PEM nor base64 DER")
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("certificate does not parse as X.509: %s", strings.TrimPrefix(err.Error(), "x509: "))
	}
	return cert, nil
}

// CheckCertificate parses s with ParseCertificate and refuses a certificate
// that has expired at now.
func CheckCertificate(s string, now time.Time) (*x509.Certificate, error) {
	cert, err := ParseCertificate(s)
	if err != nil {
		return nil, err
	}
	if !now.Before(cert.NotAfter) {
		return nil, fmt.Errorf("certificate expired on %s", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return cert, nil
}

// CertificatePEM is the PEM form of cert.
func CertificatePEM(cert *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// CheckURL accepts an absolute http or https URL with a host.
func CheckURL(field, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s is required", field)
	}
	if len(raw) > maxURL {
		return fmt.Errorf("%s is longer than %d characters", field, maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fmt.Errorf("%s must be an absolute http or https URL", field)
	}
	return nil
}

// CheckEntityID accepts a SAML entity id: 1–1024 characters, no spaces or
// control characters.
func CheckEntityID(field, v string) error {
	if v == "" {
		return fmt.Errorf("%s is required", field)
	}
	if len(v) > maxEntityID {
		return fmt.Errorf("%s is longer than %d characters", field, maxEntityID)
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("%s must not contain spaces or control characters", field)
		}
	}
	return nil
}

// IdPMetadata is what iic takes from an IdP's SAML metadata.
type IdPMetadata struct {
	EntityID          string
	LoginURL          string // SingleSignOnService, HTTP-Redirect preferred over HTTP-POST
	WantRequestSigned bool
	Certificates      []string // signing certificates, base64 DER as found
}

type mdKeyDescriptor struct {
	Use          string   `xml:"use,attr"`
	Certificates []string `xml:"KeyInfo>X509Data>X509Certificate"`
}

type mdEndpoint struct {
	Binding  string `xml:"Binding,attr"`
	Location string `xml:"Location,attr"`
}

type mdIDPSSO struct {
	WantAuthnRequestsSigned string            `xml:"WantAuthnRequestsSigned,attr"`
	ProtocolSupport         string            `xml:"protocolSupportEnumeration,attr"`
	Keys                    []mdKeyDescriptor `xml:"KeyDescriptor"`
	SSO                     []mdEndpoint      `xml:"SingleSignOnService"`
}

type mdEntity struct {
	XMLName  xml.Name
	EntityID string     `xml:"entityID,attr"`
	IDPSSO   []mdIDPSSO `xml:"IDPSSODescriptor"`
	Entities []mdEntity `xml:"EntityDescriptor"` // inside an EntitiesDescriptor
}

// ParseIdPMetadata reads SAML 2.0 IdP metadata: an EntityDescriptor (or
// an EntitiesDescriptor holding exactly one IdP) with an IDPSSODescriptor.
// It checks the entity id, the SSO URL and that each signing certificate
// parses; expiry is the caller's check.
func ParseIdPMetadata(doc string) (IdPMetadata, error) {
	if len(doc) > maxMetadataBytes {
		return IdPMetadata{}, fmt.Errorf("metadata is longer than %d bytes", maxMetadataBytes)
	}
	if strings.TrimSpace(doc) == "" {
		return IdPMetadata{}, errors.New("metadata is empty")
	}
	dec := xml.NewDecoder(strings.NewReader(doc))
	var root mdEntity
	if err := dec.Decode(&root); err != nil {
		return IdPMetadata{}, fmt.Errorf("metadata is not well-formed XML: %s", strings.TrimPrefix(err.Error(), "XML syntax error on "))
	}
	entity := root
	switch root.XMLName.Local {
	case "EntityDescriptor":
	case "EntitiesDescriptor":
		var found []mdEntity
		for _, e := range root.Entities {
			if len(e.IDPSSO) > 0 {
				found = append(found, e)
			}
		}
		if len(found) != 1 {
			return IdPMetadata{}, fmt.Errorf("EntitiesDescriptor must hold exactly one IdP, found %d", len(found))
		}
		entity = found[0]
	default:
		return IdPMetadata{}, fmt.Errorf("root element is %q, want EntityDescriptor", root.XMLName.Local)
	}
	if len(entity.IDPSSO) != 1 {
		return IdPMetadata{}, fmt.Errorf("want exactly one IDPSSODescriptor, found %d", len(entity.IDPSSO))
	}
	idp := entity.IDPSSO[0]
	if !strings.Contains(idp.ProtocolSupport, "urn:oasis:names:tc:SAML:2.0:protocol") {
		return IdPMetadata{}, errors.New("IDPSSODescriptor does not support the SAML 2.0 protocol")
	}
	md := IdPMetadata{EntityID: strings.TrimSpace(entity.EntityID)}
	if err := CheckEntityID("entityID", md.EntityID); err != nil {
		return IdPMetadata{}, err
	}
	switch strings.TrimSpace(idp.WantAuthnRequestsSigned) {
	case "", "false", "0":
	case "true", "1":
		md.WantRequestSigned = true
	default:
		return IdPMetadata{}, errors.New("WantAuthnRequestsSigned must be true or false")
	}
	for _, want := range []string{BindingRedirect, BindingPOST} {
		for _, ep := range idp.SSO {
			if ep.Binding == want && md.LoginURL == "" {
				md.LoginURL = strings.TrimSpace(ep.Location)
			}
		}
	}
	if md.LoginURL == "" {
		return IdPMetadata{}, errors.New("no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding")
	}
	if err := CheckURL("SingleSignOnService Location", md.LoginURL); err != nil {
		return IdPMetadata{}, err
	}
	for _, k := range idp.Keys {
		if k.Use != "" && k.Use != "signing" {
			continue
		}
		for _, c := range k.Certificates {
			if _, err := ParseCertificate(c); err != nil {
				return IdPMetadata{}, fmt.Errorf("signing %s", err)
			}
			md.Certificates = append(md.Certificates, c)
		}
	}
	if len(md.Certificates) == 0 {
		return IdPMetadata{}, errors.New("no signing certificate (KeyDescriptor/KeyInfo/X509Data/X509Certificate)")
	}
	return md, nil
}

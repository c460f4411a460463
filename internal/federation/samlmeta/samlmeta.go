// Package samlmeta reads and validates an identity provider's SAML 2.0
// metadata (an md:EntityDescriptor with an md:IDPSSODescriptor): its
// entity id, single sign-on and logout endpoints, name-id formats and
// signing certificates. It refuses what is not IdP metadata and any
// document with a DTD, so entity expansion cannot happen. It is pure: no
// I/O, and the clock is a parameter.
package samlmeta

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Namespaces and bindings of SAML 2.0 metadata.
const (
	NSMetadata = "urn:oasis:names:tc:SAML:2.0:metadata"
	NSDSig     = "http://www.w3.org/2000/09/xmldsig#"
	Protocol   = "urn:oasis:names:tc:SAML:2.0:protocol"

	BindingRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	BindingPOST     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
	BindingArtifact = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"
	BindingSOAP     = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"
)

// Limits on what Parse reads.
const (
	MaxBytes        = 1 << 20
	MaxEntityIDLen  = 1024
	MaxEndpoints    = 32
	MaxCertificates = 16
	maxDepth        = 32
)

// Metadata is a validated identity provider's metadata.
type Metadata struct {
	EntityID                string
	ValidUntil              time.Time // zero when the document sets none
	WantAuthnRequestsSigned bool
	SingleSignOn            []Endpoint // at least one, HTTP-Redirect or HTTP-POST among them
	SingleLogout            []Endpoint
	NameIDFormats           []string
	SigningCertificates     []Certificate // at least one
}

// Endpoint is a binding and the URL it is served at.
type Endpoint struct {
	Binding  string
	Location string
}

// Certificate is a signing certificate of the identity provider.
type Certificate struct {
	DER      []byte
	Subject  string
	NotAfter time.Time
	// SHA256 is the hex SHA-256 fingerprint of DER.
	SHA256 string
}

// Error says what is wrong with a document; every error Parse returns is
// one.
type Error struct{ Msg string }

func (e *Error) Error() string { return "SAML metadata: " + e.Msg }

func fail(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// The document's shape, as encoding/xml reads it (namespace-qualified).
type entityDescriptor struct {
	XMLName    xml.Name        `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID   string          `xml:"entityID,attr"`
	ValidUntil string          `xml:"validUntil,attr"`
	IDPs       []idpDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

type idpDescriptor struct {
	Protocols               string          `xml:"protocolSupportEnumeration,attr"`
	WantAuthnRequestsSigned string          `xml:"WantAuthnRequestsSigned,attr"`
	Keys                    []keyDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
	SSO                     []endpoint      `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleSignOnService"`
	SLO                     []endpoint      `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleLogoutService"`
	NameIDFormats           []string        `xml:"urn:oasis:names:tc:SAML:2.0:metadata NameIDFormat"`
}

type keyDescriptor struct {
	Use   string   `xml:"use,attr"`
	Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo>X509Data>X509Certificate"`
}

type endpoint struct {
	Binding  string `xml:"Binding,attr"`
	Location string `xml:"Location,attr"`
}

// Parse validates doc as one identity provider's SAML 2.0 metadata. now
// decides whether validUntil has passed.
func Parse(doc []byte, now time.Time) (*Metadata, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, fail("the document is empty")
	}
	if len(doc) > MaxBytes {
		return nil, fail("the document is %d bytes; at most %d are accepted", len(doc), MaxBytes)
	}
	if err := screen(doc); err != nil {
		return nil, err
	}
	var ed entityDescriptor
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	if err := dec.Decode(&ed); err != nil {
		return nil, fail("not an md:EntityDescriptor (%s) document: %v", NSMetadata, cleanXMLError(err))
	}
	md := &Metadata{EntityID: strings.TrimSpace(ed.EntityID)}
	if md.EntityID == "" {
		return nil, fail("the EntityDescriptor has no entityID")
	}
	if len(md.EntityID) > MaxEntityIDLen {
		return nil, fail("the entityID is %d characters; at most %d are accepted", len(md.EntityID), MaxEntityIDLen)
	}
	if u, err := url.Parse(md.EntityID); err != nil || u.Scheme == "" {
		return nil, fail("the entityID %q is not an absolute URI", md.EntityID)
	}
	if ed.ValidUntil != "" {
		t, err := time.Parse(time.RFC3339Nano, ed.ValidUntil)
		if err != nil {
			return nil, fail("validUntil %q is not an xs:dateTime", ed.ValidUntil)
		}
		if !t.After(now) {
			return nil, fail("the metadata expired at %s (validUntil)", t.UTC().Format(time.RFC3339))
		}
		md.ValidUntil = t
	}
	var idp *idpDescriptor
	for i := range ed.IDPs {
		if hasToken(ed.IDPs[i].Protocols, Protocol) {
			idp = &ed.IDPs[i]
			break
		}
	}
	if idp == nil {
		return nil, fail("no IDPSSODescriptor supports SAML 2.0 (protocolSupportEnumeration must contain %s)", Protocol)
	}
	switch strings.TrimSpace(idp.WantAuthnRequestsSigned) {
	case "", "false", "0":
	case "true", "1":
		md.WantAuthnRequestsSigned = true
	default:
		return nil, fail("WantAuthnRequestsSigned %q is not a boolean", idp.WantAuthnRequestsSigned)
	}
	var err error
	if md.SingleSignOn, err = endpoints("SingleSignOnService", idp.SSO); err != nil {
		return nil, err
	}
	if len(md.SingleSignOn) == 0 {
		return nil, fail("the IDPSSODescriptor has no SingleSignOnService")
	}
	browser := false
	for _, e := range md.SingleSignOn {
		browser = browser || e.Binding == BindingRedirect || e.Binding == BindingPOST
	}
	if !browser {
		return nil, fail("no SingleSignOnService has the HTTP-Redirect or HTTP-POST binding")
	}
	if md.SingleLogout, err = endpoints("SingleLogoutService", idp.SLO); err != nil {
		return nil, err
	}
	for _, f := range idp.NameIDFormats {
		if f = strings.TrimSpace(f); f != "" {
			md.NameIDFormats = append(md.NameIDFormats, f)
		}
	}
	for _, k := range idp.Keys {
		if use := strings.TrimSpace(k.Use); use != "" && use != "signing" {
			continue // "encryption" keys are not for checking signatures
		}
		for _, c := range k.Certs {
			if len(md.SigningCertificates) == MaxCertificates {
				return nil, fail("more than %d signing certificates", MaxCertificates)
			}
			cert, err := certificate(c)
			if err != nil {
				return nil, err
			}
			md.SigningCertificates = append(md.SigningCertificates, cert)
		}
	}
	if len(md.SigningCertificates) == 0 {
		return nil, fail("the IDPSSODescriptor has no signing certificate (KeyDescriptor use=\"signing\" with an X509Certificate)")
	}
	return md, nil
}

// screen reads the document's tokens once before decoding: it refuses a
// DTD (<!DOCTYPE …>, the only place entities can be declared), processing
// instructions other than the XML declaration, deep nesting and trailing
// content after the root element.
func screen(doc []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail("not well-formed XML: %v", cleanXMLError(err))
		}
		switch t := tok.(type) {
		case xml.Directive:
			return fail("a DTD or other <!…> declaration is not accepted (entity declarations are refused)")
		case xml.ProcInst:
			if t.Target != "xml" {
				return fail("the processing instruction <?%s?> is not accepted", t.Target)
			}
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return fail("the document has more than one root element")
				}
			}
			depth++
			if depth > maxDepth {
				return fail("elements are nested more than %d deep", maxDepth)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return fail("text outside the root element")
			}
		}
	}
	if roots == 0 {
		return fail("the document has no root element")
	}
	return nil
}

func endpoints(kind string, in []endpoint) ([]Endpoint, error) {
	if len(in) > MaxEndpoints {
		return nil, fail("more than %d %s elements", MaxEndpoints, kind)
	}
	var out []Endpoint
	for _, e := range in {
		b, loc := strings.TrimSpace(e.Binding), strings.TrimSpace(e.Location)
		switch b {
		case BindingRedirect, BindingPOST, BindingArtifact, BindingSOAP:
		case "":
			return nil, fail("a %s has no Binding", kind)
		default:
			return nil, fail("a %s has the unknown Binding %q", kind, b)
		}
		u, err := url.Parse(loc)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fail("the %s Location %q is not an absolute http(s) URL", kind, loc)
		}
		out = append(out, Endpoint{Binding: b, Location: loc})
	}
	return out, nil
}

func certificate(b64 string) (Certificate, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, b64)
	der, err := base64.StdEncoding.DecodeString(clean)
	if err != nil || len(der) == 0 {
		return Certificate{}, fail("an X509Certificate is not base64")
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return Certificate{}, fail("an X509Certificate is not a certificate: %v", err)
	}
	sum := sha256.Sum256(der)
	return Certificate{DER: der, Subject: c.Subject.String(), NotAfter: c.NotAfter, SHA256: hex.EncodeToString(sum[:])}, nil
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if f == tok {
			return true
		}
	}
	return false
}

// cleanXMLError keeps encoding/xml's message short (no document content
// beyond what the message itself quotes).
func cleanXMLError(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

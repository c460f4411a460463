package samlmeta

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func testCert(t testing.TB, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// doc builds IdP metadata; each field replaces a part of a valid document.
type doc struct {
	root, entityID, extraAttrs, protocols, keys, sso, slo, prolog, epilog string
}

func (d doc) String() string {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	root := or(d.root, "md:EntityDescriptor")
	return d.prolog + `<` + root + ` xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="` + or(d.entityID, "https://idp.example.com/saml") + `"` + d.extraAttrs + `>
  <md:IDPSSODescriptor protocolSupportEnumeration="` + or(d.protocols, "urn:oasis:names:tc:SAML:2.0:protocol") + `" WantAuthnRequestsSigned="true">
    ` + d.keys + `
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    ` + or(d.sso, `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso/post"/>`) + `
    ` + d.slo + `
  </md:IDPSSODescriptor>
</` + root + `>` + d.epilog
}

func signingKey(cert string) string {
	return `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + cert + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
}

func TestParseValid(t *testing.T) {
	sign, enc := testCert(t, "idp-signing"), testCert(t, "idp-encryption")
	// The certificate wrapped over lines, as IdPs publish it; a key
	// without "use" signs too; an encryption key does not.
	wrapped := sign[:40] + "\n      " + sign[40:]
	d := doc{
		keys: signingKey(wrapped) + `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + enc + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
		<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + enc + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
		slo:        `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>`,
		prolog:     `<?xml version="1.0" encoding="UTF-8"?>` + "\n<!-- exported by the IdP -->\n",
		extraAttrs: ` validUntil="2027-01-01T00:00:00Z" ID="_abc"`,
	}
	md, err := Parse([]byte(d.String()), now)
	if err != nil {
		t.Fatal(err)
	}
	if md.EntityID != "https://idp.example.com/saml" || !md.WantAuthnRequestsSigned || !md.ValidUntil.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("metadata = %+v", md)
	}
	if len(md.SingleSignOn) != 2 || md.SingleSignOn[1] != (Endpoint{Binding: BindingPOST, Location: "https://idp.example.com/sso/post"}) {
		t.Errorf("SSO = %+v", md.SingleSignOn)
	}
	if len(md.SingleLogout) != 1 || len(md.NameIDFormats) != 1 {
		t.Errorf("SLO = %+v, name-id formats %v", md.SingleLogout, md.NameIDFormats)
	}
	if len(md.SigningCertificates) != 2 || md.SigningCertificates[0].Subject != "CN=idp-signing" || md.SigningCertificates[1].Subject != "CN=idp-encryption" || len(md.SigningCertificates[0].SHA256) != 64 {
		t.Errorf("signing certificates = %+v", md.SigningCertificates)
	}
	// A URN entity id is an absolute URI too.
	d = doc{entityID: "urn:example:idp", keys: signingKey(sign)}
	if md, err := Parse([]byte(d.String()), now); err != nil || md.EntityID != "urn:example:idp" {
		t.Errorf("URN entity id: %+v, %v", md, err)
	}
}

func TestParseRefuses(t *testing.T) {
	cert := testCert(t, "idp")
	key := signingKey(cert)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>`
	cases := []struct {
		name, doc, msg string
	}{
		{"empty", "  ", "empty"},
		{"not XML", "{}", "text outside"},
		{"unclosed", "<a><b></a>", "not well-formed"},
		{"billion laughs", laughs + doc{keys: key, entityID: "&lol2;"}.String(), "DTD"},
		{"external entity", `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + doc{keys: key}.String(), "DTD"},
		{"undeclared entity", doc{keys: key, entityID: "&xxe;"}.String(), "not well-formed"},
		{"processing instruction", `<?xml-stylesheet href="x"?>` + doc{keys: key}.String(), "processing instruction"},
		{"trailing root", doc{keys: key, epilog: "<x/>"}.String(), "more than one root"},
		{"trailing text", doc{keys: key, epilog: "junk"}.String(), "text outside"},
		{"EntitiesDescriptor", `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` + doc{keys: key}.String() + `</md:EntitiesDescriptor>`, "not an md:EntityDescriptor"},
		{"wrong namespace", strings.Replace(doc{keys: key}.String(), "urn:oasis:names:tc:SAML:2.0:metadata", "urn:example", 1), "not an md:EntityDescriptor"},
		{"no entityID", strings.Replace(doc{keys: key}.String(), `entityID="https://idp.example.com/saml"`, "", 1), "no entityID"},
		{"relative entityID", doc{keys: key, entityID: "idp"}.String(), "absolute URI"},
		{"long entityID", doc{keys: key, entityID: "https://x/" + strings.Repeat("a", MaxEntityIDLen)}.String(), "at most"},
		{"expired", doc{keys: key, extraAttrs: ` validUntil="2026-01-01T00:00:00Z"`}.String(), "expired"},
		{"bad validUntil", doc{keys: key, extraAttrs: ` validUntil="tomorrow"`}.String(), "xs:dateTime"},
		{"SAML 1.1 only", doc{keys: key, protocols: "urn:oasis:names:tc:SAML:1.1:protocol"}.String(), "supports SAML 2.0"},
		{"no SSO", doc{keys: key, sso: " "}.String(), "no SingleSignOnService"},
		{"SOAP only", doc{keys: key, sso: `<md:SingleSignOnService Binding="` + BindingSOAP + `" Location="https://idp/soap"/>`}.String(), "HTTP-Redirect or HTTP-POST"},
		{"unknown binding", doc{keys: key, sso: `<md:SingleSignOnService Binding="urn:x" Location="https://idp/x"/>`}.String(), "unknown Binding"},
		{"javascript location", doc{keys: key, sso: `<md:SingleSignOnService Binding="` + BindingPOST + `" Location="javascript:alert(1)"/>`}.String(), "absolute http(s) URL"},
		{"relative SLO", doc{keys: key, slo: `<md:SingleLogoutService Binding="` + BindingPOST + `" Location="/slo"/>`}.String(), "SingleLogoutService Location"},
		{"no certificate", doc{}.String(), "no signing certificate"},
		{"encryption only", doc{keys: `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + cert + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`}.String(), "no signing certificate"},
		{"not base64", doc{keys: signingKey("%%%")}.String(), "not base64"},
		{"not a certificate", doc{keys: signingKey(base64.StdEncoding.EncodeToString([]byte("hello")))}.String(), "not a certificate"},
		{"bad boolean", strings.Replace(doc{keys: key}.String(), `WantAuthnRequestsSigned="true"`, `WantAuthnRequestsSigned="yes"`, 1), "not a boolean"},
		{"deep", doc{keys: key + strings.Repeat("<md:Extensions>", 40) + strings.Repeat("</md:Extensions>", 40)}.String(), "nested"},
		{"oversized", doc{keys: key + "<!--" + strings.Repeat("x", MaxBytes) + "-->"}.String(), "at most"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			md, err := Parse([]byte(c.doc), now)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Msg, c.msg) {
				t.Fatalf("Parse = %+v, %v; want an error containing %q", md, err, c.msg)
			}
			if strings.Contains(err.Error(), "/etc/passwd") && c.name != "external entity" {
				t.Fatalf("error quotes the document: %v", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	cert := testCert(f, "idp")
	f.Add([]byte(doc{keys: signingKey(cert)}.String()))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`))
	f.Add([]byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:x"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		md, err := Parse(in, now)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			return
		}
		if md.EntityID == "" || len(md.SingleSignOn) == 0 || len(md.SigningCertificates) == 0 {
			t.Fatalf("accepted incomplete metadata: %+v", md)
		}
	})
}

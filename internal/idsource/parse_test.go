package idsource

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

func makeCert(t testing.TB, cn string, notAfter time.Time) (pemText, b64 string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: cn}, NotBefore: notAfter.Add(-48 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), base64.StdEncoding.EncodeToString(der)
}

func TestParseCertificate(t *testing.T) {
	now := time.Now()
	good, goodB64 := makeCert(t, "idp", now.Add(time.Hour))
	wrapped := goodB64[:20] + "\n  " + goodB64[20:40] + "\r\n\t" + goodB64[40:]
	for _, in := range []string{good, "\n  " + good + "\n", goodB64, wrapped} {
		c, err := ParseCertificate(in)
		if err != nil || c.Subject.CommonName != "idp" {
			t.Fatalf("ParseCertificate(%.30q) = %v, %v", in, c, err)
		}
	}
	for name, in := range map[string]string{
		"empty":         "  ",
		"two blocks":    good + good,
		"key block":     strings.Replace(good, "CERTIFICATE", "PRIVATE KEY", 2),
		"broken PEM":    "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
		"not base64":    "hello world!",
		"not X.509":     base64.StdEncoding.EncodeToString([]byte("definitely not DER")),
		"too long":      strings.Repeat("A", maxCertBytes+1),
		"PEM + trailer": good + "junk",
	} {
		if _, err := ParseCertificate(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	expired, _ := makeCert(t, "old", now.Add(-time.Minute))
	if _, err := CheckCertificate(expired, now); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("CheckCertificate(expired) = %v", err)
	}
	if _, err := CheckCertificate(good, now); err != nil {
		t.Fatal(err)
	}
}

func TestCheckURLAndEntityID(t *testing.T) {
	for _, ok := range []string{"https://idp.example.com/sso", "http://127.0.0.1:8080/saml?x=1"} {
		if err := CheckURL("u", ok); err != nil {
			t.Errorf("CheckURL(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "idp.example.com/sso", "ftp://idp.example.com", "https://", "https://user:pw@idp.example.com/", "javascript:alert(1)", "https://" + strings.Repeat("a", maxURL)} {
		if err := CheckURL("u", bad); err == nil {
			t.Errorf("CheckURL(%.40q) accepted", bad)
		}
	}
	for _, ok := range []string{"https://idp.example.com", "urn:example:idp", "http://www.okta.com/exk1"} {
		if err := CheckEntityID("e", ok); err != nil {
			t.Errorf("CheckEntityID(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "has space", "tab\there", "ctl\x01", strings.Repeat("e", maxEntityID+1)} {
		if err := CheckEntityID("e", bad); err == nil {
			t.Errorf("CheckEntityID(%.40q) accepted", bad)
		}
	}
}

const mdTemplate = `<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="ENTITY">
  <IDPSSODescriptor WantAuthnRequestsSigned="WANT" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="USE"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>CERT</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>
    <SingleSignOnService Binding="BINDING" Location="LOCATION"/>
  </IDPSSODescriptor>
</EntityDescriptor>`

func md(repl ...string) string { return strings.NewReplacer(repl...).Replace(mdTemplate) }

func TestParseIdPMetadata(t *testing.T) {
	_, b64 := makeCert(t, "idp", time.Now().Add(time.Hour))
	base := []string{"ENTITY", "https://idp.example.com", "WANT", "true", "USE", "signing", "CERT", b64, "BINDING", BindingRedirect, "LOCATION", "https://idp.example.com/sso"}
	with := func(k, v string) string {
		r := append([]string(nil), base...)
		for i := 0; i < len(r); i += 2 {
			if r[i] == k {
				r[i+1] = v
			}
		}
		return md(r...)
	}
	got, err := ParseIdPMetadata(md(base...))
	if err != nil || got.EntityID != "https://idp.example.com" || got.LoginURL != "https://idp.example.com/sso" || !got.WantRequestSigned || len(got.Certificates) != 1 {
		t.Fatalf("ParseIdPMetadata = %+v, %v", got, err)
	}
	if got, err := ParseIdPMetadata(with("USE", "")); err != nil || len(got.Certificates) != 1 {
		t.Fatalf("a KeyDescriptor without use is a signing key: %+v, %v", got, err)
	}
	if got, err := ParseIdPMetadata(with("WANT", "false")); err != nil || got.WantRequestSigned {
		t.Fatalf("WantAuthnRequestsSigned=false: %+v, %v", got, err)
	}
	if got, err := ParseIdPMetadata(with("BINDING", BindingPOST)); err != nil || got.LoginURL != "https://idp.example.com/sso" {
		t.Fatalf("HTTP-POST only: %+v, %v", got, err)
	}
	wrapped := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + strings.TrimPrefix(md(base...), `<?xml version="1.0"?>`) + `</EntitiesDescriptor>`
	if got, err := ParseIdPMetadata(wrapped); err != nil || got.EntityID != "https://idp.example.com" {
		t.Fatalf("EntitiesDescriptor: %+v, %v", got, err)
	}
	for name, tc := range map[string]struct{ doc, want string }{
		"empty":              {"", "empty"},
		"not XML":            {"<EntityDescriptor", "XML"},
		"wrong root":         {"<foo/>", "root element"},
		"no IDPSSO":          {`<EntityDescriptor entityID="x"/>`, "IDPSSODescriptor"},
		"SOAP binding only":  {with("BINDING", "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"), "SingleSignOnService"},
		"relative SSO":       {with("LOCATION", "/sso"), "absolute"},
		"entity with space":  {with("ENTITY", "a b"), "entityID"},
		"no entity":          {with("ENTITY", ""), "entityID"},
		"encryption key":     {with("USE", "encryption"), "no signing certificate"},
		"broken certificate": {with("CERT", "AAAA"), "certificate"},
		"bad want":           {with("WANT", "maybe"), "WantAuthnRequestsSigned"},
		"SAML 1.1":           {strings.Replace(md(base...), "SAML:2.0:protocol", "SAML:1.1:protocol", 1), "SAML 2.0"},
		"two IdPs":           {`<EntitiesDescriptor>` + md(base...)[21:] + md(base...)[21:] + `</EntitiesDescriptor>`, "exactly one IdP"},
		"too large":          {strings.Repeat(" ", maxMetadataBytes+1), "longer"},
	} {
		_, err := ParseIdPMetadata(tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", name, err, tc.want)
		}
	}
}

// FuzzParseIdPMetadata feeds untrusted metadata to the parser: it must
// never panic, and whatever it accepts must satisfy the checks it claims.
// Run it with -fuzzminimizetime 100x: minimizing the ~1 KB seeds otherwise
// takes up to a minute per new input and looks like a stall.
func FuzzParseIdPMetadata(f *testing.F) {
	_, b64 := makeCert(f, "idp", time.Now().Add(time.Hour))
	f.Add(md("ENTITY", "https://idp.example.com", "WANT", "true", "USE", "signing", "CERT", b64, "BINDING", BindingRedirect, "LOCATION", "https://idp.example.com/sso"))
	f.Add(`<EntitiesDescriptor><EntityDescriptor entityID="x"><IDPSSODescriptor/></EntityDescriptor></EntitiesDescriptor>`)
	f.Add(`<!DOCTYPE x [<!ENTITY a "aaaa">]><EntityDescriptor entityID="&a;"/>`)
	f.Add("")
	f.Fuzz(func(t *testing.T, doc string) {
		got, err := ParseIdPMetadata(doc)
		if err != nil {
			return
		}
		if CheckEntityID("entityID", got.EntityID) != nil || CheckURL("sso", got.LoginURL) != nil || len(got.Certificates) == 0 {
			t.Fatalf("accepted invalid metadata: %+v", got)
		}
		for _, c := range got.Certificates {
			if _, err := ParseCertificate(c); err != nil {
				t.Fatalf("accepted a certificate that does not parse: %v", err)
			}
		}
	})
}

// FuzzParseCertificate: no panic on any input; an accepted certificate
// round-trips through its PEM form.
func FuzzParseCertificate(f *testing.F) {
	good, b64 := makeCert(f, "idp", time.Now().Add(time.Hour))
	f.Add(good)
	f.Add(b64)
	f.Add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCertificate(in)
		if err != nil {
			return
		}
		again, err := ParseCertificate(CertificatePEM(c))
		if err != nil || !again.Equal(c) {
			t.Fatalf("PEM round trip failed: %v", err)
		}
	})
}

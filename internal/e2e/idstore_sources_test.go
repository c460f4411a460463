package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/idsource"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// testCert makes a self-signed IdP certificate valid from notBefore to
// notAfter and returns its PEM and bare base64 DER forms.
func testCert(t *testing.T, cn string, notBefore, notAfter time.Time) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), base64.StdEncoding.EncodeToString(der)
}

func validCert(t *testing.T, cn string) (string, string) {
	return testCert(t, cn, time.Now().Add(-time.Hour), time.Now().Add(365*24*time.Hour))
}

func idpMetadata(entityID, sso, certB64 string) string {
	return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="` + entityID + `">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
` + certB64 + `
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + sso + `/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + sso + `"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
}

func TestExternalIdPThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, storeID := identityStore(t, dialect)
		list, err := c.ListExternalIdPConfigurationsForDirectory(&model.ListExternalIdPConfigurationsForDirectoryRequest{IdentityStoreId: storeID})
		if err != nil || list.Associations == nil || len(*list.Associations) != 0 {
			t.Fatalf("list before create = %+v, %v; want an empty array", list, err)
		}
		create := func(body model.CreateIdpReqBody) (*model.CreateExternalIdPConfigurationForDirectoryResponse, error) {
			return c.CreateExternalIdPConfigurationForDirectory(&model.CreateExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID, Body: &body})
		}
		_, err = create(model.CreateIdpReqBody{})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = create(model.CreateIdpReqBody{IdpSamlMetadata: ptr("<not xml")})
		se := testenv.WantError(t, err, 400, "IIC.1327")
		if !strings.Contains(se.ErrorMessage, "XML") {
			t.Fatalf("message %q does not say what is wrong", se.ErrorMessage)
		}
		expiredPEM, expiredB64 := testCert(t, "old", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
		_, err = create(model.CreateIdpReqBody{IdpSamlMetadata: ptr(idpMetadata("https://idp.example.com", "https://idp.example.com/sso", expiredB64))})
		se = testenv.WantError(t, err, 400, "IIC.1327")
		if !strings.Contains(se.ErrorMessage, "expired") {
			t.Fatalf("expired certificate: message %q", se.ErrorMessage)
		}
		_, b64 := validCert(t, "idp-1")
		_, err = create(model.CreateIdpReqBody{IdpSamlMetadata: ptr(idpMetadata("https://idp.example.com", "ftp://idp.example.com/sso", b64))})
		testenv.WantError(t, err, 400, "IIC.1327")
		var cfg interface{} = map[string]any{"entity_id": "https://idp.example.com", "login_url": "https://idp.example.com/sso"}
		_, err = create(model.CreateIdpReqBody{IdpSamlConfig: &cfg, IdpCertificate: ptr(expiredPEM)})
		testenv.WantError(t, err, 400, "IIC.1327")
		_, err = create(model.CreateIdpReqBody{IdpSamlConfig: &cfg, IdpCertificate: ptr("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")})
		testenv.WantError(t, err, 400, "IIC.1327")

		created, err := create(model.CreateIdpReqBody{IdpSamlMetadata: ptr(idpMetadata("https://idp.example.com", "https://idp.example.com/sso", b64))})
		if err != nil {
			t.Fatal(err)
		}
		if created.HttpStatusCode != 201 || created.IdpId == nil || created.IdpCertificateIds == nil || len(*created.IdpCertificateIds) != 1 ||
			*created.IdpCertificateId != (*created.IdpCertificateIds)[0] {
			t.Fatalf("create = %+v", created)
		}
		sp := created.HwsSpSamlConfig
		if sp == nil || sp.Issuer != pub(srv)+"/v1/saml/"+storeID+"/metadata" || sp.AcsUrl != pub(srv)+"/v1/saml/"+storeID+"/acs" ||
			!strings.Contains(sp.Metadata, "<X509Certificate>") {
			t.Fatalf("hws_sp_saml_config = %+v; want our SP with a signing certificate", sp)
		}
		idpID := *created.IdpId
		_, err = create(model.CreateIdpReqBody{IdpSamlConfig: &cfg, IdpCertificate: ptr(b64)})
		testenv.WantError(t, err, 400, "IIC.1328")

		list, err = c.ListExternalIdPConfigurationsForDirectory(&model.ListExternalIdPConfigurationsForDirectoryRequest{IdentityStoreId: storeID})
		if err != nil || len(*list.Associations) != 1 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		got := (*list.Associations)[0]
		if got.IdpId != idpID || got.IsEnabled || got.IdpSamlConfig == nil || got.IdpSamlConfig.EntityId != "https://idp.example.com" ||
			got.IdpSamlConfig.LoginUrl != "https://idp.example.com/sso" || !got.IdpSamlConfig.WantRequestSigned ||
			len(got.IdpCertificateIds) != 1 || got.IdpCertificateIds[0].Status != "ACTIVE" {
			t.Fatalf("association = %+v (saml %+v); want the metadata's values, disabled, HTTP-Redirect SSO URL", got, got.IdpSamlConfig)
		}

		enable := func(id string) error {
			_, err := c.EnableExternalIdPConfigurationForDirectory(&model.EnableExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID, IdpId: id})
			return err
		}
		disable := func(id string) error {
			_, err := c.DisableExternalIdPConfigurationForDirectory(&model.DisableExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID, IdpId: id})
			return err
		}
		testenv.WantError(t, disable(idpID), 400, "IIC.1329")
		if err := enable(idpID); err != nil {
			t.Fatal(err)
		}
		testenv.WantError(t, enable(idpID), 400, "IIC.1329")
		list, _ = c.ListExternalIdPConfigurationsForDirectory(&model.ListExternalIdPConfigurationsForDirectoryRequest{IdentityStoreId: storeID})
		if !(*list.Associations)[0].IsEnabled {
			t.Fatal("enable not saved")
		}
		if err := disable(idpID); err != nil {
			t.Fatal(err)
		}
		testenv.WantError(t, enable("nope"), 404, "IIC.1330")
		testenv.WantError(t, disable("nope"), 404, "IIC.1330")

		update := func(id, entity, login string) error {
			_, err := c.UpdateExternalIdPConfigurationForDirectory(&model.UpdateExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID, IdpId: id,
				Body: &model.UpdateExternalIdPConfigurationForDirectoryReqBody{EntityId: entity, LoginUrl: login}})
			return err
		}
		if err := update(idpID, "urn:idp:new", "https://new.example.com/saml"); err != nil {
			t.Fatal(err)
		}
		testenv.WantError(t, update(idpID, "urn:idp:new", "not a url"), 400, "IIC.400")
		testenv.WantError(t, update(idpID, "", "https://new.example.com/saml"), 400, "IIC.400")
		testenv.WantError(t, update("nope", "urn:x", "https://x.example.com"), 404, "IIC.1330")
		list, _ = c.ListExternalIdPConfigurationsForDirectory(&model.ListExternalIdPConfigurationsForDirectoryRequest{IdentityStoreId: storeID})
		if s := (*list.Associations)[0].IdpSamlConfig; s.EntityId != "urn:idp:new" || s.LoginUrl != "https://new.example.com/saml" {
			t.Fatalf("update not saved: %+v", s)
		}

		testIdPCertificates(t, c, storeID, idpID, (*created.IdpCertificateIds)[0])

		del := func(id string) error {
			_, err := c.DeleteExternalIdPConfigurationForDirectory(&model.DeleteExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID, IdpId: id})
			return err
		}
		if err := del(idpID); err != nil {
			t.Fatal(err)
		}
		testenv.WantError(t, del(idpID), 404, "IIC.1330")
		// A configuration given directly (not as metadata) after the delete.
		pemText, _ := validCert(t, "idp-2")
		created, err = create(model.CreateIdpReqBody{IdpSamlConfig: &cfg, IdpCertificate: ptr(pemText)})
		if err != nil || created.IdpId == nil || *created.IdpId == idpID {
			t.Fatalf("create from config = %+v, %v", created, err)
		}
		// Another store's id is not found.
		_, err = c.ListExternalIdPConfigurationsForDirectory(&model.ListExternalIdPConfigurationsForDirectoryRequest{IdentityStoreId: "d-0000000000"})
		testenv.WantError(t, err, 404, "IIC.1259")
	})
}

func testIdPCertificates(t *testing.T, c interface {
	ListExternalIdPCertificates(*model.ListExternalIdPCertificatesRequest) (*model.ListExternalIdPCertificatesResponse, error)
	ImportExternalIdPCertificate(*model.ImportExternalIdPCertificateRequest) (*model.ImportExternalIdPCertificateResponse, error)
	DeleteExternalIdPCertificate(*model.DeleteExternalIdPCertificateRequest) (*model.DeleteExternalIdPCertificateResponse, error)
}, storeID, idpID, firstCert string) {
	t.Helper()
	certs, err := c.ListExternalIdPCertificates(&model.ListExternalIdPCertificatesRequest{IdentityStoreId: storeID, IdpId: idpID})
	if err != nil || certs.IdpCertificates == nil || len(*certs.IdpCertificates) != 1 {
		t.Fatalf("certificates = %+v, %v", certs, err)
	}
	first := (*certs.IdpCertificates)[0]
	if first.CertificateId != firstCert || first.SubjectName != "CN=idp-1" || first.IssuerName != "CN=idp-1" || first.Version != 3 ||
		first.SerialNumberString == "" || first.PublicKey == "" || first.SignatureAlgorithmName != "ECDSA-SHA256" ||
		!strings.HasPrefix(first.X509CertificateInPem, "-----BEGIN CERTIFICATE-----") || first.NotAfter <= first.NotBefore {
		t.Fatalf("certificate = %+v", first)
	}
	if d := time.UnixMilli(int64(first.NotAfter)).Sub(time.Now().Add(365 * 24 * time.Hour)); d < -time.Hour || d > time.Hour {
		t.Fatalf("not_after = %v", first.NotAfter)
	}
	_, err = c.ListExternalIdPCertificates(&model.ListExternalIdPCertificatesRequest{IdentityStoreId: storeID, IdpId: "nope"})
	testenv.WantError(t, err, 404, "IIC.1330")

	signing := model.GetImportExternalIdPCertificateReqBodyCertificateUseEnum().SIGNING
	imp := func(id, pemText string) (*model.ImportExternalIdPCertificateResponse, error) {
		return c.ImportExternalIdPCertificate(&model.ImportExternalIdPCertificateRequest{IdentityStoreId: storeID, IdpId: id,
			Body: &model.ImportExternalIdPCertificateReqBody{X509CertificateInPem: pemText, CertificateUse: signing}})
	}
	_, err = imp(idpID, "garbage")
	testenv.WantError(t, err, 400, "IIC.400")
	expired, _ := testCert(t, "old", time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))
	_, err = imp(idpID, expired)
	testenv.WantError(t, err, 400, "IIC.400")
	_, err = imp(idpID, first.X509CertificateInPem)
	testenv.WantError(t, err, 400, "IIC.400") // already imported
	second, _ := validCert(t, "idp-rotated")
	_, err = imp("nope", second)
	testenv.WantError(t, err, 404, "IIC.1330")
	res, err := imp(idpID, second)
	if err != nil || res.CertificateId == nil || *res.CertificateId == firstCert {
		t.Fatalf("import = %+v, %v", res, err)
	}
	third, _ := validCert(t, "idp-third")
	_, err = imp(idpID, third)
	se := testenv.WantError(t, err, 400, "IIC.400")
	if !strings.Contains(se.ErrorMessage, "at most 2") {
		t.Fatalf("limit message %q", se.ErrorMessage)
	}
	certs, _ = c.ListExternalIdPCertificates(&model.ListExternalIdPCertificatesRequest{IdentityStoreId: storeID, IdpId: idpID})
	if len(*certs.IdpCertificates) != 2 || (*certs.IdpCertificates)[1].SubjectName != "CN=idp-rotated" {
		t.Fatalf("certificates after import = %+v", certs)
	}

	del := func(id string) error {
		_, err := c.DeleteExternalIdPCertificate(&model.DeleteExternalIdPCertificateRequest{IdentityStoreId: storeID, IdpId: idpID, CertificateId: id})
		return err
	}
	testenv.WantError(t, del("nope"), 404, "IIC.400")
	if err := del(firstCert); err != nil {
		t.Fatal(err)
	}
	testenv.WantError(t, del(firstCert), 404, "IIC.400")
	testenv.WantError(t, del(*res.CertificateId), 400, "IIC.400") // the last one stays
	certs, _ = c.ListExternalIdPCertificates(&model.ListExternalIdPCertificatesRequest{IdentityStoreId: storeID, IdpId: idpID})
	if len(*certs.IdpCertificates) != 1 || (*certs.IdpCertificates)[0].CertificateId != *res.CertificateId {
		t.Fatalf("certificates after delete = %+v", certs)
	}
}

func TestSPCertificatesThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, storeID := identityStore(t, dialect)
		cfg, err := c.GetSpConfigurationForDirectory(&model.GetSpConfigurationForDirectoryRequest{IdentityStoreId: storeID})
		if err != nil || cfg.SpSamlConfig == nil || cfg.SpOidcConfig == nil {
			t.Fatalf("sp-config = %+v, %v", cfg, err)
		}
		if cfg.SpSamlConfig.Issuer != pub(srv)+"/v1/saml/"+storeID+"/metadata" || cfg.SpSamlConfig.AcsUrl != pub(srv)+"/v1/saml/"+storeID+"/acs" ||
			cfg.SpOidcConfig.RedirectUrl != pub(srv)+"/v1/oidc/"+storeID+"/callback" ||
			!strings.Contains(cfg.SpSamlConfig.Metadata, `entityID="`+cfg.SpSamlConfig.Issuer+`"`) || strings.Contains(cfg.SpSamlConfig.Metadata, "KeyDescriptor") {
			t.Fatalf("sp-config = %+v %+v", cfg.SpSamlConfig, cfg.SpOidcConfig)
		}
		list, err := c.ListSpCertificates(&model.ListSpCertificatesRequest{IdentityStoreId: storeID})
		if err != nil || list.Body == nil || len(*list.Body) != 0 {
			t.Fatalf("list before create = %+v, %v; want an empty array", list, err)
		}
		first, err := c.CreateSpCertificate(&model.CreateSpCertificateRequest{IdentityStoreId: storeID})
		if err != nil {
			t.Fatal(err)
		}
		if first.HttpStatusCode != 201 || first.State.Value() != "ACTIVE" || *first.Algorithm != "SHA256withRSA" || first.CertificateId == nil {
			t.Fatalf("create = %+v", first)
		}
		block, _ := pem.Decode([]byte(*first.X509certificate))
		if block == nil {
			t.Fatalf("x509certificate is not PEM: %q", *first.X509certificate)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil || cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) != nil || cert.PublicKey.(*rsa.PublicKey).N.BitLen() != 2048 {
			t.Fatalf("certificate is not a self-signed RSA-2048 certificate: %v", err)
		}
		if *first.ExpiryDate != cert.NotAfter.UnixMilli() || cert.NotAfter.Before(time.Now().Add(4*365*24*time.Hour)) {
			t.Fatalf("expiry_date %d, certificate not after %v", *first.ExpiryDate, cert.NotAfter)
		}
		// The private key is sealed at rest and opens with the server's keys.
		stored, err := srv.App.Store.SPCertificates().Get(t.Context(), storeID, *first.CertificateId)
		if err != nil || strings.Contains(string(stored.KeySealed), "PRIVATE KEY") {
			t.Fatalf("stored certificate = %v", err)
		}
		if raw, err := srv.App.Keys.Open(stored.KeySealed, idsource.SPKeyAAD(storeID, stored.ID)); err != nil {
			t.Fatalf("sealed key does not open: %v", err)
		} else if k, err := x509.ParsePKCS8PrivateKey(raw); err != nil || !k.(*rsa.PrivateKey).PublicKey.Equal(cert.PublicKey) {
			t.Fatalf("sealed key does not match the certificate: %v", err)
		}
		second, err := c.CreateSpCertificate(&model.CreateSpCertificateRequest{IdentityStoreId: storeID})
		if err != nil || second.State.Value() != "INACTIVE" {
			t.Fatalf("second create = %+v, %v", second, err)
		}
		_, err = c.CreateSpCertificate(&model.CreateSpCertificateRequest{IdentityStoreId: storeID})
		testenv.WantError(t, err, 400, "IIC.400")

		del := func(id string) error {
			_, err := c.DeleteSpCertificate(&model.DeleteSpCertificateRequest{IdentityStoreId: storeID, CertificateId: id})
			return err
		}
		activate := func(id string) error {
			_, err := c.UpdateSpActiveCertificate(&model.UpdateSpActiveCertificateRequest{IdentityStoreId: storeID, CertificateId: id})
			return err
		}
		testenv.WantError(t, del("nope"), 404, "IIC.400")
		testenv.WantError(t, activate("nope"), 404, "IIC.400")
		if err := activate(*second.CertificateId); err != nil {
			t.Fatal(err)
		}
		list, err = c.ListSpCertificates(&model.ListSpCertificatesRequest{IdentityStoreId: storeID})
		if err != nil || len(*list.Body) != 2 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		for _, sc := range *list.Body {
			want := map[bool]string{true: "ACTIVE", false: "INACTIVE"}[sc.CertificateId == *second.CertificateId]
			if sc.State.Value() != want || sc.Algorithm != "SHA256withRSA" || sc.ExpiryDate == 0 || sc.X509certificate == "" {
				t.Fatalf("certificate %+v, want state %s", sc, want)
			}
		}
		if err := del(*first.CertificateId); err != nil {
			t.Fatal(err)
		}
		cfg, _ = c.GetSpConfigurationForDirectory(&model.GetSpConfigurationForDirectoryRequest{IdentityStoreId: storeID})
		block, _ = pem.Decode([]byte(*second.X509certificate))
		if !strings.Contains(cfg.SpSamlConfig.Metadata, base64.StdEncoding.EncodeToString(block.Bytes)) {
			t.Fatal("SP metadata does not carry the active certificate")
		}
		// The raw wire form is a bare JSON array.
		resp, body := srv.Do(t, "GET", "/v1/identity-stores/"+storeID+"/saml-certificates", nil, nil, true)
		var arr []map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(body, &arr) != nil || len(arr) != 1 {
			t.Fatalf("raw list = %d %s", resp.StatusCode, body)
		}

		// The active certificate can be deleted too (the product's rule: a
		// Terraform configuration that activated its certificate destroys
		// it). None is active then, and the next one created is.
		if err := del(*second.CertificateId); err != nil {
			t.Fatalf("deleting the active certificate: %v", err)
		}
		list, err = c.ListSpCertificates(&model.ListSpCertificatesRequest{IdentityStoreId: storeID})
		if err != nil || len(*list.Body) != 0 {
			t.Fatalf("list after deleting the active certificate = %+v, %v", list, err)
		}
		cfg, _ = c.GetSpConfigurationForDirectory(&model.GetSpConfigurationForDirectoryRequest{IdentityStoreId: storeID})
		if strings.Contains(cfg.SpSamlConfig.Metadata, "KeyDescriptor") {
			t.Fatal("SP metadata still carries a signing key with no certificate left")
		}
		third, err := c.CreateSpCertificate(&model.CreateSpCertificateRequest{IdentityStoreId: storeID})
		if err != nil || third.State.Value() != "ACTIVE" {
			t.Fatalf("create after the active one went = %+v, %v; want ACTIVE", third, err)
		}
	})
}

func TestIdentityStoreSummaryThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, storeID := identityStore(t, dialect)
		sum, err := c.GetIdentityStoreSummary(&model.GetIdentityStoreSummaryRequest{IdentityStoreId: storeID})
		if err != nil || *sum.Users != 0 || *sum.Groups != 0 || *sum.UsersQuota != 100000 || *sum.GroupsQuota != 100000 {
			t.Fatalf("summary = %+v, %v", sum, err)
		}
		now := time.Now()
		for _, name := range []string{"alice", "bob"} {
			u := store.User{IdentityStoreID: storeID, ID: "u-" + name, UserName: name, DisplayName: name, Enabled: true, CreatedAt: now, UpdatedAt: now}
			if err := srv.App.Store.Users().Create(t.Context(), u); err != nil {
				t.Fatal(err)
			}
		}
		sum, err = c.GetIdentityStoreSummary(&model.GetIdentityStoreSummaryRequest{IdentityStoreId: storeID})
		if err != nil || *sum.Users != 2 {
			t.Fatalf("summary after two users = %+v, %v", sum, err)
		}
		_, err = c.GetIdentityStoreSummary(&model.GetIdentityStoreSummaryRequest{IdentityStoreId: "d-0000000000"})
		testenv.WantError(t, err, 404, "IIC.1259")
	})
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func nearNow(ms float32, d time.Duration) bool {
	delta := time.Until(time.UnixMilli(int64(ms)).Add(-d))
	return delta > -5*time.Minute && delta < 5*time.Minute // float32 keeps ~2 minutes of precision
}

func TestSCIMProvisioningThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, storeID := identityStore(t, dialect)
		tenants, err := c.ListProvisioningTenants(&model.ListProvisioningTenantsRequest{IdentityStoreId: storeID})
		if err != nil || tenants.ProvisioningTenants == nil || len(*tenants.ProvisioningTenants) != 0 {
			t.Fatalf("tenants before create = %+v, %v", tenants, err)
		}
		created, err := c.CreateProvisioningTenant(&model.CreateProvisioningTenantRequest{IdentityStoreId: storeID})
		if err != nil {
			t.Fatal(err)
		}
		tenantID := *created.TenantId
		if created.HttpStatusCode != 201 || !uuidRE.MatchString(tenantID) || *created.ScimEndpoint != pub(srv)+"/"+tenantID+"/scim/v2" || !nearNow(created.CreationTime, 0) {
			t.Fatalf("create tenant = %+v", created)
		}
		_, err = c.CreateProvisioningTenant(&model.CreateProvisioningTenantRequest{IdentityStoreId: storeID})
		testenv.WantError(t, err, 400, "IIC.1331")
		tenants, _ = c.ListProvisioningTenants(&model.ListProvisioningTenantsRequest{IdentityStoreId: storeID})
		if len(*tenants.ProvisioningTenants) != 1 || (*tenants.ProvisioningTenants)[0].TenantId != tenantID || (*tenants.ProvisioningTenants)[0].ScimEndpoint != *created.ScimEndpoint {
			t.Fatalf("tenants = %+v", tenants)
		}

		newToken := func(tenant string) (*model.CreateBearerTokenResponse, error) {
			return c.CreateBearerToken(&model.CreateBearerTokenRequest{IdentityStoreId: storeID, TenantId: tenant})
		}
		_, err = newToken("nope")
		testenv.WantError(t, err, 404, "IIC.1332")
		tok1, err := newToken(tenantID)
		if err != nil {
			t.Fatal(err)
		}
		if tok1.HttpStatusCode != 201 || !strings.HasPrefix(*tok1.Token, idsource.TokenPrefix) || len(*tok1.Token) < len(idsource.TokenPrefix)+43 ||
			!uuidRE.MatchString(*tok1.TokenId) || !nearNow(tok1.CreationTime, 0) || !nearNow(tok1.ExpirationTime, 365*24*time.Hour) {
			t.Fatalf("create token = %+v", tok1)
		}
		tok2, err := newToken(tenantID)
		if err != nil || *tok2.Token == *tok1.Token {
			t.Fatalf("second token = %+v, %v", tok2, err)
		}
		_, err = newToken(tenantID)
		testenv.WantError(t, err, 400, "IIC.1335")

		tokens, err := c.ListBearerTokens(&model.ListBearerTokensRequest{IdentityStoreId: storeID, TenantId: tenantID})
		if err != nil || len(*tokens.BearerTokens) != 2 || (*tokens.BearerTokens)[0].TokenId != *tok1.TokenId || !nearNow((*tokens.BearerTokens)[1].ExpirationTime, 365*24*time.Hour) {
			t.Fatalf("tokens = %+v, %v", tokens, err)
		}
		_, raw := srv.Do(t, "GET", "/v1/identity-stores/"+storeID+"/tenant/"+tenantID+"/bearer-token", nil, nil, true)
		if strings.Contains(string(raw), *tok1.Token) || strings.Contains(string(raw), idsource.TokenPrefix) {
			t.Fatalf("token list shows a secret: %s", raw)
		}
		_, err = c.ListBearerTokens(&model.ListBearerTokensRequest{IdentityStoreId: storeID, TenantId: "nope"})
		testenv.WantError(t, err, 404, "IIC.1332")

		// The secret the SDK received authenticates the tenant (the later
		// SCIM surface's check), and only that tenant.
		svc := &idsource.Service{Store: srv.App.Store, Now: time.Now}
		if got, err := svc.AuthenticateSCIMToken(t.Context(), tenantID, "Bearer "+*tok1.Token); err != nil || got.IdentityStoreID != storeID {
			t.Fatalf("AuthenticateSCIMToken = %+v, %v", got, err)
		}
		if _, err := svc.AuthenticateSCIMToken(t.Context(), "other-tenant", *tok1.Token); err != idsource.ErrInvalidToken {
			t.Fatalf("token accepted for another tenant: %v", err)
		}

		_, err = c.DeleteProvisioningTenant(&model.DeleteProvisioningTenantRequest{IdentityStoreId: storeID, TenantId: tenantID})
		testenv.WantError(t, err, 400, "IIC.1333")
		delToken := func(tenant, id string) error {
			_, err := c.DeleteBearerToken(&model.DeleteBearerTokenRequest{IdentityStoreId: storeID, TenantId: tenant, TokenId: id})
			return err
		}
		testenv.WantError(t, delToken(tenantID, "nope"), 404, "IIC.1334")
		testenv.WantError(t, delToken("nope", *tok1.TokenId), 404, "IIC.1332")
		for _, id := range []string{*tok1.TokenId, *tok2.TokenId} {
			if err := delToken(tenantID, id); err != nil {
				t.Fatal(err)
			}
		}
		testenv.WantError(t, delToken(tenantID, *tok1.TokenId), 404, "IIC.1334")
		if _, err := svc.AuthenticateSCIMToken(t.Context(), tenantID, *tok1.Token); err != idsource.ErrInvalidToken {
			t.Fatalf("a deleted token still authenticates: %v", err)
		}
		if _, err := c.DeleteProvisioningTenant(&model.DeleteProvisioningTenantRequest{IdentityStoreId: storeID, TenantId: tenantID}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteProvisioningTenant(&model.DeleteProvisioningTenantRequest{IdentityStoreId: storeID, TenantId: tenantID})
		testenv.WantError(t, err, 404, "IIC.1332")
		tenants, _ = c.ListProvisioningTenants(&model.ListProvisioningTenantsRequest{IdentityStoreId: storeID})
		if len(*tenants.ProvisioningTenants) != 0 {
			t.Fatalf("tenants after delete = %+v", tenants)
		}
	})
}

// pub is the server's configured public URL, which the SP and SCIM URLs
// are built from.
func pub(srv *testenv.Server) string { return srv.App.Config.PublicURL }

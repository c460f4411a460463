package terraform

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// forEachDialect runs fn on SQLite, and on PostgreSQL when
// IIC_TEST_POSTGRES_URL is set, as parallel subtests.
func forEachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// managedID is the id of the system-defined policy or role name.
func managedID(t *testing.T, name string) string {
	t.Helper()
	p, err := managed.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// validCert is a self-signed certificate valid for a year: PEM and base64 DER.
func validCert(t *testing.T, cn string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), base64.StdEncoding.EncodeToString(der)
}

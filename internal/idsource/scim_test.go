package idsource

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

var bg = context.Background()

// newService returns a service over a fresh SQLite store holding one
// instance (account "acct", store "d-0000000001") and a movable clock.
func newService(t *testing.T) (*Service, *time.Time) {
	t.Helper()
	st := sqltest.Open(t, "sqlite").Store()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if err := st.Accounts().Create(bg, store.Account{ID: "acct", Name: "acct", Email: "a@example.com", IsManagement: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.Instances().Create(bg, store.Instance{ID: "ins-0000000000000001", AccountID: "acct", IdentityStoreID: "d-0000000001", RegionID: "r", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	id := &identity.Service{Store: st, Now: clock}
	return &Service{Store: st, Now: func() time.Time { return now }, Keys: keys, Identity: id, PublicURL: "https://iic.example.com"}, &now
}

func TestAuthenticateSCIMToken(t *testing.T) {
	s, now := newService(t)
	tn, err := s.CreateTenant(bg, "d-0000000001")
	if err != nil {
		t.Fatal(err)
	}
	if tn.Endpoint != "https://iic.example.com/"+tn.ID+"/scim/v2" {
		t.Fatalf("endpoint %q", tn.Endpoint)
	}
	tok, err := s.CreateToken(bg, "d-0000000001", tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Secret, TokenPrefix) || len(tok.Secret) != len(TokenPrefix)+43 {
		t.Fatalf("secret %q: want the prefix and 32 random bytes", tok.Secret)
	}
	// Only the hash is stored.
	stored, _ := s.Store.SCIMTenants().ListTokens(bg, "d-0000000001", tn.ID)
	sum := sha256.Sum256([]byte(tok.Secret))
	if len(stored) != 1 || !bytes.Equal(stored[0].Hash, sum[:]) || bytes.Contains(stored[0].Hash, []byte(tok.Secret)) {
		t.Fatalf("stored token = %+v", stored)
	}
	if !stored[0].ExpiresAt.Equal(now.Add(BearerTokenLifetime)) {
		t.Fatalf("expires %v", stored[0].ExpiresAt)
	}
	for _, presented := range []string{tok.Secret, "Bearer " + tok.Secret, "bearer " + tok.Secret} {
		got, err := s.AuthenticateSCIMToken(bg, tn.ID, presented)
		if err != nil || got.ID != tn.ID || got.IdentityStoreID != "d-0000000001" {
			t.Fatalf("AuthenticateSCIMToken(%q) = %+v, %v", presented[:10], got, err)
		}
	}
	for name, presented := range map[string]string{
		"empty": "", "scheme only": "Bearer ", "wrong secret": tok.Secret + "x", "prefix only": TokenPrefix,
		"huge": strings.Repeat("a", 10000),
	} {
		if _, err := s.AuthenticateSCIMToken(bg, tn.ID, presented); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: err = %v, want ErrInvalidToken", name, err)
		}
	}
	if _, err := s.AuthenticateSCIMToken(bg, "another-tenant", tok.Secret); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token accepted for another tenant: %v", err)
	}
	// Expiry: valid one millisecond before, refused at the instant.
	*now = stored[0].ExpiresAt.Add(-time.Millisecond)
	if _, err := s.AuthenticateSCIMToken(bg, tn.ID, tok.Secret); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	*now = stored[0].ExpiresAt
	if _, err := s.AuthenticateSCIMToken(bg, tn.ID, tok.Secret); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("expired token: %v", err)
	}
}

func TestTenantRules(t *testing.T) {
	s, _ := newService(t)
	tn, err := s.CreateTenant(bg, "d-0000000001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTenant(bg, "d-0000000001"); !apierr.IIC1331.Is(err) {
		t.Fatalf("second tenant: %v", err)
	}
	for i := 0; i < MaxBearerTokens; i++ {
		if _, err := s.CreateToken(bg, "d-0000000001", tn.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateToken(bg, "d-0000000001", tn.ID); !apierr.IIC1335.Is(err) {
		t.Fatalf("token over the limit: %v", err)
	}
	if err := s.DeleteTenant(bg, "d-0000000001", tn.ID); !apierr.IIC1333.Is(err) {
		t.Fatalf("delete tenant with tokens: %v", err)
	}
	if err := s.DeleteToken(bg, "d-0000000001", tn.ID, "nope"); !apierr.IIC1334.Is(err) {
		t.Fatalf("delete unknown token: %v", err)
	}
	if _, err := s.ListTokens(bg, "d-0000000001", "nope"); !apierr.IIC1332.Is(err) {
		t.Fatalf("tokens of an unknown tenant: %v", err)
	}
}

func TestSPSigningKey(t *testing.T) {
	s, _ := newService(t)
	if _, _, err := s.SPSigningKey(bg, "d-0000000001"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no certificate yet: %v", err)
	}
	c, err := s.CreateSPCertificate(bg, "d-0000000001")
	if err != nil || c.State != StateActive {
		t.Fatalf("create = %+v, %v", c, err)
	}
	cert, key, err := s.SPSigningKey(bg, "d-0000000001")
	if err != nil || !key.PublicKey.Equal(cert.PublicKey) || cert.Subject.CommonName != "iic SAML d-0000000001" {
		t.Fatalf("SPSigningKey = %v, %v", cert, err)
	}
	// The sealed key is bound to its row: it does not open as another's.
	stored, _ := s.Store.SPCertificates().Get(bg, "d-0000000001", c.ID)
	if _, err := s.Keys.Open(stored.KeySealed, SPKeyAAD("d-0000000001", "other")); err == nil {
		t.Fatal("sealed key opened under another certificate's AAD")
	}
}

func TestSummaryCountsAndQuotas(t *testing.T) {
	s, _ := newService(t)
	sum, err := s.GetSummary(bg, "d-0000000001")
	if err != nil || sum.Groups != 0 || sum.Users != 0 || sum.GroupsQuota != identity.DefaultQuotas.Groups || sum.UsersQuota != identity.DefaultQuotas.Users {
		t.Fatalf("summary of an empty store = %+v, %v", sum, err)
	}
	now := time.Now().UTC()
	for i := range 7 {
		g := store.Group{IdentityStoreID: "d-0000000001", ID: fmt.Sprintf("g%d", i), DisplayName: fmt.Sprintf("group %d", i), CreatedAt: now, UpdatedAt: now}
		if err := s.Store.Groups().Create(bg, g); err != nil {
			t.Fatal(err)
		}
	}
	s.Identity.Quotas = identity.Quotas{Users: 10, Groups: 20}
	if sum, err = s.GetSummary(bg, "d-0000000001"); err != nil || sum.Groups != 7 || sum.UsersQuota != 10 || sum.GroupsQuota != 20 {
		t.Fatalf("summary with 7 groups = %+v, %v", sum, err)
	}
}

package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// sourceTests are the conformance tests of this area.
var sourceTests = []namedTest{
	{"ExternalIdPs", testExternalIdPs},
	{"IdPCertificates", testIdPCertificates},
	{"IdPCertificateLimitIsAtomic", testIdPCertificateLimitAtomic},
	{"SPCertificates", testSPCertificates},
	{"SCIMTenants", testSCIMTenants},
	{"BearerTokens", testBearerTokens},
	{"BearerTokenLimitIsAtomic", testBearerTokenLimitAtomic},
}

func mustIdP(t *testing.T, s store.Store, storeID, id string) store.ExternalIdP {
	t.Helper()
	p := store.ExternalIdP{IdentityStoreID: storeID, ID: id, EntityID: "https://idp.example.com/" + id, LoginURL: "https://idp.example.com/sso",
		WantRequestSigned: true, CreatedAt: t0, UpdatedAt: t0}
	if err := s.Sources().CreateIdP(ctx, p); err != nil {
		t.Fatalf("create idp: %v", err)
	}
	return p
}

func testExternalIdPs(t *testing.T, s store.Store) {
	src := s.Sources()
	if list, err := src.ListIdPs(ctx, "d-1"); err != nil || len(list) != 0 {
		t.Fatalf("ListIdPs on an empty store = %+v, %v", list, err)
	}
	p := mustIdP(t, s, "d-1", "idp-1")
	second := p
	second.ID = "idp-2"
	wantErr(t, "second IdP in one store", src.CreateIdP(ctx, second), store.ErrConflict)
	other := mustIdP(t, s, "d-2", "idp-1") // the same id in another store is fine
	got, err := src.GetIdP(ctx, "d-1", "idp-1")
	if err != nil || got != p {
		t.Fatalf("GetIdP = %+v, %v; want %+v", got, err, p)
	}
	_, err = src.GetIdP(ctx, "d-1", "idp-2")
	wantErr(t, "get missing", err, store.ErrNotFound)
	_, err = src.GetIdP(ctx, "d-3", "idp-1")
	wantErr(t, "get from another store", err, store.ErrNotFound)

	if err := src.UpdateIdP(ctx, "d-1", "idp-1", func(p *store.ExternalIdP) error {
		p.EntityID, p.LoginURL, p.Enabled, p.WantRequestSigned, p.UpdatedAt = "urn:new", "https://new/sso", true, false, t0.Add(time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, _ = src.GetIdP(ctx, "d-1", "idp-1")
	if got.EntityID != "urn:new" || got.LoginURL != "https://new/sso" || !got.Enabled || got.WantRequestSigned || !got.UpdatedAt.Equal(t0.Add(time.Hour)) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("update not saved: %+v", got)
	}
	boom := errors.New("boom")
	if err := src.UpdateIdP(ctx, "d-1", "idp-1", func(p *store.ExternalIdP) error { p.Enabled = false; return boom }); !errors.Is(err, boom) {
		t.Fatalf("updater error not returned: %v", err)
	}
	if got, _ = src.GetIdP(ctx, "d-1", "idp-1"); !got.Enabled {
		t.Fatal("failed update was saved")
	}
	wantErr(t, "update missing", src.UpdateIdP(ctx, "d-1", "nope", func(*store.ExternalIdP) error { return nil }), store.ErrNotFound)

	list, err := src.ListIdPs(ctx, "d-2")
	if err != nil || len(list) != 1 || list[0] != other {
		t.Fatalf("ListIdPs = %+v, %v", list, err)
	}
	if err := src.DeleteIdP(ctx, "d-1", "idp-1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", src.DeleteIdP(ctx, "d-1", "idp-1"), store.ErrNotFound)
	if _, err := src.GetIdP(ctx, "d-2", "idp-1"); err != nil {
		t.Fatalf("deleting one store's IdP touched another: %v", err)
	}
	// The store may configure a new IdP after deleting the old one.
	mustIdP(t, s, "d-1", "idp-3")
}

func idpCert(storeID, idpID, id string) store.IdPCertificate {
	return store.IdPCertificate{IdentityStoreID: storeID, IdPID: idpID, ID: id, PEM: "-----BEGIN CERTIFICATE-----\n" + id + "\n-----END CERTIFICATE-----\n",
		NotAfter: t0.Add(365 * 24 * time.Hour), CreatedAt: t0}
}

func testIdPCertificates(t *testing.T, s store.Store) {
	src := s.Sources()
	mustIdP(t, s, "d-1", "idp-1")
	wantErr(t, "certificate of an unknown IdP", src.AddIdPCertificate(ctx, idpCert("d-1", "nope", "c0"), 2), store.ErrNotFound)
	c1, c2 := idpCert("d-1", "idp-1", "c1"), idpCert("d-1", "idp-1", "c2")
	for _, c := range []store.IdPCertificate{c1, c2} {
		if err := src.AddIdPCertificate(ctx, c, 2); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "third certificate with max 2", src.AddIdPCertificate(ctx, idpCert("d-1", "idp-1", "c3"), 2), store.ErrConflict)
	list, err := src.ListIdPCertificates(ctx, "d-1", "idp-1")
	if err != nil || len(list) != 2 || list[0] != c1 || list[1] != c2 {
		t.Fatalf("ListIdPCertificates = %+v, %v; want [c1 c2]", list, err)
	}
	if err := src.DeleteIdPCertificate(ctx, "d-1", "idp-1", "c1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", src.DeleteIdPCertificate(ctx, "d-1", "idp-1", "c1"), store.ErrNotFound)
	wantErr(t, "delete through another IdP", src.DeleteIdPCertificate(ctx, "d-1", "other", "c2"), store.ErrNotFound)
	dup := idpCert("d-1", "idp-1", "c2")
	wantErr(t, "duplicate id", src.AddIdPCertificate(ctx, dup, 5), store.ErrConflict)
	// Deleting the IdP deletes its certificates.
	if err := src.DeleteIdP(ctx, "d-1", "idp-1"); err != nil {
		t.Fatal(err)
	}
	mustIdP(t, s, "d-1", "idp-1")
	if list, err := src.ListIdPCertificates(ctx, "d-1", "idp-1"); err != nil || len(list) != 0 {
		t.Fatalf("certificates survived their IdP: %+v, %v", list, err)
	}
}

// Concurrent imports never exceed the limit.
func testIdPCertificateLimitAtomic(t *testing.T, s store.Store) {
	mustIdP(t, s, "d-1", "idp-1")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = s.Sources().AddIdPCertificate(ctx, idpCert("d-1", "idp-1", fmt.Sprintf("c%d", i)), 2)
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	list, _ := s.Sources().ListIdPCertificates(ctx, "d-1", "idp-1")
	if ok != 2 || len(list) != 2 {
		t.Fatalf("%d imports succeeded, %d stored; want 2", ok, len(list))
	}
}

func spCert(storeID, id string, active bool) store.SPCertificate {
	return store.SPCertificate{IdentityStoreID: storeID, ID: id, CertificatePEM: "pem-" + id, KeySealed: []byte("sealed-" + id),
		Algorithm: "SHA256withRSA", NotAfter: t0.Add(time.Hour), Active: active, CreatedAt: t0}
}

func sameSPCert(a, b store.SPCertificate) bool {
	return a.IdentityStoreID == b.IdentityStoreID && a.ID == b.ID && a.CertificatePEM == b.CertificatePEM && bytes.Equal(a.KeySealed, b.KeySealed) &&
		a.Algorithm == b.Algorithm && a.NotAfter.Equal(b.NotAfter) && a.Active == b.Active && a.CreatedAt.Equal(b.CreatedAt)
}

func testSPCertificates(t *testing.T, s store.Store) {
	sp := s.SPCertificates()
	if list, err := sp.List(ctx, "d-1"); err != nil || len(list) != 0 {
		t.Fatalf("List on an empty store = %+v, %v", list, err)
	}
	a, b := spCert("d-1", "a", true), spCert("d-1", "b", false)
	if err := sp.Create(ctx, a, 3); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a second active certificate", sp.Create(ctx, spCert("d-1", "x", true), 3), store.ErrConflict)
	if err := sp.Create(ctx, b, 3); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "duplicate id", sp.Create(ctx, spCert("d-1", "b", false), 3), store.ErrConflict)
	wantErr(t, "over max", sp.Create(ctx, spCert("d-1", "c", false), 2), store.ErrConflict)
	if err := sp.Create(ctx, spCert("d-2", "a", true), 2); err != nil {
		t.Fatalf("another store's active certificate: %v", err)
	}
	got, err := sp.Get(ctx, "d-1", "a")
	if err != nil || !sameSPCert(got, a) {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, a)
	}
	_, err = sp.Get(ctx, "d-1", "nope")
	wantErr(t, "get missing", err, store.ErrNotFound)
	wantErr(t, "activate missing", sp.Activate(ctx, "d-1", "nope"), store.ErrNotFound)
	if got, _ := sp.Get(ctx, "d-1", "a"); !got.Active {
		t.Fatal("a failed Activate deactivated the active certificate")
	}
	if err := sp.Activate(ctx, "d-1", "b"); err != nil {
		t.Fatal(err)
	}
	if err := sp.Activate(ctx, "d-1", "b"); err != nil {
		t.Fatalf("activating the active certificate again: %v", err)
	}
	list, err := sp.List(ctx, "d-1")
	if err != nil || len(list) != 2 || list[0].ID != "a" || list[0].Active || list[1].ID != "b" || !list[1].Active {
		t.Fatalf("List after Activate(b) = %+v, %v", list, err)
	}
	if got, _ := sp.Get(ctx, "d-2", "a"); !got.Active {
		t.Fatal("Activate touched another store")
	}
	if err := sp.Delete(ctx, "d-1", "a"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", sp.Delete(ctx, "d-1", "a"), store.ErrNotFound)
	if list, _ := sp.List(ctx, "d-1"); len(list) != 1 || list[0].ID != "b" {
		t.Fatalf("List after delete = %+v", list)
	}
	// The active certificate can go too; none is active then, and a new
	// one may be.
	if err := sp.Delete(ctx, "d-1", "b"); err != nil {
		t.Fatalf("delete the active certificate: %v", err)
	}
	if list, _ := sp.List(ctx, "d-1"); len(list) != 0 {
		t.Fatalf("List after deleting the active one = %+v", list)
	}
	if err := sp.Create(ctx, spCert("d-1", "c", true), 2); err != nil {
		t.Fatalf("an active certificate after the active one went: %v", err)
	}
}

func testSCIMTenants(t *testing.T, s store.Store) {
	st := s.SCIMTenants()
	tn := store.SCIMTenant{IdentityStoreID: "d-1", ID: "t-1", CreatedAt: t0}
	if err := st.Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "second tenant in a store", st.Create(ctx, store.SCIMTenant{IdentityStoreID: "d-1", ID: "t-2", CreatedAt: t0}), store.ErrConflict)
	wantErr(t, "tenant id taken by another store", st.Create(ctx, store.SCIMTenant{IdentityStoreID: "d-2", ID: "t-1", CreatedAt: t0}), store.ErrConflict)
	got, err := st.Get(ctx, "t-1")
	if err != nil || got != tn {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	_, err = st.Get(ctx, "t-2")
	wantErr(t, "get missing", err, store.ErrNotFound)
	list, err := st.List(ctx, "d-1")
	if err != nil || len(list) != 1 || list[0] != tn {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if list, _ := st.List(ctx, "d-2"); len(list) != 0 {
		t.Fatalf("another store lists %+v", list)
	}
	wantErr(t, "delete through another store", st.Delete(ctx, "d-2", "t-1"), store.ErrNotFound)
	if err := st.AddToken(ctx, token("d-1", "t-1", "k1"), 2); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete with a token", st.Delete(ctx, "d-1", "t-1"), store.ErrConflict)
	if _, err := st.Get(ctx, "t-1"); err != nil {
		t.Fatalf("refused delete removed the tenant: %v", err)
	}
	if err := st.DeleteToken(ctx, "d-1", "t-1", "k1"); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "d-1", "t-1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", st.Delete(ctx, "d-1", "t-1"), store.ErrNotFound)
	if err := st.Create(ctx, store.SCIMTenant{IdentityStoreID: "d-1", ID: "t-2", CreatedAt: t0}); err != nil {
		t.Fatalf("new tenant after delete: %v", err)
	}
}

func token(storeID, tenantID, id string) store.BearerToken {
	return store.BearerToken{IdentityStoreID: storeID, TenantID: tenantID, ID: id, Hash: []byte("hash-" + id), CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
}

func sameToken(a, b store.BearerToken) bool {
	return a.IdentityStoreID == b.IdentityStoreID && a.TenantID == b.TenantID && a.ID == b.ID && bytes.Equal(a.Hash, b.Hash) &&
		a.CreatedAt.Equal(b.CreatedAt) && a.ExpiresAt.Equal(b.ExpiresAt)
}

func testBearerTokens(t *testing.T, s store.Store) {
	st := s.SCIMTenants()
	for _, tn := range []store.SCIMTenant{{IdentityStoreID: "d-1", ID: "t-1", CreatedAt: t0}, {IdentityStoreID: "d-2", ID: "t-2", CreatedAt: t0}} {
		if err := st.Create(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "token of an unknown tenant", st.AddToken(ctx, token("d-1", "nope", "k0"), 2), store.ErrNotFound)
	wantErr(t, "token of another store's tenant", st.AddToken(ctx, token("d-1", "t-2", "k0"), 2), store.ErrNotFound)
	k1, k2 := token("d-1", "t-1", "k1"), token("d-1", "t-1", "k2")
	for _, k := range []store.BearerToken{k1, k2} {
		if err := st.AddToken(ctx, k, 2); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "third token with max 2", st.AddToken(ctx, token("d-1", "t-1", "k3"), 2), store.ErrConflict)
	dupHash := token("d-2", "t-2", "k9")
	dupHash.Hash = k1.Hash
	wantErr(t, "duplicate hash", st.AddToken(ctx, dupHash, 2), store.ErrConflict)
	list, err := st.ListTokens(ctx, "d-1", "t-1")
	if err != nil || len(list) != 2 || !sameToken(list[0], k1) || !sameToken(list[1], k2) {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
	got, err := st.GetTokenByHash(ctx, []byte("hash-k2"))
	if err != nil || !sameToken(got, k2) {
		t.Fatalf("GetTokenByHash = %+v, %v", got, err)
	}
	_, err = st.GetTokenByHash(ctx, []byte("hash-none"))
	wantErr(t, "unknown hash", err, store.ErrNotFound)
	wantErr(t, "delete through another tenant", st.DeleteToken(ctx, "d-2", "t-2", "k1"), store.ErrNotFound)
	if err := st.DeleteToken(ctx, "d-1", "t-1", "k1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", st.DeleteToken(ctx, "d-1", "t-1", "k1"), store.ErrNotFound)
	_, err = st.GetTokenByHash(ctx, k1.Hash)
	wantErr(t, "hash of a deleted token", err, store.ErrNotFound)
	if err := st.AddToken(ctx, token("d-1", "t-1", "k3"), 2); err != nil {
		t.Fatalf("a token after freeing a slot: %v", err)
	}
}

// Concurrent creates never exceed the limit.
func testBearerTokenLimitAtomic(t *testing.T, s store.Store) {
	if err := s.SCIMTenants().Create(ctx, store.SCIMTenant{IdentityStoreID: "d-1", ID: "t-1", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = s.SCIMTenants().AddToken(ctx, token("d-1", "t-1", fmt.Sprintf("k%d", i)), 2)
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	list, _ := s.SCIMTenants().ListTokens(ctx, "d-1", "t-1")
	if ok != 2 || len(list) != 2 {
		t.Fatalf("%d creates succeeded, %d stored; want 2", ok, len(list))
	}
}

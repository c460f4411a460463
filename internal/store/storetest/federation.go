package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

// federationTests are the conformance tests of the OS-FEDERATION aggregate.
var federationTests = []namedTest{
	{"FederationIdPs", testFederationIdPs},
	{"FederationMappingsAndProtocols", testFederationMappingsAndProtocols},
	{"FederationDeleteIdPCascades", testFederationDeleteIdPCascades},
	{"FederationAccountScope", testFederationAccountScope},
}

func mustFedIdP(t *testing.T, s store.Store, acct, id string) store.FederatedIdP {
	t.Helper()
	p := store.FederatedIdP{AccountID: acct, ID: id, Description: "idp " + id, SSOType: "virtual_user_sso", RemoteIDs: []string{"https://idp/" + id}, CreatedAt: t0, UpdatedAt: t0}
	if err := s.Federation().CreateIdP(ctx, p); err != nil {
		t.Fatalf("create idp %s: %v", id, err)
	}
	return p
}

func mustFedMapping(t *testing.T, s store.Store, acct, id string) store.FederationMapping {
	t.Helper()
	m := store.FederationMapping{AccountID: acct, ID: id, Rules: []byte(`[{"local":[{"user":{"name":"{0}"}}],"remote":[{"type":"uid"}]}]`), CreatedAt: t0, UpdatedAt: t0}
	if err := s.Federation().CreateMapping(ctx, m); err != nil {
		t.Fatalf("create mapping %s: %v", id, err)
	}
	return m
}

func mustFedProtocol(t *testing.T, s store.Store, acct, idp, id, mapping string) {
	t.Helper()
	if err := s.Federation().CreateProtocol(ctx, store.FederationProtocol{AccountID: acct, IdPID: idp, ID: id, MappingID: mapping, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatalf("create protocol %s/%s: %v", idp, id, err)
	}
}

func testFederationIdPs(t *testing.T, s store.Store) {
	f := s.Federation()
	if list, err := f.ListIdPs(ctx, "a-1"); err != nil || len(list) != 0 {
		t.Fatalf("ListIdPs empty = %v, %v", list, err)
	}
	p := mustFedIdP(t, s, "a-1", "ACME")
	got, err := f.GetIdP(ctx, "a-1", "ACME")
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("GetIdP = %+v, %v; want %+v", got, err, p)
	}
	// No remote ids read back as an empty list, never nil.
	bare := store.FederatedIdP{AccountID: "a-1", ID: "Bare", SSOType: "iam_user_sso", CreatedAt: t0, UpdatedAt: t0}
	if err := f.CreateIdP(ctx, bare); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.GetIdP(ctx, "a-1", "Bare"); got.RemoteIDs == nil || len(got.RemoteIDs) != 0 || got.Enabled {
		t.Fatalf("bare idp = %+v", got)
	}
	if err := f.CreateIdP(ctx, p); !errors.Is(err, store.ErrConflict) || store.ConflictKey(err) != store.KeyID {
		t.Fatalf("duplicate CreateIdP = %v", err)
	}
	later := t0.Add(60e9)
	if err := f.UpdateIdP(ctx, "a-1", "ACME", func(p *store.FederatedIdP) error {
		p.Enabled, p.Description, p.UpdatedAt = true, "changed", later
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, _ = f.GetIdP(ctx, "a-1", "ACME")
	if !got.Enabled || got.Description != "changed" || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("after update = %+v", got)
	}
	boom := errors.New("boom")
	if err := f.UpdateIdP(ctx, "a-1", "ACME", func(p *store.FederatedIdP) error { p.Description = "lost"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing update = %v", err)
	}
	if got, _ := f.GetIdP(ctx, "a-1", "ACME"); got.Description != "changed" {
		t.Fatalf("a failed update wrote %q", got.Description)
	}
	if err := f.UpdateIdP(ctx, "a-1", "nope", func(*store.FederatedIdP) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateIdP unknown = %v", err)
	}
	list, err := f.ListIdPs(ctx, "a-1")
	if err != nil || len(list) != 2 || list[0].ID != "ACME" || list[1].ID != "Bare" {
		t.Fatalf("ListIdPs = %+v, %v", list, err)
	}
	if err := f.DeleteIdP(ctx, "a-1", "ACME"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.GetIdP(ctx, "a-1", "ACME"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetIdP after delete = %v", err)
	}
	if err := f.DeleteIdP(ctx, "a-1", "ACME"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteIdP = %v", err)
	}
}

func testFederationMappingsAndProtocols(t *testing.T, s store.Store) {
	f := s.Federation()
	m := mustFedMapping(t, s, "a-1", "m1")
	if got, err := f.GetMapping(ctx, "a-1", "m1"); err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("GetMapping = %+v, %v", got, err)
	}
	if err := f.CreateMapping(ctx, m); store.ConflictKey(err) != store.KeyID {
		t.Fatalf("duplicate mapping = %v", err)
	}
	if err := f.UpdateMapping(ctx, "a-1", "m1", []byte(`[]`), t0.Add(1e9)); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.GetMapping(ctx, "a-1", "m1"); string(got.Rules) != `[]` || !got.UpdatedAt.Equal(t0.Add(1e9)) {
		t.Fatalf("after UpdateMapping = %+v", got)
	}
	if err := f.UpdateMapping(ctx, "a-1", "nope", []byte(`[]`), t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateMapping unknown = %v", err)
	}
	mustFedMapping(t, s, "a-1", "m2")
	if list, err := f.ListMappings(ctx, "a-1"); err != nil || len(list) != 2 || list[0].ID != "m1" {
		t.Fatalf("ListMappings = %+v, %v", list, err)
	}

	// A protocol needs its IdP and its mapping.
	p := store.FederationProtocol{AccountID: "a-1", IdPID: "ACME", ID: "saml", MappingID: "m1", CreatedAt: t0, UpdatedAt: t0}
	if err := f.CreateProtocol(ctx, p); store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("protocol of a missing IdP = %v", err)
	}
	mustFedIdP(t, s, "a-1", "ACME")
	p.MappingID = "nope"
	if err := f.CreateProtocol(ctx, p); store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("protocol with a missing mapping = %v", err)
	}
	p.MappingID = "m1"
	if err := f.CreateProtocol(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateProtocol(ctx, p); store.ConflictKey(err) != store.KeyID {
		t.Fatalf("duplicate protocol = %v", err)
	}
	if got, err := f.GetProtocol(ctx, "a-1", "ACME", "saml"); err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("GetProtocol = %+v, %v", got, err)
	}
	// A mapping in use cannot be deleted; an unused one can.
	if err := f.DeleteMapping(ctx, "a-1", "m1"); store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("DeleteMapping in use = %v", err)
	}
	if err := f.UpdateProtocol(ctx, "a-1", "ACME", "saml", "nope", t0); store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("UpdateProtocol to a missing mapping = %v", err)
	}
	if err := f.UpdateProtocol(ctx, "a-1", "ACME", "oidc", "m2", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateProtocol unknown = %v", err)
	}
	if err := f.UpdateProtocol(ctx, "a-1", "ACME", "saml", "m2", t0.Add(1e9)); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteMapping(ctx, "a-1", "m1"); err != nil {
		t.Fatalf("DeleteMapping no longer used = %v", err)
	}
	if err := f.DeleteMapping(ctx, "a-1", "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteMapping = %v", err)
	}
	if list, err := f.ListProtocols(ctx, "a-1", "ACME"); err != nil || len(list) != 1 || list[0].MappingID != "m2" {
		t.Fatalf("ListProtocols = %+v, %v", list, err)
	}

	// Metadata belongs to an existing protocol and is replaced by a put.
	md := store.SAMLMetadata{AccountID: "a-1", IdPID: "ACME", ProtocolID: "saml", Document: "<md/>", EntityID: "https://idp", Extract: []byte(`{}`), UpdatedAt: t0}
	if err := f.PutSAMLMetadata(ctx, md); err != nil {
		t.Fatal(err)
	}
	md.Document, md.UpdatedAt = "<md2/>", t0.Add(1e9)
	if err := f.PutSAMLMetadata(ctx, md); err != nil {
		t.Fatal(err)
	}
	if got, err := f.GetSAMLMetadata(ctx, "a-1", "ACME", "saml"); err != nil || !reflect.DeepEqual(got, md) {
		t.Fatalf("GetSAMLMetadata = %+v, %v", got, err)
	}
	orphan := md
	orphan.ProtocolID = "oidc"
	if err := f.PutSAMLMetadata(ctx, orphan); store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("metadata of a missing protocol = %v", err)
	}
	if err := f.DeleteProtocol(ctx, "a-1", "ACME", "saml"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.GetSAMLMetadata(ctx, "a-1", "ACME", "saml"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("metadata after its protocol's delete = %v", err)
	}
	if err := f.DeleteProtocol(ctx, "a-1", "ACME", "saml"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteProtocol = %v", err)
	}

	// OIDC configuration: one per IdP.
	c := store.FederationOIDCConfig{AccountID: "a-1", IdPID: "ACME", AccessMode: "program", IdPURL: "https://idp", ClientID: "c",
		SigningKey: `{"keys":[]}`, CreatedAt: t0, UpdatedAt: t0}
	if err := f.CreateOIDCConfig(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateOIDCConfig(ctx, c); store.ConflictKey(err) != store.KeyID {
		t.Fatalf("second OIDC config = %v", err)
	}
	missing := c
	missing.IdPID = "nope"
	if err := f.CreateOIDCConfig(ctx, missing); store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("OIDC config of a missing IdP = %v", err)
	}
	if err := f.UpdateOIDCConfig(ctx, "a-1", "ACME", func(c *store.FederationOIDCConfig) error { c.ClientID = "c2"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got, err := f.GetOIDCConfig(ctx, "a-1", "ACME"); err != nil || got.ClientID != "c2" || got.SigningKey != c.SigningKey {
		t.Fatalf("GetOIDCConfig = %+v, %v", got, err)
	}
	if err := f.UpdateOIDCConfig(ctx, "a-1", "nope", func(*store.FederationOIDCConfig) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateOIDCConfig unknown = %v", err)
	}
}

// Deleting an IdP removes its protocols, their metadata and its OIDC
// configuration, and frees the mapping for deletion.
func testFederationDeleteIdPCascades(t *testing.T, s store.Store) {
	f := s.Federation()
	mustFedIdP(t, s, "a-1", "ACME")
	mustFedIdP(t, s, "a-1", "Other")
	mustFedMapping(t, s, "a-1", "m1")
	mustFedProtocol(t, s, "a-1", "ACME", "saml", "m1")
	mustFedProtocol(t, s, "a-1", "Other", "saml", "m1")
	if err := f.PutSAMLMetadata(ctx, store.SAMLMetadata{AccountID: "a-1", IdPID: "ACME", ProtocolID: "saml", Document: "<x/>", EntityID: "e", Extract: []byte(`{}`), UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateOIDCConfig(ctx, store.FederationOIDCConfig{AccountID: "a-1", IdPID: "ACME", AccessMode: "program", IdPURL: "https://i", ClientID: "c", SigningKey: "{}", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteIdP(ctx, "a-1", "ACME"); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.ListProtocols(ctx, "a-1", "ACME"); len(list) != 0 {
		t.Fatalf("protocols left: %+v", list)
	}
	if _, err := f.GetSAMLMetadata(ctx, "a-1", "ACME", "saml"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("metadata left: %v", err)
	}
	if _, err := f.GetOIDCConfig(ctx, "a-1", "ACME"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("OIDC config left: %v", err)
	}
	// The other IdP's protocol still holds the mapping.
	if err := f.DeleteMapping(ctx, "a-1", "m1"); store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("DeleteMapping still in use = %v", err)
	}
	// Recreating the IdP starts empty.
	mustFedIdP(t, s, "a-1", "ACME")
	if list, _ := f.ListProtocols(ctx, "a-1", "ACME"); len(list) != 0 {
		t.Fatalf("recreated IdP has protocols: %+v", list)
	}
}

// Ids of one account never resolve for another, and equal ids coexist.
func testFederationAccountScope(t *testing.T, s store.Store) {
	f := s.Federation()
	mustFedIdP(t, s, "a-1", "ACME")
	mustFedMapping(t, s, "a-1", "m1")
	mustFedProtocol(t, s, "a-1", "ACME", "saml", "m1")
	if _, err := f.GetIdP(ctx, "a-2", "ACME"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other account's IdP = %v", err)
	}
	if _, err := f.GetMapping(ctx, "a-2", "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other account's mapping = %v", err)
	}
	if list, _ := f.ListIdPs(ctx, "a-2"); len(list) != 0 {
		t.Fatalf("other account lists %+v", list)
	}
	// a-2 cannot bind its IdP to a-1's mapping.
	mustFedIdP(t, s, "a-2", "ACME")
	if err := f.CreateProtocol(ctx, store.FederationProtocol{AccountID: "a-2", IdPID: "ACME", ID: "saml", MappingID: "m1", CreatedAt: t0, UpdatedAt: t0}); store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("protocol bound to another account's mapping = %v", err)
	}
	if err := f.DeleteIdP(ctx, "a-2", "ACME"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.GetProtocol(ctx, "a-1", "ACME", "saml"); err != nil {
		t.Fatalf("a-1's protocol after a-2's delete = %v", err)
	}
}

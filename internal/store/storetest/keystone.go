package storetest

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// keystoneTests are the conformance tests of the Keystone-token aggregate.
var keystoneTests = []namedTest{
	{"KeystoneUsers", testKeystoneUsers},
	{"KeystoneTokens", testKeystoneTokens},
	{"KeystonePasswordChangeRevokes", testKeystonePasswordChangeRevokes},
	{"KeystoneTOTPStep", testKeystoneTOTPStep},
}

func ksUser(acct, id string) store.SignInUser {
	return store.SignInUser{AccountID: acct, ID: id, Name: "admin", PasswordHash: "$argon2id$h1", Roles: []string{"Security Administrator"},
		PasswordChangedAt: t0, CreatedAt: t0, UpdatedAt: t0}
}

func ksToken(acct, user string, b byte, exp time.Time) store.KeystoneToken {
	return store.KeystoneToken{Hash: bytes.Repeat([]byte{b}, 32), AccountID: acct, UserID: user, Methods: []string{"password"},
		IssuedAt: t0, ExpiresAt: exp}
}

func testKeystoneUsers(t *testing.T, s store.Store) {
	mustAccount(t, s, "a1")
	mustAccount(t, s, "a2")
	k := s.Keystone()
	if _, err := k.GetUser(ctx, "a1"); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("GetUser before Put: %v, want ErrNotFound", err)
	}
	u := ksUser("a1", "u1")
	if err := k.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := k.GetUser(ctx, "a1")
	if err != nil || !reflect.DeepEqual(got, u) {
		t.Fatalf("GetUser = %+v, %v; want %+v", got, err, u)
	}
	u.Roles, u.TOTPSecretSealed, u.Name, u.UpdatedAt = nil, []byte("sealed"), "root", t0.Add(time.Second)
	if err := k.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, _ = k.GetUser(ctx, "a1")
	if got.Name != "root" || len(got.Roles) != 0 || got.Roles == nil || string(got.TOTPSecretSealed) != "sealed" || !got.UpdatedAt.Equal(u.UpdatedAt) {
		t.Fatalf("replaced user = %+v", got)
	}
	wantErr(t, "another account's user id", k.PutUser(ctx, ksUser("a2", "u1")), store.ErrConflict)
	if err := k.DeleteUser(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", k.DeleteUser(ctx, "a1"), store.ErrNotFound)
	if _, err := k.GetUser(ctx, "a1"); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("GetUser after delete: %v", err)
	}
}

func testKeystoneTokens(t *testing.T, s store.Store) {
	mustAccount(t, s, "a1")
	k := s.Keystone()
	if err := k.PutUser(ctx, ksUser("a1", "u1")); err != nil {
		t.Fatal(err)
	}
	tok := ksToken("a1", "u1", 1, t0.Add(time.Hour))
	tok.ProjectID, tok.AgencyAccountID, tok.AgencyName, tok.AgencyURN = "p1", "a1", "ag", "iam::a1:agency:ag"
	tok.Agency = store.AgencyRef{InstanceID: "ins", PermissionSetID: "ps"}
	if err := k.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "duplicate hash", k.CreateToken(ctx, tok), store.ErrConflict)
	got, err := k.GetToken(ctx, tok.Hash)
	if err != nil || !reflect.DeepEqual(got, tok) {
		t.Fatalf("GetToken = %+v, %v; want %+v", got, err, tok)
	}
	if _, err := k.GetToken(ctx, bytes.Repeat([]byte{9}, 32)); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	if err := k.CreateToken(ctx, ksToken("a1", "u1", 2, t0)); err != nil {
		t.Fatal(err)
	}
	n, err := k.DeleteExpiredTokens(ctx, t0.Add(time.Minute), 10)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredTokens = %d, %v; want 1", n, err)
	}
	if _, err := k.GetToken(ctx, tok.Hash); err != nil {
		t.Fatalf("live token swept: %v", err)
	}
	if err := k.DeleteUser(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.GetToken(ctx, tok.Hash); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("token of a deleted user: %v", err)
	}
}

func testKeystonePasswordChangeRevokes(t *testing.T, s store.Store) {
	mustAccount(t, s, "a1")
	k := s.Keystone()
	u := ksUser("a1", "u1")
	if err := k.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tok := ksToken("a1", "u1", 1, t0.Add(time.Hour))
	if err := k.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	u.Roles = nil // same password: tokens stay
	if err := k.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := k.GetToken(ctx, tok.Hash); err != nil {
		t.Fatalf("token revoked by a role change: %v", err)
	}
	u.PasswordHash = "$argon2id$h2"
	if err := k.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := k.GetToken(ctx, tok.Hash); !errorsIs(err, store.ErrNotFound) {
		t.Fatalf("token after a password change: %v, want ErrNotFound", err)
	}
}

func testKeystoneTOTPStep(t *testing.T, s store.Store) {
	mustAccount(t, s, "a1")
	k := s.Keystone()
	wantErr(t, "no user", k.ClaimTOTPStep(ctx, "a1", 5), store.ErrNotFound)
	u := ksUser("a1", "u1")
	u.TOTPSecretSealed, u.TOTPLastStep = []byte("sealed"), 7
	if err := k.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := k.GetUser(ctx, "a1"); got.TOTPLastStep != 7 {
		t.Fatalf("TOTPLastStep = %d, want 7", got.TOTPLastStep)
	}
	wantErr(t, "the stored step", k.ClaimTOTPStep(ctx, "a1", 7), store.ErrConflict)
	wantErr(t, "an earlier step", k.ClaimTOTPStep(ctx, "a1", 6), store.ErrConflict)
	if err := k.ClaimTOTPStep(ctx, "a1", 8); err != nil {
		t.Fatalf("a later step: %v", err)
	}
	wantErr(t, "the same step again", k.ClaimTOTPStep(ctx, "a1", 8), store.ErrConflict)
	got, _ := k.GetUser(ctx, "a1")
	if got.TOTPLastStep != 8 || string(got.TOTPSecretSealed) != "sealed" {
		t.Fatalf("after claims: %+v", got)
	}
	// PutUser writes the step it is given (a new seed resets it).
	got.TOTPLastStep = 0
	if err := k.PutUser(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := k.ClaimTOTPStep(ctx, "a1", 1); err != nil {
		t.Fatalf("after a reset: %v", err)
	}
}

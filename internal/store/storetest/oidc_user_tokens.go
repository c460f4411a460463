package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// DeleteUserTokens removes the user's tokens of every family (the families
// UserTokenFamilies names first), its codes and
// the device authorizations it approved, and nothing of another user.
func testOIDCDeleteUserTokens(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	devUser(t, s, devStore, "u2")
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	oidcClient(t, s, "c2", t0.Add(time.Hour))
	mine := []store.OIDCToken{
		oidcToken(store.TokenAccess, "at1", "f1", "c1", "u1", t0.Add(time.Hour)),
		oidcToken(store.TokenRefresh, "rt1", "f1", "c1", "u1", t0.Add(8*time.Hour)),
		oidcToken(store.TokenAccess, "at2", "f2", "c2", "u1", t0.Add(time.Hour)),
	}
	theirs := oidcToken(store.TokenAccess, "at3", "f3", "c1", "u2", t0.Add(time.Hour))
	if err := s.OIDC().CreateTokens(ctx, append(mine, theirs)...); err != nil {
		t.Fatal(err)
	}
	code := func(hash, user string) store.OIDCAuthCode {
		return store.OIDCAuthCode{Hash: []byte(hash), ClientID: "c1", IdentityStoreID: devStore, UserID: user, RedirectURI: "http://127.0.0.1:7777/cb",
			Scopes: []string{"openid"}, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	}
	for _, c := range []store.OIDCAuthCode{code("code1", "u1"), code("code2", "u2")} {
		if err := s.OIDC().CreateAuthCode(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	approved := func(code, user string) store.OIDCDeviceAuth {
		d := oidcDevice("c1", code, t0.Add(10*time.Minute))
		d.Status, d.IdentityStoreID, d.UserID = store.DeviceApproved, devStore, user
		return d
	}
	for _, d := range []store.OIDCDeviceAuth{approved("d1", "u1"), approved("d2", "u2")} {
		if err := s.OIDC().CreateDeviceAuth(ctx, d); err != nil {
			t.Fatal(err)
		}
	}

	fams, err := s.OIDC().UserTokenFamilies(ctx, devStore, "u1")
	slices.Sort(fams)
	if err != nil || !slices.Equal(fams, []string{"f1", "f2"}) {
		t.Fatalf("UserTokenFamilies = %v, %v; want [f1 f2]", fams, err)
	}
	if n, err := s.OIDC().DeleteUserTokens(ctx, devStore, "u1"); err != nil || n != len(mine) {
		t.Fatalf("DeleteUserTokens = %d, %v; want %d", n, err, len(mine))
	}
	for _, tok := range mine {
		if _, err := s.OIDC().GetToken(ctx, tok.Hash); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("token %s of the user: %v, want ErrNotFound", tok.Hash, err)
		}
	}
	if _, err := s.OIDC().TakeAuthCode(ctx, []byte("code1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("code of the user: %v, want ErrNotFound", err)
	}
	if _, err := s.OIDC().GetDeviceAuth(ctx, []byte("uc-d1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("device authorization the user approved: %v, want ErrNotFound", err)
	}
	// The other user keeps everything.
	if _, err := s.OIDC().GetToken(ctx, theirs.Hash); err != nil {
		t.Fatalf("another user's token: %v", err)
	}
	if _, err := s.OIDC().TakeAuthCode(ctx, []byte("code2")); err != nil {
		t.Fatalf("another user's code: %v", err)
	}
	if _, err := s.OIDC().GetDeviceAuth(ctx, []byte("uc-d2")); err != nil {
		t.Fatalf("another user's device authorization: %v", err)
	}
	if n, err := s.OIDC().DeleteUserTokens(ctx, devStore, "u1"); err != nil || n != 0 {
		t.Fatalf("DeleteUserTokens again = %d, %v; want 0", n, err)
	}
	if fams, err := s.OIDC().UserTokenFamilies(ctx, devStore, "u1"); err != nil || len(fams) != 0 {
		t.Fatalf("UserTokenFamilies after DeleteUserTokens = %v, %v; want none", fams, err)
	}
}

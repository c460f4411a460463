package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// Step 0035 moves the tokens' client and user to token families: the
// access and refresh tokens stored before it read back as they were (a
// used refresh token still used, so its reuse is still detected), and
// deleting the user still removes its tokens. Step 0036 then drops the
// pending device authorization (its user code was not derived from its
// device code: no poll could find it).
func TestUpgradeOIDCTokenFamilies(t *testing.T) {
	ctx := context.Background()
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			url := sqltest.URL(t, d)
			step := slices.Index(sqlstore.Migrations(d), "0035_oidc_token_families.sql")
			if step < 0 {
				t.Fatal("no step 0035")
			}
			writeDBUpTo(t, d, url, step, func(exec func(string, ...any)) {
				exec(`INSERT INTO users (identity_store_id, id, user_name, user_name_key, display_name, email_key, email, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, "d-0000000001", "u1", "Alice", "alice", "Alice", "alice@example.com", "alice@example.com", int64(1), int64(1))
				exec(`INSERT INTO oidc_clients (id, name, secret_hash, scopes, grant_types, created_at, secret_expires_at, expires_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, "c1", "cli", []byte("secret"), `["openid"]`, `["refresh_token"]`, int64(1), int64(9e12), int64(9e12))
				for _, tok := range []struct {
					hash, kind   string
					expires, use int64
				}{{"at1", "access", 3_600_000, 0}, {"rt1", "refresh", 28_800_000, 5_000}, {"rt2", "refresh", 28_800_000, 0}} {
					exec(`INSERT INTO oidc_tokens (token_hash, kind, family_id, client_id, identity_store_id, user_id, scopes, created_at, expires_at, used_at)
						VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, []byte(tok.hash), tok.kind, "f1", "c1", "d-0000000001", "u1", `["openid"]`, int64(1000), tok.expires, tok.use)
				}
				exec(`INSERT INTO oidc_device_auths (device_code_hash, user_code_hash, client_id, scopes, created_at, expires_at, interval_seconds, status, guess_base)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, []byte("dc1"), []byte("uc1"), "c1", `["openid"]`, int64(1000), int64(9e12), 5, "pending", 0)
			})
			db, err := sqlstore.Open(ctx, url, sqlstore.Options{})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer db.Close()
			o := db.Store().OIDC()
			rt1, err := o.GetToken(ctx, []byte("rt1"))
			want := store.OIDCToken{Hash: []byte("rt1"), Kind: store.TokenRefresh, FamilyID: "f1", ClientID: "c1", IdentityStoreID: "d-0000000001", UserID: "u1",
				Scopes: []string{"openid"}, CreatedAt: time.UnixMilli(1000).UTC(), ExpiresAt: time.UnixMilli(28_800_000).UTC(), UsedAt: time.UnixMilli(5_000).UTC()}
			if err != nil || !tokensEqual(rt1, want) {
				t.Fatalf("rt1 after the upgrade = %+v, %v; want %+v", rt1, err, want)
			}
			if at, err := o.GetToken(ctx, []byte("at1")); err != nil || at.Kind != store.TokenAccess || at.UserID != "u1" || at.ClientID != "c1" {
				t.Fatalf("at1 after the upgrade = %+v, %v", at, err)
			}
			if err := o.UseToken(ctx, []byte("rt1"), time.UnixMilli(6_000)); err == nil {
				t.Fatal("a refresh token used before the upgrade was used again")
			}
			if dev, err := o.GetDeviceAuth(ctx, []byte("uc1")); err != store.ErrNotFound {
				t.Fatalf("device authorization after the upgrade = %+v, %v; want it dropped", dev, err)
			}
			if err := db.Store().Users().Delete(ctx, "d-0000000001", "u1"); err != nil {
				t.Fatal(err)
			}
			for _, h := range []string{"at1", "rt1", "rt2"} {
				if _, err := o.GetToken(ctx, []byte(h)); err != store.ErrNotFound {
					t.Fatalf("%s after its user was deleted: %v", h, err)
				}
			}
		})
	}
}

func tokensEqual(a, b store.OIDCToken) bool {
	return string(a.Hash) == string(b.Hash) && a.Kind == b.Kind && a.FamilyID == b.FamilyID && a.ClientID == b.ClientID &&
		a.IdentityStoreID == b.IdentityStoreID && a.UserID == b.UserID && slices.Equal(a.Scopes, b.Scopes) &&
		a.CreatedAt.Equal(b.CreatedAt) && a.ExpiresAt.Equal(b.ExpiresAt) && a.UsedAt.Equal(b.UsedAt)
}

package sqlstore

import (
	"context"
	"fmt"

	"github.com/iic-project/iic/internal/store"
)

type scimTenants struct{ s *sqlStore }

func (s *sqlStore) SCIMTenants() store.SCIMTenants { return scimTenants{s} }

const tenantColumns = "identity_store_id, id, created_at"

func scanTenant(row interface{ Scan(...any) error }) (store.SCIMTenant, error) {
	var t store.SCIMTenant
	var created int64
	err := row.Scan(&t.IdentityStoreID, &t.ID, &created)
	t.CreatedAt = fromMS(created)
	return t, mapErr(err)
}

func (t scimTenants) Create(ctx context.Context, tn store.SCIMTenant) error {
	_, err := t.s.exec(ctx, "INSERT INTO scim_tenants ("+tenantColumns+") VALUES (?, ?, ?)", tn.IdentityStoreID, tn.ID, ms(tn.CreatedAt))
	return err
}

func (t scimTenants) Get(ctx context.Context, tenantID string) (store.SCIMTenant, error) {
	return scanTenant(t.s.queryRow(ctx, "SELECT "+tenantColumns+" FROM scim_tenants WHERE id = ?", tenantID))
}

func (t scimTenants) List(ctx context.Context, storeID string) ([]store.SCIMTenant, error) {
	rows, err := t.s.query(ctx, "SELECT "+tenantColumns+" FROM scim_tenants WHERE identity_store_id = ? ORDER BY seq", storeID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanTenant)
}

// Delete relies on the tokens' foreign key (no cascade) to refuse a tenant
// that still has tokens: the violation maps to ErrConflict.
func (t scimTenants) Delete(ctx context.Context, storeID, tenantID string) error {
	return t.s.execOne(ctx, "DELETE FROM scim_tenants WHERE identity_store_id = ? AND id = ?", storeID, tenantID)
}

const tokenColumns = "identity_store_id, tenant_id, id, token_hash, created_at, expires_at"

func scanToken(row interface{ Scan(...any) error }) (store.BearerToken, error) {
	var b store.BearerToken
	var created, expires int64
	err := row.Scan(&b.IdentityStoreID, &b.TenantID, &b.ID, &b.Hash, &created, &expires)
	b.CreatedAt, b.ExpiresAt = fromMS(created), fromMS(expires)
	return b, mapErr(err)
}

// AddToken locks the tenant row, so concurrent creates for one tenant are
// serialized and the count stays within max.
func (t scimTenants) AddToken(ctx context.Context, tok store.BearerToken, max int) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		var one int
		if err := tx.queryRow(ctx, "SELECT 1 FROM scim_tenants WHERE identity_store_id = ? AND id = ?"+tx.forUpdate(), tok.IdentityStoreID, tok.TenantID).Scan(&one); err != nil {
			return mapErr(err)
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM scim_tokens WHERE identity_store_id = ? AND tenant_id = ?", tok.IdentityStoreID, tok.TenantID).Scan(&n); err != nil {
			return mapErr(err)
		}
		if n >= max {
			return fmt.Errorf("%w: the tenant already holds %d tokens", store.ErrConflict, n)
		}
		_, err := tx.exec(ctx, "INSERT INTO scim_tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?)",
			tok.IdentityStoreID, tok.TenantID, tok.ID, tok.Hash, ms(tok.CreatedAt), ms(tok.ExpiresAt))
		return err
	})
}

func (t scimTenants) ListTokens(ctx context.Context, storeID, tenantID string) ([]store.BearerToken, error) {
	rows, err := t.s.query(ctx, "SELECT "+tokenColumns+" FROM scim_tokens WHERE identity_store_id = ? AND tenant_id = ? ORDER BY seq", storeID, tenantID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanToken)
}

func (t scimTenants) DeleteToken(ctx context.Context, storeID, tenantID, tokenID string) error {
	return t.s.execOne(ctx, "DELETE FROM scim_tokens WHERE identity_store_id = ? AND tenant_id = ? AND id = ?", storeID, tenantID, tokenID)
}

func (t scimTenants) GetTokenByHash(ctx context.Context, hash []byte) (store.BearerToken, error) {
	return scanToken(t.s.queryRow(ctx, "SELECT "+tokenColumns+" FROM scim_tokens WHERE token_hash = ?", hash))
}

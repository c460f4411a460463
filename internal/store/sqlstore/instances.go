package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type regions struct{ s *sqlStore }

func (t regions) Register(ctx context.Context, r store.RegisteredRegion) error {
	_, err := t.s.exec(ctx, "INSERT INTO registered_regions (account_id, region_id, created_at) VALUES (?, ?, ?)",
		r.AccountID, r.RegionID, ms(r.CreatedAt))
	return err
}

func (t regions) Get(ctx context.Context, accountID string) (store.RegisteredRegion, error) {
	var r store.RegisteredRegion
	var created int64
	err := t.s.queryRow(ctx, "SELECT account_id, region_id, created_at FROM registered_regions WHERE account_id = ?", accountID).
		Scan(&r.AccountID, &r.RegionID, &created)
	r.CreatedAt = fromMS(created)
	return r, mapErr(err)
}

func (t regions) Delete(ctx context.Context, accountID string) error {
	return t.s.execOne(ctx, "DELETE FROM registered_regions WHERE account_id = ?", accountID)
}

type instances struct{ s *sqlStore }

const instanceColumns = "seq, id, account_id, identity_store_id, region_id, alias, created_at"

func scanInstance(row interface{ Scan(...any) error }) (store.Instance, error) {
	var in store.Instance
	var created int64
	err := row.Scan(&in.Seq, &in.ID, &in.AccountID, &in.IdentityStoreID, &in.RegionID, &in.Alias, &created)
	in.CreatedAt = fromMS(created)
	return in, mapErr(err)
}

func (t instances) Create(ctx context.Context, in store.Instance) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		if _, err := tx.exec(ctx, "INSERT INTO instances (id, account_id, identity_store_id, region_id, alias, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			in.ID, in.AccountID, in.IdentityStoreID, in.RegionID, in.Alias, ms(in.CreatedAt)); err != nil {
			return err
		}
		return ensureShards(ctx, tx, in.IdentityStoreID)
	})
}

func (t instances) Get(ctx context.Context, id string) (store.Instance, error) {
	return scanInstance(t.s.queryRow(ctx, "SELECT "+instanceColumns+" FROM instances WHERE id = ?", id))
}

func (t instances) GetByIdentityStore(ctx context.Context, identityStoreID string) (store.Instance, error) {
	return scanInstance(t.s.queryRow(ctx, "SELECT "+instanceColumns+" FROM instances WHERE identity_store_id = ?", identityStoreID))
}

func (t instances) ListByAccount(ctx context.Context, accountID string, after int64, limit int) ([]store.Instance, error) {
	rows, err := t.s.query(ctx, "SELECT "+instanceColumns+" FROM instances WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		accountID, after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInstance)
}

func (t instances) Update(ctx context.Context, id string, fn func(*store.Instance) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		in, err := scanInstance(tx.queryRow(ctx, "SELECT "+instanceColumns+" FROM instances WHERE id = ?"+tx.forUpdate(), id))
		if err != nil {
			return err
		}
		if err := fn(&in); err != nil {
			return err
		}
		return tx.execOne(ctx, "UPDATE instances SET identity_store_id = ?, region_id = ?, alias = ? WHERE id = ?",
			in.IdentityStoreID, in.RegionID, in.Alias, id)
	})
}

func (t instances) Delete(ctx context.Context, id string) error {
	return t.s.execOne(ctx, "DELETE FROM instances WHERE id = ?", id)
}

// identityStoreTables are the tables with rows of an identity store, in an
// order that deletes referencing rows first (index_test.go checks the list
// against the schema: every table with an identity_store_id column but
// instances and identity_store_purges). PurgeStep deletes users and groups
// in batches (their dependents go by cascade) and the rest at once.
var identityStoreTables = []string{
	"scim_tokens", "scim_tenants", "idp_certificates", "external_idps", "sp_certificates",
	"group_memberships", "group_external_ids", "groups",
	"oidc_token_families", "oidc_auth_codes", "oidc_device_auths",
	"signin_challenges", "signin_contexts", "portal_sessions", "mfa_registrations", "mfa_devices", "user_tokens", "user_passwords", "user_external_ids", "users",
	"password_policies", "identity_store_counters", "signin_failures",
}

func (t instances) QueuePurge(ctx context.Context, identityStoreID string, at time.Time) error {
	_, err := t.s.exec(ctx, `INSERT INTO identity_store_purges (identity_store_id, requested_at) VALUES (?, ?)
		ON CONFLICT (identity_store_id) DO NOTHING`, identityStoreID, ms(at))
	return err
}

func (t instances) PendingPurges(ctx context.Context) ([]string, error) {
	rows, err := t.s.query(ctx, "SELECT identity_store_id FROM identity_store_purges ORDER BY requested_at, identity_store_id")
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, mapErr(r.Scan(&id))
	})
}

func (t instances) PurgeStep(ctx context.Context, identityStoreID string, batch int) (bool, error) {
	done := false
	err := t.s.update(ctx, func(tx *sqlStore) error {
		for _, table := range []string{"users", "groups"} {
			res, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE identity_store_id = ? AND seq IN (SELECT seq FROM "+table+
				" WHERE identity_store_id = ? ORDER BY seq LIMIT ?)", identityStoreID, identityStoreID, batch)
			if err != nil {
				return fmt.Errorf("purge %s: %w", table, err)
			}
			if n, err := res.RowsAffected(); err != nil || n > 0 {
				return err // more may be left: the next step goes on
			}
		}
		for _, table := range identityStoreTables {
			if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE identity_store_id = ?", identityStoreID); err != nil {
				return fmt.Errorf("purge %s: %w", table, err)
			}
		}
		_, err := tx.exec(ctx, "DELETE FROM identity_store_purges WHERE identity_store_id = ?", identityStoreID)
		done = err == nil
		return err
	})
	return done && err == nil, err
}

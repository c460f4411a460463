package sqlstore

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type devices struct{ s *sqlStore }

func (s *sqlStore) Devices() store.Devices { return devices{s} }

// lockUser checks that the user exists and, on PostgreSQL, locks its row
// until the transaction ends, which serializes writes that count a user's
// rows (SQLite write transactions are serialized already).
func lockUser(ctx context.Context, tx *sqlStore, storeID, userID string) error {
	var one int
	return mapErr(tx.queryRow(ctx, "SELECT 1 FROM users WHERE identity_store_id = ? AND id = ?"+tx.forUpdate(), storeID, userID).Scan(&one))
}

// ---- MFA devices

const deviceColumns = "identity_store_id, id, user_id, type, device_name, display_name, secret_sealed, last_step, created_at, last_used_at"

func scanDevice(row interface{ Scan(...any) error }) (store.MFADevice, error) {
	var d store.MFADevice
	var created, used int64
	err := row.Scan(&d.IdentityStoreID, &d.ID, &d.UserID, &d.Type, &d.DeviceName, &d.DisplayName, &d.SecretSealed, &d.LastStep, &created, &used)
	if err != nil {
		return d, mapErr(err)
	}
	d.CreatedAt, d.LastUsedAt = fromMS(created), fromMS(used)
	return d, nil
}

func (t devices) CreateDevice(ctx context.Context, d store.MFADevice, max int) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		if err := lockUser(ctx, tx, d.IdentityStoreID, d.UserID); err != nil {
			return err
		}
		if max > 0 {
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM mfa_devices WHERE identity_store_id = ? AND user_id = ?", d.IdentityStoreID, d.UserID).Scan(&n); err != nil {
				return mapErr(err)
			}
			if n >= max {
				return store.ErrLimit
			}
		}
		sealed := d.SecretSealed
		if sealed == nil {
			sealed = []byte{}
		}
		_, err := tx.exec(ctx, "INSERT INTO mfa_devices ("+deviceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			d.IdentityStoreID, d.ID, d.UserID, d.Type, d.DeviceName, d.DisplayName, sealed, d.LastStep, ms(d.CreatedAt), ms(d.LastUsedAt))
		return err
	})
}

func (t devices) GetDevice(ctx context.Context, storeID, userID, deviceID string) (store.MFADevice, error) {
	return scanDevice(t.s.queryRow(ctx, "SELECT "+deviceColumns+" FROM mfa_devices WHERE identity_store_id = ? AND id = ? AND user_id = ?", storeID, deviceID, userID))
}

func (t devices) ListDevices(ctx context.Context, storeID, userID string) ([]store.MFADevice, error) {
	rows, err := t.s.query(ctx, "SELECT "+deviceColumns+" FROM mfa_devices WHERE identity_store_id = ? AND user_id = ? ORDER BY created_at, id", storeID, userID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDevice)
}

func (t devices) UpdateDevice(ctx context.Context, storeID, userID, deviceID string, fn func(*store.MFADevice) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		d, err := scanDevice(tx.queryRow(ctx, "SELECT "+deviceColumns+" FROM mfa_devices WHERE identity_store_id = ? AND id = ? AND user_id = ?"+tx.forUpdate(), storeID, deviceID, userID))
		if err != nil {
			return err
		}
		if err := fn(&d); err != nil {
			return err
		}
		sealed := d.SecretSealed
		if sealed == nil {
			sealed = []byte{}
		}
		return tx.execOne(ctx, `UPDATE mfa_devices SET type = ?, device_name = ?, display_name = ?, secret_sealed = ?, last_step = ?, created_at = ?, last_used_at = ?
			WHERE identity_store_id = ? AND id = ? AND user_id = ?`,
			d.Type, d.DeviceName, d.DisplayName, sealed, d.LastStep, ms(d.CreatedAt), ms(d.LastUsedAt), storeID, deviceID, userID)
	})
}

func (t devices) DeleteDevice(ctx context.Context, storeID, userID, deviceID string) error {
	return t.s.execOne(ctx, "DELETE FROM mfa_devices WHERE identity_store_id = ? AND id = ? AND user_id = ?", storeID, deviceID, userID)
}

// ---- pending registrations

const registrationColumns = "token_hash, identity_store_id, user_id, type, secret_sealed, created_at, created_by, expires_at"

func scanRegistration(row interface{ Scan(...any) error }) (store.MFARegistration, error) {
	var r store.MFARegistration
	var created, expires int64
	var secret []byte
	err := row.Scan(&r.TokenHash, &r.IdentityStoreID, &r.UserID, &r.Type, &secret, &created, &r.CreatedBy, &expires)
	if err != nil {
		return r, mapErr(err)
	}
	if len(secret) > 0 {
		r.SecretSealed = secret
	}
	r.CreatedAt, r.ExpiresAt = fromMS(created), fromMS(expires)
	return r, nil
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func (t devices) CreateRegistration(ctx context.Context, r store.MFARegistration) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		if err := lockUser(ctx, tx, r.IdentityStoreID, r.UserID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "INSERT INTO mfa_registrations ("+registrationColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			r.TokenHash, r.IdentityStoreID, r.UserID, r.Type, nullBytes(r.SecretSealed), ms(r.CreatedAt), r.CreatedBy, ms(r.ExpiresAt))
		return err
	})
}

func (t devices) GetRegistration(ctx context.Context, tokenHash []byte) (store.MFARegistration, error) {
	return scanRegistration(t.s.queryRow(ctx, "SELECT "+registrationColumns+" FROM mfa_registrations WHERE token_hash = ?", tokenHash))
}

func (t devices) UpdateRegistration(ctx context.Context, tokenHash []byte, fn func(*store.MFARegistration) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		r, err := scanRegistration(tx.queryRow(ctx, "SELECT "+registrationColumns+" FROM mfa_registrations WHERE token_hash = ?"+tx.forUpdate(), tokenHash))
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		return tx.execOne(ctx, "UPDATE mfa_registrations SET type = ?, secret_sealed = ?, expires_at = ? WHERE token_hash = ?",
			r.Type, nullBytes(r.SecretSealed), ms(r.ExpiresAt), tokenHash)
	})
}

func (t devices) DeleteRegistration(ctx context.Context, tokenHash []byte) error {
	return t.s.execOne(ctx, "DELETE FROM mfa_registrations WHERE token_hash = ?", tokenHash)
}

func (t devices) DeleteRegistrationsOfUser(ctx context.Context, storeID, userID string) (int, error) {
	return t.deleteCount(ctx, "DELETE FROM mfa_registrations WHERE identity_store_id = ? AND user_id = ?", storeID, userID)
}

func (t devices) DeleteExpiredRegistrations(ctx context.Context, now time.Time, limit int) (int, error) {
	return t.deleteCount(ctx, `DELETE FROM mfa_registrations WHERE token_hash IN
		(SELECT token_hash FROM mfa_registrations WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(now), limit)
}

func (t devices) deleteCount(ctx context.Context, q string, args ...any) (int, error) {
	return deleteCount(t.s, ctx, q, args...)
}

// deleteCount runs a DELETE (or UPDATE) and returns how many rows it hit.
func deleteCount(s *sqlStore, ctx context.Context, q string, args ...any) (int, error) {
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

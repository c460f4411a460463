package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type keystone struct{ s *sqlStore }

func (s *sqlStore) Keystone() store.Keystone { return keystone{s} }

const keystoneUserColumns = "account_id, id, name, password_hash, roles, totp_secret, totp_last_step, password_changed_at, created_at, updated_at"

func scanKeystoneUser(row interface{ Scan(...any) error }) (store.SignInUser, error) {
	var u store.SignInUser
	var roles string
	var changed, created, updated int64
	if err := row.Scan(&u.AccountID, &u.ID, &u.Name, &u.PasswordHash, &roles, &u.TOTPSecretSealed, &u.TOTPLastStep, &changed, &created, &updated); err != nil {
		return u, mapErr(err)
	}
	u.PasswordChangedAt, u.CreatedAt, u.UpdatedAt = fromMS(changed), fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(roles), &u.Roles); err != nil || u.Roles == nil {
		u.Roles = []string{}
	}
	return u, nil
}

func stringsJSON(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (k keystone) PutUser(ctx context.Context, u store.SignInUser) error {
	return k.s.update(ctx, func(tx *sqlStore) error {
		cur, err := scanKeystoneUser(tx.queryRow(ctx, "SELECT "+keystoneUserColumns+" FROM keystone_users WHERE account_id = ?"+tx.forUpdate(), u.AccountID))
		switch {
		case errors.Is(err, store.ErrNotFound):
			_, err := tx.exec(ctx, "INSERT INTO keystone_users ("+keystoneUserColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				u.AccountID, u.ID, u.Name, u.PasswordHash, stringsJSON(u.Roles), u.TOTPSecretSealed, u.TOTPLastStep, ms(u.PasswordChangedAt), ms(u.CreatedAt), ms(u.UpdatedAt))
			return err
		case err != nil:
			return err
		}
		if cur.PasswordHash != u.PasswordHash || cur.ID != u.ID {
			if _, err := tx.exec(ctx, "DELETE FROM keystone_tokens WHERE account_id = ?", u.AccountID); err != nil {
				return err
			}
		}
		return tx.execOne(ctx, `UPDATE keystone_users SET id = ?, name = ?, password_hash = ?, roles = ?, totp_secret = ?,
			totp_last_step = ?, password_changed_at = ?, updated_at = ? WHERE account_id = ?`,
			u.ID, u.Name, u.PasswordHash, stringsJSON(u.Roles), u.TOTPSecretSealed, u.TOTPLastStep, ms(u.PasswordChangedAt), ms(u.UpdatedAt), u.AccountID)
	})
}

func (k keystone) GetUser(ctx context.Context, accountID string) (store.SignInUser, error) {
	return scanKeystoneUser(k.s.queryRow(ctx, "SELECT "+keystoneUserColumns+" FROM keystone_users WHERE account_id = ?", accountID))
}

// ClaimTOTPStep is one conditional update: of two requests with the same
// code, exactly one advances the step.
func (k keystone) ClaimTOTPStep(ctx context.Context, accountID string, step int64) error {
	err := k.s.execOne(ctx, "UPDATE keystone_users SET totp_last_step = ? WHERE account_id = ? AND totp_last_step < ?", step, accountID, step)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if _, err := k.GetUser(ctx, accountID); err != nil {
		return err
	}
	return store.ErrConflict
}

// DeleteUser is one statement: the tokens cascade.
func (k keystone) DeleteUser(ctx context.Context, accountID string) error {
	return k.s.execOne(ctx, "DELETE FROM keystone_users WHERE account_id = ?", accountID)
}

const keystoneTokenColumns = "hash, account_id, user_id, methods, project_id, agency_account_id, agency_name, agency_urn, agency_instance, agency_permission_set, issued_at, expires_at"

func (k keystone) CreateToken(ctx context.Context, t store.KeystoneToken) error {
	_, err := k.s.exec(ctx, "INSERT INTO keystone_tokens ("+keystoneTokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		t.Hash, t.AccountID, t.UserID, stringsJSON(t.Methods), t.ProjectID, t.AgencyAccountID, t.AgencyName, t.AgencyURN,
		t.Agency.InstanceID, t.Agency.PermissionSetID, ms(t.IssuedAt), ms(t.ExpiresAt))
	return err
}

func (k keystone) GetToken(ctx context.Context, hash []byte) (store.KeystoneToken, error) {
	var t store.KeystoneToken
	var methods string
	var issued, expires int64
	err := k.s.queryRow(ctx, "SELECT "+keystoneTokenColumns+" FROM keystone_tokens WHERE hash = ?", hash).Scan(&t.Hash, &t.AccountID, &t.UserID,
		&methods, &t.ProjectID, &t.AgencyAccountID, &t.AgencyName, &t.AgencyURN, &t.Agency.InstanceID, &t.Agency.PermissionSetID, &issued, &expires)
	if err != nil {
		return t, mapErr(err)
	}
	t.IssuedAt, t.ExpiresAt = fromMS(issued), fromMS(expires)
	if err := json.Unmarshal([]byte(methods), &t.Methods); err != nil || t.Methods == nil {
		t.Methods = []string{}
	}
	return t, nil
}

func (k keystone) DeleteExpiredTokens(ctx context.Context, before time.Time, limit int) (int, error) {
	return deleteCount(k.s, ctx, `DELETE FROM keystone_tokens WHERE hash IN
		(SELECT hash FROM keystone_tokens WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`, ms(before), limit)
}

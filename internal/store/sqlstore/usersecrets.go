package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type userSecrets struct{ s *sqlStore }

func (s *sqlStore) Users() store.Users             { return users{s} }
func (s *sqlStore) UserSecrets() store.UserSecrets { return userSecrets{s} }

func (t userSecrets) GetPasswordPolicy(ctx context.Context, storeID string) (store.PasswordPolicy, error) {
	p := store.PasswordPolicy{IdentityStoreID: storeID}
	var updated int64
	err := t.s.queryRow(ctx, `SELECT min_length, require_lowercase, require_uppercase, require_numbers, require_symbols,
		max_age_days, reuse_prevention, updated_at FROM password_policies WHERE identity_store_id = ?`, storeID).
		Scan(&p.MinLength, &p.RequireLowercase, &p.RequireUppercase, &p.RequireNumbers, &p.RequireSymbols, &p.MaxAgeDays, &p.ReusePrevention, &updated)
	if err != nil {
		return store.PasswordPolicy{}, mapErr(err)
	}
	p.UpdatedAt = fromMS(updated)
	return p, nil
}

func (t userSecrets) PutPasswordPolicy(ctx context.Context, p store.PasswordPolicy) error {
	_, err := t.s.exec(ctx, `INSERT INTO password_policies (identity_store_id, min_length, require_lowercase, require_uppercase,
		require_numbers, require_symbols, max_age_days, reuse_prevention, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (identity_store_id) DO UPDATE SET min_length = excluded.min_length, require_lowercase = excluded.require_lowercase,
		require_uppercase = excluded.require_uppercase, require_numbers = excluded.require_numbers, require_symbols = excluded.require_symbols,
		max_age_days = excluded.max_age_days, reuse_prevention = excluded.reuse_prevention, updated_at = excluded.updated_at`,
		p.IdentityStoreID, p.MinLength, p.RequireLowercase, p.RequireUppercase, p.RequireNumbers, p.RequireSymbols, p.MaxAgeDays,
		p.ReusePrevention, ms(p.UpdatedAt))
	return err
}

func (t userSecrets) GetPassword(ctx context.Context, storeID, userID string) (store.Password, error) {
	p := store.Password{IdentityStoreID: storeID, UserID: userID}
	var history string
	var set int64
	err := t.s.queryRow(ctx, "SELECT hash, one_time, history, set_at FROM user_passwords WHERE identity_store_id = ? AND user_id = ?",
		storeID, userID).Scan(&p.Hash, &p.OneTime, &history, &set)
	if err != nil {
		return store.Password{}, mapErr(err)
	}
	p.SetAt = fromMS(set)
	if err := json.Unmarshal([]byte(history), &p.History); err != nil {
		return store.Password{}, fmt.Errorf("password of %s: history: %w", userID, err)
	}
	return p, nil
}

func (t userSecrets) PutPassword(ctx context.Context, p store.Password) error {
	h := p.History
	if h == nil {
		h = []string{}
	}
	history, err := json.Marshal(h)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO user_passwords (identity_store_id, user_id, hash, one_time, history, set_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (identity_store_id, user_id) DO UPDATE SET hash = excluded.hash, one_time = excluded.one_time,
		history = excluded.history, set_at = excluded.set_at`,
		p.IdentityStoreID, p.UserID, p.Hash, p.OneTime, string(history), ms(p.SetAt))
	return err
}

func (t userSecrets) DeletePassword(ctx context.Context, storeID, userID string) error {
	return t.s.execOne(ctx, "DELETE FROM user_passwords WHERE identity_store_id = ? AND user_id = ?", storeID, userID)
}

func (t userSecrets) CreateToken(ctx context.Context, tok store.UserToken) error {
	_, err := t.s.exec(ctx, `INSERT INTO user_tokens (token_hash, identity_store_id, user_id, purpose, email, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, tok.Hash, tok.IdentityStoreID, tok.UserID, tok.Purpose, tok.Email, ms(tok.ExpiresAt), ms(tok.CreatedAt))
	return err
}

func (t userSecrets) ConsumeToken(ctx context.Context, hash, purpose string, now time.Time) (store.UserToken, error) {
	var tok store.UserToken
	err := t.s.update(ctx, func(tx *sqlStore) error {
		var exp, created int64
		err := tx.queryRow(ctx, `DELETE FROM user_tokens WHERE token_hash = ? AND purpose = ?
			RETURNING token_hash, identity_store_id, user_id, purpose, email, expires_at, created_at`, hash, purpose).
			Scan(&tok.Hash, &tok.IdentityStoreID, &tok.UserID, &tok.Purpose, &tok.Email, &exp, &created)
		if err != nil {
			return mapErr(err)
		}
		tok.ExpiresAt, tok.CreatedAt = fromMS(exp), fromMS(created)
		return nil
	})
	if err != nil {
		return store.UserToken{}, err
	}
	// An expired token is deleted all the same: it can never be used.
	if !now.Before(tok.ExpiresAt) {
		return store.UserToken{}, store.ErrNotFound
	}
	return tok, nil
}

func (t userSecrets) DeleteTokens(ctx context.Context, storeID, userID, purpose string) (int, error) {
	q := "DELETE FROM user_tokens WHERE identity_store_id = ? AND user_id = ?"
	args := []any{storeID, userID}
	if purpose != "" {
		q += " AND purpose = ?"
		args = append(args, purpose)
	}
	res, err := t.s.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// deleteExpiredTokensSQL deletes up to a limit of tokens expired at a time,
// found through user_tokens_expiry.
const deleteExpiredTokensSQL = `DELETE FROM user_tokens WHERE token_hash IN
	(SELECT token_hash FROM user_tokens WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`

func (t userSecrets) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	res, err := t.s.exec(ctx, deleteExpiredTokensSQL, ms(now), limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// Sign-in state (tables signin_failures, signin_contexts, signin_challenges).
type signIns struct{ s *sqlStore }

func (s *sqlStore) SignIns() store.SignIns { return signIns{s} }

// ---- failure counters

const failureColumns = "identity_store_id, user_key, failures, lockouts, last_failure_at, locked_until"

func scanFailures(row interface{ Scan(...any) error }) (store.SignInFailures, error) {
	var f store.SignInFailures
	var last, locked int64
	if err := row.Scan(&f.IdentityStoreID, &f.UserKey, &f.Failures, &f.Lockouts, &last, &locked); err != nil {
		return f, mapErr(err)
	}
	f.LastFailureAt, f.LockedUntil = fromMS(last), fromMS(locked)
	return f, nil
}

func (t signIns) GetFailures(ctx context.Context, storeID, userKey string) (store.SignInFailures, error) {
	return scanFailures(t.s.queryRow(ctx, "SELECT "+failureColumns+" FROM signin_failures WHERE identity_store_id = ? AND user_key = ?", storeID, userKey))
}

func (t signIns) UpdateFailures(ctx context.Context, storeID, userKey string, fn func(*store.SignInFailures) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		// The row exists before it is read, so that the read can lock it
		// (PostgreSQL) and concurrent updates of one name queue.
		if _, err := tx.exec(ctx, "INSERT INTO signin_failures (identity_store_id, user_key) VALUES (?, ?) ON CONFLICT DO NOTHING", storeID, userKey); err != nil {
			return err
		}
		f, err := scanFailures(tx.queryRow(ctx, "SELECT "+failureColumns+" FROM signin_failures WHERE identity_store_id = ? AND user_key = ?"+tx.forUpdate(), storeID, userKey))
		if err != nil {
			return err
		}
		if err := fn(&f); err != nil {
			return err
		}
		return tx.execOne(ctx, "UPDATE signin_failures SET failures = ?, lockouts = ?, last_failure_at = ?, locked_until = ? WHERE identity_store_id = ? AND user_key = ?",
			f.Failures, f.Lockouts, ms(f.LastFailureAt), ms(f.LockedUntil), storeID, userKey)
	})
}

func (t signIns) DeleteFailures(ctx context.Context, storeID, userKey string) error {
	_, err := t.s.exec(ctx, "DELETE FROM signin_failures WHERE identity_store_id = ? AND user_key = ?", storeID, userKey)
	return err
}

func (t signIns) DeleteStaleFailures(ctx context.Context, before, now time.Time, limit int) (int, error) {
	return deleteCount(t.s, ctx, `DELETE FROM signin_failures WHERE (identity_store_id, user_key) IN
		(SELECT identity_store_id, user_key FROM signin_failures WHERE last_failure_at <= ? AND locked_until <= ? ORDER BY last_failure_at LIMIT ?)`,
		ms(before), ms(now), limit)
}

// ---- known contexts

func (t signIns) KnownContexts(ctx context.Context, storeID, userID, kind string, values [][]byte) ([][]byte, error) {
	if len(values) == 0 {
		return nil, nil
	}
	args := []any{storeID, userID, kind}
	for _, v := range values {
		args = append(args, v)
	}
	rows, err := t.s.query(ctx, "SELECT value FROM signin_contexts WHERE identity_store_id = ? AND user_id = ? AND kind = ? AND value IN ("+placeholders(len(values))+")", args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) ([]byte, error) {
		var v []byte
		return v, mapErr(row.Scan(&v))
	})
}

func (t signIns) MatchContexts(ctx context.Context, storeID, userID string, cs []store.SignInContext) ([]store.SignInContext, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	args := []any{storeID, userID}
	for _, c := range cs {
		args = append(args, c.Value)
	}
	// By value alone (the primary key's prefix is the user's few rows);
	// the kinds are matched here.
	rows, err := t.s.query(ctx, "SELECT kind, value FROM signin_contexts WHERE identity_store_id = ? AND user_id = ? AND value IN ("+placeholders(len(cs))+")", args...)
	if err != nil {
		return nil, err
	}
	found, err := collect(rows, func(row interface{ Scan(...any) error }) (store.SignInContext, error) {
		var c store.SignInContext
		return c, mapErr(row.Scan(&c.Kind, &c.Value))
	})
	if err != nil {
		return nil, err
	}
	var out []store.SignInContext
	for _, c := range cs {
		for _, f := range found {
			if f.Kind == c.Kind && bytes.Equal(f.Value, c.Value) {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}

func (t signIns) RememberContext(ctx context.Context, c store.SignInContext, keep int) error {
	return t.RememberContexts(ctx, []store.SignInContext{c}, keep)
}

func (t signIns) RememberContexts(ctx context.Context, cs []store.SignInContext, keep int) error {
	if len(cs) == 0 {
		return nil
	}
	storeID, userID := cs[0].IdentityStoreID, cs[0].UserID
	args := make([]any, 0, 5*len(cs))
	for _, c := range cs {
		if c.IdentityStoreID != storeID || c.UserID != userID {
			return fmt.Errorf("sqlstore: RememberContexts of more than one user")
		}
		args = append(args, c.IdentityStoreID, c.UserID, c.Kind, c.Value, ms(c.LastSeenAt))
	}
	return t.s.update(ctx, func(tx *sqlStore) error {
		if err := lockUser(ctx, tx, storeID, userID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO signin_contexts (identity_store_id, user_id, kind, value, last_seen_at) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(cs)), ", ")+`
			ON CONFLICT (identity_store_id, user_id, kind, value) DO UPDATE SET last_seen_at = excluded.last_seen_at`, args...); err != nil {
			return err
		}
		if keep <= 0 {
			return nil
		}
		// Drop all but the keep most recently seen of each kind.
		_, err := tx.exec(ctx, `DELETE FROM signin_contexts WHERE identity_store_id = ? AND user_id = ? AND (kind, value) IN
			(SELECT kind, value FROM (SELECT kind, value, ROW_NUMBER() OVER (PARTITION BY kind ORDER BY last_seen_at DESC, value) AS n
				FROM signin_contexts WHERE identity_store_id = ? AND user_id = ?) AS ranked WHERE n > ?)`,
			storeID, userID, storeID, userID, keep)
		return err
	})
}

func (t signIns) ListContexts(ctx context.Context, storeID, userID, kind string) ([]store.SignInContext, error) {
	rows, err := t.s.query(ctx, `SELECT identity_store_id, user_id, kind, value, last_seen_at FROM signin_contexts
		WHERE identity_store_id = ? AND user_id = ? AND kind = ? ORDER BY last_seen_at DESC, value`, storeID, userID, kind)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (store.SignInContext, error) {
		var c store.SignInContext
		var seen int64
		err := row.Scan(&c.IdentityStoreID, &c.UserID, &c.Kind, &c.Value, &seen)
		c.LastSeenAt = fromMS(seen)
		return c, mapErr(err)
	})
}

// ---- challenges

const challengeColumns = "token_hash, identity_store_id, user_id, user_key, kind, methods, auth_methods, password_change, code_hash, attempts, " +
	"source_ip, user_agent, device_id, created_at, expires_at"

func scanChallenge(row interface{ Scan(...any) error }) (store.SignInChallenge, error) {
	var c store.SignInChallenge
	var methods, auth string
	var code []byte
	var created, expires int64
	err := row.Scan(&c.TokenHash, &c.IdentityStoreID, &c.UserID, &c.UserKey, &c.Kind, &methods, &auth, &c.PasswordChange, &code, &c.Attempts,
		&c.SourceIP, &c.UserAgent, &c.DeviceID, &created, &expires)
	if err != nil {
		return c, mapErr(err)
	}
	if len(code) > 0 {
		c.CodeHash = code
	}
	c.CreatedAt, c.ExpiresAt = fromMS(created), fromMS(expires)
	if err := json.Unmarshal([]byte(methods), &c.Methods); err != nil {
		return c, fmt.Errorf("sign-in challenge: methods: %w", err)
	}
	if err := json.Unmarshal([]byte(auth), &c.AuthMethods); err != nil {
		return c, fmt.Errorf("sign-in challenge: auth_methods: %w", err)
	}
	return c, nil
}

func (t signIns) CreateChallenge(ctx context.Context, c store.SignInChallenge) error {
	methods, err := json.Marshal(nonNil(c.Methods))
	if err != nil {
		return err
	}
	auth, err := json.Marshal(nonNil(c.AuthMethods))
	if err != nil {
		return err
	}
	return t.s.update(ctx, func(tx *sqlStore) error {
		if err := lockUser(ctx, tx, c.IdentityStoreID, c.UserID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "INSERT INTO signin_challenges ("+challengeColumns+") VALUES ("+placeholders(15)+")",
			c.TokenHash, c.IdentityStoreID, c.UserID, c.UserKey, c.Kind, string(methods), string(auth), c.PasswordChange, nullBytes(c.CodeHash), c.Attempts,
			c.SourceIP, c.UserAgent, c.DeviceID, ms(c.CreatedAt), ms(c.ExpiresAt))
		return err
	})
}

func (t signIns) GetChallenge(ctx context.Context, tokenHash []byte) (store.SignInChallenge, error) {
	return scanChallenge(t.s.queryRow(ctx, "SELECT "+challengeColumns+" FROM signin_challenges WHERE token_hash = ?", tokenHash))
}

func (t signIns) AddChallengeAttempt(ctx context.Context, tokenHash []byte) (int, error) {
	var n int
	err := t.s.update(ctx, func(tx *sqlStore) error {
		if err := tx.execOne(ctx, "UPDATE signin_challenges SET attempts = attempts + 1 WHERE token_hash = ?", tokenHash); err != nil {
			return err
		}
		return mapErr(tx.queryRow(ctx, "SELECT attempts FROM signin_challenges WHERE token_hash = ?", tokenHash).Scan(&n))
	})
	return n, err
}

func (t signIns) DeleteChallenge(ctx context.Context, tokenHash []byte) error {
	return t.s.execOne(ctx, "DELETE FROM signin_challenges WHERE token_hash = ?", tokenHash)
}

func (t signIns) DeleteExpiredChallenges(ctx context.Context, now time.Time, limit int) (int, error) {
	return deleteCount(t.s, ctx, `DELETE FROM signin_challenges WHERE token_hash IN
		(SELECT token_hash FROM signin_challenges WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(now), limit)
}

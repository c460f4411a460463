package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type oidcStore struct{ s *sqlStore }

func (s *sqlStore) OIDC() store.OIDC { return oidcStore{s} }

// encodeList encodes a string list column (a JSON array, never null).
func encodeList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // []string always marshals
	return string(b)
}

// decodeList decodes a list column; an empty list is nil.
func decodeList(col, v string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return nil, fmt.Errorf("%s: %w", col, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (o oidcStore) deleteCount(ctx context.Context, q string, args ...any) (int, error) {
	res, err := o.s.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ---- clients

const oidcClientColumns = "id, name, secret_hash, scopes, grant_types, created_at, secret_expires_at, expires_at"

func scanOIDCClient(row interface{ Scan(...any) error }) (store.OIDCClient, error) {
	var c store.OIDCClient
	var scopes, grants string
	var created, secretExp, exp int64
	if err := row.Scan(&c.ID, &c.Name, &c.SecretHash, &scopes, &grants, &created, &secretExp, &exp); err != nil {
		return c, mapErr(err)
	}
	c.CreatedAt, c.SecretExpiresAt, c.ExpiresAt = fromMS(created), fromMS(secretExp), fromMS(exp)
	var err error
	if c.Scopes, err = decodeList("scopes", scopes); err != nil {
		return c, err
	}
	c.GrantTypes, err = decodeList("grant_types", grants)
	return c, err
}

func (o oidcStore) CreateClient(ctx context.Context, c store.OIDCClient) error {
	_, err := o.s.exec(ctx, "INSERT INTO oidc_clients ("+oidcClientColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		c.ID, c.Name, c.SecretHash, encodeList(c.Scopes), encodeList(c.GrantTypes), ms(c.CreatedAt), ms(c.SecretExpiresAt), ms(c.ExpiresAt))
	return err
}

func (o oidcStore) GetClient(ctx context.Context, id string) (store.OIDCClient, error) {
	return scanOIDCClient(o.s.queryRow(ctx, "SELECT "+oidcClientColumns+" FROM oidc_clients WHERE id = ?", id))
}

func (o oidcStore) DeleteExpiredClients(ctx context.Context, before time.Time, limit int) (int, error) {
	return o.deleteCount(ctx, `DELETE FROM oidc_clients WHERE id IN
		(SELECT id FROM oidc_clients WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(before), limit)
}

// ---- device authorizations

const oidcDeviceColumns = "user_code_hash, device_code_hash, client_id, scopes, created_at, expires_at, interval_seconds, last_polled_at, status, identity_store_id, user_id"

// oidcDeviceSelect reads a device authorization with WrongGuessesSince.
const oidcDeviceSelect = "SELECT " + oidcDeviceColumns + ", (SELECT total FROM oidc_guess_total WHERE id = 1) - guess_base FROM oidc_device_auths"

func scanOIDCDevice(row interface{ Scan(...any) error }) (store.OIDCDeviceAuth, error) {
	var d store.OIDCDeviceAuth
	var scopes string
	var created, exp, polled int64
	if err := row.Scan(&d.UserCodeHash, &d.DeviceCodeHash, &d.ClientID, &scopes, &created, &exp, &d.IntervalSeconds, &polled,
		&d.Status, &d.IdentityStoreID, &d.UserID, &d.WrongGuessesSince); err != nil {
		return d, mapErr(err)
	}
	d.CreatedAt, d.ExpiresAt, d.LastPolledAt = fromMS(created), fromMS(exp), fromMS(polled)
	var err error
	d.Scopes, err = decodeList("scopes", scopes)
	return d, err
}

// CreateDeviceAuth is one INSERT, its own transaction (or a statement of
// the caller's): no BEGIN and COMMIT around it — on PostgreSQL one round
// trip instead of three, through execLossy (the contract allows a crash to
// lose it); on SQLite ≈ 10 % less CPU per device authorization than a
// transaction shared through groupCommit, whose groups at these rates are
// mostly of one. The client is read, not referenced: no row is inserted
// for an unknown one.
func (o oidcStore) CreateDeviceAuth(ctx context.Context, d store.OIDCDeviceAuth) error {
	res, err := o.s.execLossy(ctx, "INSERT INTO oidc_device_auths ("+oidcDeviceColumns+`, guess_base)
		SELECT ?, ?, c.id, ?, ?, ?, ?, ?, ?, ?, ?, g.total FROM oidc_clients c, oidc_guess_total g WHERE c.id = ? AND g.id = 1`,
		d.UserCodeHash, d.DeviceCodeHash, encodeList(d.Scopes), ms(d.CreatedAt), ms(d.ExpiresAt), d.IntervalSeconds, ms(d.LastPolledAt),
		d.Status, d.IdentityStoreID, d.UserID, d.ClientID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return &store.ConflictError{Key: store.KeyReference}
	}
	return nil
}

func (o oidcStore) GetDeviceAuth(ctx context.Context, userCodeHash []byte) (store.OIDCDeviceAuth, error) {
	return scanOIDCDevice(o.s.queryRow(ctx, oidcDeviceSelect+" WHERE user_code_hash = ?", userCodeHash))
}

func (o oidcStore) UpdateDeviceAuth(ctx context.Context, userCodeHash []byte, fn func(*store.OIDCDeviceAuth) error) error {
	return o.s.update(ctx, func(tx *sqlStore) error {
		d, err := scanOIDCDevice(tx.queryRow(ctx, oidcDeviceSelect+" WHERE user_code_hash = ?"+tx.forUpdate(), userCodeHash))
		if err != nil {
			return err
		}
		if err := fn(&d); err != nil {
			return err
		}
		return tx.execOne(ctx, `UPDATE oidc_device_auths SET interval_seconds = ?, last_polled_at = ?, status = ?, identity_store_id = ?, user_id = ?
			WHERE user_code_hash = ?`, d.IntervalSeconds, ms(d.LastPolledAt), d.Status, d.IdentityStoreID, d.UserID, userCodeHash)
	})
}

func (o oidcStore) DeleteDeviceAuth(ctx context.Context, userCodeHash []byte) error {
	return o.s.execOne(ctx, "DELETE FROM oidc_device_auths WHERE user_code_hash = ?", userCodeHash)
}

func (o oidcStore) DeleteExpiredDeviceAuths(ctx context.Context, now time.Time, limit int) (int, error) {
	return o.deleteCount(ctx, `DELETE FROM oidc_device_auths WHERE user_code_hash IN
		(SELECT user_code_hash FROM oidc_device_auths WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(now), limit)
}

// ---- tokens

// Tokens are stored in two tables (migration 0035): a family row holds
// what every token of the family shares (client, user) and the references
// that deleting a client or user cascades through; a token row holds the
// rest. A family's expires_at is the latest expiry of its tokens.

const oidcTokenColumns = "token_hash, kind, family_id, scopes, created_at, expires_at, used_at"

// oidcTokenSelect reads a token with its family's client and user, and
// whether that user is enabled (the family's reference cascades a user's
// deletion: the user row exists while the family does).
const oidcTokenSelect = `SELECT t.token_hash, t.kind, t.family_id, f.client_id, f.identity_store_id, f.user_id, t.scopes, t.created_at, t.expires_at, t.used_at,
	COALESCE(u.enabled, FALSE)
	FROM oidc_tokens t JOIN oidc_token_families f ON f.family_id = t.family_id
	LEFT JOIN users u ON u.identity_store_id = f.identity_store_id AND u.id = f.user_id`

func scanOIDCToken(row interface{ Scan(...any) error }) (store.OIDCToken, error) {
	var t store.OIDCToken
	var scopes string
	var created, exp, used int64
	if err := row.Scan(&t.Hash, &t.Kind, &t.FamilyID, &t.ClientID, &t.IdentityStoreID, &t.UserID, &scopes, &created, &exp, &used, &t.UserEnabled); err != nil {
		return t, mapErr(err)
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = fromMS(created), fromMS(exp), fromMS(used)
	var err error
	t.Scopes, err = decodeList("scopes", scopes)
	return t, err
}

// tokenArgs are a token row's values in oidcTokenColumns order.
func tokenArgs(args []any, t store.OIDCToken) []any {
	return append(args, t.Hash, t.Kind, t.FamilyID, encodeList(t.Scopes), ms(t.CreatedAt), ms(t.ExpiresAt), ms(t.UsedAt))
}

// tokenFamily is what the tokens of one family in a CreateTokens call need
// of its family row.
type tokenFamily struct {
	first   store.OIDCToken // client and user
	expires int64           // the latest expiry among the tokens
	mixed   bool            // a token of another client or user is among them
}

// families groups tokens by family, in order of first appearance.
func families(tokens []store.OIDCToken) []tokenFamily {
	var out []tokenFamily
next:
	for _, t := range tokens {
		for i := range out {
			if f := &out[i]; f.first.FamilyID == t.FamilyID {
				f.expires = max(f.expires, ms(t.ExpiresAt))
				f.mixed = f.mixed || f.first.ClientID != t.ClientID || f.first.IdentityStoreID != t.IdentityStoreID || f.first.UserID != t.UserID
				continue next
			}
		}
		out = append(out, tokenFamily{first: t, expires: ms(t.ExpiresAt)})
	}
	return out
}

// ensureFamily makes f's family row exist for its client and user and
// last at least until f.expires: a reference conflict if the family
// exists for another client or user, or the client or user does not exist.
func (o oidcStore) ensureFamily(ctx context.Context, f tokenFamily) error {
	if f.mixed {
		return &store.ConflictError{Key: store.KeyReference}
	}
	t := f.first
	var client, storeID, user string
	var exp int64
	err := o.s.queryRow(ctx, "SELECT client_id, identity_store_id, user_id, expires_at FROM oidc_token_families WHERE family_id = ?"+o.s.forUpdate(), t.FamilyID).
		Scan(&client, &storeID, &user, &exp)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err := o.s.exec(ctx, "INSERT INTO oidc_token_families (family_id, client_id, identity_store_id, user_id, expires_at) VALUES (?, ?, ?, ?, ?)",
			t.FamilyID, t.ClientID, t.IdentityStoreID, t.UserID, f.expires)
		return err
	case err != nil:
		return mapErr(err)
	case client != t.ClientID || storeID != t.IdentityStoreID || user != t.UserID:
		return &store.ConflictError{Key: store.KeyReference}
	case exp < f.expires:
		return o.s.execOne(ctx, "UPDATE oidc_token_families SET expires_at = ? WHERE family_id = ?", f.expires, t.FamilyID)
	}
	return nil
}

func (o oidcStore) CreateTokens(ctx context.Context, tokens ...store.OIDCToken) error {
	if len(tokens) == 0 {
		return nil
	}
	return o.s.update(ctx, func(tx *sqlStore) error {
		t := oidcStore{tx}
		for _, f := range families(tokens) {
			if err := t.ensureFamily(ctx, f); err != nil {
				return err
			}
		}
		return t.insertTokens(ctx, tokens)
	})
}

// insertTokens inserts token rows (their families exist) in one statement.
func (o oidcStore) insertTokens(ctx context.Context, tokens []store.OIDCToken) error {
	q := "INSERT INTO oidc_tokens (" + oidcTokenColumns + ") VALUES "
	args := make([]any, 0, 7*len(tokens))
	for i, t := range tokens {
		if i > 0 {
			q += ", "
		}
		q += "(" + placeholders(7) + ")"
		args = tokenArgs(args, t)
	}
	_, err := o.s.exec(ctx, q, args...)
	return err
}

func (o oidcStore) GetToken(ctx context.Context, hash []byte) (store.OIDCToken, error) {
	return scanOIDCToken(o.s.queryRow(ctx, oidcTokenSelect+" WHERE t.token_hash = ?", hash))
}

func (o oidcStore) UseToken(ctx context.Context, hash []byte, at time.Time) error {
	return o.s.update(ctx, func(tx *sqlStore) error {
		err := tx.execOne(ctx, "UPDATE oidc_tokens SET used_at = ? WHERE token_hash = ? AND used_at = 0", ms(at), hash)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var one int
		if err := tx.queryRow(ctx, "SELECT 1 FROM oidc_tokens WHERE token_hash = ?", hash).Scan(&one); err != nil {
			return mapErr(err)
		}
		return store.ErrConflict
	})
}

func (o oidcStore) RotateToken(ctx context.Context, spent []byte, at time.Time, tokens ...store.OIDCToken) error {
	fams := families(tokens)
	fast := len(fams) == 1 && !fams[0].mixed
	if o.s.db.dialect == dialectPostgres && o.s.tx == nil && fast {
		if done, err := o.rotateOneStatement(ctx, spent, at, fams[0], tokens); done {
			return err
		}
	}
	// On SQLite concurrent rotations share a commit (groupCommit).
	return o.s.db.group.run(ctx, o.s, func(tx *sqlStore) error {
		t := oidcStore{tx}
		if fast && tx.db.dialect != dialectPostgres {
			// The refresh grant's rotation: the successors' family
			// exists for their client and user and lasts as long as
			// they do, so spending the token and inserting them are
			// the only writes (else the general path below finds out).
			f := fams[0].first
			res, err := tx.exec(ctx, `UPDATE oidc_tokens SET used_at = ? WHERE token_hash = ? AND used_at = 0 AND EXISTS (SELECT 1 FROM oidc_token_families
				WHERE family_id = ? AND client_id = ? AND identity_store_id = ? AND user_id = ? AND expires_at >= ?)`,
				ms(at), spent, f.FamilyID, f.ClientID, f.IdentityStoreID, f.UserID, fams[0].expires)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				return t.insertTokens(ctx, tokens)
			}
		}
		if err := t.UseToken(ctx, spent, at); err != nil {
			return err
		}
		if len(tokens) == 0 {
			return nil
		}
		for _, f := range fams {
			if err := t.ensureFamily(ctx, f); err != nil {
				return err
			}
		}
		return t.insertTokens(ctx, tokens)
	})
}

// rotateOneStatement is RotateToken on PostgreSQL as one statement, for
// the rotation of the refresh grant (the successors' family exists for
// their client and user and lasts as long as they do): the UPDATE spends
// the token only then, and the INSERT adds the successors only if it did;
// a failing INSERT undoes the UPDATE. done is false when nothing was
// written, and the transaction of RotateToken then finds out why.
func (o oidcStore) rotateOneStatement(ctx context.Context, spent []byte, at time.Time, f tokenFamily, tokens []store.OIDCToken) (done bool, err error) {
	args := []any{ms(at), spent, f.first.FamilyID, f.first.ClientID, f.first.IdentityStoreID, f.first.UserID, f.expires}
	var rows []string
	for _, t := range tokens {
		n := len(args)
		rows = append(rows, fmt.Sprintf("($%d::bytea, $%d::text, $%d::text, $%d::text, $%d::bigint, $%d::bigint, $%d::bigint)",
			n+1, n+2, n+3, n+4, n+5, n+6, n+7))
		args = tokenArgs(args, t)
	}
	q := `WITH spent AS (UPDATE oidc_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at = 0
			AND EXISTS (SELECT 1 FROM oidc_token_families WHERE family_id = $3 AND client_id = $4 AND identity_store_id = $5 AND user_id = $6 AND expires_at >= $7)
			RETURNING 1)
		INSERT INTO oidc_tokens (` + oidcTokenColumns + `) SELECT * FROM (VALUES ` + strings.Join(rows, ", ") + `) AS v
		WHERE EXISTS (SELECT 1 FROM spent)`
	if o.s.db.onStatement != nil {
		o.s.db.onStatement(q)
	}
	res, err := o.s.db.write.ExecContext(ctx, q, args...)
	if err != nil {
		return true, mapErr(err)
	}
	n, err := res.RowsAffected()
	return err != nil || n > 0, err
}

func (o oidcStore) DeleteTokenFamily(ctx context.Context, familyID string) (int, error) {
	var n int
	err := o.s.update(ctx, func(tx *sqlStore) error {
		t := oidcStore{tx}
		var err error
		if n, err = t.deleteCount(ctx, "DELETE FROM oidc_tokens WHERE family_id = ?", familyID); err != nil {
			return err
		}
		_, err = t.deleteCount(ctx, "DELETE FROM oidc_token_families WHERE family_id = ?", familyID)
		return err
	})
	return n, err
}

func (o oidcStore) DeleteUserTokens(ctx context.Context, storeID, userID string) (int, error) {
	var n int
	err := o.s.update(ctx, func(tx *sqlStore) error {
		t := oidcStore{tx}
		var err error
		if n, err = t.deleteCount(ctx, `DELETE FROM oidc_tokens WHERE family_id IN
			(SELECT family_id FROM oidc_token_families WHERE identity_store_id = ? AND user_id = ?)`, storeID, userID); err != nil {
			return err
		}
		if _, err := t.deleteCount(ctx, "DELETE FROM oidc_token_families WHERE identity_store_id = ? AND user_id = ?", storeID, userID); err != nil {
			return err
		}
		if _, err := t.deleteCount(ctx, "DELETE FROM oidc_auth_codes WHERE identity_store_id = ? AND user_id = ?", storeID, userID); err != nil {
			return err
		}
		// Device authorizations are short-lived and few (the sweep
		// removes them at expiry): no index on their user.
		_, err = t.deleteCount(ctx, "DELETE FROM oidc_device_auths WHERE identity_store_id = ? AND user_id = ?", storeID, userID)
		return err
	})
	return n, err
}

func (o oidcStore) UserTokenFamilies(ctx context.Context, storeID, userID string) ([]string, error) {
	rows, err := o.s.query(ctx, "SELECT family_id FROM oidc_token_families WHERE identity_store_id = ? AND user_id = ?", storeID, userID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var f string
		return f, r.Scan(&f)
	})
}

// DeleteExpiredTokens removes up to limit expired tokens, then up to limit
// families past their expiry (every token of theirs expired: the cascade
// takes any left), and returns how many rows of both went.
func (o oidcStore) DeleteExpiredTokens(ctx context.Context, now, familiesBefore time.Time, limit int) (int, error) {
	n, err := o.deleteCount(ctx, `DELETE FROM oidc_tokens WHERE token_hash IN
		(SELECT token_hash FROM oidc_tokens WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(now), limit)
	if err != nil {
		return n, err
	}
	m, err := o.deleteCount(ctx, `DELETE FROM oidc_token_families WHERE family_id IN
		(SELECT family_id FROM oidc_token_families WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(familiesBefore), limit)
	return n + m, err
}

// ---- authorization codes

const oidcCodeColumns = "code_hash, client_id, identity_store_id, user_id, redirect_uri, code_challenge, scopes, created_at, expires_at"

func (o oidcStore) CreateAuthCode(ctx context.Context, c store.OIDCAuthCode) error {
	_, err := o.s.exec(ctx, "INSERT INTO oidc_auth_codes ("+oidcCodeColumns+") VALUES ("+placeholders(9)+")",
		c.Hash, c.ClientID, c.IdentityStoreID, c.UserID, c.RedirectURI, c.CodeChallenge, encodeList(c.Scopes), ms(c.CreatedAt), ms(c.ExpiresAt))
	return err
}

func (o oidcStore) TakeAuthCode(ctx context.Context, hash []byte) (store.OIDCAuthCode, error) {
	var c store.OIDCAuthCode
	err := o.s.update(ctx, func(tx *sqlStore) error {
		var scopes string
		var created, exp int64
		if err := tx.queryRow(ctx, "DELETE FROM oidc_auth_codes WHERE code_hash = ? RETURNING "+oidcCodeColumns, hash).
			Scan(&c.Hash, &c.ClientID, &c.IdentityStoreID, &c.UserID, &c.RedirectURI, &c.CodeChallenge, &scopes, &created, &exp); err != nil {
			return mapErr(err)
		}
		c.CreatedAt, c.ExpiresAt = fromMS(created), fromMS(exp)
		var err error
		c.Scopes, err = decodeList("scopes", scopes)
		return err
	})
	return c, err
}

func (o oidcStore) DeleteExpiredAuthCodes(ctx context.Context, now time.Time, limit int) (int, error) {
	return o.deleteCount(ctx, `DELETE FROM oidc_auth_codes WHERE code_hash IN
		(SELECT code_hash FROM oidc_auth_codes WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(now), limit)
}

// ---- wrong user codes

func (o oidcStore) CountWrongGuess(ctx context.Context, keys []string, windowStart time.Time) ([]int, error) {
	counts := make([]int, len(keys))
	err := o.s.update(ctx, func(tx *sqlStore) error {
		if _, err := tx.exec(ctx, "UPDATE oidc_guess_total SET total = total + 1 WHERE id = 1"); err != nil {
			return err
		}
		for i, k := range keys {
			err := tx.queryRow(ctx, `INSERT INTO oidc_guesses (guess_key, window_start, failures) VALUES (?, ?, 1)
				ON CONFLICT (guess_key) DO UPDATE SET
					failures = CASE WHEN oidc_guesses.window_start < excluded.window_start THEN 1 ELSE oidc_guesses.failures + 1 END,
					window_start = CASE WHEN oidc_guesses.window_start < excluded.window_start THEN excluded.window_start ELSE oidc_guesses.window_start END
				RETURNING failures`, k, ms(windowStart)).Scan(&counts[i])
			if err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
	return counts, err
}

func (o oidcStore) WrongGuesses(ctx context.Context, keys []string, windowStart time.Time) ([]int, error) {
	counts := make([]int, len(keys))
	if len(keys) == 0 {
		return counts, nil
	}
	args := []any{ms(windowStart)}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := o.s.query(ctx, "SELECT guess_key, failures FROM oidc_guesses WHERE window_start >= ? AND guess_key IN ("+placeholders(len(keys))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, mapErr(err)
		}
		for i, want := range keys {
			if want == k {
				counts[i] = n
			}
		}
	}
	return counts, mapErr(rows.Err())
}

func (o oidcStore) DeleteStaleGuesses(ctx context.Context, before time.Time, limit int) (int, error) {
	return o.deleteCount(ctx, `DELETE FROM oidc_guesses WHERE guess_key IN
		(SELECT guess_key FROM oidc_guesses WHERE window_start < ? ORDER BY window_start LIMIT ?)`, ms(before), limit)
}

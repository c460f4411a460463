package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/store"
)

type users struct{ s *sqlStore }

const userColumns = "seq, identity_store_id, id, user_name, display_name, email, external_ids, enabled, email_verified, profile, created_at, created_by, updated_at, updated_by, version"

func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var u store.User
	var ext, profile string
	var created, updated int64
	err := row.Scan(&u.Seq, &u.IdentityStoreID, &u.ID, &u.UserName, &u.DisplayName, &u.Email, &ext, &u.Enabled, &u.EmailVerified,
		&profile, &created, &u.CreatedBy, &updated, &u.UpdatedBy, &u.Version)
	if err != nil {
		return u, mapErr(err)
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	u.Profile = []byte(profile)
	if ext == "[]" {
		return u, nil // the common case, without a JSON decode
	}
	if err := json.Unmarshal([]byte(ext), &u.ExternalIDs); err != nil {
		return u, fmt.Errorf("user %s: external_ids: %w", u.ID, err)
	}
	return u, nil
}

func userArgs(u store.User) ([]any, error) {
	ext := u.ExternalIDs
	if ext == nil {
		ext = []store.ExternalID{}
	}
	ej, err := json.Marshal(ext)
	if err != nil {
		return nil, err
	}
	profile := string(u.Profile)
	if profile == "" {
		profile = "{}"
	}
	return []any{u.UserName, strings.ToLower(u.UserName), u.DisplayName, strings.ToLower(u.Email), u.Email, string(ej),
		u.Enabled, u.EmailVerified, profile, ms(u.CreatedAt), u.CreatedBy, ms(u.UpdatedAt), u.UpdatedBy}, nil
}

func (t users) Create(ctx context.Context, u store.User) error { return t.CreateWithin(ctx, u, 0) }

func (t users) CreateWithin(ctx context.Context, u store.User, limit int) error {
	return t.s.update(ctx, func(tx *sqlStore) error { return users{tx}.create(ctx, u, limit) })
}

// create inserts the user and its external ids, then takes its place in
// the store's counter: last, so that the counter row, which every create
// in the store writes, is held for as little of the transaction as can be.
func (t users) create(ctx context.Context, u store.User, limit int) error {
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO users (identity_store_id, id, user_name, user_name_key, display_name, email_key, email, external_ids,
		enabled, email_verified, profile, created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{u.IdentityStoreID, u.ID}, args...)...)
	if err != nil {
		return err
	}
	if err := insertExternalIDs(ctx, t.s, "user_external_ids", "user_id", u.IdentityStoreID, u.ID, u.ExternalIDs); err != nil {
		return err
	}
	return take(ctx, t.s, u.IdentityStoreID, countUsers, limit)
}

// insertExternalIDs adds ids to table (user_external_ids or
// group_external_ids) for owner ownerID, in one statement; it runs inside
// the caller's transaction.
func insertExternalIDs(ctx context.Context, tx *sqlStore, table, ownerCol, storeID, ownerID string, ids []store.ExternalID) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(ids))
	values := make([]string, 0, len(ids))
	for _, e := range ids {
		values = append(values, "(?, ?, ?, ?)")
		args = append(args, storeID, e.Issuer, e.ID, ownerID)
	}
	_, err := tx.exec(ctx, "INSERT INTO "+table+" (identity_store_id, issuer, external_id, "+ownerCol+") VALUES "+strings.Join(values, ", "), args...)
	return err
}

// replaceExternalIDs makes table hold exactly ids for ownerID when they
// differ from old; it runs inside the caller's transaction.
func replaceExternalIDs(ctx context.Context, tx *sqlStore, table, ownerCol, storeID, ownerID string, old, ids []store.ExternalID) error {
	if slices.Equal(old, ids) {
		return nil
	}
	if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE identity_store_id = ? AND "+ownerCol+" = ?", storeID, ownerID); err != nil {
		return err
	}
	return insertExternalIDs(ctx, tx, table, ownerCol, storeID, ownerID, ids)
}

// The look-ups behind the identity store's hot paths, named so that a test
// can check each is answered from an index (index_test.go). The e-mail
// index is partial (email_key <> ”), so its query must repeat the
// predicate: with a bound parameter the planner cannot infer it.
var (
	userByIDSQL         = "SELECT " + userColumns + " FROM users WHERE identity_store_id = ? AND id = ?"
	userByEmailSQL      = "SELECT " + userColumns + " FROM users WHERE identity_store_id = ? AND email_key = ? AND email_key <> ''"
	userByExternalIDSQL = "SELECT " + prefixed("u.", userColumns) + ` FROM user_external_ids e JOIN users u
		ON u.identity_store_id = e.identity_store_id AND u.id = e.user_id
		WHERE e.identity_store_id = ? AND e.issuer = ? AND e.external_id = ?`
)

// listUsersSQL is List's query, with or without the user-name filter.
func listUsersSQL(byName bool) string {
	q := "SELECT " + userColumns + " FROM users WHERE identity_store_id = ? AND seq > ?"
	if byName {
		q += " AND user_name_key = ?"
	}
	return q + " ORDER BY seq LIMIT ?"
}

func (t users) Get(ctx context.Context, storeID, userID string) (store.User, error) {
	return scanUser(t.s.queryRow(ctx, userByIDSQL, storeID, userID))
}

func (t users) GetMany(ctx context.Context, storeID string, ids []string) ([]store.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{storeID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := t.s.query(ctx, "SELECT "+userColumns+" FROM users WHERE identity_store_id = ? AND id IN ("+placeholders(len(ids))+") ORDER BY seq", args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanUser)
}

func (t users) Update(ctx context.Context, storeID, userID string, fn func(*store.User) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		u, err := scanUser(tx.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE identity_store_id = ? AND id = ?"+tx.forUpdate(), storeID, userID))
		if err != nil {
			return err
		}
		old := slices.Clone(u.ExternalIDs)
		if err := fn(&u); err != nil {
			return err
		}
		args, err := userArgs(u)
		if err != nil {
			return err
		}
		if err := tx.execOne(ctx, `UPDATE users SET user_name = ?, user_name_key = ?, display_name = ?, email_key = ?, email = ?, external_ids = ?,
			enabled = ?, email_verified = ?, profile = ?, created_at = ?, created_by = ?, updated_at = ?, updated_by = ?, version = version + 1
			WHERE identity_store_id = ? AND id = ?`, append(args, storeID, userID)...); err != nil {
			return err
		}
		return replaceExternalIDs(ctx, tx, "user_external_ids", "user_id", storeID, userID, old, u.ExternalIDs)
	})
}

func (t users) Delete(ctx context.Context, storeID, userID string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		if err := tx.execOne(ctx, "DELETE FROM users WHERE identity_store_id = ? AND id = ?", storeID, userID); err != nil {
			return err
		}
		return bump(ctx, tx, storeID, countUsers, 0, -1)
	})
}

func (t users) List(ctx context.Context, storeID string, f store.UserFilter, after int64, limit int) ([]store.User, error) {
	args := []any{storeID, after}
	if f.UserName != "" {
		args = append(args, strings.ToLower(f.UserName))
	}
	rows, err := t.s.query(ctx, listUsersSQL(f.UserName != ""), append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanUser)
}

func (t users) GetByEmail(ctx context.Context, storeID, email string) (store.User, error) {
	if email == "" {
		return store.User{}, store.ErrNotFound
	}
	return scanUser(t.s.queryRow(ctx, userByEmailSQL, storeID, strings.ToLower(email)))
}

// containingSQL is Containing's query, for the dialect and the key column:
// on SQLite the trigram FTS5 table users_text (migration 0023) finds the
// rows and instr() keeps the exact matches; on PostgreSQL the key's trigram
// GIN index answers LIKE. Neither orders by seq in SQL: a planner offered
// ORDER BY seq LIMIT may walk the store's seq index instead.
func containingSQL(d dialect, col string) string {
	if d == dialectPostgres {
		return "SELECT " + userColumns + " FROM users WHERE identity_store_id = ? AND " + col + ` LIKE ? ESCAPE '\' LIMIT ?`
	}
	return "SELECT " + prefixed("u.", userColumns) + " FROM users_text CROSS JOIN users u ON u.seq = users_text.rowid" +
		" WHERE users_text MATCH ? AND u.identity_store_id = ? AND instr(u." + col + ", ?) > 0 LIMIT ?"
}

func (t users) Containing(ctx context.Context, storeID string, text store.UserText, sub string, max int) ([]store.User, error) {
	if utf8.RuneCountInString(sub) < store.MinContaining {
		return nil, store.ErrTooShort
	}
	if max <= 0 {
		return nil, fmt.Errorf("store: Containing needs max > 0, not %d", max)
	}
	col := "user_name_key"
	if text == store.UserTextEmail {
		col = "email_key"
	}
	sub = strings.ToLower(sub)
	var args []any
	if t.s.db.dialect == dialectPostgres {
		args = []any{storeID, "%" + likeEscaper.Replace(sub) + "%", max + 1}
	} else {
		// An FTS5 phrase (quotes doubled) limited to the column: with the
		// trigram tokenizer it matches the rows holding sub, folded for case.
		args = []any{col + ` : "` + strings.ReplaceAll(sub, `"`, `""`) + `"`, storeID, sub, max + 1}
	}
	rows, err := t.s.query(ctx, containingSQL(t.s.db.dialect, col), args...)
	if err != nil {
		return nil, err
	}
	list, err := collect(rows, scanUser)
	if err != nil {
		return nil, err
	}
	if len(list) > max {
		return nil, store.ErrLimit
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Seq < list[j].Seq })
	return list, nil
}

func (t users) GetByExternalID(ctx context.Context, storeID string, id store.ExternalID) (store.User, error) {
	return scanUser(t.s.queryRow(ctx, userByExternalIDSQL, storeID, id.Issuer, id.ID))
}

// prefixed qualifies every column of a comma-separated list with p.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

func (t users) Count(ctx context.Context, storeID string) (int, error) {
	return count(ctx, t.s, storeID, countUsers)
}

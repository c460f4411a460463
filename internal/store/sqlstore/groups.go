package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/iic-project/iic/internal/store"
)

type groups struct{ s *sqlStore }

func (s *sqlStore) Groups() store.Groups { return groups{s} }

const groupColumns = "seq, identity_store_id, id, display_name, description, external_ids, created_at, created_by, updated_at, updated_by, version"

func scanGroup(row interface{ Scan(...any) error }) (store.Group, error) {
	var g store.Group
	var ext string
	var created, updated int64
	err := row.Scan(&g.Seq, &g.IdentityStoreID, &g.ID, &g.DisplayName, &g.Description, &ext, &created, &g.CreatedBy, &updated, &g.UpdatedBy, &g.Version)
	if err != nil {
		return g, mapErr(err)
	}
	g.CreatedAt, g.UpdatedAt = fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(ext), &g.ExternalIDs); err != nil {
		return g, fmt.Errorf("group %s: external_ids: %w", g.ID, err)
	}
	return g, nil
}

// groupArgs are the values of the columns after (identity_store_id, id).
func groupArgs(g store.Group) ([]any, error) {
	ext := g.ExternalIDs
	if ext == nil {
		ext = []store.ExternalID{}
	}
	ej, err := json.Marshal(ext)
	if err != nil {
		return nil, err
	}
	return []any{g.DisplayName, strings.ToLower(g.DisplayName), g.Description, string(ej),
		ms(g.CreatedAt), g.CreatedBy, ms(g.UpdatedAt), g.UpdatedBy}, nil
}

func (t groups) Create(ctx context.Context, g store.Group) error { return t.CreateWithin(ctx, g, 0) }

// CreateWithin inserts the group and its external ids, then takes its place
// in the store's counter, last (see users.create).
func (t groups) CreateWithin(ctx context.Context, g store.Group, limit int) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		args, err := groupArgs(g)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO groups (identity_store_id, id, display_name, display_name_key, description, external_ids,
			created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{g.IdentityStoreID, g.ID}, args...)...); err != nil {
			return err
		}
		if err := insertExternalIDs(ctx, tx, "group_external_ids", "group_id", g.IdentityStoreID, g.ID, g.ExternalIDs); err != nil {
			return err
		}
		return take(ctx, tx, g.IdentityStoreID, countGroups, limit)
	})
}

func (t groups) Get(ctx context.Context, storeID, groupID string) (store.Group, error) {
	return scanGroup(t.s.queryRow(ctx, "SELECT "+groupColumns+" FROM groups WHERE identity_store_id = ? AND id = ?", storeID, groupID))
}

func (t groups) GetMany(ctx context.Context, storeID string, ids []string) ([]store.Group, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{storeID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := t.s.query(ctx, "SELECT "+groupColumns+" FROM groups WHERE identity_store_id = ? AND id IN ("+placeholders(len(ids))+") ORDER BY seq", args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanGroup)
}

func (t groups) Update(ctx context.Context, storeID, groupID string, fn func(*store.Group) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		g, err := scanGroup(tx.queryRow(ctx, "SELECT "+groupColumns+" FROM groups WHERE identity_store_id = ? AND id = ?"+tx.forUpdate(), storeID, groupID))
		if err != nil {
			return err
		}
		old := slices.Clone(g.ExternalIDs)
		if err := fn(&g); err != nil {
			return err
		}
		g.IdentityStoreID, g.ID = storeID, groupID
		args, err := groupArgs(g)
		if err != nil {
			return err
		}
		if err := tx.execOne(ctx, `UPDATE groups SET display_name = ?, display_name_key = ?, description = ?, external_ids = ?,
			created_at = ?, created_by = ?, updated_at = ?, updated_by = ?, version = version + 1 WHERE identity_store_id = ? AND id = ?`,
			append(args, storeID, groupID)...); err != nil {
			return err
		}
		return replaceExternalIDs(ctx, tx, "group_external_ids", "group_id", storeID, groupID, old, g.ExternalIDs)
	})
}

func (t groups) Delete(ctx context.Context, storeID, groupID string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		if err := tx.execOne(ctx, "DELETE FROM groups WHERE identity_store_id = ? AND id = ?", storeID, groupID); err != nil {
			return err
		}
		return bump(ctx, tx, storeID, countGroups, 0, -1)
	})
}

// likeEscaper escapes LIKE wildcards for ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (t groups) List(ctx context.Context, storeID string, f store.GroupFilter, after int64, limit int) ([]store.Group, error) {
	q := "SELECT " + groupColumns + " FROM groups WHERE identity_store_id = ? AND seq > ?"
	args := []any{storeID, after}
	if f.DisplayNameContains != "" {
		q += ` AND display_name_key LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(strings.ToLower(f.DisplayNameContains))+"%")
	}
	rows, err := t.s.query(ctx, q+" ORDER BY seq LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanGroup)
}

func (t groups) Count(ctx context.Context, storeID string) (int, error) {
	return count(ctx, t.s, storeID, countGroups)
}

func (t groups) GetByDisplayName(ctx context.Context, storeID, name string) (store.Group, error) {
	return scanGroup(t.s.queryRow(ctx, "SELECT "+groupColumns+" FROM groups WHERE identity_store_id = ? AND display_name_key = ?", storeID, strings.ToLower(name)))
}

func (t groups) GetByExternalID(ctx context.Context, storeID string, id store.ExternalID) (store.Group, error) {
	return scanGroup(t.s.queryRow(ctx, "SELECT "+prefixed("g.", groupColumns)+` FROM group_external_ids e JOIN groups g
		ON g.identity_store_id = e.identity_store_id AND g.id = e.group_id
		WHERE e.identity_store_id = ? AND e.issuer = ? AND e.external_id = ?`, storeID, id.Issuer, id.ID))
}

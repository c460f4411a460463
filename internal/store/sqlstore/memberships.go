package sqlstore

import (
	"context"

	"github.com/iic-project/iic/internal/store"
)

type memberships struct{ s *sqlStore }

func (s *sqlStore) Memberships() store.Memberships { return memberships{s} }

const membershipColumns = "seq, identity_store_id, id, group_id, user_id, created_at"

func scanMembership(row interface{ Scan(...any) error }) (store.Membership, error) {
	var m store.Membership
	var created int64
	if err := row.Scan(&m.Seq, &m.IdentityStoreID, &m.ID, &m.GroupID, &m.UserID, &created); err != nil {
		return m, mapErr(err)
	}
	m.CreatedAt = fromMS(created)
	return m, nil
}

func (t memberships) Create(ctx context.Context, m store.Membership) error {
	// One statement: the unique key decides duplicates and the foreign keys
	// decide whether the group and the user exist, even under concurrency.
	_, err := t.s.exec(ctx, "INSERT INTO group_memberships (identity_store_id, id, group_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)",
		m.IdentityStoreID, m.ID, m.GroupID, m.UserID, ms(m.CreatedAt))
	return err
}

func (t memberships) Get(ctx context.Context, storeID, membershipID string) (store.Membership, error) {
	return scanMembership(t.s.queryRow(ctx, "SELECT "+membershipColumns+" FROM group_memberships WHERE identity_store_id = ? AND id = ?", storeID, membershipID))
}

func (t memberships) Find(ctx context.Context, storeID, groupID, userID string) (store.Membership, error) {
	return scanMembership(t.s.queryRow(ctx, "SELECT "+membershipColumns+" FROM group_memberships WHERE identity_store_id = ? AND user_id = ? AND group_id = ?",
		storeID, userID, groupID))
}

func (t memberships) Delete(ctx context.Context, storeID, membershipID string) error {
	return t.s.execOne(ctx, "DELETE FROM group_memberships WHERE identity_store_id = ? AND id = ?", storeID, membershipID)
}

func (t memberships) ListByGroup(ctx context.Context, storeID, groupID string, after int64, limit int) ([]store.Membership, error) {
	rows, err := t.s.query(ctx, "SELECT "+membershipColumns+" FROM group_memberships WHERE identity_store_id = ? AND group_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		storeID, groupID, after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMembership)
}

func (t memberships) ListByUser(ctx context.Context, storeID, userID string, after int64, limit int) ([]store.Membership, error) {
	rows, err := t.s.query(ctx, "SELECT "+membershipColumns+" FROM group_memberships WHERE identity_store_id = ? AND user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		storeID, userID, after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMembership)
}

func (t memberships) MemberOf(ctx context.Context, storeID, userID string, groupIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(groupIDs) == 0 {
		return out, nil
	}
	args := []any{storeID, userID}
	for _, id := range groupIDs {
		args = append(args, id)
	}
	rows, err := t.s.query(ctx, "SELECT group_id FROM group_memberships WHERE identity_store_id = ? AND user_id = ? AND group_id IN ("+placeholders(len(groupIDs))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr(err)
		}
		out[id] = true
	}
	return out, mapErr(rows.Err())
}

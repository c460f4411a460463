package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	// The unique key decides duplicates and the foreign keys decide whether
	// the group and the user exist, even under concurrency.
	return t.s.update(ctx, func(tx *sqlStore) error {
		if _, err := tx.exec(ctx, "INSERT INTO group_memberships (identity_store_id, id, group_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)",
			m.IdentityStoreID, m.ID, m.GroupID, m.UserID, ms(m.CreatedAt)); err != nil {
			return err
		}
		return bumpGroupVersion(ctx, tx, m.IdentityStoreID, m.GroupID)
	})
}

// bumpGroupVersion increments the group's version: its member list changed.
func bumpGroupVersion(ctx context.Context, tx *sqlStore, storeID, groupID string) error {
	_, err := tx.exec(ctx, "UPDATE groups SET version = version + 1 WHERE identity_store_id = ? AND id = ?", storeID, groupID)
	return err
}

// customPlans makes PostgreSQL plan the rest of tx's statements for their
// actual parameters. A generic plan of "group_id = ? AND user_id IN (…500
// ids…)" walks the whole group's memberships by the group index instead of
// probing the (user, group) index: 90,000 removals from a 100,000-member
// group took 88 s instead of under a second. SQLite needs nothing.
func (s *sqlStore) customPlans(ctx context.Context) error {
	if s.db.dialect != dialectPostgres || s.tx == nil {
		return nil
	}
	_, err := s.exec(ctx, "SET LOCAL plan_cache_mode = force_custom_plan")
	return err
}

// memberBatch bounds the rows of one bulk membership statement (SQLite
// allows 32,766 parameters; an insert row takes 5).
const memberBatch = 500

func (t memberships) AddMembers(ctx context.Context, storeID, groupID string, userIDs, ids []string, now time.Time) ([]string, error) {
	if len(ids) != len(userIDs) {
		return nil, fmt.Errorf("AddMembers: %d ids for %d users", len(ids), len(userIDs))
	}
	var added []string
	err := t.s.update(ctx, func(tx *sqlStore) error {
		added = added[:0]
		for start := 0; start < len(userIDs); start += memberBatch {
			end := min(start+memberBatch, len(userIDs))
			values := make([]string, 0, end-start)
			args := make([]any, 0, 5*(end-start))
			for i := start; i < end; i++ {
				values = append(values, "(?, ?, ?, ?, ?)")
				args = append(args, storeID, ids[i], groupID, userIDs[i], ms(now))
			}
			rows, err := tx.query(ctx, `INSERT INTO group_memberships (identity_store_id, id, group_id, user_id, created_at) VALUES `+
				strings.Join(values, ", ")+` ON CONFLICT (identity_store_id, user_id, group_id) DO NOTHING RETURNING user_id`, args...)
			if err != nil {
				return err
			}
			got, err := collect(rows, scanString)
			if err != nil {
				return err
			}
			added = append(added, got...)
		}
		if len(added) == 0 {
			return nil
		}
		return bumpGroupVersion(ctx, tx, storeID, groupID)
	})
	if err != nil {
		return nil, err
	}
	return inOrder(userIDs, added), nil
}

func (t memberships) RemoveMembers(ctx context.Context, storeID, groupID string, userIDs []string) ([]string, error) {
	var removed []string
	err := t.s.update(ctx, func(tx *sqlStore) error {
		removed = removed[:0]
		if err := tx.customPlans(ctx); err != nil {
			return err
		}
		for start := 0; start < len(userIDs); start += memberBatch {
			end := min(start+memberBatch, len(userIDs))
			args := []any{storeID, groupID}
			for _, id := range userIDs[start:end] {
				args = append(args, id)
			}
			rows, err := tx.query(ctx, "DELETE FROM group_memberships WHERE identity_store_id = ? AND group_id = ? AND user_id IN ("+
				placeholders(end-start)+") RETURNING user_id", args...)
			if err != nil {
				return err
			}
			got, err := collect(rows, scanString)
			if err != nil {
				return err
			}
			removed = append(removed, got...)
		}
		if len(removed) == 0 {
			return nil
		}
		return bumpGroupVersion(ctx, tx, storeID, groupID)
	})
	if err != nil {
		return nil, err
	}
	return inOrder(userIDs, removed), nil
}

func (t memberships) MemberIDs(ctx context.Context, storeID, groupID string) ([]string, error) {
	rows, err := t.s.query(ctx, "SELECT user_id FROM group_memberships WHERE identity_store_id = ? AND group_id = ?", storeID, groupID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanString)
}

func scanString(row interface{ Scan(...any) error }) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, mapErr(err)
}

// inOrder returns the members of set in the order of all, each once.
func inOrder(all, set []string) []string {
	in := make(map[string]bool, len(set))
	for _, s := range set {
		in[s] = true
	}
	out := make([]string, 0, len(set))
	for _, s := range all {
		if in[s] {
			out = append(out, s)
			delete(in, s)
		}
	}
	return out
}

func (t memberships) Get(ctx context.Context, storeID, membershipID string) (store.Membership, error) {
	return scanMembership(t.s.queryRow(ctx, "SELECT "+membershipColumns+" FROM group_memberships WHERE identity_store_id = ? AND id = ?", storeID, membershipID))
}

func (t memberships) Find(ctx context.Context, storeID, groupID, userID string) (store.Membership, error) {
	return scanMembership(t.s.queryRow(ctx, "SELECT "+membershipColumns+" FROM group_memberships WHERE identity_store_id = ? AND user_id = ? AND group_id = ?",
		storeID, userID, groupID))
}

func (t memberships) Delete(ctx context.Context, storeID, membershipID string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		var groupID string
		if err := tx.queryRow(ctx, "DELETE FROM group_memberships WHERE identity_store_id = ? AND id = ? RETURNING group_id", storeID, membershipID).Scan(&groupID); err != nil {
			return mapErr(err)
		}
		return bumpGroupVersion(ctx, tx, storeID, groupID)
	})
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

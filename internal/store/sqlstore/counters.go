package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/iic-project/iic/internal/store"
)

// Per-identity-store row counts (table identity_store_counters), kept in
// step by Users and Groups in the transaction of each insert and delete, so
// that Count — read on every create for the quota — is one row instead of a
// scan of a million-entry index.

// counted names a counter column; only these two exist.
type counted string

const (
	countUsers  counted = "user_count"
	countGroups counted = "group_count"
)

// bump adds delta to storeID's counter c; it runs inside tx.
func bump(ctx context.Context, tx *sqlStore, storeID string, c counted, delta int) error {
	_, err := tx.exec(ctx, fmt.Sprintf(`INSERT INTO identity_store_counters (identity_store_id, %[1]s) VALUES (?, ?)
		ON CONFLICT (identity_store_id) DO UPDATE SET %[1]s = identity_store_counters.%[1]s + excluded.%[1]s`, c), storeID, delta)
	return err
}

// take adds one to storeID's counter c unless it already holds limit
// (limit <= 0: no limit), in one statement: store.ErrLimit when it does.
// It runs inside tx; the counter row stays locked until tx ends.
func take(ctx context.Context, tx *sqlStore, storeID string, c counted, limit int) error {
	if limit <= 0 {
		return bump(ctx, tx, storeID, c, 1)
	}
	err := tx.execOne(ctx, fmt.Sprintf(`INSERT INTO identity_store_counters (identity_store_id, %[1]s) VALUES (?, 1)
		ON CONFLICT (identity_store_id) DO UPDATE SET %[1]s = identity_store_counters.%[1]s + 1
		WHERE identity_store_counters.%[1]s < ?`, c), storeID, limit)
	if errors.Is(err, store.ErrNotFound) {
		return store.ErrLimit // the WHERE refused the update: the counter is full
	}
	return err
}

// count reads storeID's counter c (0 for a store that never had a row).
func count(ctx context.Context, s *sqlStore, storeID string, c counted) (int, error) {
	var n int
	err := s.queryRow(ctx, fmt.Sprintf("SELECT COALESCE(MAX(%s), 0) FROM identity_store_counters WHERE identity_store_id = ?", c), storeID).Scan(&n)
	return n, mapErr(err)
}

// countedTables maps the tables whose rows are counted to their counter.
var countedTables = map[string]counted{"users": countUsers, "groups": countGroups}

// bumpBulk adds rows (BulkInsert's rows for table, with the given columns)
// to the counters, when table is counted.
func bumpBulk(ctx context.Context, tx *sqlStore, table string, columns []string, rows [][]any) error {
	c, ok := countedTables[table]
	if !ok {
		return nil
	}
	col := -1
	for i, name := range columns {
		if name == "identity_store_id" {
			col = i
		}
	}
	if col < 0 {
		return fmt.Errorf("bulk insert into %s without identity_store_id", table)
	}
	per := map[string]int{}
	for _, r := range rows {
		id, ok := r[col].(string)
		if !ok {
			return fmt.Errorf("bulk insert into %s: identity_store_id is %T, want string", table, r[col])
		}
		per[id]++
	}
	for id, n := range per {
		if err := bump(ctx, tx, id, c, n); err != nil {
			return err
		}
	}
	return nil
}

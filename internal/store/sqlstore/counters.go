package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

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

// counterShards is how many rows a store's counters are split over: a
// create takes one unit from one shard chosen at random, so concurrent
// creates on PostgreSQL lock different rows (a row's lock is held until the
// commit has reached the disk, which capped creates at one per commit
// time). SQLite's single writer needs one.
func (db *DB) counterShards() int {
	if db.dialect == dialectPostgres {
		return 8
	}
	return 1
}

// bump adds delta to storeID's counter c on shard; it runs inside tx.
// Deletes count down on shard 0 (which keeps every shard within its share).
func bump(ctx context.Context, tx *sqlStore, storeID string, c counted, shard, delta int) error {
	_, err := tx.exec(ctx, fmt.Sprintf(`INSERT INTO identity_store_counters (identity_store_id, shard, %[1]s) VALUES (?, ?, ?)
		ON CONFLICT (identity_store_id, shard) DO UPDATE SET %[1]s = identity_store_counters.%[1]s + excluded.%[1]s`, c), storeID, shard, delta)
	return err
}

// take adds one to storeID's counter c unless the store already holds
// limit (limit <= 0: no limit): store.ErrLimit when it does. It runs
// inside tx; the shard row it counted on stays locked until tx ends.
//
// With limit, shard i may hold at most its share of it (limit/N, one more
// for the first limit%N shards); deletes count down on shard 0, so no
// shard ever holds more than its share and the shards' sum never passes
// limit, exactly, under any concurrency. A take tries one random shard,
// then every shard in order; a plain UPDATE that finds a shard full keeps
// no lock on it, so two takes never wait on each other in a cycle.
func take(ctx context.Context, tx *sqlStore, storeID string, c counted, limit int) error {
	n := tx.db.counterShards()
	if limit <= 0 {
		_, err := tx.exec(ctx, fmt.Sprintf(`INSERT INTO identity_store_counters (identity_store_id, shard, %[1]s) VALUES (?, ?, 1)
			ON CONFLICT (identity_store_id, shard) DO UPDATE SET %[1]s = identity_store_counters.%[1]s + 1`, c), storeID, rand.IntN(n))
		return err
	}
	share := func(i int) int {
		if i < limit%n {
			return limit/n + 1
		}
		return limit / n
	}
	try := func(i int) error {
		if share(i) == 0 {
			return store.ErrLimit
		}
		err := tx.execOne(ctx, fmt.Sprintf(`UPDATE identity_store_counters SET %[1]s = %[1]s + 1
			WHERE identity_store_id = ? AND shard = ? AND %[1]s < ?`, c), storeID, i, share(i))
		if errors.Is(err, store.ErrNotFound) {
			return store.ErrLimit // full, or no row yet
		}
		return err
	}
	first := rand.IntN(n)
	if err := try(first); !errors.Is(err, store.ErrLimit) {
		return err
	}
	if err := ensureShards(ctx, tx, storeID); err != nil {
		return err
	}
	for i := range n {
		if err := try(i); !errors.Is(err, store.ErrLimit) {
			return err
		}
	}
	return store.ErrLimit
}

// ensureShards inserts storeID's missing shard rows, all in one statement
// in shard order. Instances.Create calls it for a new identity store, so
// that a take usually finds its row at the first try.
func ensureShards(ctx context.Context, tx *sqlStore, storeID string) error {
	n := tx.db.counterShards()
	rows := strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ")
	args := make([]any, 0, 2*n)
	for i := range n {
		args = append(args, storeID, i)
	}
	_, err := tx.exec(ctx, `INSERT INTO identity_store_counters (identity_store_id, shard) VALUES `+rows+`
		ON CONFLICT (identity_store_id, shard) DO NOTHING`, args...)
	return err
}

// count reads storeID's counter c (0 for a store that never had a row).
func count(ctx context.Context, s *sqlStore, storeID string, c counted) (int, error) {
	var n int
	err := s.queryRow(ctx, fmt.Sprintf("SELECT COALESCE(SUM(%s), 0) FROM identity_store_counters WHERE identity_store_id = ?", c), storeID).Scan(&n)
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
	// Spread evenly, as a take would (unchecked: a bulk load is not held
	// to the quota).
	shards := tx.db.counterShards()
	for id, n := range per {
		for i := range shards {
			d := n / shards
			if i < n%shards {
				d++
			}
			if d == 0 {
				continue
			}
			if err := bump(ctx, tx, id, c, i, d); err != nil {
				return err
			}
		}
	}
	return nil
}

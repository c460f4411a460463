package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/iic-project/iic/internal/store"
)

// BulkInsert inserts rows into table in multi-row INSERT statements, one
// transaction per batch of up to 10,000 rows. It is for development tools
// (iic dev seed) that load large data sets; it bypasses the store contract's
// invariants, so callers must produce rows exactly as the services would. It
// keeps the per-store user and group counters in step.
func (db *DB) BulkInsert(ctx context.Context, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	// Stay well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
	perStmt := max(1, 30000/len(columns))
	const perTx = 10000
	for start := 0; start < len(rows); start += perTx {
		end := min(start+perTx, len(rows))
		if err := db.Store().WithTx(ctx, func(tx0 store.Store) error {
			tx := tx0.(*sqlStore)
			for s := start; s < end; s += perStmt {
				e := min(s+perStmt, end)
				var b strings.Builder
				fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(columns, ", "))
				args := make([]any, 0, (e-s)*len(columns))
				one := "(" + placeholders(len(columns)) + ")"
				for i := s; i < e; i++ {
					if i > s {
						b.WriteString(", ")
					}
					b.WriteString(one)
					args = append(args, rows[i]...)
				}
				// Not cached: every batch size would add an entry.
				q := b.String()
				if db.dialect == dialectPostgres {
					q = rebindQuery(q)
				}
				if _, err := tx.tx.ExecContext(ctx, q, args...); err != nil {
					return mapErr(err)
				}
			}
			return bumpBulk(ctx, tx, table, columns, rows[start:end])
		}); err != nil {
			return err
		}
	}
	return nil
}

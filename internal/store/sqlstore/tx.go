package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/iic-project/iic/internal/store"
)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlStore is the Store view of a DB; tx is set inside WithTx.
type sqlStore struct {
	db *DB
	tx *sql.Tx
}

func (s *sqlStore) reader() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.read
}

func (s *sqlStore) writer() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.write
}

func (s *sqlStore) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = s.db.rebind(q)
	if st := s.prepared(ctx, s.db.write, q); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, mapErr(err)
	}
	res, err := s.writer().ExecContext(ctx, q, args...)
	return res, mapErr(err)
}

// execLossy is exec for a write the contract lets a database crash lose
// moments after it returns: on PostgreSQL, outside a transaction, it runs
// on the pool whose sessions commit without waiting for the WAL flush;
// otherwise (SQLite, or in a transaction, whose commit decides) as exec.
func (s *sqlStore) execLossy(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s.tx != nil || s.db.lossy == nil {
		return s.exec(ctx, q, args...)
	}
	res, err := s.db.lossy.ExecContext(ctx, s.db.rebind(q), args...)
	return res, mapErr(err)
}

// prepared is q compiled for pool (the pool of the transaction, when one
// is open) from the DB's statement cache, or nil to run q as text
// (PostgreSQL: pgx caches prepared statements itself).
func (s *sqlStore) prepared(ctx context.Context, pool *sql.DB, q string) *sql.Stmt {
	if s.db.dialect == dialectPostgres {
		return nil
	}
	if s.tx == nil {
		return s.db.stmts.prepare(ctx, pool, q)
	}
	// The transaction holds the writer connection: use the statement
	// compiled on it, or note q to compile once the transaction is over.
	st := s.db.stmts.lookup(s.db.write, q, true)
	if st == nil {
		return nil
	}
	return s.tx.StmtContext(ctx, st)
}

// execOne runs a write that must touch exactly one row, else ErrNotFound.
func (s *sqlStore) execOne(ctx context.Context, q string, args ...any) error {
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (s *sqlStore) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = s.db.rebind(q)
	if st := s.prepared(ctx, s.db.read, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.reader().QueryRowContext(ctx, q, args...)
}

func (s *sqlStore) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = s.db.rebind(q)
	if st := s.prepared(ctx, s.db.read, q); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, mapErr(err)
	}
	rows, err := s.reader().QueryContext(ctx, q, args...)
	return rows, mapErr(err)
}

// forUpdate is the row-lock suffix for the read of a read-modify-write.
// SQLite needs none: its write transactions are serialized (BEGIN IMMEDIATE).
func (s *sqlStore) forUpdate() string {
	if s.db.dialect == dialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// WithTx implements store.Store.
func (s *sqlStore) WithTx(ctx context.Context, fn func(tx store.Store) error) (err error) {
	if s.tx != nil {
		return fn(s)
	}
	if s.db.onStatement != nil {
		s.db.onStatement("BEGIN")
	}
	tx, err := s.db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if s.db.dialect != dialectPostgres {
		// Runs last, once the writer connection is free again.
		defer s.db.stmts.prepareNoted(context.WithoutCancel(ctx))
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(&sqlStore{db: s.db, tx: tx}); err != nil {
		return err
	}
	if s.db.onStatement != nil {
		s.db.onStatement("COMMIT")
	}
	if err = tx.Commit(); err != nil {
		return mapErr(err)
	}
	return nil
}

// update runs a read-modify-write in a transaction (reusing the current one).
func (s *sqlStore) update(ctx context.Context, fn func(tx *sqlStore) error) error {
	return s.WithTx(ctx, func(tx store.Store) error { return fn(tx.(*sqlStore)) })
}

// Ping implements store.Store: the database answers and is fully migrated.
func (s *sqlStore) Ping(ctx context.Context) error {
	var v int
	if err := s.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return fmt.Errorf("store unreachable: %w", err)
	}
	if v < s.db.latest {
		return fmt.Errorf("store at migration %d, want %d", v, s.db.latest)
	}
	return nil
}

// Close implements store.Store.
func (s *sqlStore) Close() error { return s.db.Close() }

func (s *sqlStore) Settings() store.Settings       { return settings{s} }
func (s *sqlStore) Accounts() store.Accounts       { return accounts{s} }
func (s *sqlStore) Projects() store.Projects       { return projects{s} }
func (s *sqlStore) Credentials() store.Credentials { return credentials{s} }
func (s *sqlStore) Regions() store.Regions         { return regions{s} }
func (s *sqlStore) Instances() store.Instances     { return instances{s} }
func (s *sqlStore) Policies() store.Policies       { return policies{s} }

// placeholders returns "?, ?, ..." with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

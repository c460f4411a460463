package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version  int
	name     string
	sql      string
	checksum string // hex SHA-256 of sql
}

// migrationLockID is the PostgreSQL advisory lock key held while migrating.
const migrationLockID = 0x69_69_63_6d // "iicm"

func loadMigrations(d dialect) ([]migration, error) {
	dir := "migrations/" + d.String()
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", name)
		}
		body, err := migrationFS.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		out = append(out, migration{version: v, name: name, sql: string(body), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	// Numbers are reserved per change while several are developed at once,
	// so a number may be missing (until its step lands); none may repeat.
	for i, m := range out {
		if m.version < 1 || (i > 0 && m.version == out[i-1].version) {
			return nil, fmt.Errorf("migrations of %s must have distinct positive numbers (found %s)", d, m.name)
		}
	}
	return out, nil
}

// migrate applies pending migrations, one transaction per step. On
// PostgreSQL each step holds an advisory transaction lock and re-checks what
// is applied, so concurrent starters apply each step exactly once.
//
// Applied steps never change: schema_migrations records each step's
// checksum, and a database whose applied step differs from the embedded one
// is refused (a changed file would otherwise be skipped silently). Rows
// written before checksums were recorded get the embedded checksum.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(db.dialect)
	if err != nil {
		return err
	}
	if len(ms) > 0 {
		db.latest = ms[len(ms)-1].version
	}
	create := "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL, checksum TEXT NOT NULL DEFAULT '')"
	if db.dialect == dialectPostgres {
		// CREATE TABLE IF NOT EXISTS races on PostgreSQL's catalog; take the lock.
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockID); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.ExecContext(ctx, create); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT NOT NULL DEFAULT ''"); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	} else {
		if _, err := db.write.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var has int
		if err := db.write.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'").Scan(&has); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if has == 0 {
			if _, err := db.write.ExecContext(ctx, "ALTER TABLE schema_migrations ADD COLUMN checksum TEXT NOT NULL DEFAULT ''"); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		}
	}
	for _, m := range ms {
		if err := db.applyOne(ctx, m); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

func (db *DB) applyOne(ctx context.Context, m migration) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if db.dialect == dialectPostgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockID); err != nil {
			return err
		}
	}
	var applied string
	err = tx.QueryRowContext(ctx, db.rebind("SELECT checksum FROM schema_migrations WHERE version = ?"), m.version).Scan(&applied)
	switch {
	case err == nil && applied == m.checksum:
		return nil
	case err == nil && applied == "":
		if _, err := tx.ExecContext(ctx, db.rebind("UPDATE schema_migrations SET checksum = ? WHERE version = ?"), m.checksum, m.version); err != nil {
			return err
		}
		return tx.Commit()
	case err == nil:
		return fmt.Errorf("the database applied a different version of this step (checksum %.12s…, this build has %.12s…): "+
			"applied migrations must never be edited; restore the file or use the build that wrote this database", applied, m.checksum)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.rebind("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)"),
		m.version, m.name, time.Now().UnixMilli(), m.checksum); err != nil {
		return err
	}
	return tx.Commit()
}

// AppliedMigrations returns how many migration steps the database has.
func (db *DB) AppliedMigrations(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n)
	return n, err
}

// Migrations lists the migration file names of dialect ("sqlite" or
// "postgres"), in order.
func Migrations(dialectName string) []string {
	d := dialectSQLite
	if dialectName == "postgres" {
		d = dialectPostgres
	}
	ms, _ := loadMigrations(d)
	var names []string
	for _, m := range ms {
		names = append(names, m.name)
	}
	return names
}

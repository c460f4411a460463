// Package sqltest opens fresh sqlstore databases for tests: a SQLite file in
// a temporary directory, or, when IIC_TEST_POSTGRES_URL is set, a new schema
// in that PostgreSQL database (dropped when the test ends).
package sqltest

import (
	"context"
	"database/sql"

	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/store/sqlstore"
)

// PostgresEnv names the variable holding the test PostgreSQL URL.
const PostgresEnv = "IIC_TEST_POSTGRES_URL"

// Dialects lists the backends to test: always "sqlite", and "postgres" when
// IIC_TEST_POSTGRES_URL is set.
func Dialects() []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// URL returns a database URL for a fresh, empty database of dialect.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return filepath.Join(t.TempDir(), "iic.db")
	case "postgres":
		return PostgresSchema(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

// PostgresSchema creates a schema in the test PostgreSQL database and returns
// a URL whose search_path points at it. It skips the test when
// IIC_TEST_POSTGRES_URL is not set.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " not set")
	}
	schema := "t_" + ids.Generator{}.Hex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a fresh migrated database of dialect, closed at cleanup.
func Open(t testing.TB, dialect string) *sqlstore.DB {
	t.Helper()
	return OpenWith(t, dialect, sqlstore.Options{})
}

// OpenWith is Open with options.
func OpenWith(t testing.TB, dialect string, opt sqlstore.Options) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), URL(t, dialect), opt)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Name is a readable subtest name for a dialect.
func Name(dialect string) string { return strings.ToUpper(dialect[:1]) + dialect[1:] }

package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// firstBuildMigrations is the migration set of the first landed builds
// (2026-11-22), whose schema_migrations had no checksum column and whose
// steps 3–5 were empty placeholders.
const firstBuildMigrations = "testdata/migrations-2026-11-22"

// writeFirstBuildDB lays out a database exactly as the first builds left
// it, with one setting and one user in it.
func writeFirstBuildDB(t *testing.T, dialect, url string) {
	t.Helper()
	exec, done := rawExec(t, dialect, url)
	defer done()
	exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
	files, err := filepath.Glob(filepath.Join(firstBuildMigrations, dialect, "*.sql"))
	if err != nil || len(files) != 6 {
		t.Fatalf("first-build migrations: %v %v", files, err)
	}
	sort.Strings(files)
	for i, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", i+1, filepath.Base(f), int64(1))
	}
	exec("INSERT INTO settings (key, value) VALUES (?, ?)", "kept", "yes")
	exec(`INSERT INTO users (identity_store_id, id, user_name, user_name_key, display_name, email_key, email, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, "d-0000000001", "u1", "Alice", "alice", "Alice", "alice@example.com", "alice@example.com", int64(1), int64(1))
}

// A database written by the first builds opens with this build: the steps
// they applied as placeholders are not skipped, what was stored is kept,
// and every table the store needs exists.
func TestUpgradeFromFirstBuild(t *testing.T) {
	ctx := context.Background()
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			url := sqltest.URL(t, d)
			writeFirstBuildDB(t, d, url)
			db, err := sqlstore.Open(ctx, url, sqlstore.Options{})
			if err != nil {
				t.Fatalf("open a first-build database: %v", err)
			}
			defer db.Close()
			if n, err := db.AppliedMigrations(ctx); err != nil || n != len(sqlstore.Migrations(d)) {
				t.Fatalf("applied = %d, %v; want %d", n, err, len(sqlstore.Migrations(d)))
			}
			s := db.Store()
			if v, err := s.Settings().Get(ctx, "kept"); err != nil || v != "yes" {
				t.Fatalf("setting after upgrade = %q, %v", v, err)
			}
			if u, err := s.Users().Get(ctx, "d-0000000001", "u1"); err != nil || u.UserName != "Alice" {
				t.Fatalf("user after upgrade = %+v, %v", u, err)
			}
			if n, err := s.Users().Count(ctx, "d-0000000001"); err != nil || n != 1 {
				t.Fatalf("user count after upgrade = %d, %v; want the 1 user the old build stored", n, err)
			}
			// The tables of the placeholder steps exist now.
			now := time.Now()
			if err := s.Users().Update(ctx, "d-0000000001", "u1", func(u *store.User) error {
				u.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "x1"}}
				return nil
			}); err != nil {
				t.Fatalf("external ids after upgrade: %v", err)
			}
			if err := s.Groups().Create(ctx, store.Group{IdentityStoreID: "d-0000000001", ID: "g1", DisplayName: "G", CreatedAt: now, UpdatedAt: now}); err != nil {
				t.Fatalf("groups after upgrade: %v", err)
			}
			if _, err := s.UserSecrets().GetPasswordPolicy(ctx, "d-0000000001"); err != nil && err != store.ErrNotFound {
				t.Fatalf("password policies after upgrade: %v", err)
			}
			if err := s.Ping(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A database whose applied step differs from this build's file is refused
// with a message naming the step, instead of silently skipping the change.
func TestChangedAppliedMigrationIsRefused(t *testing.T) {
	ctx := context.Background()
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			url := sqltest.URL(t, d)
			db, err := sqlstore.Open(ctx, url, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			writeChecksum(t, d, url, "0123456789abcdef")
			if db, err := sqlstore.Open(ctx, url, sqlstore.Options{}); err == nil {
				db.Close()
				t.Fatal("opened a database whose applied step 2 differs from the embedded one")
			} else if !strings.Contains(err.Error(), "0002_users.sql") || !strings.Contains(err.Error(), "never be edited") {
				t.Fatalf("error = %v", err)
			}
		})
	}
}

func writeChecksum(t *testing.T, dialect, url, sum string) {
	t.Helper()
	driver, dsn, q := "pgx", url, "UPDATE schema_migrations SET checksum = $1 WHERE version = 2"
	if dialect == "sqlite" {
		driver, dsn, q = "sqlite", "file:"+url, "UPDATE schema_migrations SET checksum = ? WHERE version = 2"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, sum); err != nil {
		t.Fatal(err)
	}
}

// A database of the build before the documented action names (migrations
// up to 0013) with a custom policy in it: after the upgrade that policy is
// marked as written with the old names, and policies created afterwards
// are not.
func TestUpgradeMarksStoredPoliciesLegacy(t *testing.T) {
	ctx := context.Background()
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			url := sqltest.URL(t, d)
			writeDBUpTo(t, d, url, 13, func(exec func(string, ...any)) {
				exec("INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)", "acct1", "a", int64(1))
				exec(`INSERT INTO policies (account_id, id, name, name_key, description, document, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, "acct1", "old", "Old", "old", "", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["identitystore:user:create"]}]}`, int64(1), int64(1))
			})
			db, err := sqlstore.Open(ctx, url, sqlstore.Options{})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer db.Close()
			s := db.Store()
			old, err := s.Policies().Get(ctx, "acct1", "old")
			if err != nil || !old.LegacyActions || !strings.Contains(string(old.Document), "identitystore:user:create") {
				t.Fatalf("stored policy after upgrade = %+v, %v", old, err)
			}
			if err := s.Policies().Create(ctx, store.Policy{AccountID: "acct1", ID: "new", Name: "New", Document: old.Document, CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if p, err := s.Policies().Get(ctx, "acct1", "new"); err != nil || p.LegacyActions {
				t.Fatalf("new policy = %+v, %v", p, err)
			}
		})
	}
}

// writeDBUpTo applies this build's first n migrations to a fresh database, as
// the build that shipped step n left it, then runs fill on it.
func writeDBUpTo(t *testing.T, dialect, url string, n int, fill func(exec func(string, ...any))) {
	t.Helper()
	exec, done := rawExec(t, dialect, url)
	defer done()
	exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL, checksum TEXT NOT NULL DEFAULT '')")
	for _, name := range sqlstore.Migrations(dialect)[:n] {
		body, err := os.ReadFile(filepath.Join("migrations", dialect, name))
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		sum := sha256.Sum256(body)
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0]) // the steps' numbers have gaps
		if err != nil {
			t.Fatal(err)
		}
		exec("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)", version, name, int64(1), hex.EncodeToString(sum[:]))
	}
	fill(exec)
}

// rawExec opens url with the bare driver (no migrations) and returns a
// statement runner that takes ? placeholders on both dialects and fails the
// test on error, and the function that closes the handle.
func rawExec(t *testing.T, dialect, url string) (exec func(q string, args ...any), done func()) {
	t.Helper()
	driver, dsn := "pgx", url
	if dialect == "sqlite" {
		driver, dsn = "sqlite", "file:"+url+"?_pragma=foreign_keys(1)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return func(q string, args ...any) {
		t.Helper()
		if dialect == "postgres" {
			for i := 1; strings.Contains(q, "?"); i++ {
				q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
			}
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}, func() { db.Close() }
}

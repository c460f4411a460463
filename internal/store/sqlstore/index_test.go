package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// The identity store's hot look-ups are answered from an index seek on the
// columns they filter by (SQLite's plan; PostgreSQL plans with the bound
// values, which makes its partial-index use easier, not harder). A query
// that a planner answers by walking the store's whole seq index looks fine
// on a test-sized table and takes hundreds of milliseconds at 1M users.
func TestHotLookupsUseTheirIndex(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "iic.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name, query string
		args        []any
		want        string // the seek the plan must show
	}{
		{"user by id", userByIDSQL, []any{"d", "u"}, "(identity_store_id=? AND id=?)"},
		{"user by e-mail", userByEmailSQL, []any{"d", "a@example.com"}, "users_email (identity_store_id=? AND email_key=?)"},
		{"user by external id", userByExternalIDSQL, []any{"d", "scim", "x"}, "(identity_store_id=? AND issuer=? AND external_id=?)"},
		{"user by user name", listUsersSQL(true), []any{"d", 0, "alice", 1}, "(identity_store_id=? AND user_name_key=?)"},
		{"page of users", listUsersSQL(false), []any{"d", 0, 100}, "(identity_store_id=? AND seq>?)"},
		{"users containing", containingSQL(dialectSQLite, "user_name_key"), []any{`user_name_key : "ali"`, "d", "ali", 11},
			"SCAN users_text VIRTUAL TABLE INDEX 0:M2 | SEARCH u USING INTEGER PRIMARY KEY (rowid=?)"},
	} {
		if p := queryPlan(t, db.read, tc.query, tc.args...); !strings.Contains(p, tc.want) {
			t.Errorf("%s: plan %q does not seek %s", tc.name, p, tc.want)
		}
	}
}

// queryPlan is SQLite's plan for query, its steps joined by " | ".
func queryPlan(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("plan of %q: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, " | ")
}

// PurgeIdentityStore's table list is the schema's: every table with an
// identity_store_id column except instances.
func TestPurgeCoversEveryStoreTable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "iic.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.read.QueryContext(ctx, `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = 'identity_store_id' AND m.name NOT IN ('instances', 'identity_store_purges') ORDER BY m.name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	listed := map[string]bool{}
	for _, name := range identityStoreTables {
		listed[name] = true
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !listed[name] {
			t.Errorf("table %s holds identity-store rows but PurgeIdentityStore leaves them", name)
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("PurgeIdentityStore names %s, which has no identity_store_id column", name)
	}
}

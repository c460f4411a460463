package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// The membership check is answered from an index on (store, user) — the
// (store, user, group) unique key or (store, user, seq) — never a table scan.
func TestMemberOfUsesIndex(t *testing.T) {
	ctx := context.Background()
	const q = "SELECT group_id FROM group_memberships WHERE identity_store_id = 'd' AND user_id = 'u' AND group_id IN ('g1', 'g2', 'g3')"
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			url := sqltest.URL(t, d)
			db, err := sqlstore.Open(ctx, url, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			driver, explain := "sqlite", "EXPLAIN QUERY PLAN "
			if d == "postgres" {
				driver, explain = "pgx", "EXPLAIN "
			}
			raw, err := sql.Open(driver, url)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			conn, err := raw.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if d == "postgres" {
				// Empty tables make a sequential scan cheapest; what matters is
				// that the index can answer the query.
				if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
					t.Fatal(err)
				}
			}
			rows, err := conn.QueryContext(ctx, explain+q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			var plan []string
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, fmt.Sprint(vals...))
			}
			text := strings.Join(plan, "\n")
			if !strings.Contains(text, "group_memberships_user") || strings.Contains(text, "Seq Scan") || strings.Contains(text, "SCAN group_memberships") {
				t.Fatalf("plan does not use the (store, user, group) index:\n%s", text)
			}
		})
	}
}

// BenchmarkMemberOf measures IsMemberInGroups' store query for one user and
// 50 groups on a store of 20,000 users, 2,000 groups and 100,000
// memberships (the index depth grows with log n, so little changes at 1M
// users; tools/loadgen/identitystore.sh measures that through the server).
func BenchmarkMemberOf(b *testing.B) {
	ctx := context.Background()
	const sid = "d-0000000001"
	const nUsers, nGroups, perUser = 20_000, 2_000, 5
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			db := sqltest.Open(b, d)
			var users, groups, members [][]any
			for i := 0; i < nUsers; i++ {
				name := fmt.Sprintf("user%06d", i)
				users = append(users, []any{sid, fmt.Sprint("u", i), name, name, int64(1), int64(1)})
			}
			for i := 0; i < nGroups; i++ {
				name := fmt.Sprintf("group%05d", i)
				groups = append(groups, []any{sid, fmt.Sprint("g", i), name, name, int64(1), int64(1)})
			}
			// Every user is in perUser groups; user 7 is in 50.
			for u := 0; u < nUsers; u++ {
				n := perUser
				if u == 7 {
					n = 50
				}
				for k := 0; k < n; k++ {
					g := (u*31 + k*97) % nGroups
					members = append(members, []any{sid, fmt.Sprintf("m-%d-%d", u, k), fmt.Sprint("g", g), fmt.Sprint("u", u), int64(1)})
				}
			}
			for _, t := range []struct {
				table string
				cols  []string
				rows  [][]any
			}{
				{"users", []string{"identity_store_id", "id", "user_name", "user_name_key", "created_at", "updated_at"}, users},
				{"groups", []string{"identity_store_id", "id", "display_name", "display_name_key", "created_at", "updated_at"}, groups},
				{"group_memberships", []string{"identity_store_id", "id", "group_id", "user_id", "created_at"}, members},
			} {
				if err := db.BulkInsert(ctx, t.table, t.cols, t.rows); err != nil {
					b.Fatal(err)
				}
			}
			var ask []string
			for k := 0; k < 50; k++ {
				ask = append(ask, fmt.Sprint("g", (7*31+k*97)%nGroups))
			}
			st := db.Store()
			b.ResetTimer()
			for b.Loop() {
				in, err := st.Memberships().MemberOf(ctx, sid, "u7", ask)
				if err != nil || len(in) != 50 {
					b.Fatalf("MemberOf = %d groups, %v", len(in), err)
				}
			}
		})
	}
}

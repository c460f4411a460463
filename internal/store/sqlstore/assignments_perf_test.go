package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// principalShape is a data set for BenchmarkListByPrincipals: the
// assignments in seq order and the principals one request names.
type principalShape struct {
	name       string
	accounts   int
	rows       [][3]string // account, permission set, principal; in seq order
	principals []string
}

// denseShape is TestMeasureAccess's: a user in 50 groups, one of them
// assigned in all 1,000 accounts first, then 1,999 other groups' assignments
// in one account, then 20 for each of the user's 49 other groups; about
// 2,000 of the 4,000 rows are the user's, the first 1,000 among them.
func denseShape() principalShape {
	s := principalShape{name: "dense", accounts: 1000, principals: []string{"user"}}
	for g := range 50 {
		s.principals = append(s.principals, fmt.Sprint("team-", g))
	}
	for a := range 1000 {
		s.rows = append(s.rows, [3]string{fmt.Sprint(a), "ps-1", "team-0"})
	}
	for i := range 1999 {
		s.rows = append(s.rows, [3]string{"0", "ps-1", fmt.Sprint("seeded-", i)})
	}
	for g := 1; g < 50; g++ {
		for a := range 20 {
			s.rows = append(s.rows, [3]string{fmt.Sprint((g*20 + a + 1) % 1000), "ps-1", fmt.Sprint("team-", g)})
		}
	}
	return s
}

// spreadShape: 10,000 users and 1,000 groups holding 20,000 assignments
// at random (over 500 accounts and 5 permission sets); the request names
// a user and the 20 groups it is in, about 40 rows scattered through the
// table.
func spreadShape() principalShape {
	s := principalShape{name: "spread", accounts: 500}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[[3]string]bool{}
	for len(s.rows) < 20000 {
		p := fmt.Sprint("user-", r.IntN(10000))
		if r.IntN(11) == 0 {
			p = fmt.Sprint("group-", r.IntN(1000))
		}
		row := [3]string{fmt.Sprint(r.IntN(500)), fmt.Sprint("ps-", r.IntN(5)), p}
		if !seen[row] {
			seen[row] = true
			s.rows = append(s.rows, row)
		}
	}
	s.principals = []string{"user-7"}
	for g := range 20 {
		s.principals = append(s.principals, fmt.Sprint("group-", (7*31+g*47)%1000))
	}
	return s
}

func seedShape(b *testing.B, db *sqlstore.DB, s principalShape) {
	ctx := context.Background()
	acct := func(i string) string { return fmt.Sprintf("%032s", i) }
	accounts := [][]any{{acct("root"), "root", int64(1)}}
	for a := range s.accounts {
		accounts = append(accounts, []any{acct(fmt.Sprint(a)), fmt.Sprint("member-", a), int64(1)})
	}
	var sets [][]any
	for p := range 5 {
		sets = append(sets, []any{"ins", fmt.Sprint("ps-", p), fmt.Sprint("set ", p), int64(1), int64(1)})
	}
	var rows [][]any
	for _, r := range s.rows {
		rows = append(rows, []any{"ins", acct(r[0]), r[1], "GROUP", r[2], int64(1)})
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"accounts", []string{"id", "name", "created_at"}, accounts},
		{"instances", []string{"id", "account_id", "identity_store_id", "region_id", "created_at"}, [][]any{{"ins", acct("root"), "d-1", "r", int64(1)}}},
		{"permission_sets", []string{"instance_id", "id", "name", "created_at", "updated_at"}, sets},
		{"account_assignments", []string{"instance_id", "account_id", "permission_set_id", "principal_type", "principal_id", "created_at"}, rows},
	} {
		if err := db.BulkInsert(ctx, t.table, t.cols, t.rows); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListByPrincipals measures the first page (100 rows) of a
// principal's assignments, and that page within one account, on the
// dense and spread data sets; on PostgreSQL both before the table's first
// ANALYZE (as right after a load) and after it.
func BenchmarkListByPrincipals(b *testing.B) {
	ctx := context.Background()
	type run struct {
		dialect string
		analyze bool
	}
	runs := []run{{"sqlite", false}}
	if len(sqltest.Dialects()) > 1 {
		runs = append(runs, run{"postgres", false}, run{"postgres", true})
	}
	for _, r := range runs {
		for _, s := range []principalShape{denseShape(), spreadShape()} {
			name := sqltest.Name(r.dialect) + "/" + s.name
			if r.analyze {
				name += "/analyzed"
			}
			b.Run(name, func(b *testing.B) {
				url := sqltest.URL(b, r.dialect)
				db, err := sqlstore.Open(ctx, url, sqlstore.Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				seedShape(b, db, s)
				if r.analyze {
					raw, err := sql.Open("pgx", url)
					if err != nil {
						b.Fatal(err)
					}
					_, err = raw.Exec("ANALYZE account_assignments")
					raw.Close()
					if err != nil {
						b.Fatal(err)
					}
				}
				st := db.Store()
				b.Run("page", func(b *testing.B) {
					for b.Loop() {
						if _, err := st.Assignments().ListByPrincipals(ctx, "ins", s.principals, "", 0, 101); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("account", func(b *testing.B) {
					in := fmt.Sprintf("%032s", "0")
					for b.Loop() {
						if _, err := st.Assignments().ListByPrincipals(ctx, "ins", s.principals, in, 0, 101); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}

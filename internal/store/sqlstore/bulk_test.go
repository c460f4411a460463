package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// BulkInsert loads rows across several statements and transactions, and
// they read back through the store like any other rows.
func TestBulkInsert(t *testing.T) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			db := sqltest.Open(t, d)
			cols := []string{"identity_store_id", "id", "user_name", "user_name_key", "created_at", "updated_at"}
			var rows [][]any
			const n = 25_003 // more than one transaction and many statements
			for i := 0; i < n; i++ {
				name := fmt.Sprintf("user%06d", i)
				rows = append(rows, []any{"d-0000000001", fmt.Sprint("id-", i), name, name, int64(1), int64(1)})
			}
			if err := db.BulkInsert(context.Background(), "users", cols, rows); err != nil {
				t.Fatal(err)
			}
			st := db.Store()
			if c, err := st.Users().Count(context.Background(), "d-0000000001"); err != nil || c != n {
				t.Fatalf("Count = %d, %v; want %d", c, err, n)
			}
			u, err := st.Users().Get(context.Background(), "d-0000000001", "id-25002")
			if err != nil || u.UserName != "user025002" || !u.Enabled {
				t.Fatalf("Get = %+v, %v", u, err)
			}
			// A duplicate aborts its batch with ErrConflict.
			if err := db.BulkInsert(context.Background(), "users", cols, rows[:1]); err == nil {
				t.Fatal("duplicate row accepted")
			}
		})
	}
}

package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// TestMeasureRemoveMembers times removing 90,000 of a 100,000-member
// group's members in one RemoveMembers (IIC_MEASURE=1).
func TestMeasureRemoveMembers(t *testing.T) {
	if os.Getenv("IIC_MEASURE") != "1" {
		t.Skip("set IIC_MEASURE=1 to measure")
	}
	ctx := context.Background()
	const sid, n = "d-0000000001", 100000
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			db := sqltest.Open(t, d)
			var users, members [][]any
			ids := make([]string, n)
			for i := 0; i < n; i++ {
				ids[i] = fmt.Sprint("u", i)
				users = append(users, []any{sid, ids[i], ids[i], ids[i], int64(1), int64(1)})
				members = append(members, []any{sid, fmt.Sprint("m", i), "g1", ids[i], int64(1)})
			}
			if err := db.BulkInsert(ctx, "users", []string{"identity_store_id", "id", "user_name", "user_name_key", "created_at", "updated_at"}, users); err != nil {
				t.Fatal(err)
			}
			if err := db.BulkInsert(ctx, "groups", []string{"identity_store_id", "id", "display_name", "display_name_key", "created_at", "updated_at"}, [][]any{{sid, "g1", "G", "g", int64(1), int64(1)}}); err != nil {
				t.Fatal(err)
			}
			if err := db.BulkInsert(ctx, "group_memberships", []string{"identity_store_id", "id", "group_id", "user_id", "created_at"}, members); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			removed, err := db.Store().Memberships().RemoveMembers(ctx, sid, "g1", ids[:90000])
			if err != nil || len(removed) != 90000 {
				t.Fatalf("removed %d, %v", len(removed), err)
			}
			t.Logf("%s: RemoveMembers of 90,000 of 100,000: %v", d, time.Since(start))
		})
	}
}

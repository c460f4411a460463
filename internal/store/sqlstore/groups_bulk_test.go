package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// A dev seed loader can fill groups and memberships with BulkInsert (the
// columns without defaults are exactly these), and the rows read back
// through the store, memberships included.
func TestBulkInsertGroupsAndMemberships(t *testing.T) {
	ctx := context.Background()
	const sid = "d-0000000001"
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			db := sqltest.Open(t, d)
			var users, groups, members [][]any
			for i := 0; i < 50; i++ {
				name := fmt.Sprintf("user%03d", i)
				users = append(users, []any{sid, fmt.Sprint("u", i), name, name, int64(1), int64(1)})
			}
			for i := 0; i < 200; i++ {
				name := fmt.Sprintf("Group %03d", i)
				groups = append(groups, []any{sid, fmt.Sprint("g", i), name, strings.ToLower(name), int64(1), int64(1)})
			}
			for u := 0; u < 50; u++ {
				for g := u; g < 200; g += 4 {
					members = append(members, []any{sid, fmt.Sprintf("m-%d-%d", u, g), fmt.Sprint("g", g), fmt.Sprint("u", u), int64(1)})
				}
			}
			if err := db.BulkInsert(ctx, "users", []string{"identity_store_id", "id", "user_name", "user_name_key", "created_at", "updated_at"}, users); err != nil {
				t.Fatal(err)
			}
			if err := db.BulkInsert(ctx, "groups", []string{"identity_store_id", "id", "display_name", "display_name_key", "created_at", "updated_at"}, groups); err != nil {
				t.Fatal(err)
			}
			if err := db.BulkInsert(ctx, "group_memberships", []string{"identity_store_id", "id", "group_id", "user_id", "created_at"}, members); err != nil {
				t.Fatal(err)
			}
			st := db.Store()
			if n, err := st.Groups().Count(ctx, sid); err != nil || n != 200 {
				t.Fatalf("Count = %d, %v", n, err)
			}
			g, err := st.Groups().GetByDisplayName(ctx, sid, "group 123")
			if err != nil || g.ID != "g123" || len(g.ExternalIDs) != 0 {
				t.Fatalf("GetByDisplayName = %+v, %v", g, err)
			}
			in, err := st.Memberships().MemberOf(ctx, sid, "u1", []string{"g1", "g2", "g5", "g197"})
			if err != nil || len(in) != 3 || !in["g1"] || !in["g5"] || !in["g197"] {
				t.Fatalf("MemberOf = %v, %v", in, err)
			}
			list, err := st.Memberships().ListByUser(ctx, sid, "u0", 0, 100)
			if err != nil || len(list) != 50 {
				t.Fatalf("ListByUser = %d rows, %v", len(list), err)
			}
			// The constraints hold for bulk rows too: a duplicate pair and a
			// membership of an unknown user are refused.
			err = db.BulkInsert(ctx, "group_memberships", []string{"identity_store_id", "id", "group_id", "user_id", "created_at"},
				[][]any{{sid, "m-new", "g0", "u0", int64(1)}})
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("duplicate pair: %v", err)
			}
			err = db.BulkInsert(ctx, "group_memberships", []string{"identity_store_id", "id", "group_id", "user_id", "created_at"},
				[][]any{{sid, "m-new", "g0", "nobody", int64(1)}})
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("unknown user: %v", err)
			}
		})
	}
}

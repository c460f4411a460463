package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The job runner's queries are answered from the jobs indexes, not by
// scanning the table (which keeps every finished job until it is pruned).
func TestJobQueriesUseTheirIndex(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "iic.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name, query string
		args        []any
		want        string
	}{
		{"claim", claimJobsSQL(2, ""), []any{"o", 1, 1, 1, "a", "b", 1, 10}, "USING INDEX jobs_due (due_at<?)"},
		{"next due", nextDueSQL(2), []any{"a", "b"}, "USING INDEX jobs_due"},
		{"by key", jobByKeySQL, []any{"a", "k"}, "USING INDEX jobs_unfinished_key (kind=? AND job_key=?)"},
	} {
		rows, err := db.write.QueryContext(ctx, "EXPLAIN QUERY PLAN "+tc.query, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, " | "); !strings.Contains(p, tc.want) {
			t.Errorf("%s: plan %q does not use %s", tc.name, p, tc.want)
		}
	}
}

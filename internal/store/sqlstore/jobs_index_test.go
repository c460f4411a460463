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
		if p := queryPlan(t, db.write, tc.query, tc.args...); !strings.Contains(p, tc.want) {
			t.Errorf("%s: plan %q does not use %s", tc.name, p, tc.want)
		}
	}
}

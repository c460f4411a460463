package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The periodic sweeps find expired rows through an expiry index, not by
// scanning the table.
func TestSweepsUseTheirExpiryIndex(t *testing.T) {
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
		{"expired e-mailed tokens", deleteExpiredTokensSQL, []any{1, 10}, "INDEX user_tokens_expiry (expires_at<?)"},
	} {
		if p := queryPlan(t, db.write, tc.query, tc.args...); !strings.Contains(p, tc.want) || strings.Contains(p, "SCAN user_tokens") {
			t.Errorf("%s: plan %q does not use %s", tc.name, p, tc.want)
		}
	}
}

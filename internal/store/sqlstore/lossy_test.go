package sqlstore

import (
	"context"
	"os"
	"testing"
)

// The pool behind Credentials.CreateEphemeral commits without waiting for
// the WAL flush, and only it: the main pool keeps the server's setting.
func TestLossyPoolCommitsAsynchronously(t *testing.T) {
	url := os.Getenv("IIC_TEST_POSTGRES_URL")
	if url == "" {
		t.Skip("IIC_TEST_POSTGRES_URL not set")
	}
	ctx := context.Background()
	db, err := openPostgres(url, Options{MaxOpenConns: 2}) // the pools only: no migration

	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var lossy, main string
	if err := db.lossy.QueryRowContext(ctx, "SHOW synchronous_commit").Scan(&lossy); err != nil {
		t.Fatal(err)
	}
	if err := db.write.QueryRowContext(ctx, "SHOW synchronous_commit").Scan(&main); err != nil {
		t.Fatal(err)
	}
	if lossy != "off" || main == "off" {
		t.Fatalf("synchronous_commit: lossy pool %q, main pool %q; want off and the server's (on)", lossy, main)
	}
}

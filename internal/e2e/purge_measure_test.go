package e2e

import (
	"context"
	"os"
	"testing"
	"time"

	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// TestMeasurePurge times DeleteIdentityCenter's purge of a store seeded by
// `iic dev seed` (IIC_MEASURE_PURGE_DIR = its data dir, and
// IIC_MEASURE_PURGE_DB = its database URL when not SQLite). It logs and
// asserts nothing; the seeded store is gone afterwards.
func TestMeasurePurge(t *testing.T) {
	dir := os.Getenv("IIC_MEASURE_PURGE_DIR")
	if dir == "" {
		t.Skip("set IIC_MEASURE_PURGE_DIR to a data dir seeded by iic dev seed")
	}
	srv := testenv.Start(t, testenv.Options{DataDir: dir, DatabaseURL: os.Getenv("IIC_MEASURE_PURGE_DB")})
	ctx := context.Background()
	start := time.Now()
	if _, err := srv.Center(t).DeleteIdentityCenter(&icmodel.DeleteIdentityCenterRequest{}); err != nil {
		t.Fatal(err)
	}
	deleted := time.Since(start)
	// The server's own runner does the work; wait for the queue to empty.
	for {
		pending, err := srv.App.Store.Instances().PendingPurges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("DeleteIdentityCenter answered in %v; store purged in %v", deleted.Round(time.Millisecond), time.Since(start).Round(time.Second))
}

package sqlstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store { return sqltest.Open(t, d).Store() })
		})
	}
}

// Several processes opening one database at once apply each migration once.
func TestConcurrentMigration(t *testing.T) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			url := sqltest.URL(t, d)
			var wg sync.WaitGroup
			errs := make([]error, 6)
			dbs := make([]*sqlstore.DB, 6)
			for i := range dbs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					dbs[i], errs[i] = sqlstore.Open(context.Background(), url, sqlstore.Options{})
				}(i)
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("opener %d: %v", i, err)
				}
				defer dbs[i].Close()
			}
			n, err := dbs[0].AppliedMigrations(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := len(sqlstore.Migrations(d))
			if n != want {
				t.Fatalf("schema_migrations has %d rows, want %d", n, want)
			}
			if err := dbs[5].Store().Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

package authn_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// A deleted key keeps working at most DefaultCacheTTL on a replica that cached it,
// and stops at once after Invalidate.
func TestCredentialCacheExpiry(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	keys, _ := secrets.New(make([]byte, 32))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	acc := &account.Service{Store: db.Store(), Keys: keys, Now: clock}
	root, err := acc.Bootstrap(context.Background(), account.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := authn.New(db.Store(), keys, clock)
	call := func() error {
		r := httptest.NewRequest("GET", "/v1/instances", nil)
		aksk.Sign(r, root.AccessKey, root.SecretKey, nil, now)
		_, err := a.Authenticate(context.Background(), r, nil, authn.Options{})
		return err
	}
	if err := call(); err != nil {
		t.Fatal(err)
	}
	if err := db.Store().Credentials().Delete(context.Background(), root.AccessKey); err != nil {
		t.Fatal(err)
	}
	if err := call(); err != nil {
		t.Fatalf("within the cache TTL the cached key still verifies: %v", err)
	}
	now = now.Add(authn.DefaultCacheTTL)
	if err := call(); err == nil {
		t.Fatal("deleted key accepted after the cache TTL")
	}
	// Invalidate: re-create, cache, delete, invalidate → rejected at once.
	acc2 := &account.Service{Store: db.Store(), Keys: keys, Now: clock}
	root, _ = acc2.Bootstrap(context.Background(), account.BootstrapOptions{})
	if err := call(); err != nil {
		t.Fatal(err)
	}
	db.Store().Credentials().Delete(context.Background(), root.AccessKey)
	a.Invalidate(root.AccessKey)
	if err := call(); err == nil {
		t.Fatal("deleted key accepted after Invalidate")
	}
}

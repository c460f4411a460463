package oidc

import (
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// Client reads are reused for ClientCacheTTL, unknown ids as known ones:
// a client written to the store after its id was asked for answers
// IIC.1600 until the cached read is stale; ClientCacheTTL < 0 reads the
// store every time. Wrong secrets of a cached client are still refused.
func TestClientReadCache(t *testing.T) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			for _, ttl := range []time.Duration{0, -1} {
				f := newFixture(t, d, Config{ClientCacheTTL: ttl})
				late := store.OIDCClient{ID: "c-late", Name: "late", SecretHash: secrets.TokenHash("late-secret"), GrantTypes: []string{GrantDeviceCode},
					CreatedAt: f.now, SecretExpiresAt: f.now.Add(time.Hour), ExpiresAt: f.now.Add(time.Hour)}
				start := func() error {
					_, err := f.svc.StartDeviceAuthorization(ctx, late.ID, "late-secret", "https://iic.example/start")
					return err
				}
				wantCode(t, "before the client exists", start(), apierr.IIC1600)
				if err := f.svc.Store.OIDC().CreateClient(ctx, late); err != nil {
					t.Fatal(err)
				}
				if err := start(); ttl < 0 && err != nil {
					t.Fatalf("uncached: %v", err)
				} else if ttl >= 0 {
					wantCode(t, "a cached unknown id", err, apierr.IIC1600)
					f.now = f.now.Add(Default.ClientCacheTTL)
					if err := start(); err != nil {
						t.Fatalf("after the cache TTL: %v", err)
					}
				}
				_, err := f.svc.StartDeviceAuthorization(ctx, late.ID, "wrong", "https://iic.example/start")
				wantCode(t, "a wrong secret of a cached client", err, apierr.IIC1600)
			}
		})
	}
}

// The sweep's deletion of an expired client is seen at once by this
// service (it forgets its cached reads): IIC.1600, not the expiry's 1601.
func TestClientReadCacheSweep(t *testing.T) {
	f := newFixture(t, "sqlite", Config{ClientTTL: time.Hour, SecretTTL: 2 * time.Hour, ClientGrace: time.Minute})
	poll := func() error {
		_, err := f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantDeviceCode, DeviceCode: "x"})
		return err
	}
	f.now = f.now.Add(time.Hour + 2*time.Minute)
	wantCode(t, "an expired registration", poll(), apierr.IIC1601)
	if _, err := f.svc.Sweep(ctx, f.svc.Store, 100); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a swept client", poll(), apierr.IIC1600)
}

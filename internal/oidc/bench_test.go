package oidc

import (
	"testing"

	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// StartDeviceAuthorization in process, store included (one client read,
// one insert).
func BenchmarkStartDeviceAuthorization(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			f := newFixture(b, d, Config{})
			b.ResetTimer()
			for b.Loop() {
				if _, err := f.svc.StartDeviceAuthorization(ctx, f.client.Client.ID, f.client.Secret, "https://iic.example/start"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The refresh grant in process: client read, token read, user read, and a
// transaction that spends the old token and inserts two.
func BenchmarkRefreshGrant(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			f := newFixture(b, d, Config{})
			dev, err := f.svc.StartDeviceAuthorization(ctx, f.client.Client.ID, f.client.Secret, "https://iic.example/start")
			if err != nil {
				b.Fatal(err)
			}
			if err := f.svc.ApproveDevice(ctx, dev.UserCode, f.alice, "192.0.2.1"); err != nil {
				b.Fatal(err)
			}
			tok, err := f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantDeviceCode, DeviceCode: dev.DeviceCode})
			if err != nil {
				b.Fatal(err)
			}
			rt := tok.RefreshToken
			b.ResetTimer()
			for b.Loop() {
				next, err := f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantRefreshToken, RefreshToken: rt})
				if err != nil {
					b.Fatal(err)
				}
				rt = next.RefreshToken
			}
		})
	}
}

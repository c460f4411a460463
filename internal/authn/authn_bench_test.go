package authn_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// BenchmarkAuthenticateAndAuthorize is the per-request cost of a signed call:
// parse + canonicalize + HMAC, the credential read from the store (SQLite),
// secret decryption, scope checks, and the authorizer decision.
func BenchmarkAuthenticateAndAuthorize(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			db := sqltest.Open(b, d)
			keys, _ := secrets.New(make([]byte, 32))
			acc := &account.Service{Store: db.Store(), Keys: keys, Now: time.Now}
			root, err := acc.Bootstrap(context.Background(), account.BootstrapOptions{Regions: []string{"cn-north-4"}})
			if err != nil {
				b.Fatal(err)
			}
			a := authn.New(db.Store(), keys, time.Now)
			var az authz.Authorizer = authz.RootOnly{}
			r := httptest.NewRequest("GET", "/v1/instances?limit=100", nil)
			r.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
			r.Header.Set("X-Domain-Id", root.AccountID)
			aksk.Sign(r, root.AccessKey, root.SecretKey, nil, time.Now())
			req := &authz.Request{Action: "identitycenter:instances:list", Resource: "identitycenter::" + root.AccountID + ":instance:*"}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := a.Authenticate(ctx, r, nil, authn.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if err := az.Authorize(ctx, p, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package httpx_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/metrics"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// BenchmarkGuardSigned is the whole signed path of a read through the
// server's handler: the middleware, the router, the Guard's AK/SK
// authentication (credential cached) and the authorizer (root), and an
// operation that writes a small JSON answer.
func BenchmarkGuardSigned(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			db := sqltest.Open(b, d)
			keys, _ := secrets.New(make([]byte, 32))
			root, err := (&account.Service{Store: db.Store(), Keys: keys, Now: time.Now}).Bootstrap(context.Background(), account.BootstrapOptions{})
			if err != nil {
				b.Fatal(err)
			}
			rt := httpx.NewRouter()
			g := &httpx.Guard{Authz: authz.RootOnly{}, Now: time.Now}
			mountBench(g, rt, authn.New(db.Store(), keys, time.Now), []httpx.Op{{Name: "ListInstances", Pattern: "GET /v1/instances",
				Handler: func(w http.ResponseWriter, r *http.Request) error {
					httpx.WriteJSON(w, http.StatusOK, map[string]string{"caller": authz.PrincipalFrom(r.Context()).AccessKey})
					return nil
				}}})
			h := (&httpx.Middleware{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New()}).Wrap(rt)
			r := httptest.NewRequest("GET", "/v1/instances?limit=100", nil)
			r.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
			r.Header.Set("X-Domain-Id", root.AccountID)
			aksk.Sign(r, root.AccessKey, root.SecretKey, nil, time.Now())
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code, rec.Body.String())
				}
			}
		})
	}
}

func mountBench(g *httpx.Guard, rt *httpx.Router, a *authn.Authenticator, ops []httpx.Op) {
	g.Mount(rt, httpx.OneOf(authn.Unauthorized, httpx.AKSK(a)), ops)
}

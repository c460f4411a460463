package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// BenchmarkOIDCHTTP is StartDeviceAuthorization (POST /v1/device/authorize)
// and the refresh-token grant (POST /v1/tokens, each answer's refresh
// token the next request's) through a real server on loopback, one
// keep-alive client, the whole middleware included: what
// tools/loadgen's device and refresh scenarios send. The client's share
// is small next to the server's; profile with
//
//	go test -run '^$' -bench OIDCHTTP -cpuprofile cpu.out ./internal/e2e
func BenchmarkOIDCHTTP(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d)+"/device", func(b *testing.B) {
			srv, cl, _ := oidcBenchServer(b, d)
			body, _ := json.Marshal(map[string]string{"client_id": cl.id, "client_secret": cl.secret, "start_url": srv.URL + "/start"})
			hc := &http.Client{}
			for b.Loop() {
				if out := oidcBenchPost(b, hc, srv.URL+"/v1/device/authorize", body); !bytes.Contains(out, []byte(`"device_code":"`)) {
					b.Fatalf("answer %s", out)
				}
			}
		})
		// 8 clients at once, as tools/loadgen/oidc.sh runs it.
		b.Run(sqltest.Name(d)+"/device-parallel", func(b *testing.B) {
			srv, cl, _ := oidcBenchServer(b, d)
			body, _ := json.Marshal(map[string]string{"client_id": cl.id, "client_secret": cl.secret, "start_url": srv.URL + "/start"})
			b.SetParallelism(4) // × GOMAXPROCS clients
			b.RunParallel(func(pb *testing.PB) {
				hc := &http.Client{}
				for pb.Next() {
					if out := oidcBenchPost(b, hc, srv.URL+"/v1/device/authorize", body); !bytes.Contains(out, []byte(`"device_code":"`)) {
						b.Errorf("answer %s", out)
						return
					}
				}
			})
		})
		b.Run(sqltest.Name(d)+"/refresh", func(b *testing.B) {
			srv, cl, alice := oidcBenchServer(b, d)
			ctx := context.Background()
			dev, err := srv.App.OIDC.StartDeviceAuthorization(ctx, cl.id, cl.secret, srv.URL+"/start")
			if err != nil {
				b.Fatal(err)
			}
			if err := srv.App.OIDC.ApproveDevice(ctx, dev.UserCode, alice, "127.0.0.1"); err != nil {
				b.Fatal(err)
			}
			tok, err := srv.App.OIDC.CreateToken(ctx, oidc.TokenRequest{ClientID: cl.id, ClientSecret: cl.secret, GrantType: oidc.GrantDeviceCode, DeviceCode: dev.DeviceCode})
			if err != nil {
				b.Fatal(err)
			}
			rt := tok.RefreshToken
			hc := &http.Client{}
			for b.Loop() {
				body, _ := json.Marshal(map[string]string{"client_id": cl.id, "client_secret": cl.secret, "grant_type": "refresh_token", "refresh_token": rt})
				var out struct {
					TokenInfo struct {
						RefreshToken string `json:"refresh_token"`
					} `json:"token_info"`
				}
				if raw := oidcBenchPost(b, hc, srv.URL+"/v1/tokens", body); json.Unmarshal(raw, &out) != nil || out.TokenInfo.RefreshToken == "" {
					b.Fatalf("answer %s", raw)
				}
				rt = out.TokenInfo.RefreshToken
			}
		})
	}
}

// oidcBenchServer is a server with Identity Center enabled, a user and a
// registered device-code client.
func oidcBenchServer(b *testing.B, d string) (*testenv.Server, oidcClient, oidc.UserRef) {
	srv := testenv.Start(b, testenv.Options{Dialect: d})
	_, sid := srv.EnableIdentityCenter(b)
	ctx := context.Background()
	uid, _, err := srv.App.Identity.CreateUser(ctx, identity.Caller{Actor: "bench"}, sid, identity.NewUser{UserName: "bench", DisplayName: "bench",
		PasswordMode: identity.PasswordModeNone, Profile: identity.Profile{Name: identity.Name{GivenName: "B", FamilyName: "Ench"},
			Emails: []identity.Email{{Value: "bench@example.com", Type: "work", Primary: true}}}})
	if err != nil {
		b.Fatal(err)
	}
	reg, err := srv.App.OIDC.RegisterClient(ctx, oidc.NewClient{Name: "bench", Type: "public", TokenEndpointAuthMethod: "client_secret_post",
		Scopes: []string{"openid", "sso:account:access"}, GrantTypes: []string{oidc.GrantDeviceCode, oidc.GrantRefreshToken}})
	if err != nil {
		b.Fatal(err)
	}
	return srv, oidcClient{reg.Client.ID, reg.Secret}, oidc.UserRef{IdentityStoreID: sid, UserID: uid}
}

func oidcBenchPost(b *testing.B, hc *http.Client, u string, body []byte) []byte {
	resp, err := hc.Post(u, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("POST %s: %d %s", u, resp.StatusCode, out)
	}
	return out
}

package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/testenv"
	"github.com/iic-project/iic/internal/tokens"
)

func benchTokens(b *testing.B) (*testenv.Server, string, string) {
	srv := testenv.Start(b, testenv.Options{})
	if err := srv.App.Tokens.SetUser(context.Background(), srv.App.Root.AccountID, "admin", tokenPassword, []string{"Security Administrator"}); err != nil {
		b.Fatal(err)
	}
	a, err := srv.App.Store.Accounts().Get(context.Background(), srv.App.Root.AccountID)
	if err != nil {
		b.Fatal(err)
	}
	_, value, err := srv.App.Tokens.Issue(context.Background(), tokens.PasswordAuth{Methods: []string{"password"}, DomainName: a.Name, UserName: "admin", Password: tokenPassword})
	if err != nil {
		b.Fatal(err)
	}
	return srv, a.Name, value
}

// BenchmarkTokenIssue is POST /v3/auth/tokens by password in the service
// (one Argon2id verification, the failure-record delete, the token insert);
// BenchmarkTokenIssue/argon2id is the hash alone, for its share.
func BenchmarkTokenIssue(b *testing.B) {
	srv, domain, _ := benchTokens(b)
	ctx := context.Background()
	b.Run("password", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := srv.App.Tokens.Issue(ctx, tokens.PasswordAuth{Methods: []string{"password"}, DomainName: domain, UserName: "admin", Password: tokenPassword}); err != nil {
				b.Fatal(err)
			}
		}
	})
	u, err := srv.App.Store.Keystone().GetUser(ctx, srv.App.Root.AccountID)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("argon2id", func(b *testing.B) {
		for b.Loop() {
			srv.App.Identity.Hasher.Verify(u.PasswordHash, tokenPassword)
		}
	})
}

// BenchmarkTokenValidate is a cached X-Auth-Token validation.
func BenchmarkTokenValidate(b *testing.B) {
	srv, _, value := benchTokens(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := srv.App.Tokens.Authenticate(ctx, value); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkXAuthTokenRequest is a request with X-Auth-Token authenticated
// (the httpx authenticator, cached) and authorized (the policy authorizer:
// Security Administrator's iam:*:* on iam:identityProviders:updateIdentityProvider).
func BenchmarkXAuthTokenRequest(b *testing.B) {
	srv, _, value := benchTokens(b)
	auth := httpx.XAuthToken(srv.App.Tokens.Authenticate)
	pol := authz.NewPolicies(srv.App.Store)
	pol.CacheTTL = time.Minute
	r, _ := http.NewRequest("PATCH", "http://iic/v3/OS-FEDERATION/identity_providers/ACME", nil)
	r.Header.Set("X-Auth-Token", value)
	ctx := context.Background()
	for b.Loop() {
		p, err := auth.Authenticate(r, nil, httpx.AuthOp{})
		if err != nil {
			b.Fatal(err)
		}
		req := authz.Request{Action: "iam:identityProviders:updateIdentityProvider", Time: time.Now()}
		if err := pol.Authorize(ctx, p, &req); err != nil {
			b.Fatal(err)
		}
	}
}

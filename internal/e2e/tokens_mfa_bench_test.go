package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/testenv"
	"github.com/iic-project/iic/internal/tokens"
)

// BenchmarkTokenIssueMFA is POST /v3/auth/tokens in the service by
// password + TOTP (BenchmarkTokenIssue/password plus opening the sealed
// seed, the code check and the store's replay-guard update; the clock moves
// one 30-second step per operation and the benchmark computes each code),
// and by the token method (a store read of the original, the project
// scope, the token insert: no Argon2id).
func BenchmarkTokenIssueMFA(b *testing.B) {
	clock := newMovableClock()
	srv := testenv.Start(b, testenv.Options{Now: clock.Now})
	ctx := context.Background()
	acct := srv.App.Root.AccountID
	if err := srv.App.Tokens.SetUser(ctx, acct, "admin", tokenPassword, []string{"Security Administrator"}); err != nil {
		b.Fatal(err)
	}
	a, err := srv.App.Store.Accounts().Get(ctx, acct)
	if err != nil {
		b.Fatal(err)
	}
	_, value, err := srv.App.Tokens.Issue(ctx, tokens.PasswordAuth{Methods: []string{"password"}, DomainName: a.Name, UserName: "admin", Password: tokenPassword})
	if err != nil {
		b.Fatal(err)
	}
	projects, err := srv.App.Store.Projects().ListByAccount(ctx, acct)
	if err != nil || len(projects) == 0 {
		b.Fatal(err)
	}
	b.Run("token", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := srv.App.Tokens.IssueScoped(ctx, value, tokens.Scope{ProjectID: projects[0].ID}); err != nil {
				b.Fatal(err)
			}
		}
	})
	seed, _ := identity.ParseTOTPSecret(testTOTPSecret)
	if _, err := srv.App.Tokens.SetTOTP(ctx, acct, seed); err != nil {
		b.Fatal(err)
	}
	u, _ := srv.App.Store.Keystone().GetUser(ctx, acct)
	b.Run("password+totp", func(b *testing.B) {
		for b.Loop() {
			clock.Add(30 * time.Second)
			code := totpCode(b, testTOTPSecret, clock.Now())
			if _, _, err := srv.App.Tokens.Issue(ctx, tokens.PasswordAuth{Methods: []string{"password", "totp"}, DomainName: a.Name, UserName: "admin",
				Password: tokenPassword, TOTPUserID: u.ID, Passcode: code}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

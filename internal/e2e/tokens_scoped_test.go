package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/iic-project/iic/internal/testenv"
)

func scopedToken(t *testing.T, srv *testenv.Server, token string, scope *model.TokenSocpeOption) (*model.KeystoneCreateScopedTokenResponse, error) {
	return srv.IAMToken(t, "").KeystoneCreateScopedToken(&model.KeystoneCreateScopedTokenRequest{Body: &model.KeystoneCreateScopedTokenRequestBody{
		Auth: &model.ScopedTokenAuth{Identity: &model.ScopedTokenIdentity{Methods: []string{"token"}, Token: &model.ScopedToken{Id: token}}, Scope: scope}}})
}

func mustParseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}

// The token method (KeystoneCreateScopedToken): a live token is exchanged
// for one scoped to a project (by id, or by name in the user's domain) or
// the domain; the new token expires with the original, never later; an
// unknown, revoked or expired token is 401, a project of another domain
// 401; the token may also come in X-Auth-Token.
func TestScopedTokenThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clock := newMovableClock()
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clock.Now, AuthCacheTTL: -1})
		setSignInUser(t, srv, tokenPassword, "Security Administrator")
		name, acct := rootName(t, srv), srv.App.Root.AccountID
		projects, err := srv.App.Store.Projects().ListByAccount(context.Background(), acct)
		if err != nil || len(projects) == 0 {
			t.Fatalf("projects: %v", err)
		}
		pr := projects[0]
		first, err := passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, nil)
		if err != nil {
			t.Fatal(err)
		}
		orig, origExp := *first.XSubjectToken, mustParseTime(t, first.Token.ExpiresAt)

		clock.Add(time.Hour)
		resp, err := scopedToken(t, srv, orig, &model.TokenSocpeOption{Project: &model.ScopeProjectOption{Id: &pr.ID}})
		if err != nil {
			t.Fatalf("scoped token by project id: %v", err)
		}
		tok := resp.Token
		if resp.HttpStatusCode != http.StatusCreated || resp.XSubjectToken == nil || *resp.XSubjectToken == orig || tok.Project == nil || tok.Project.Id != pr.ID ||
			!slices.Equal(tok.Methods, []string{"password", "token"}) || tok.User == nil || tok.User.Name != "admin" {
			t.Fatalf("scoped token: %d %v %v %v %v", resp.HttpStatusCode, resp.XSubjectToken != nil, tok.Project, tok.Methods, tok.User)
		}
		if exp := mustParseTime(t, tok.ExpiresAt); !exp.Equal(origExp) {
			t.Fatalf("scoped token expires %s, the original %s: must not outlive it", exp, origExp)
		}
		if iss := mustParseTime(t, tok.IssuedAt); iss.Sub(mustParseTime(t, first.Token.IssuedAt)) != time.Hour {
			t.Fatalf("issued_at %s", tok.IssuedAt)
		}
		scoped := *resp.XSubjectToken
		v, err := srv.IAMToken(t, scoped).KeystoneValidateToken(&model.KeystoneValidateTokenRequest{XSubjectToken: scoped})
		if err != nil || v.Token.Project == nil || v.Token.Project.Id != pr.ID {
			t.Fatalf("validate the scoped token: %+v, %v", v, err)
		}
		if _, err := srv.IAMToken(t, scoped).KeystoneListIdentityProviders(&model.KeystoneListIdentityProvidersRequest{}); err != nil {
			t.Fatalf("the scoped token on OS-FEDERATION: %v", err)
		}
		// A scoped token exchanged again keeps the first expiry.
		again, err := scopedToken(t, srv, scoped, &model.TokenSocpeOption{Domain: &model.ScopeDomainOption{Id: &acct}})
		if err != nil || again.Token.Domain == nil || again.Token.Domain.Id != acct || !mustParseTime(t, again.Token.ExpiresAt).Equal(origExp) {
			t.Fatalf("domain-scoped from the scoped token: %+v, %v", again, err)
		}

		// By project name in the user's domain; in another domain: 401.
		if r, err := scopedToken(t, srv, orig, &model.TokenSocpeOption{Project: &model.ScopeProjectOption{Name: &pr.Name,
			Domain: &model.ScopeDomainOption{Name: &name}}}); err != nil || r.Token.Project.Id != pr.ID {
			t.Fatalf("by project name: %+v, %v", r, err)
		}
		other := "another-domain"
		for what, sc := range map[string]*model.TokenSocpeOption{
			"project of another domain": {Project: &model.ScopeProjectOption{Name: &pr.Name, Domain: &model.ScopeDomainOption{Name: &other}}},
			"unknown project":           {Project: &model.ScopeProjectOption{Id: &other}},
			"another domain":            {Domain: &model.ScopeDomainOption{Id: &other}},
		} {
			if _, err := scopedToken(t, srv, orig, sc); statusOf(err) != http.StatusUnauthorized {
				t.Errorf("%s: %v, want 401", what, err)
			}
		}
		if _, err := scopedToken(t, srv, orig+"x", nil); statusOf(err) != http.StatusUnauthorized || !strings.Contains(err.Error(), "error_code") {
			t.Fatalf("unknown token: %v, want 401", err)
		}

		// The token in X-Auth-Token, the body naming none.
		body := []byte(`{"auth":{"identity":{"methods":["token"]},"scope":{"project":{"id":"` + pr.ID + `"}}}}`)
		r, b := srv.Do(t, "POST", "/v3/auth/tokens", body, map[string]string{"X-Auth-Token": orig}, false)
		var out struct {
			Token struct {
				Project struct{ ID string } `json:"project"`
			} `json:"token"`
		}
		if r.StatusCode != http.StatusCreated || json.Unmarshal(b, &out) != nil || out.Token.Project.ID != pr.ID || r.Header.Get("X-Subject-Token") == "" {
			t.Fatalf("token from X-Auth-Token: %d %s", r.StatusCode, b)
		}
		if r, b := srv.Do(t, "POST", "/v3/auth/tokens", []byte(`{"auth":{"identity":{"methods":["token"]}}}`), nil, false); r.StatusCode != http.StatusBadRequest {
			t.Fatalf("no token at all: %d %s, want 400", r.StatusCode, b)
		}

		// Expired: 401 (the scoped one expires with it).
		clock.Add(23*time.Hour + time.Second)
		if _, err := scopedToken(t, srv, orig, nil); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("expired token: %v, want 401", err)
		}
		if _, err := scopedToken(t, srv, scoped, nil); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("scoped token past the original's expiry: %v, want 401", err)
		}
		// Revoked by a password change: 401.
		fresh := mustToken(t, srv, tokenPassword)
		setSignInUser(t, srv, "Other-Horse-8", "Security Administrator")
		if _, err := scopedToken(t, srv, fresh, nil); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("revoked token: %v, want 401", err)
		}
	})
}

package portalapi

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/portal"
)

// AccessTokens takes one access-token header of at most MaxTokenLen
// characters, makes the resolved user's principal, and names a session for
// a token whose grant the resolver does not name.
func TestAccessTokens(t *testing.T) {
	auth := AccessTokens(func(_ context.Context, tok string) (portal.User, error) {
		switch tok {
		case "granted":
			return portal.User{IdentityStoreID: "d-1", UserID: "u-1", Session: "family-1"}, nil
		case "bare":
			return portal.User{IdentityStoreID: "d-1", UserID: "u-1"}, nil
		}
		return portal.User{}, ErrInvalidToken
	})
	for _, tc := range []struct {
		tokens  []string
		session string // "" = refused with ErrInvalidToken
	}{
		{[]string{"granted"}, "family-1"},
		{[]string{"bare"}, "token:"},
		{[]string{"forged"}, ""},
		{[]string{"granted", "granted"}, ""},
		{[]string{""}, ""},
		{[]string{strings.Repeat("x", MaxTokenLen+1)}, ""},
		{nil, ""},
	} {
		r := httptest.NewRequest("GET", "/v1/assigned-accounts", nil)
		for _, v := range tc.tokens {
			r.Header.Add(TokenHeader, v)
		}
		if got, want := auth.Presented(r), tc.tokens != nil; got != want {
			t.Errorf("%d tokens: Presented = %v", len(tc.tokens), got)
		}
		p, err := auth.Authenticate(r, nil, httpx.AuthOp{})
		if tc.session == "" {
			if err != ErrInvalidToken {
				t.Errorf("%.20q: %v, want ErrInvalidToken", tc.tokens, err)
			}
			continue
		}
		if err != nil || p.Kind != authz.KindPortalUser || p.UserID != "u-1" || p.Store == nil || p.Store.IdentityStoreID != "d-1" ||
			!strings.HasPrefix(p.Store.Session, tc.session) {
			t.Errorf("%q: %+v, %v; want u-1 of d-1 in session %s…", tc.tokens, p, err, tc.session)
		}
	}
}

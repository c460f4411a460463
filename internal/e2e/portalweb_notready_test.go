package e2e

import (
	"net/url"
	"testing"

	"github.com/iic-project/iic/internal/testenv"
)

// Before Identity Center is enabled the portal's pages that need the
// default identity store answer a 503 page that says why.
func TestPortalWebBeforeIdentityCenter(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		b := newBrowser(t, srv.URL)
		for _, path := range []string{"/start", "/start/", "/start?next=%2Fstart%2Fmfa", "/start/forgot"} {
			resp, page := b.get(path)
			wantHTML(t, resp, page, 503, "The access portal is not set up yet", "Identity Center has not been enabled", "IIC.1730")
		}
		resp, page := b.get("/start/d-0000000000")
		wantHTML(t, resp, page, 404, "Page not found")
		resp, page = b.get("/start/mfa/register?token=x") // a form, for its CSRF token
		wantHTML(t, resp, page, 200)
		resp, page = b.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"alice"}, "password": {"x"}})
		wantHTML(t, resp, page, 503, "The access portal is not set up yet")
	})
}

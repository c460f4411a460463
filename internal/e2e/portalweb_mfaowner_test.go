package e2e

import (
	"html"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/testenv"
)

// The MFA page adds a device only with the signed-in user's own
// registration token: another user's is refused and registers nothing.
func TestPortalWebAddDeviceTokenOfAnotherUser(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now})
		_, storeID := srv.EnableIdentityCenter(t)
		sc := srv.IdentityStore(t)
		const password = "Owner-Passw0rd-2026!"
		a, m := newBrowser(t, srv.URL), newBrowser(t, srv.URL)
		alice, _ := totpUser(t, srv, a, clk, sc, storeID, "alice", password)
		mallory, _ := totpUser(t, srv, m, clk, sc, storeID, "mallory", password)

		// Alice starts adding a device.
		resp, page := a.get("/start/mfa")
		wantHTML(t, resp, page, 200, "Add an authenticator app")
		resp, page = a.post("/start/mfa/add", url.Values{"csrf": {csrf(t, page)}})
		wantHTML(t, resp, page, 200, "Set up your authenticator app")
		token := html.UnescapeString(regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)[1])
		secret := totpKeyElem.FindStringSubmatch(page)[1]

		// Mallory posts alice's token with a right code: refused.
		resp, page = m.get("/start/mfa")
		clk.advance(30 * time.Second)
		resp, page = m.post("/start/mfa/add/confirm", url.Values{"csrf": {csrf(t, page)}, "token": {token}, "name": {"Stolen"}, "code": {clk.code(t, secret)}})
		wantHTML(t, resp, page, 400, "IIC.1721")
		for who, id := range map[string]string{"alice": alice, "mallory": mallory} {
			if ds := listDevices(t, sc, storeID, id); len(ds) != 1 || len(ds[0].MfaDevices) != 1 {
				t.Fatalf("%s's devices after the refused token: %+v", who, ds)
			}
		}

		// Alice's own confirmation still works.
		resp, page = a.get("/start/mfa")
		clk.advance(30 * time.Second)
		resp, page = a.post("/start/mfa/add/confirm", url.Values{"csrf": {csrf(t, page)}, "token": {token}, "name": {"Second phone"}, "code": {clk.code(t, secret)}})
		wantRedirect(t, resp, page, "/start/mfa?added=1")
		if ds := listDevices(t, sc, storeID, alice); len(ds) != 1 || len(ds[0].MfaDevices) != 2 {
			t.Fatalf("alice's devices: %+v", ds)
		}
	})
}

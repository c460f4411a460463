package e2e

import (
	"net/url"
	"testing"

	"github.com/iic-project/iic/internal/testenv"
)

// A password reset by e-mail ends the temporary credentials the user got
// through the portal API under its terminal sign-in (an OIDC access token
// of the device grant), not only its web sessions' and the tokens: after
// the reset a signed call with them is 401 IIC.1410 on the server that
// issued them, at once. Another user's credentials live on.
func TestPasswordResetEndsPortalAPICredentials(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		mail := testenv.StartSMTP(t)
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, SMTPURL: mail.URL()})
		ins, storeID := srv.EnableIdentityCenter(t)
		sc := srv.IdentityStore(t)
		carol, _ := createUser(t, sc, storeID, "carol")
		dave, _ := createUser(t, sc, storeID, "dave")
		a := newAgencyReader(t, srv, ins, "ResetReader", carol, dave)
		// Two terminal sign-ins of carol (two grants), one of dave.
		carol1, carol2, daves := login(t, srv, storeID, carol), login(t, srv, storeID, carol), login(t, srv, storeID, dave)
		mine := []heldCredentials{a.issue(carol1.access), a.issue(carol1.access), a.issue(carol2.access)}
		theirs := a.issue(daves.access)
		for _, h := range append(mine, theirs) {
			if err := a.call(h); err != nil {
				t.Fatalf("before the reset: %v", err)
			}
		}

		// Carol resets her password by e-mail.
		b := newBrowser(t, srv.URL)
		resp, page := b.get("/start/forgot?store=" + storeID)
		wantHTML(t, resp, page, 200, `name="username"`)
		resp, page = b.post("/start/forgot", url.Values{"csrf": {csrf(t, page)}, "store": {storeID}, "username": {"carol"}})
		wantHTML(t, resp, page, 200, "a link to reset its password is on its way")
		m, _ := mail.WaitFor(t, "carol@example.com", 0)
		_, link := linkIn(t, m)
		resp, page = b.get("/start/reset?token=" + url.QueryEscape(link))
		wantHTML(t, resp, page, 200, "Choose a new password")
		const pw = "Reset-Passw0rd-2026!"
		resp, page = b.post("/start/reset", url.Values{"csrf": {csrf(t, page)}, "token": {link}, "password": {pw}, "confirm": {pw}})
		wantHTML(t, resp, page, 200, "Your password was changed")

		for _, h := range mine {
			a.wantDead(h, "carol's credentials after the reset")
		}
		for _, lt := range []loginTokens{carol1, carol2} {
			_, err := a.getCredentials(lt.access)
			testenv.WantError(t, err, 401, "IIC.1604")
		}
		if err := a.call(theirs); err != nil {
			t.Fatalf("dave's credentials after carol's reset: %v", err)
		}
	})
}

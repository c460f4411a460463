package e2e

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/api/portalweb"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// A forgotten password, by e-mail: the sign-in page's link, a request
// answered alike for a user and an unknown name, the mailed single-use
// link (stored hashed), the password policy on the reset page, and after
// the reset: the user's sessions ended, the lockout cleared, the old
// password refused; then an expired link and the per-user rate.
func TestPortalWebPasswordReset(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		mail := testenv.StartSMTP(t)
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now, SMTPURL: mail.URL()})
		_, storeID := srv.EnableIdentityCenter(t)
		sc := srv.IdentityStore(t)
		const oldPassword, newPassword = "Old-Passw0rd-2026!", "New-Passw0rd-2026!"
		signedIn := newBrowser(t, srv.URL)
		bobID, secret := totpUser(t, srv, signedIn, clk, sc, storeID, "bob", oldPassword)
		if resp, page := signedIn.get("/start/mfa"); resp.StatusCode != 200 {
			t.Fatalf("bob's session: %d %s", resp.StatusCode, page)
		}
		// Bob's name is locked by wrong passwords.
		l := newBrowser(t, srv.URL)
		resp, page := l.get("/start")
		token := csrf(t, page)
		for i := 0; i < 5; i++ {
			l.post("/start/signin", url.Values{"csrf": {token}, "username": {"bob"}, "password": {"wrong"}})
		}
		resp, page = l.post("/start/signin", url.Values{"csrf": {token}, "username": {"bob"}, "password": {oldPassword}})
		wantHTML(t, resp, page, 423, "IIC.1705")

		// The sign-in page links to the request form, which answers the
		// same for bob and for a name of no user.
		b := newBrowser(t, srv.URL)
		resp, page = b.get("/start/" + storeID)
		wantHTML(t, resp, page, 200, `href="/start/forgot?store=`+storeID+`"`, "Forgot password?")
		resp, page = b.get("/start/forgot?store=" + storeID)
		wantHTML(t, resp, page, 200, "Forgot your password?", `name="username"`)
		form := url.Values{"csrf": {csrf(t, page)}, "store": {storeID}}
		resp, _ = b.post("/start/forgot", url.Values{"store": {storeID}, "username": {"bob"}})
		if resp.StatusCode != 403 {
			t.Fatalf("a request without CSRF = %d", resp.StatusCode)
		}
		answers := map[string]string{}
		for _, name := range []string{"nobody", "bob"} {
			form.Set("username", name)
			start := time.Now()
			resp, page = b.post("/start/forgot", form)
			if took := time.Since(start); took < portalweb.ForgotAnswerFloor {
				t.Fatalf("the answer for %s took %v, less than the floor %v", name, took, portalweb.ForgotAnswerFloor)
			}
			wantHTML(t, resp, page, 200, "a link to reset its password is on its way")
			answers[name] = strings.ReplaceAll(page, name, "NAME")
		}
		if answers["bob"] != answers["nobody"] {
			t.Fatalf("the answers differ:\n%s\n----\n%s", answers["bob"], answers["nobody"])
		}
		m, n := mail.WaitFor(t, "bob@example.com", 0)
		path, link := linkIn(t, m)
		if path != "/start/reset" || !strings.Contains(m.Data, "Subject: Reset your password") || !strings.Contains(m.Data, srv.App.Config.PublicURL+"/start/reset?token=") {
			t.Fatalf("reset mail:\n%s", m.Data)
		}
		if len(mail.Messages()) != 1 {
			t.Fatalf("%d mails, want bob's alone", len(mail.Messages()))
		}
		// Stored hashed: the raw token is no key, its digest is.
		if _, err := srv.App.Store.UserSecrets().ConsumeToken(context.Background(), link, signin.PurposeResetPassword, clk.now()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the raw token is stored: %v", err)
		}

		// The reset page: the policy and the confirmation apply, and the link
		// stays usable after a refusal.
		resp, page = b.get("/start/reset?token=" + url.QueryEscape(link))
		wantHTML(t, resp, page, 200, "Choose a new password", `autocomplete="new-password"`)
		reset := url.Values{"csrf": {csrf(t, page)}, "token": {link}, "password": {"short"}, "confirm": {"short"}}
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 400, "IIC.1314")
		reset.Set("password", "bob")
		reset.Set("confirm", "bob")
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 400, "IIC.13")
		reset.Set("password", oldPassword)
		reset.Set("confirm", oldPassword)
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 400, "IIC.1315")
		reset.Set("password", newPassword)
		reset.Set("confirm", newPassword+"x")
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 400, "IIC.1740")
		reset.Set("confirm", newPassword)
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 200, "Your password was changed", `href="/start/`+storeID+`"`)
		// Single use.
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 400, "IIC.1718")

		// Bob's session ended; his old password is refused, the lock is
		// gone, and the new password signs in with his device.
		resp, page = signedIn.get("/start/mfa")
		wantRedirect(t, resp, page, "/start?next=%2Fstart%2Fmfa")
		resp, page = l.post("/start/signin", url.Values{"csrf": {token}, "username": {"bob"}, "password": {oldPassword}})
		wantHTML(t, resp, page, 400, "IIC.1707")
		resp, page = signInTOTP(t, newBrowser(t, srv.URL), clk, "/start", "bob", newPassword, secret)
		wantRedirect(t, resp, page, "/start")
		if sessions, err := srv.App.Store.Sessions().List(context.Background(), storeID, bobID, clk.now()); err != nil || len(sessions) != 1 {
			t.Fatalf("bob's sessions after the reset and one sign-in: %d, %v", len(sessions), err)
		}

		// A link expires after 30 minutes.
		form.Set("username", "bob")
		resp, page = b.post("/start/forgot", form)
		wantHTML(t, resp, page, 200)
		m, n = mail.WaitFor(t, "bob@example.com", n+1)
		_, link = linkIn(t, m)
		waitResetMails(t, srv)
		clk.advance(signin.ResetTTL + time.Second)
		reset.Set("token", link)
		reset.Set("password", "Third-Passw0rd-2026!")
		reset.Set("confirm", "Third-Passw0rd-2026!")
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 400, "IIC.1718")

		// Rate: 3 links per hour per user name; then the same answer and
		// no mail. The newest link voids the earlier ones.
		waitResetMails(t, srv)
		clk.advance(time.Hour)
		var links []string
		for i := 0; i < 4; i++ {
			resp, page = b.post("/start/forgot", form)
			wantHTML(t, resp, page, 200, "a link to reset its password is on its way")
			if i < 3 {
				m, n = mail.WaitFor(t, "bob@example.com", n+1)
				_, lk := linkIn(t, m)
				links = append(links, lk)
			}
		}
		time.Sleep(300 * time.Millisecond)
		if got := len(mail.Messages()); got != n+1 {
			t.Fatalf("%d mails after the rate was exceeded, want %d", got, n+1)
		}
		reset.Set("token", links[0])
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 400, "IIC.1718")
		reset.Set("token", links[2])
		resp, page = b.post("/start/reset", reset)
		wantHTML(t, resp, page, 200, "Your password was changed")
		if _, err := srv.App.Store.UserSecrets().ConsumeToken(context.Background(), identity.TokenDigest(links[1]), signin.PurposeResetPassword, clk.now()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an earlier link survived: %v", err)
		}
	})
}

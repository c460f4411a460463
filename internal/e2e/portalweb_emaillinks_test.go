package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// loginTokens are the tokens a terminal sign-in (`iic login`: the device
// grant) holds for a user.
type loginTokens struct {
	client          oidcClient
	access, refresh string
}

func login(t *testing.T, srv *testenv.Server, storeID, userID string) loginTokens {
	t.Helper()
	c := srv.OIDC(t)
	cl, _ := registerOIDCClient(t, c)
	d := startDevice(t, c, cl, srv.App.Config.PublicURL+"/start")
	if err := srv.App.OIDC.ApproveDevice(context.Background(), *d.UserCode, oidc.UserRef{IdentityStoreID: storeID, UserID: userID}, "127.0.0.1"); err != nil {
		t.Fatalf("ApproveDevice: %v", err)
	}
	tok, err := pollDevice(c, cl, *d.DeviceCode)
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	return loginTokens{cl, *tok.TokenInfo.AccessToken, *tok.TokenInfo.RefreshToken}
}

// wantLoggedIn / wantLoggedOut check a terminal sign-in's tokens: the
// access token on the portal API's authenticator, the refresh token at the
// token endpoint (which rotates it: it is the last check).
func wantLoggedOut(t *testing.T, srv *testenv.Server, what string, lt loginTokens) {
	t.Helper()
	if _, err := srv.App.OIDC.Authenticate(context.Background(), lt.access); err == nil {
		t.Fatalf("%s: the access token still works", what)
	}
	_, err := refresh(t, srv.OIDC(t), lt.client, lt.refresh)
	testenv.WantError(t, err, 401, "IIC.1604")
}

func wantLoggedIn(t *testing.T, srv *testenv.Server, what string, lt loginTokens) {
	t.Helper()
	if _, err := srv.App.OIDC.Authenticate(context.Background(), lt.access); err != nil {
		t.Fatalf("%s: the access token: %v", what, err)
	}
}

// passwordSignIn signs b in at /start with a password alone.
func passwordSignIn(t *testing.T, b *browser, user, password string) (int, string) {
	t.Helper()
	resp, page := b.get("/start")
	wantHTML(t, resp, page, 200, `name="password"`)
	resp, page = b.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {user}, "password": {password}})
	return resp.StatusCode, resp.Header.Get("Location") + page
}

// The identity store's e-mailed links, through the SDK and the portal: an
// invitation (CreateUser, password mode EMAIL) opens the set-password page,
// which applies the password policy and CSRF, then the user signs in at
// /start; an administrator's e-mailed reset (ResetPwdMode EMAIL) likewise,
// after which the user's terminal sign-in (OIDC tokens) and portal session
// are gone; the links mailed to the old /portal paths redirect; a used,
// unknown or expired link gets one page; VerifyEmail's link confirms the
// address.
func TestPortalWebEmailLinks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		mail := testenv.StartSMTP(t)
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now, SMTPURL: mail.URL()})
		_, storeID := srv.EnableIdentityCenter(t)
		sc := srv.IdentityStore(t)
		public := srv.App.Config.PublicURL

		resp, err := sc.CreateUser(&model.CreateUserRequest{IdentityStoreId: storeID, Body: newUserBody("erin", emailMode)})
		if err != nil || resp.Password != nil {
			t.Fatalf("CreateUser(EMAIL) = %+v, %v", resp, err)
		}
		erin := *resp.UserId
		m, n := mail.WaitFor(t, "erin@example.com", 0)
		path, tok := linkIn(t, m)
		if path != "/start/set-password" || !strings.Contains(m.Data, public+"/start/set-password?token=") {
			t.Fatalf("invitation:\n%s", m.Data)
		}
		b := newBrowser(t, srv.URL)
		hr, page := b.get(path + "?token=" + url.QueryEscape(tok))
		wantHTML(t, hr, page, 200, "Set your password", `action="/start/set-password"`, `autocomplete="new-password"`)
		form := url.Values{"csrf": {csrf(t, page)}, "token": {tok}, "password": {"Erins-Passw0rd-2026"}, "confirm": {"Erins-Passw0rd-2026"}}
		hr, _ = b.post(path, url.Values{"token": {tok}, "password": {"Erins-Passw0rd-2026"}, "confirm": {"Erins-Passw0rd-2026"}})
		if hr.StatusCode != 403 {
			t.Fatalf("a form without CSRF = %d", hr.StatusCode)
		}
		weak := url.Values{"csrf": form["csrf"], "token": {tok}, "password": {"short"}, "confirm": {"short"}}
		hr, page = b.post(path, weak)
		wantHTML(t, hr, page, 400, "IIC.1314", "Set your password")
		form.Set("confirm", "Erins-Passw0rd-2026x")
		hr, page = b.post(path, form)
		wantHTML(t, hr, page, 400, "IIC.1740")
		form.Set("confirm", "Erins-Passw0rd-2026")
		hr, page = b.post(path, form) // the link survived the refusals
		wantHTML(t, hr, page, 200, "Your password is set", `href="/start/`+storeID+`"`)
		hr, used := b.post(path, form)
		wantHTML(t, hr, used, 400, "This link no longer works", "IIC.1718")
		form.Set("token", "x"+tok[1:])
		hr, unknown := b.post(path, form)
		wantHTML(t, hr, unknown, 400)
		if unknown != used {
			t.Fatalf("an unknown and a used link are told apart:\n%s\n----\n%s", unknown, used)
		}
		hr, page = b.get(path)
		wantHTML(t, hr, page, 400, "This link no longer works")

		// Erin signs in at /start with her password, and logs in on a terminal.
		status, where := passwordSignIn(t, newBrowser(t, srv.URL), "erin", "Erins-Passw0rd-2026")
		if status != 303 && status != 302 || !strings.HasPrefix(where, "/start") {
			t.Fatalf("erin's sign-in: %d %s", status, where)
		}
		signedIn := newBrowser(t, srv.URL)
		passwordSignIn(t, signedIn, "erin", "Erins-Passw0rd-2026")
		if hr, page := signedIn.get("/start/mfa"); hr.StatusCode != 200 {
			t.Fatalf("erin's session: %d %s", hr.StatusCode, page)
		}
		terminal := login(t, srv, storeID, erin)

		// An administrator's e-mailed reset: the link (here by the path
		// earlier mails carried, which redirects) sets a new password; the
		// old one, the portal session and the terminal sign-in end.
		r, err := sc.ResetPwdMode(&model.ResetPwdModeRequest{IdentityStoreId: storeID, UserId: erin, Body: &model.UpdatePwdModeReqBody{Mode: model.GetUpdatePwdModeReqBodyModeEnum().EMAIL}})
		if err != nil || r.Password != nil {
			t.Fatalf("ResetPwdMode(EMAIL) = %+v, %v", r, err)
		}
		m, n = mail.WaitFor(t, "erin@example.com", n+1)
		path, tok = linkIn(t, m)
		if path != "/start/set-password" || !strings.Contains(m.Data, "Subject: Reset your password") {
			t.Fatalf("reset mail:\n%s", m.Data)
		}
		wantLoggedIn(t, srv, "before the link is used", terminal)
		hr, page = b.get("/portal/set-password?token=" + url.QueryEscape(tok))
		wantRedirect(t, hr, page, "/start/set-password?token="+url.QueryEscape(tok))
		hr, page = b.follow(hr, page)
		wantHTML(t, hr, page, 200, "Set your password")
		reset := url.Values{"csrf": {csrf(t, page)}, "token": {tok}, "password": {"Erins-N3w-Passw0rd"}, "confirm": {"Erins-N3w-Passw0rd"}}
		hr, page = b.post("/start/set-password", reset)
		wantHTML(t, hr, page, 200, "Your password is set")
		wantLoggedOut(t, srv, "after the e-mailed reset", terminal)
		hr, page = signedIn.get("/start/mfa")
		wantRedirect(t, hr, page, "/start?next=%2Fstart%2Fmfa")
		if status, _ := passwordSignIn(t, newBrowser(t, srv.URL), "erin", "Erins-Passw0rd-2026"); status != 400 {
			t.Fatalf("the old password after the reset: %d", status)
		}
		if status, where := passwordSignIn(t, newBrowser(t, srv.URL), "erin", "Erins-N3w-Passw0rd"); status != 303 && status != 302 {
			t.Fatalf("the new password: %d %s", status, where)
		}

		// An expired link gets the same page as a used one.
		if _, err := sc.ResetPwdMode(&model.ResetPwdModeRequest{IdentityStoreId: storeID, UserId: erin, Body: &model.UpdatePwdModeReqBody{Mode: model.GetUpdatePwdModeReqBodyModeEnum().EMAIL}}); err != nil {
			t.Fatal(err)
		}
		m, n = mail.WaitFor(t, "erin@example.com", n+1)
		_, tok = linkIn(t, m)
		clk.advance(identity.ResetTTL + time.Minute)
		reset.Set("token", tok)
		reset.Set("password", "Erins-Third-Passw0rd")
		reset.Set("confirm", "Erins-Third-Passw0rd")
		hr, expired := b.post("/start/set-password", reset)
		wantHTML(t, hr, expired, 400)
		if expired != used {
			t.Fatalf("an expired and a used link are told apart:\n%s\n----\n%s", expired, used)
		}
		clk.advance(-identity.ResetTTL - time.Minute) // back within the SDK's signature window

		// VerifyEmail: the link opens a confirmation, which marks the address verified once.
		if err := update(sc, storeID, erin, ptr("emails.value"), ptr("erin.new@example.com")); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.VerifyEmail(&model.VerifyEmailRequest{IdentityStoreId: storeID, UserId: erin}); err != nil {
			t.Fatal(err)
		}
		m, _ = mail.WaitFor(t, "erin.new@example.com", 0)
		path, tok = linkIn(t, m)
		if path != "/start/verify-email" || !strings.Contains(m.Data, public+"/start/verify-email?token=") {
			t.Fatalf("verification mail:\n%s", m.Data)
		}
		hr, page = b.get("/portal/verify-email?token=" + url.QueryEscape(tok))
		wantRedirect(t, hr, page, "/start/verify-email?token="+url.QueryEscape(tok))
		hr, page = b.follow(hr, page)
		wantHTML(t, hr, page, 200, "Confirm your e-mail address", `action="/start/verify-email"`)
		if d, _ := sc.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: storeID, UserId: erin}); *d.EmailVerified {
			t.Fatal("opening the link verified the address: a GET must change nothing")
		}
		confirm := url.Values{"csrf": {csrf(t, page)}, "token": {tok}}
		hr, _ = b.post("/start/verify-email", url.Values{"token": {tok}})
		if hr.StatusCode != 403 {
			t.Fatalf("a confirmation without CSRF = %d", hr.StatusCode)
		}
		hr, page = b.post("/start/verify-email", confirm)
		wantHTML(t, hr, page, 200, "Your e-mail address is confirmed", "erin.new@example.com")
		if d, _ := sc.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: storeID, UserId: erin}); !*d.EmailVerified || (*d.Emails)[0].VerificationStatus.Value() != "VERIFIED" {
			t.Fatalf("after confirming: %+v", d)
		}
		hr, again := b.post("/start/verify-email", confirm)
		wantHTML(t, hr, again, 400, "This link no longer works", "IIC.1516")
		confirm.Set("token", "x"+tok[1:])
		hr, page = b.post("/start/verify-email", confirm)
		if wantHTML(t, hr, page, 400); page != again {
			t.Fatalf("an unknown and a used verification link are told apart:\n%s\n----\n%s", page, again)
		}
	})
}

// A forgotten-password reset (/start/forgot, /start/reset) and an
// administrator's one-time-password reset end the user's terminal sign-ins
// (`iic login`'s OIDC tokens) as well as its portal sessions; another
// user's stay.
func TestPasswordResetsEndTerminalSignIns(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		mail := testenv.StartSMTP(t)
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, SMTPURL: mail.URL()})
		_, storeID := srv.EnableIdentityCenter(t)
		sc := srv.IdentityStore(t)
		const password = "Gus-Passw0rd-2026!"
		gus := passwordUser(t, srv, storeID, "gus", password)
		other := passwordUser(t, srv, storeID, "hal", password)
		terminal, bystander := login(t, srv, storeID, gus), login(t, srv, storeID, other)

		b := newBrowser(t, srv.URL)
		resp, page := b.get("/start/forgot?store=" + storeID)
		resp, page = b.post("/start/forgot", url.Values{"csrf": {csrf(t, page)}, "store": {storeID}, "username": {"gus"}})
		wantHTML(t, resp, page, 200, "a link to reset its password is on its way")
		m, _ := mail.WaitFor(t, "gus@example.com", 0)
		_, tok := linkIn(t, m)
		resp, page = b.get("/start/reset?token=" + url.QueryEscape(tok))
		resp, page = b.post("/start/reset", url.Values{"csrf": {csrf(t, page)}, "token": {tok}, "password": {"Gus-N3w-Passw0rd!"}, "confirm": {"Gus-N3w-Passw0rd!"}})
		wantHTML(t, resp, page, 200, "Your password was changed")
		wantLoggedOut(t, srv, "after the recovery reset", terminal)
		wantLoggedIn(t, srv, "another user", bystander)

		terminal = login(t, srv, storeID, gus)
		r, err := sc.ResetPwdMode(&model.ResetPwdModeRequest{IdentityStoreId: storeID, UserId: gus, Body: &model.UpdatePwdModeReqBody{Mode: model.GetUpdatePwdModeReqBodyModeEnum().OTP}})
		if err != nil || r.Password == nil {
			t.Fatalf("ResetPwdMode(OTP) = %+v, %v", r, err)
		}
		wantLoggedOut(t, srv, "after the administrator's reset", terminal)
		wantLoggedIn(t, srv, "another user", bystander)
	})
}

// waitResetMails waits until no reset-mail job is pending or running: a
// test clock moved past the lease of a job in flight would make its
// runner retry it (delivery is at least once) and mail it twice.
func waitResetMails(t *testing.T, srv *testenv.Server) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n, err := srv.App.Store.Jobs().Count(context.Background(), signin.ResetMailJob)
		if err != nil {
			t.Fatal(err)
		}
		if n[store.JobPending]+n[store.JobRunning] == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("reset mail jobs still unfinished: %v", n)
		}
	}
}

package signin_test

import (
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store"
)

var resetLink = regexp.MustCompile(`https://iic\.example\.com/start/reset\?token=(\S+)`)

// waitMails runs the due jobs (reset mails go out through the job runner,
// after the request is answered) and then waits for the fake mailer to
// hold n mails.
func (f *fixture) waitMails(t *testing.T, n int) []string {
	t.Helper()
	if _, err := f.jobs.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		f.mail.mu.Lock()
		got := append([]string(nil), f.mail.to...)
		f.mail.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails, want %d", len(got), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A reset request runs the same statements and answers the same for a
// user, a name of no user, a disabled user and a user over its rate; only
// the user within its rate gets a mail.
func TestPasswordResetRequestIsTheSameForEveryName(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.user(t, "carol", pw)
		dave := f.user(t, "dave", pw)
		if err := f.id.SetUserEnabled(ctx, identity.Caller{Actor: "root"}, f.storeID, dave, false); err != nil {
			t.Fatal(err)
		}
		request := func(name string) (error, string) {
			var err error
			log := f.stmts.during(func() {
				err = f.svc.RequestPasswordReset(ctx, signin.ResetRequest{IdentityStoreID: f.storeID, UserName: name, LinkURL: "https://iic.example.com/start/reset"})
			})
			return err, normalize(log)
		}
		errCarol, carol := request("carol")
		mails := f.waitMails(t, 1)
		for _, name := range []string{"nobody", "dave", "carol", "carol", "carol"} {
			err, other := request(name)
			if err != nil || errCarol != nil || other != carol {
				t.Fatalf("%s is told apart from carol's first request:\n%v\n%s\n----\n%v\n%s", name, errCarol, carol, err, other)
			}
		}
		// carol's 2nd and 3rd requests mailed, the 4th did not.
		mails = f.waitMails(t, 3)
		time.Sleep(50 * time.Millisecond)
		if mails = f.waitMails(t, 3); len(mails) != 3 || mails[0] != "carol@example.com" || mails[2] != "carol@example.com" {
			t.Fatalf("mails to %v", mails)
		}
		// An hour later carol may ask again.
		f.now = f.now.Add(time.Hour)
		if err, _ := request("carol"); err != nil {
			t.Fatal(err)
		}
		f.waitMails(t, 4)
	})
}

// A reset: the policy applies (the token survives a refusal); then the
// token is spent, the sessions end, the lockout is cleared and the old
// password is refused.
func TestPasswordReset(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeDisabled, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		carol := f.user(t, "carol", pw)
		c := signin.Client{Address: "192.0.2.9", UserAgent: browser}
		r, err := f.password("carol", pw, c)
		wantStep(t, "sign-in", r, err, signin.StepDone)
		for range 5 {
			f.password("carol", "wrong", c)
		}
		_, err = f.password("carol", pw, c)
		wantDef(t, "locked", err, apierr.IIC1705)

		if err := f.svc.RequestPasswordReset(ctx, signin.ResetRequest{IdentityStoreID: f.storeID, UserName: "Carol", LinkURL: "https://iic.example.com/start/reset"}); err != nil {
			t.Fatal(err)
		}
		f.waitMails(t, 1)
		f.mail.mu.Lock()
		m := resetLink.FindStringSubmatch(f.mail.sent[0])
		f.mail.mu.Unlock()
		if m == nil {
			t.Fatalf("no link in %q", f.mail.sent[0])
		}
		token, _ := url.QueryUnescape(m[1])
		_, err = f.svc.ResetPassword(ctx, token, "carol")
		wantDef(t, "the user name as password", err, apierr.IIC1324)
		_, err = f.svc.ResetPassword(ctx, token, pw)
		wantDef(t, "the old password", err, apierr.IIC1315)
		_, err = f.svc.ResetPassword(ctx, token+"x", "Brand-new-Passw0rd")
		wantDef(t, "a wrong token", err, apierr.IIC1718)
		res, err := f.svc.ResetPassword(ctx, token, "Brand-new-Passw0rd")
		if err != nil || res.UserID != carol || len(res.Sessions) != 1 || res.Sessions[0] != r.Session.ID {
			t.Fatalf("ResetPassword = %+v, %v", res, err)
		}
		_, err = f.svc.ResetPassword(ctx, token, "Other-new-Passw0rd")
		wantDef(t, "a used token", err, apierr.IIC1718)
		_, err = f.svc.Session(ctx, r.Token)
		wantDef(t, "the session before the reset", err, apierr.IIC1717)
		if _, err := f.st.SignIns().GetFailures(ctx, f.storeID, identity.UserNameKey("carol")); err != store.ErrNotFound {
			t.Fatalf("the lockout survived the reset: %v", err)
		}
		_, err = f.password("carol", pw, c)
		wantDef(t, "the old password", err, apierr.IIC1707)
		r, err = f.password("carol", "Brand-new-Passw0rd", c)
		wantStep(t, "the new password", r, err, signin.StepDone)
	})
}

// A sign-in in progress when the password is reset ends: the password it
// proved is dead.
func TestPasswordResetEndsSignInsInProgress(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		id := f.user(t, "carol", pw)
		secret := f.totpDevice(t, id)
		r := wantStep(t, "password", mustPassword(f, "carol", signin.Client{}), nil, signin.StepMFA)
		f.now = f.now.Add(time.Second)
		if err := f.svc.RequestPasswordReset(ctx, signin.ResetRequest{IdentityStoreID: f.storeID, UserName: "carol", LinkURL: "https://iic.example.com/start/reset"}); err != nil {
			t.Fatal(err)
		}
		f.waitMails(t, 1)
		f.mail.mu.Lock()
		token, _ := url.QueryUnescape(resetLink.FindStringSubmatch(f.mail.sent[0])[1])
		f.mail.mu.Unlock()
		if _, err := f.svc.ResetPassword(ctx, token, "Brand-new-Passw0rd"); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.VerifyTOTP(ctx, r.Challenge, code(t, secret, f.now))
		wantDef(t, "the MFA step begun with the old password", err, apierr.IIC1721)
		f.now = f.now.Add(30 * time.Second)
		r, err = f.password("carol", "Brand-new-Passw0rd", signin.Client{})
		wantStep(t, "the new password", r, err, signin.StepMFA)
		wantStep(t, "mfa", must(f.svc.VerifyTOTP(ctx, r.Challenge, code(t, secret, f.now))), nil, signin.StepDone)
	})
}

package identity_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

type sentMail struct{ to, subject, body string }

type fakeMailer struct {
	mu   sync.Mutex
	sent []sentMail
}

func (m *fakeMailer) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, sentMail{to, subject, body})
	return nil
}

func (m *fakeMailer) last(t *testing.T) sentMail {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		t.Fatal("no e-mail sent")
	}
	return m.sent[len(m.sent)-1]
}

var linkRE = regexp.MustCompile(`https://iic\.example\.com(/start/[a-z-]+)\?token=(\S+)`)

// tokenIn returns the path and token of the link in an e-mail body.
func tokenIn(t *testing.T, body string) (string, string) {
	t.Helper()
	m := linkRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link in e-mail:\n%s", body)
	}
	tok, err := url.QueryUnescape(m[2])
	if err != nil {
		t.Fatal(err)
	}
	return m[1], tok
}

type fixture struct {
	svc     *identity.Service
	mail    *fakeMailer
	caller  identity.Caller
	storeID string
	now     time.Time
}

func newFixture(t *testing.T, dialect string) *fixture {
	ctx := context.Background()
	st := sqltest.Open(t, dialect).Store()
	f := &fixture{mail: &fakeMailer{}, caller: identity.Caller{Actor: "root"}, storeID: "d-0000000001",
		now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	if err := st.Accounts().Create(ctx, store.Account{ID: "acct1", Name: "acct1", Email: "a@example.com", IsManagement: true, CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	if err := st.Instances().Create(ctx, store.Instance{ID: "ins-0000000000000001", AccountID: "acct1", IdentityStoreID: f.storeID, RegionID: "r", CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	f.svc = &identity.Service{Store: st, IDs: ids.Generator{}, Now: func() time.Time { return f.now }, Paging: paging.NewSigner([]byte("k")),
		Mailer: f.mail, PublicURL: "https://iic.example.com"}
	return f
}

func (f *fixture) user(t *testing.T, name, mode string) (string, string) {
	t.Helper()
	id, pw, err := f.svc.CreateUser(context.Background(), f.caller, f.storeID, identity.NewUser{UserName: name, DisplayName: name, PasswordMode: mode,
		Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"}, Emails: []identity.Email{{Value: name + "@example.com", Type: "work", Primary: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	return id, pw
}

func wantDef(t *testing.T, what string, err error, d apierr.Def) {
	t.Helper()
	if !d.Is(err) {
		t.Fatalf("%s: got %v, want %s", what, err, d.Code)
	}
}

func forDialects(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) { fn(t, newFixture(t, d)) })
	}
}

func TestOneTimePasswordLifecycle(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, otp := f.user(t, "alice", identity.PasswordModeOTP)
		if err := identity.DefaultPasswordPolicy.CheckComplexity(otp); err != nil {
			t.Fatalf("one-time password %q: %v", otp, err)
		}
		st, err := f.svc.VerifyPassword(ctx, f.storeID, id, otp)
		if err != nil || !st.OneTime || st.Expired {
			t.Fatalf("VerifyPassword(otp) = %+v, %v", st, err)
		}
		_, err = f.svc.VerifyPassword(ctx, f.storeID, id, otp+"x")
		wantDef(t, "wrong password", err, apierr.IIC1319_400)
		_, err = f.svc.VerifyPassword(ctx, f.storeID, "nobody", otp)
		wantDef(t, "unknown user", err, apierr.IIC1319_400)

		wantDef(t, "same as the one-time password", f.svc.SetPassword(ctx, f.storeID, id, otp), apierr.IIC1315)
		wantDef(t, "user name", f.svc.SetPassword(ctx, f.storeID, id, "ALICE"), apierr.IIC1324)
		wantDef(t, "weak", f.svc.SetPassword(ctx, f.storeID, id, "alicepassword"), apierr.IIC1314)
		if err := f.svc.SetPassword(ctx, f.storeID, id, "Chosen-Pass1"); err != nil {
			t.Fatal(err)
		}
		if st, err := f.svc.VerifyPassword(ctx, f.storeID, id, "Chosen-Pass1"); err != nil || st.OneTime {
			t.Fatalf("VerifyPassword(chosen) = %+v, %v", st, err)
		}
		// A chosen password is Argon2id; the generated one before it was SHA-256.
		if p, err := f.svc.Store.UserSecrets().GetPassword(ctx, f.storeID, id); err != nil || !strings.HasPrefix(p.Hash, "$argon2id$") ||
			len(p.History) == 0 || !strings.HasPrefix(p.History[0], "$sha256$") {
			t.Fatalf("stored password after SetPassword = %+v, %v", p, err)
		}
		_, err = f.svc.VerifyPassword(ctx, f.storeID, id, otp)
		wantDef(t, "old one-time password", err, apierr.IIC1319_400)
		wantDef(t, "set the current password again", f.svc.SetPassword(ctx, f.storeID, id, "Chosen-Pass1"), apierr.IIC1315)

		// A stricter policy applies to the next password set, and max age expires passwords.
		minLen, age := 20, 30
		if _, err := f.svc.UpdatePasswordPolicy(ctx, f.storeID, identity.PasswordPolicyUpdate{MinimumLength: &minLen, MaxPasswordAge: &age}); err != nil {
			t.Fatal(err)
		}
		wantDef(t, "shorter than the new minimum", f.svc.SetPassword(ctx, f.storeID, id, "Another-Pass1"), apierr.IIC1314)
		f.now = f.now.Add(31 * 24 * time.Hour)
		if st, err := f.svc.VerifyPassword(ctx, f.storeID, id, "Chosen-Pass1"); err != nil || !st.Expired {
			t.Fatalf("VerifyPassword after max age = %+v, %v; want expired", st, err)
		}
		// ResetPassword OTP replaces the password with a new one-time one.
		otp2, err := f.svc.ResetPassword(ctx, f.caller, f.storeID, id, identity.PasswordModeOTP)
		if err != nil || len(otp2) < 20 {
			t.Fatalf("ResetPassword(OTP) = %q, %v", otp2, err)
		}
		if st, err := f.svc.VerifyPassword(ctx, f.storeID, id, otp2); err != nil || !st.OneTime {
			t.Fatalf("VerifyPassword(reset otp) = %+v, %v", st, err)
		}
	})
}

func TestSetPasswordLink(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, pw := f.user(t, "bob", identity.PasswordModeEmail)
		if pw != "" {
			t.Fatalf("EMAIL mode returned a password %q", pw)
		}
		m := f.mail.last(t)
		path, tok := tokenIn(t, m.body)
		if m.to != "bob@example.com" || path != identity.SetPasswordPath {
			t.Fatalf("mail to %s, link %s", m.to, path)
		}
		_, err := f.svc.VerifyPassword(ctx, f.storeID, id, "anything")
		wantDef(t, "no password before the link is used", err, apierr.IIC1319_400)
		// A refused password does not spend the token.
		_, err = f.svc.SetPasswordWithToken(ctx, tok, "weak")
		wantDef(t, "weak password", err, apierr.IIC1314)
		_, err = f.svc.SetPasswordWithToken(ctx, tok+"x", "Bobs-Pass1")
		wantDef(t, "wrong token", err, apierr.IIC1718)
		u, err := f.svc.SetPasswordWithToken(ctx, tok, "Bobs-Pass1")
		if err != nil || u.ID != id {
			t.Fatalf("SetPasswordWithToken = %v, %v", u.ID, err)
		}
		if st, err := f.svc.VerifyPassword(ctx, f.storeID, id, "Bobs-Pass1"); err != nil || st.OneTime {
			t.Fatalf("VerifyPassword = %+v, %v", st, err)
		}
		_, err = f.svc.SetPasswordWithToken(ctx, tok, "Bobs-Pass2")
		wantDef(t, "token used twice", err, apierr.IIC1718)
		got, _ := f.svc.GetUser(ctx, f.storeID, id)
		if !got.EmailVerified || got.Profile.Emails[0].VerificationStatus != "VERIFIED" {
			t.Fatalf("the link proves the address, but user = %+v", got)
		}

		// A reset link expires.
		if _, err := f.svc.ResetPassword(ctx, f.caller, f.storeID, id, identity.PasswordModeEmail); err != nil {
			t.Fatal(err)
		}
		_, tok = tokenIn(t, f.mail.last(t).body)
		f.now = f.now.Add(identity.ResetTTL)
		_, err = f.svc.SetPasswordWithToken(ctx, tok, "Bobs-Pass3")
		wantDef(t, "expired token", err, apierr.IIC1718)
		// The old password still works: the reset was not completed.
		if _, err := f.svc.VerifyPassword(ctx, f.storeID, id, "Bobs-Pass1"); err != nil {
			t.Fatal(err)
		}
		// A newer link replaces an older one.
		f.svc.ResetPassword(ctx, f.caller, f.storeID, id, identity.PasswordModeEmail)
		_, first := tokenIn(t, f.mail.last(t).body)
		f.svc.ResetPassword(ctx, f.caller, f.storeID, id, identity.PasswordModeEmail)
		_, second := tokenIn(t, f.mail.last(t).body)
		_, err = f.svc.SetPasswordWithToken(ctx, first, "Bobs-Pass4")
		wantDef(t, "superseded token", err, apierr.IIC1718)
		if _, err := f.svc.SetPasswordWithToken(ctx, second, "Bobs-Pass4"); err != nil {
			t.Fatal(err)
		}
		// A link mailed to an address the user no longer has stops working.
		f.svc.ResetPassword(ctx, f.caller, f.storeID, id, identity.PasswordModeEmail)
		_, tok = tokenIn(t, f.mail.last(t).body)
		v := "bob.new@example.com"
		if err := setEmail(f, id, v); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SetPasswordWithToken(ctx, tok, "Bobs-Pass5")
		wantDef(t, "link to the old address", err, apierr.IIC1718)
	})
}

func TestVerifyEmailToken(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, _ := f.user(t, "carol", identity.PasswordModeOTP)
		if err := f.svc.VerifyEmail(ctx, f.caller, f.storeID, id); err != nil {
			t.Fatal(err)
		}
		path, tok := tokenIn(t, f.mail.last(t).body)
		if path != identity.VerifyEmailPath {
			t.Fatalf("link path %s", path)
		}
		u, err := f.svc.ConfirmEmail(ctx, tok)
		if err != nil || !u.EmailVerified {
			t.Fatalf("ConfirmEmail = %+v, %v", u, err)
		}
		_, err = f.svc.ConfirmEmail(ctx, tok)
		wantDef(t, "used twice", err, apierr.IIC1516_400)

		// Changing the address unverifies it and voids pending links.
		f.svc.VerifyEmail(ctx, f.caller, f.storeID, id)
		_, tok = tokenIn(t, f.mail.last(t).body)
		v := "carol2@example.com"
		if err := setEmail(f, id, v); err != nil {
			t.Fatal(err)
		}
		got, _ := f.svc.GetUser(ctx, f.storeID, id)
		if got.EmailVerified || got.Email != v || got.Profile.Emails[0].VerificationStatus != "NOT_VERIFIED" {
			t.Fatalf("after the address changed: %+v", got)
		}
		_, err = f.svc.ConfirmEmail(ctx, tok)
		wantDef(t, "link to the old address", err, apierr.IIC1516_400)

		// Expiry.
		f.svc.VerifyEmail(ctx, f.caller, f.storeID, id)
		m := f.mail.last(t)
		_, tok = tokenIn(t, m.body)
		if m.to != v {
			t.Fatalf("verification sent to %s", m.to)
		}
		f.now = f.now.Add(identity.VerifyEmailTTL + time.Second)
		_, err = f.svc.ConfirmEmail(ctx, tok)
		wantDef(t, "expired", err, apierr.IIC1516_400)

		// Without a mailer the e-mail operations are refused clearly.
		f.svc.Mailer = nil
		err = f.svc.VerifyEmail(ctx, f.caller, f.storeID, id)
		wantDef(t, "VerifyEmail without SMTP", err, apierr.IIC400_400)
		_, err = f.svc.ResetPassword(ctx, f.caller, f.storeID, id, identity.PasswordModeEmail)
		wantDef(t, "ResetPassword EMAIL without SMTP", err, apierr.IIC400_400)
	})
}

type failingMailer struct{}

func (failingMailer) Send(context.Context, string, string, string) error {
	return errors.New("smtp: 451 try later")
}

func TestUndeliverableMail(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, _ := f.user(t, "gina", identity.PasswordModeOTP)
		f.svc.Mailer = failingMailer{}
		_, _, err := f.svc.CreateUser(ctx, f.caller, f.storeID, identity.NewUser{UserName: "hank", DisplayName: "hank", PasswordMode: identity.PasswordModeEmail,
			Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"}, Emails: []identity.Email{{Value: "hank@example.com", Type: "work", Primary: true}}}})
		wantDef(t, "CreateUser with an undeliverable invitation", err, apierr.IIC1516_500)
		if page, _ := f.svc.ListUsers(ctx, f.storeID, "hank", 10, ""); len(page.Users) != 0 {
			t.Fatal("the user whose invitation failed was kept")
		}
		_, err = f.svc.ResetPassword(ctx, f.caller, f.storeID, id, identity.PasswordModeEmail)
		wantDef(t, "ResetPassword with an undeliverable mail", err, apierr.IIC1516_500)
		wantDef(t, "VerifyEmail with an undeliverable mail", f.svc.VerifyEmail(ctx, f.caller, f.storeID, id), apierr.IIC1516_500)
		if n, err := f.svc.Store.UserSecrets().DeleteTokens(ctx, f.storeID, id, ""); err != nil || n != 0 {
			t.Fatalf("%d tokens of undelivered mails left, %v", n, err)
		}
	})
}

// Concurrent creates cannot overshoot the user quota.
func TestUserQuotaUnderConcurrency(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.svc.Quotas.Users = 5
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				name := fmt.Sprintf("user%02d", i)
				_, _, errs[i] = f.svc.CreateUser(context.Background(), f.caller, f.storeID, identity.NewUser{UserName: name, DisplayName: name,
					PasswordMode: identity.PasswordModeOTP, Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"},
						Emails: []identity.Email{{Value: name + "@example.com", Type: "work", Primary: true}}}})
			}(i)
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apierr.IIC1311.Is(err):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if n, _ := f.svc.Store.Users().Count(context.Background(), f.storeID); ok != 5 || n != 5 {
			t.Fatalf("%d creates succeeded, %d users stored; want 5 and 5", ok, n)
		}
	})
}

// Concurrent partial policy updates each keep the other's fields.
func TestPasswordPolicyConcurrentUpdates(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		minLen, age, reuse, yes := 12, 90, 3, true
		updates := []identity.PasswordPolicyUpdate{{MinimumLength: &minLen}, {MaxPasswordAge: &age}, {ReusePrevention: &reuse}, {RequireSymbols: &yes}}
		for round := 0; round < 5; round++ {
			var wg sync.WaitGroup
			for _, u := range updates {
				wg.Add(1)
				go func(u identity.PasswordPolicyUpdate) {
					defer wg.Done()
					if _, err := f.svc.UpdatePasswordPolicy(ctx, f.storeID, u); err != nil {
						t.Error(err)
					}
				}(u)
			}
			wg.Wait()
			p, err := f.svc.GetPasswordPolicy(ctx, f.storeID)
			if err != nil || p.MinimumLength != minLen || p.MaxPasswordAge != age || p.ReusePrevention != reuse || p.RequireSymbols != yes {
				t.Fatalf("round %d: policy = %+v, %v; an update was lost", round, p, err)
			}
			minLen, age, reuse, yes = minLen+1, age+1, reuse%20+1, !yes
		}
	})
}

// setEmail changes a user's primary e-mail address through EditUser.
func setEmail(f *fixture, userID, email string) error {
	_, _, err := f.svc.EditUser(context.Background(), f.caller, f.storeID, userID, 0, func(_ identity.User, u *identity.UserFields) error {
		u.Profile.Emails[0].Value = email
		return nil
	})
	return err
}

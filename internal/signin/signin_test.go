package signin_test

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

func testKeys(t testing.TB) *secrets.Keyring {
	k, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const pw = "Correct-horse1"

// The MFA decision for every mfa_mode × allowed_mfa_types ×
// no_mfa_signin_behavior × user with or without a (TOTP) device, from a
// context the user never signed in from.
func TestMFADecisionMatrix(t *testing.T) {
	f := newFixture(t, sqltest.Dialects()[0])
	withDevice := f.user(t, "with-device", pw)
	f.totpDevice(t, withDevice)
	f.user(t, "no-device", pw)
	type want struct {
		step    signin.Step
		methods []string
		err     apierr.Def
	}
	modes := []string{center.MFAModeAlwaysOn, center.MFAModeContextAware, center.MFAModeDisabled}
	typeSets := [][]string{{center.MFATypeTOTP}, {center.MFATypeWebAuthn}, {center.MFATypeWebAuthnSecurityKey, center.MFATypeTOTP}}
	behaviours := []string{center.NoMFAAllowedWithEnrollment, center.NoMFAAllowed, center.NoMFAEmailOTP, center.NoMFABlocked}
	n := 0
	for _, mode := range modes {
		for _, types := range typeSets {
			for _, noMFA := range behaviours {
				for _, user := range []string{"with-device", "no-device"} {
					var w want
					usable := user == "with-device" && slices.Contains(types, center.MFATypeTOTP) // the device is TOTP
					switch {
					case mode == center.MFAModeDisabled:
						w = want{step: signin.StepDone}
					case usable:
						w = want{step: signin.StepMFA, methods: []string{center.MFATypeTOTP}}
					case noMFA == center.NoMFAAllowed:
						w = want{step: signin.StepDone}
					case noMFA == center.NoMFAAllowedWithEnrollment:
						w = want{step: signin.StepEnrolMFA, methods: types}
					case noMFA == center.NoMFAEmailOTP:
						w = want{step: signin.StepEmailOTP}
					default:
						w = want{err: apierr.IIC1739}
					}
					name := fmt.Sprintf("%s/%s/%s/%s", mode, strings.Join(types, "+"), noMFA, user)
					t.Run(name, func(t *testing.T) {
						f.sso(t, mode, types, noMFA)
						n++
						// A new browser and address every time: the context is unknown.
						r, err := f.password(user, pw, signin.Client{Address: fmt.Sprintf("198.51.100.%d", n), UserAgent: browser})
						if w.err.Code != "" {
							wantDef(t, "password", err, w.err)
							return
						}
						wantStep(t, "password", r, err, w.step)
						if w.methods != nil && !slices.Equal(r.Methods, w.methods) {
							t.Fatalf("methods = %v, want %v", r.Methods, w.methods)
						}
						if w.step == signin.StepEnrolMFA && r.RegistrationToken == "" {
							t.Fatal("enrolment without a registration token")
						}
					})
				}
			}
		}
	}
}

// CONTEXT_AWARE asks for MFA from a device cookie, network or browser the
// user has not completed a sign-in from; a browser update or another
// address in the same IPv6 /64 is the same context.
func TestContextAware(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeContextAware, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		uid := f.user(t, "alice", pw)
		secret := f.totpDevice(t, uid)
		home := signin.Client{Address: "2001:db8:1:2::10", UserAgent: browser}
		r := wantStep(t, "first sign-in", mustPassword(f, "alice", home), nil, signin.StepMFA)
		if r.DeviceID == "" {
			t.Fatal("no device id issued")
		}
		home.DeviceID = r.DeviceID
		wantStep(t, "totp", must(f.svc.VerifyTOTP(ctx, r.Challenge, code(t, secret, f.now))), nil, signin.StepDone)

		same := home
		same.Address = "2001:db8:1:2:aaaa::1"
		same.UserAgent = strings.Replace(browser, "Chrome/120.0.6099.71", "Chrome/121.0.6167.85", 1)
		r = wantStep(t, "same device, network, browser", mustPassword(f, "alice", same), nil, signin.StepDone)
		if r.DeviceID != home.DeviceID || !slices.Equal(r.Session.AuthMethods, []string{signin.FactorPassword}) {
			t.Fatalf("known context: device %q, methods %v", r.DeviceID, r.Session.AuthMethods)
		}
		for what, c := range map[string]signin.Client{
			"new network": {Address: "2001:db8:9::1", UserAgent: browser, DeviceID: home.DeviceID},
			"new browser": {Address: home.Address, UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", DeviceID: home.DeviceID},
			"new device":  {Address: home.Address, UserAgent: browser},
		} {
			wantStep(t, what, mustPassword(f, "alice", c), nil, signin.StepMFA)
		}
	})
}

// A TOTP code is accepted once per device; a challenge works once.
func TestTOTPReplayAndSingleUse(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFABlocked)
		uid := f.user(t, "bob", pw)
		secret := f.totpDevice(t, uid)
		c := signin.Client{Address: "192.0.2.1", UserAgent: browser}
		first := wantStep(t, "password", mustPassword(f, "bob", c), nil, signin.StepMFA)
		_, err := f.svc.VerifyTOTP(ctx, first.Challenge, "000000")
		wantDef(t, "wrong code", err, apierr.IIC1726)
		now := code(t, secret, f.now)
		done := wantStep(t, "right code", must(f.svc.VerifyTOTP(ctx, first.Challenge, now)), nil, signin.StepDone)
		if !slices.Equal(done.Session.AuthMethods, []string{signin.FactorPassword, signin.FactorTOTP}) {
			t.Fatalf("auth methods = %v", done.Session.AuthMethods)
		}
		_, err = f.svc.VerifyTOTP(ctx, first.Challenge, now)
		wantDef(t, "used challenge", err, apierr.IIC1721)

		second := wantStep(t, "password again", mustPassword(f, "bob", c), nil, signin.StepMFA)
		_, err = f.svc.VerifyTOTP(ctx, second.Challenge, now)
		wantDef(t, "replayed code", err, apierr.IIC1726)
		f.now = f.now.Add(30 * time.Second)
		wantStep(t, "next step's code", must(f.svc.VerifyTOTP(ctx, second.Challenge, code(t, secret, f.now))), nil, signin.StepDone)

		// A challenge expires.
		third := wantStep(t, "password", mustPassword(f, "bob", c), nil, signin.StepMFA)
		f.now = f.now.Add(5 * time.Minute)
		_, err = f.svc.VerifyTOTP(ctx, third.Challenge, code(t, secret, f.now))
		wantDef(t, "expired challenge", err, apierr.IIC1721)
		_, err = f.svc.VerifyTOTP(ctx, "not-a-challenge", "123456")
		wantDef(t, "unknown challenge", err, apierr.IIC1721)
	})
}

// After 5 failures a name is locked with a growing delay, the same for a
// user that does not exist, and the same work is done for both.
func TestLockout(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeDisabled, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		f.user(t, "carol", pw)
		c := signin.Client{Address: "192.0.2.9", UserAgent: browser}
		type outcome struct {
			code           string
			msg            string
			verify, hashes int64
			statements     string
		}
		attempt := func(name, password string) outcome {
			v0, h0 := f.hasher.verify.Load(), f.hasher.hashes.Load()
			var err error
			log := f.stmts.during(func() { _, err = f.password(name, password, c) })
			o := outcome{verify: f.hasher.verify.Load() - v0, hashes: f.hasher.hashes.Load() - h0, statements: normalize(log)}
			if e, ok := apierr.From(err); ok {
				o.code, o.msg = e.Def.Code, e.Message
			} else if err != nil {
				t.Fatalf("attempt %s: %v", name, err)
			}
			return o
		}
		for i := range 5 {
			known, unknown := attempt("carol", "wrong-"+fmt.Sprint(i)), attempt("nobody", "wrong-"+fmt.Sprint(i))
			if known.code != "IIC.1707" || known != unknown {
				t.Fatalf("failure %d: a user and a name of no user are told apart:\nknown   %+v\nunknown %+v", i+1, known, unknown)
			}
			if known.verify != 1 || known.hashes != 0 {
				t.Fatalf("failure %d cost %d verifications, %d hashes; want 1, 0", i+1, known.verify, known.hashes)
			}
		}
		// Locked: the right password does not help, no hash is computed,
		// and a name of no user answers the same.
		known, unknown := attempt("carol", pw), attempt("nobody", pw)
		if known.code != "IIC.1705" || known.verify != 0 || known != unknown {
			t.Fatalf("locked:\nknown   %+v\nunknown %+v", known, unknown)
		}
		// The lock survives a restart (it is in the store).
		f.svc = f.service()
		_, err := f.password("carol", pw, c)
		wantDef(t, "after a restart", err, apierr.IIC1705)
		// 1 minute, then each failure after a lock doubles it.
		f.now = f.now.Add(time.Minute)
		for i, delay := range []time.Duration{2 * time.Minute, 4 * time.Minute} {
			if o := attempt("carol", "wrong"); o.code != "IIC.1707" {
				t.Fatalf("after lock %d: %+v", i+1, o)
			}
			f.now = f.now.Add(delay - time.Second)
			if o := attempt("carol", pw); o.code != "IIC.1705" {
				t.Fatalf("lock %d ended before %s: %+v", i+2, delay, o)
			}
			f.now = f.now.Add(time.Second)
		}
		r, err := f.password("carol", pw, c)
		wantStep(t, "after the lock", r, err, signin.StepDone)
		// A completed sign-in clears the count.
		if _, err := f.st.SignIns().GetFailures(ctx, f.storeID, identity.UserNameKey("CAROL")); err != store.ErrNotFound {
			t.Fatalf("failures after a sign-in: %v", err)
		}
		// Another spelling of the name is the same name.
		for range 5 {
			f.password("Carol", "wrong", c)
		}
		_, err = f.password("carol", pw, c)
		wantDef(t, "locked by another spelling", err, apierr.IIC1705)
	})
}

// Wrong MFA codes count towards the lockout too; a challenge takes 5.
func TestWrongCodesLock(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFABlocked)
		f.totpDevice(t, f.user(t, "dan", pw))
		r := wantStep(t, "password", mustPassword(f, "dan", signin.Client{}), nil, signin.StepMFA)
		for i := range 4 {
			_, err := f.svc.VerifyTOTP(ctx, r.Challenge, "00000"+fmt.Sprint(i))
			wantDef(t, "wrong code", err, apierr.IIC1726)
		}
		_, err := f.svc.VerifyTOTP(ctx, r.Challenge, "000009")
		wantDef(t, "fifth wrong code", err, apierr.IIC1726)
		_, err = f.password("dan", pw, signin.Client{})
		wantDef(t, "password after 5 wrong codes", err, apierr.IIC1705)
		_, err = f.svc.VerifyTOTP(ctx, r.Challenge, "000000")
		wantDef(t, "the challenge after 5 wrong codes", err, apierr.IIC1721)
	})
}

// A hash of other parameters than the current ones is replaced at the next
// sign-in, in its transaction: same password, set time and history.
func TestRehashOnParameterChange(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		uid := f.user(t, "erin", pw)
		before, _ := f.st.UserSecrets().GetPassword(ctx, f.storeID, uid)
		if !strings.Contains(before.Hash, "$m=64,t=1,p=1$") {
			t.Fatalf("hash %q", before.Hash)
		}
		newer := identity.Argon2Params{MemoryKiB: 128, Iterations: 2, Parallelism: 1}
		f.hasher.inner = identity.NewArgon2(newer)
		h0 := f.hasher.hashes.Load()
		wantStep(t, "sign-in", mustPassword(f, "erin", signin.Client{}), nil, signin.StepDone)
		after, _ := f.st.UserSecrets().GetPassword(ctx, f.storeID, uid)
		if !strings.Contains(after.Hash, "$m=128,t=2,p=1$") || f.hasher.hashes.Load()-h0 != 1 {
			t.Fatalf("after the sign-in: %q (%d hashes)", after.Hash, f.hasher.hashes.Load()-h0)
		}
		if !after.SetAt.Equal(before.SetAt) || !slices.Equal(after.History, before.History) || after.OneTime {
			t.Fatalf("re-hash changed more than the hash: %+v → %+v", before, after)
		}
		wantStep(t, "again", mustPassword(f, "erin", signin.Client{}), nil, signin.StepDone)
		if f.hasher.hashes.Load()-h0 != 1 {
			t.Fatal("a current hash was re-hashed")
		}
		// A wrong password re-hashes nothing.
		f.hasher.inner = identity.NewArgon2(cheap)
		f.password("erin", "wrong", signin.Client{})
		if now, _ := f.st.UserSecrets().GetPassword(ctx, f.storeID, uid); now.Hash != after.Hash {
			t.Fatal("a wrong password replaced the hash")
		}
	})
}

// A password older than max_password_age must be changed (IIC.1706) before
// the session opens; so must a generated one-time password.
func TestPasswordChangeSteps(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		f.user(t, "frank", pw)
		age := 30
		if _, err := f.id.UpdatePasswordPolicy(ctx, f.storeID, identity.PasswordPolicyUpdate{MaxPasswordAge: &age}); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(31 * 24 * time.Hour)
		r := wantStep(t, "expired", mustPassword(f, "frank", signin.Client{}), nil, signin.StepNewPassword)
		if r.PasswordChange != signin.PasswordExpired || !apierr.IIC1706.Is(r.Notice) {
			t.Fatalf("expired password step: %+v", r)
		}
		_, err := f.svc.SetNewPassword(ctx, r.Challenge, "weak")
		wantDef(t, "weak password", err, apierr.IIC1314)
		_, err = f.svc.SetNewPassword(ctx, r.Challenge, pw)
		wantDef(t, "the same password", err, apierr.IIC1315)
		wantStep(t, "new password", must(f.svc.SetNewPassword(ctx, r.Challenge, "Fresh-password2")), nil, signin.StepDone)
		r, err = f.password("frank", "Fresh-password2", signin.Client{})
		wantStep(t, "with the new password", r, err, signin.StepDone)

		// A one-time password: after MFA (here none: ALLOWED), a new one.
		uid, otp, err := f.id.CreateUser(ctx, identity.Caller{Actor: "root"}, f.storeID, identity.NewUser{UserName: "gina", DisplayName: "Gina",
			PasswordMode: identity.PasswordModeOTP, Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"},
				Emails: []identity.Email{{Value: "gina@example.com", Type: "work", Primary: true}}}})
		if err != nil {
			t.Fatal(err)
		}
		r, err = f.password("gina", otp, signin.Client{})
		r = wantStep(t, "one-time password", r, err, signin.StepNewPassword)
		if r.PasswordChange != signin.PasswordOneTime || r.Notice != nil {
			t.Fatalf("one-time password step: %+v", r)
		}
		done := wantStep(t, "set", must(f.svc.SetNewPassword(ctx, r.Challenge, "Ginas-password3")), nil, signin.StepDone)
		if done.Session.UserID != uid {
			t.Fatalf("session of %s", done.Session.UserID)
		}
		_, err = f.password("gina", otp, signin.Client{})
		wantDef(t, "the one-time password again", err, apierr.IIC1707)

		// With a device, MFA comes before the new password.
		secret := f.totpDevice(t, uid)
		f.now = f.now.Add(31 * 24 * time.Hour)
		r, err = f.password("gina", "Ginas-password3", signin.Client{})
		r = wantStep(t, "expired with a device", r, err, signin.StepMFA)
		r = wantStep(t, "then", must(f.svc.VerifyTOTP(ctx, r.Challenge, code(t, secret, f.now))), nil, signin.StepNewPassword)
		done = wantStep(t, "set", must(f.svc.SetNewPassword(ctx, r.Challenge, "Ginas-password4")), nil, signin.StepDone)
		if !slices.Equal(done.Session.AuthMethods, []string{signin.FactorPassword, signin.FactorTOTP}) {
			t.Fatalf("auth methods = %v", done.Session.AuthMethods)
		}
	})
}

var codeRE = regexp.MustCompile(`code is (\d{6})\.`)

func TestEmailOTP(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAEmailOTP)
		f.user(t, "hank", pw)
		r := wantStep(t, "password", mustPassword(f, "hank", signin.Client{}), nil, signin.StepEmailOTP)
		m := codeRE.FindStringSubmatch(f.mail.sent[len(f.mail.sent)-1])
		if m == nil || f.mail.to[len(f.mail.to)-1] != "hank@example.com" {
			t.Fatalf("mail: %v %q", f.mail.to, f.mail.sent)
		}
		wrong := "000000"
		if m[1] == wrong {
			wrong = "111111"
		}
		_, err := f.svc.VerifyEmailOTP(ctx, r.Challenge, wrong)
		wantDef(t, "wrong code", err, apierr.IIC1741)
		_, err = f.svc.VerifyTOTP(ctx, r.Challenge, m[1])
		wantDef(t, "the e-mail challenge at the TOTP step", err, apierr.IIC1721)
		done := wantStep(t, "code", must(f.svc.VerifyEmailOTP(ctx, r.Challenge, m[1])), nil, signin.StepDone)
		if !slices.Equal(done.Session.AuthMethods, []string{signin.FactorPassword, signin.FactorEmailOTP}) {
			t.Fatalf("auth methods = %v", done.Session.AuthMethods)
		}
		_, err = f.svc.VerifyEmailOTP(ctx, r.Challenge, m[1])
		wantDef(t, "code again", err, apierr.IIC1721)
		// No mail relay: EMAIL_OTP cannot be met, so the sign-in is blocked.
		f.id.Mailer = nil
		_, err = f.password("hank", pw, signin.Client{})
		wantDef(t, "without e-mail", err, apierr.IIC1739)
	})
}

func TestEnrolment(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAAllowedWithEnrollment)
		f.user(t, "ivy", pw)
		r := wantStep(t, "password", mustPassword(f, "ivy", signin.Client{}), nil, signin.StepEnrolMFA)
		_, err := f.svc.CompleteEnrolment(ctx, r.Challenge)
		wantDef(t, "before a device", err, apierr.IIC1725)
		secret := f.enrolTOTP(t, r.RegistrationToken)
		done := wantStep(t, "enrolled", must(f.svc.CompleteEnrolment(ctx, r.Challenge)), nil, signin.StepDone)
		if !slices.Equal(done.Session.AuthMethods, []string{signin.FactorPassword, signin.FactorEnrolment}) {
			t.Fatalf("auth methods = %v", done.Session.AuthMethods)
		}
		// Next time the device is asked for.
		r = wantStep(t, "next sign-in", mustPassword(f, "ivy", signin.Client{}), nil, signin.StepMFA)
		wantStep(t, "totp", must(f.svc.VerifyTOTP(ctx, r.Challenge, code(t, secret, f.now))), nil, signin.StepDone)
	})
}

// Sessions end when idle for the idle timeout or when the instance's
// max_authentication_age has passed since the sign-in.
func TestSessionTimeouts(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeDisabled, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		age := "PT30M"
		if err := f.center.UpdateSSOConfiguration(ctx, f.inst, center.SSOUpdate{ConfigurationType: center.ConfigurationTypeSession, MaxAuthenticationAge: &age}); err != nil {
			t.Fatal(err)
		}
		f.svc.IdleTimeout = 10 * time.Minute
		f.user(t, "jack", pw)
		start := f.now
		r := wantStep(t, "sign-in", mustPassword(f, "jack", signin.Client{}), nil, signin.StepDone)
		if !r.Session.ExpiresAt.Equal(start.Add(10 * time.Minute)) {
			t.Fatalf("expires %v, want idle timeout", r.Session.ExpiresAt)
		}
		for _, at := range []time.Duration{9, 18, 27} { // used every 9 minutes: idle never ends it
			f.now = start.Add(at * time.Minute)
			if _, err := f.svc.Session(ctx, r.Token); err != nil {
				t.Fatalf("at %d min: %v", at, err)
			}
		}
		f.now = start.Add(30 * time.Minute)
		_, err := f.svc.Session(ctx, r.Token)
		wantDef(t, "at max_authentication_age", err, apierr.IIC1717)

		r = wantStep(t, "sign-in", mustPassword(f, "jack", signin.Client{}), nil, signin.StepDone)
		f.now = f.now.Add(10 * time.Minute)
		_, err = f.svc.Session(ctx, r.Token)
		wantDef(t, "idle", err, apierr.IIC1717)
		// The identity-store session APIs see what sign-in opened.
		r = wantStep(t, "sign-in", mustPassword(f, "jack", signin.Client{Address: "192.0.2.4"}), nil, signin.StepDone)
		list, err := f.id.ListSessions(ctx, f.storeID, r.Session.UserID)
		if err != nil || len(list) != 1 || list[0].ID != r.Session.ID || list[0].SourceIP != "192.0.2.4" {
			t.Fatalf("ListSessions = %+v, %v", list, err)
		}
		if err := f.id.BatchDeleteSessions(ctx, f.storeID, r.Session.UserID, []string{r.Session.ID}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Session(ctx, r.Token)
		wantDef(t, "revoked", err, apierr.IIC1717)
		_, err = f.svc.Session(ctx, "nope")
		wantDef(t, "unknown", err, apierr.IIC1717)
	})
}

func TestDisabledUser(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeDisabled, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		uid := f.user(t, "kim", pw)
		if err := f.id.SetUserEnabled(ctx, identity.Caller{Actor: "root"}, f.storeID, uid, false); err != nil {
			t.Fatal(err)
		}
		_, err := f.password("kim", pw, signin.Client{})
		wantDef(t, "disabled, right password", err, apierr.IIC1705)
		_, err = f.password("kim", "wrong", signin.Client{})
		wantDef(t, "disabled, wrong password", err, apierr.IIC1707)
	})
}

func TestSweep(t *testing.T) {
	f := newFixture(t, sqltest.Dialects()[0])
	f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAEmailOTP)
	f.user(t, "lee", pw)
	mustPassword(f, "lee", signin.Client{})
	f.password("nobody", "x", signin.Client{})
	if n, err := f.svc.Sweep(ctx, f.st, 100); err != nil || n != 0 {
		t.Fatalf("sweep now = %d, %v", n, err)
	}
	f.now = f.now.Add(25 * time.Hour)
	if n, err := f.svc.Sweep(ctx, f.st, 100); err != nil || n != 2 {
		t.Fatalf("sweep later = %d, %v; want the challenge and the failure record", n, err)
	}
}

func mustPassword(f *fixture, name string, c signin.Client) signin.Result {
	r, err := f.password(name, pw, c)
	if err != nil {
		panic(fmt.Sprintf("password step of %s: %v", name, err))
	}
	return r
}

func must(r signin.Result, err error) signin.Result {
	if err != nil {
		panic(err)
	}
	return r
}

// BenchmarkPasswordSignIn is a whole password sign-in (MFA off: the
// session opens) at the default Argon2id parameters, on SQLite. Run with
// -cpu 1 for sign-ins per second per core; with -cpuprofile, the share of
// the hash is the cumulative share of argon2id.Key.
func BenchmarkPasswordSignIn(b *testing.B) {
	f := newFixture(b, sqltest.Dialects()[0])
	f.hasher.inner = identity.NewArgon2(identity.DefaultArgon2)
	f.sso(b, center.MFAModeDisabled, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
	f.user(b, "bench", pw)
	c := signin.Client{Address: "192.0.2.1", UserAgent: browser, DeviceID: "bench-device-0000000000"}
	b.ResetTimer()
	for b.Loop() {
		if r, err := f.password("bench", pw, c); err != nil || r.Step != signin.StepDone {
			b.Fatal(r.Step, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signins/s")
}

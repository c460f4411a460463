package signin_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/testenv"
)

const origin = "https://iic.example.com" // the fixture's public URL

// enrolKey signs name in under ALLOWED_WITH_ENROLLMENT and registers key
// as the first device; it returns the sign-in's result.
func (f *fixture) enrolKey(t *testing.T, name string, key *testenv.Authenticator, c signin.Client) signin.Result {
	t.Helper()
	r := wantStep(t, "password", mustPassword(f, name, c), nil, signin.StepEnrolMFA)
	opts, err := f.svc.BeginWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken)
	if err != nil {
		t.Fatal(err)
	}
	done, err := f.svc.CompleteWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken, key.Register(t, opts.JSON), "")
	return wantStep(t, "enrolment", done, err, signin.StepDone)
}

// assertionStep runs the password step up to the WebAuthn MFA step and
// answers its challenge and options.
func (f *fixture) assertionStep(t *testing.T, name string, c signin.Client) (string, string) {
	t.Helper()
	r := wantStep(t, "password", mustPassword(f, name, c), nil, signin.StepMFA)
	opts, err := f.svc.BeginWebAuthn(ctx, r.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	return r.Challenge, opts.JSON
}

func challengeOf(t *testing.T, optionsJSON string) string {
	t.Helper()
	var o struct{ Challenge string }
	if err := json.Unmarshal([]byte(optionsJSON), &o); err != nil || o.Challenge == "" {
		t.Fatalf("options %s: %v", optionsJSON, err)
	}
	return o.Challenge
}

// Enrolment of a security key at sign-in, then sign-ins with it: the
// options, single use, replay, wrong origin and RP ID, a forged key, the
// counter, and the lockout they count towards.
func TestWebAuthnSignIn(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeWebAuthn}, center.NoMFAAllowedWithEnrollment)
		uid := f.user(t, "alice", pw)
		c := signin.Client{Address: "192.0.2.1", UserAgent: browser}
		key := testenv.NewAuthenticator(t, origin)
		done := f.enrolKey(t, "alice", key, c)
		if !slices.Equal(done.Session.AuthMethods, []string{signin.FactorPassword, signin.FactorEnrolment}) {
			t.Fatalf("enrolment auth methods %v", done.Session.AuthMethods)
		}
		devs, err := f.id.ListMfaDevices(ctx, f.storeID, uid)
		if err != nil || len(devs) != 1 || devs[0].Type != identity.MFATypeWebAuthn || devs[0].DeviceName != signin.DeviceNameSecurityKey || devs[0].DisplayName != signin.DeviceNameSecurityKey {
			t.Fatalf("devices %+v, %v", devs, err)
		}
		row, err := f.st.Devices().GetDevice(ctx, f.storeID, uid, devs[0].ID)
		if err != nil || strings.Contains(string(row.SecretSealed), key.CredentialID()) {
			t.Fatalf("the credential record is not sealed: %v", err)
		}

		// The MFA step: the options name the key, for this RP; the
		// assertion opens the session.
		ch, opts := f.assertionStep(t, "alice", c)
		var o struct {
			RPID             string `json:"rpId"`
			UserVerification string `json:"userVerification"`
			Allow            []struct {
				ID string `json:"id"`
			} `json:"allowCredentials"`
		}
		if err := json.Unmarshal([]byte(opts), &o); err != nil || o.RPID != "iic.example.com" || len(o.Allow) != 1 || o.Allow[0].ID != key.CredentialID() || o.UserVerification != "preferred" {
			t.Fatalf("request options %s", opts)
		}
		again, _ := f.svc.BeginWebAuthn(ctx, ch)
		if again.JSON != opts {
			t.Fatal("the options of one challenge changed")
		}
		answer := key.Assert(t, opts)
		res, err := f.svc.VerifyWebAuthn(ctx, ch, answer)
		res = wantStep(t, "assertion", res, err, signin.StepDone)
		if !slices.Equal(res.Session.AuthMethods, []string{signin.FactorPassword, signin.FactorWebAuthn}) {
			t.Fatalf("auth methods %v", res.Session.AuthMethods)
		}
		if d, _ := f.st.Devices().GetDevice(ctx, f.storeID, uid, devs[0].ID); d.LastStep != int64(key.Count) || d.LastUsedAt.IsZero() {
			t.Fatalf("counter %d (want %d), last used %v", d.LastStep, key.Count, d.LastUsedAt)
		}
		// Single use: the same answer on the same challenge, then on a new
		// sign-in's.
		_, err = f.svc.VerifyWebAuthn(ctx, ch, answer)
		wantDef(t, "same challenge again", err, apierr.IIC1721)
		ch, opts = f.assertionStep(t, "alice", c)
		if challengeOf(t, opts) == challengeOf(t, again.JSON) {
			t.Fatal("two sign-ins, one WebAuthn challenge")
		}

		// Refused answers, each a failure of the name: another sign-in's
		// answer, a lower or equal counter, another origin, another RP ID.
		_, err = f.svc.VerifyWebAuthn(ctx, ch, answer)
		wantDef(t, "replayed assertion", err, apierr.IIC1726)
		_, err = f.svc.VerifyWebAuthn(ctx, ch, key.AssertAt(t, challengeOf(t, opts), key.Count))
		wantDef(t, "counter not increased", err, apierr.IIC1726)
		evil := *key
		evil.Origin = "https://evil.example.com"
		_, err = f.svc.VerifyWebAuthn(ctx, ch, evil.Assert(t, opts))
		wantDef(t, "wrong origin", err, apierr.IIC1726)
		evil = *key
		evil.RPID = "evil.example.com"
		_, err = f.svc.VerifyWebAuthn(ctx, ch, evil.Assert(t, opts))
		wantDef(t, "wrong RP ID", err, apierr.IIC1726)
		_, err = f.svc.VerifyWebAuthn(ctx, ch, "{not json")
		wantDef(t, "garbage", err, apierr.IIC1726)
		// That was the fifth failure: the challenge has ended and the name
		// is locked.
		_, err = f.svc.VerifyWebAuthn(ctx, ch, key.Assert(t, opts))
		wantDef(t, "after 5 failures", err, apierr.IIC1721)
		if _, err := f.password("alice", pw, c); !apierr.IIC1705.Is(err) {
			t.Fatalf("password while locked: %v", err)
		}
	})
}

// A forged key (another key pair under the registered credential id) and
// an empty answer; a counter that goes backwards after a good sign-in.
func TestWebAuthnForgedAndCounter(t *testing.T) {
	f := newFixture(t, "sqlite")
	f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeWebAuthnSecurityKey}, center.NoMFAAllowedWithEnrollment)
	f.user(t, "bob", pw)
	c := signin.Client{Address: "192.0.2.2", UserAgent: browser}
	key := testenv.NewAuthenticator(t, origin)
	f.enrolKey(t, "bob", key, c)
	ch, opts := f.assertionStep(t, "bob", c)
	if !strings.Contains(opts, `"userVerification":"discouraged"`) {
		t.Fatalf("security keys only: options %s", opts)
	}
	_, err := f.svc.VerifyWebAuthn(ctx, ch, "")
	wantDef(t, "empty", err, apierr.IIC1740)
	_, err = f.svc.VerifyWebAuthn(ctx, ch, key.Forge(t).Assert(t, opts))
	wantDef(t, "forged signature", err, apierr.IIC1726)
	key.Count = 41
	wantStep(t, "assertion", must(f.svc.VerifyWebAuthn(ctx, ch, key.Assert(t, opts))), nil, signin.StepDone)
	ch, opts = f.assertionStep(t, "bob", c)
	key.Count = 10 // a clone that lags behind
	_, err = f.svc.VerifyWebAuthn(ctx, ch, key.Assert(t, opts))
	wantDef(t, "counter went back", err, apierr.IIC1726)
	key.Count = 0
	key.NoCounter = true
	_, err = f.svc.VerifyWebAuthn(ctx, ch, key.Assert(t, opts))
	wantDef(t, "counter zero after non-zero", err, apierr.IIC1726)
	key.NoCounter = false
	key.Count = 50
	wantStep(t, "counter ahead", must(f.svc.VerifyWebAuthn(ctx, ch, key.Assert(t, opts))), nil, signin.StepDone)
}

// An authenticator without a counter (always 0) signs in every time.
func TestWebAuthnNoCounter(t *testing.T) {
	f := newFixture(t, "sqlite")
	f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeWebAuthn}, center.NoMFAAllowedWithEnrollment)
	f.user(t, "carol", pw)
	c := signin.Client{Address: "192.0.2.3", UserAgent: browser}
	key := testenv.NewAuthenticator(t, origin)
	key.NoCounter = true
	key.Attachment, key.UV, key.BackupEligible, key.Discoverable = "platform", true, true, true
	f.enrolKey(t, "carol", key, c)
	for i := 0; i < 2; i++ {
		ch, opts := f.assertionStep(t, "carol", c)
		wantStep(t, "assertion", must(f.svc.VerifyWebAuthn(ctx, ch, key.Assert(t, opts))), nil, signin.StepDone)
	}
}

// The kind of a new device against allowed_mfa_types, and which types a
// user's devices answer at sign-in: a security key WEBAUTHN and
// WEBAUTHN_SECURITY_KEY, a passkey WEBAUTHN only, neither TOTP.
func TestWebAuthnKinds(t *testing.T) {
	f := newFixture(t, "sqlite")
	c := signin.Client{Address: "192.0.2.4", UserAgent: browser}
	f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeWebAuthnSecurityKey}, center.NoMFAAllowedWithEnrollment)
	f.user(t, "dave", pw)
	r := wantStep(t, "password", mustPassword(f, "dave", c), nil, signin.StepEnrolMFA)
	opts, err := f.svc.BeginWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"authenticatorAttachment":"cross-platform"`, `"residentKey":"discouraged"`, `"attestation":"none"`, `"credProps":true`} {
		if !strings.Contains(opts.JSON, want) {
			t.Fatalf("security keys only: no %s in %s", want, opts.JSON)
		}
	}
	for what, set := range map[string]func(a *testenv.Authenticator){
		"platform":     func(a *testenv.Authenticator) { a.Attachment = "platform" },
		"synced":       func(a *testenv.Authenticator) { a.BackupEligible = true },
		"discoverable": func(a *testenv.Authenticator) { a.Discoverable = true },
	} {
		passkey := testenv.NewAuthenticator(t, origin)
		set(passkey)
		_, err = f.svc.CompleteWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken, passkey.Register(t, opts.JSON), "")
		wantDef(t, what+" passkey where only security keys are allowed", err, apierr.IIC1727)
	}
	bad := testenv.NewAuthenticator(t, "https://evil.example.com")
	_, err = f.svc.CompleteWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken, bad.Register(t, opts.JSON), "")
	wantDef(t, "registration from another origin", err, apierr.IIC1727)
	bad = testenv.NewAuthenticator(t, origin)
	bad.RPID = "example.com"
	_, err = f.svc.CompleteWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken, bad.Register(t, opts.JSON), "")
	wantDef(t, "registration for another RP ID", err, apierr.IIC1727)
	_, err = f.svc.CompleteWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken, `{"id":"x"}`, "")
	wantDef(t, "unreadable attestation", err, apierr.IIC1740)
	key := testenv.NewAuthenticator(t, origin)
	wantStep(t, "security key", must(f.svc.CompleteWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken, key.Register(t, opts.JSON), "Blue key")), nil, signin.StepDone)

	f.user(t, "erin", pw)
	f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeWebAuthn}, center.NoMFAAllowedWithEnrollment)
	passkey := testenv.NewAuthenticator(t, origin)
	passkey.Attachment, passkey.Discoverable = "platform", true
	f.enrolKey(t, "erin", passkey, c)
	devs, _ := f.st.Devices().ListDevices(ctx, f.storeID, mustID(t, f, "erin"))
	if len(devs) != 1 || devs[0].DeviceName != signin.DeviceNamePasskey {
		t.Fatalf("erin's devices %+v", devs)
	}

	for _, tc := range []struct {
		allowed []string
		user    string
		methods []string // nil: no usable device, enrolment
	}{
		{[]string{center.MFATypeWebAuthn}, "dave", []string{center.MFATypeWebAuthn}},
		{[]string{center.MFATypeWebAuthnSecurityKey}, "dave", []string{center.MFATypeWebAuthnSecurityKey}},
		{[]string{center.MFATypeWebAuthn, center.MFATypeWebAuthnSecurityKey}, "dave", []string{center.MFATypeWebAuthn, center.MFATypeWebAuthnSecurityKey}},
		{[]string{center.MFATypeTOTP}, "dave", nil},
		{[]string{center.MFATypeWebAuthn}, "erin", []string{center.MFATypeWebAuthn}},
		{[]string{center.MFATypeWebAuthnSecurityKey}, "erin", nil},
		{[]string{center.MFATypeTOTP, center.MFATypeWebAuthnSecurityKey}, "erin", nil},
	} {
		f.sso(t, center.MFAModeAlwaysOn, tc.allowed, center.NoMFAAllowedWithEnrollment)
		r, err := f.password(tc.user, pw, c)
		if tc.methods == nil {
			wantStep(t, tc.user+" under "+strings.Join(tc.allowed, "+"), r, err, signin.StepEnrolMFA)
			_, err := f.svc.BeginWebAuthn(ctx, r.Challenge)
			wantDef(t, "assertion at an enrolment step", err, apierr.IIC1721)
			continue
		}
		wantStep(t, tc.user+" under "+strings.Join(tc.allowed, "+"), r, err, signin.StepMFA)
		if !slices.Equal(r.Methods, tc.methods) {
			t.Fatalf("%s under %v: methods %v, want %v", tc.user, tc.allowed, r.Methods, tc.methods)
		}
		_, err = f.svc.VerifyTOTP(ctx, r.Challenge, "123456")
		wantDef(t, "TOTP where it is not a method", err, apierr.IIC1721)
	}
}

func mustID(t *testing.T, f *fixture, name string) string {
	t.Helper()
	id, err := f.id.GetUserID(ctx, f.storeID, identity.UserByName(name))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Adding a key from a session: the device-management setting, a
// ceremony bound to its session, a credential the user has already, the
// quota, the registration used once.
func TestWebAuthnSelfService(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP, center.MFATypeWebAuthn}, center.NoMFAAllowedWithEnrollment)
		uid := f.user(t, "frank", pw)
		c := signin.Client{Address: "192.0.2.5", UserAgent: browser}
		secret := f.totpDevice(t, uid)
		r := wantStep(t, "password", mustPassword(f, "frank", c), nil, signin.StepMFA)
		if !slices.Equal(r.Methods, []string{center.MFATypeTOTP}) {
			t.Fatalf("methods %v", r.Methods)
		}
		_, err := f.svc.BeginWebAuthn(ctx, r.Challenge)
		wantDef(t, "assertion where the step is TOTP only", err, apierr.IIC1721)
		sess := wantStep(t, "totp", must(f.svc.VerifyTOTP(ctx, r.Challenge, code(t, secret, f.now))), nil, signin.StepDone).Session

		link, err := f.id.RegisterMfaDevice(ctx, identity.Caller{Actor: "portal"}, f.storeID, uid)
		if err != nil {
			t.Fatal(err)
		}
		other := signin.RefOf(sess)
		other.ID = "another-session"
		opts, err := f.svc.BeginWebAuthnRegistration(ctx, other, link.Token)
		if err != nil {
			t.Fatal(err)
		}
		key := testenv.NewAuthenticator(t, origin)
		_, err = f.svc.CompleteWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token, key.Register(t, opts.JSON), "Yubi")
		wantDef(t, "a ceremony of another session", err, apierr.IIC1727)

		f.setDevicePermission(t, center.MFADevicesReadActions)
		_, err = f.svc.BeginWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token)
		wantDef(t, "read-only device management", err, apierr.IIC1518)
		f.setDevicePermission(t, center.MFADevicesAllActions)

		opts, err = f.svc.BeginWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token)
		if err != nil {
			t.Fatal(err)
		}
		dev, err := f.svc.CompleteWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token, key.Register(t, opts.JSON), "Yubi")
		if err != nil || dev.DisplayName != "Yubi" || dev.DeviceName != signin.DeviceNameSecurityKey {
			t.Fatalf("registered %+v, %v", dev, err)
		}
		_, err = f.svc.CompleteWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token, key.Register(t, opts.JSON), "Yubi")
		wantDef(t, "the registration again", err, apierr.IIC1721)

		// Two devices: the quota (IIC.1388 at RegisterMfaDevice). With one
		// deleted, registering the same key again is refused.
		_, err = f.id.RegisterMfaDevice(ctx, identity.Caller{Actor: "portal"}, f.storeID, uid)
		wantDef(t, "quota", err, apierr.IIC1388)
		devs, _ := f.id.ListMfaDevices(ctx, f.storeID, uid)
		if err := f.id.DeleteMfaDevice(ctx, f.storeID, uid, devs[0].ID); err != nil { // the TOTP device
			t.Fatal(err)
		}
		link, err = f.id.RegisterMfaDevice(ctx, identity.Caller{Actor: "portal"}, f.storeID, uid)
		if err != nil {
			t.Fatal(err)
		}
		opts, _ = f.svc.BeginWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token)
		if !strings.Contains(opts.JSON, `"excludeCredentials":[{"type":"public-key","id":"`+key.CredentialID()+`"`) {
			t.Fatalf("no exclusion of the registered key: %s", opts.JSON)
		}
		_, err = f.svc.CompleteWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token, key.Register(t, opts.JSON), "")
		wantDef(t, "the same credential twice", err, apierr.IIC1729)
		_, err = f.svc.CompleteWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token, testenv.NewAuthenticator(t, origin).Register(t, opts.JSON), strings.Repeat("x", 65))
		wantDef(t, "a name too long", err, apierr.IIC400_400)

		// TOTP no longer allowed: the only device is the key; sign-in asks
		// for it.
		r = wantStep(t, "password", mustPassword(f, "frank", c), nil, signin.StepMFA)
		if !slices.Equal(r.Methods, []string{center.MFATypeWebAuthn}) {
			t.Fatalf("methods %v", r.Methods)
		}
		opts, _ = f.svc.BeginWebAuthn(ctx, r.Challenge)
		wantStep(t, "assertion", must(f.svc.VerifyWebAuthn(ctx, r.Challenge, key.Assert(t, opts.JSON))), nil, signin.StepDone)

		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAAllowedWithEnrollment)
		_, err = f.svc.BeginWebAuthnRegistration(ctx, signin.RefOf(sess), link.Token)
		wantDef(t, "WebAuthn not allowed", err, apierr.IIC1727)
	})
}

// A public URL whose host is an IP address cannot be an RP ID.
func TestWebAuthnNeedsADomain(t *testing.T) {
	f := newFixture(t, "sqlite")
	f.id.PublicURL = "http://127.0.0.1:8080"
	if f.svc.WebAuthnAvailable() {
		t.Fatal("WebAuthn available on an IP address")
	}
	f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeWebAuthn}, center.NoMFAAllowedWithEnrollment)
	f.user(t, "gina", pw)
	r := wantStep(t, "password", mustPassword(f, "gina", signin.Client{Address: "192.0.2.6", UserAgent: browser}), nil, signin.StepEnrolMFA)
	_, err := f.svc.BeginWebAuthnEnrolment(ctx, r.Challenge, r.RegistrationToken)
	wantDef(t, "enrolment", err, apierr.IIC1710)
	f.id.PublicURL = "http://localhost:8080"
	if !f.svc.WebAuthnAvailable() {
		t.Fatal("WebAuthn not available on localhost")
	}
}

func (f *fixture) setDevicePermission(t *testing.T, perm string) {
	t.Helper()
	if err := f.center.SetMFADeviceManagement(ctx, f.inst, f.storeID, perm); err != nil {
		t.Fatal(err)
	}
}

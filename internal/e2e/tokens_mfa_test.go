package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/testenv"
)

// testTOTPSecret is a fixed base32 TOTP secret (20 bytes).
const testTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// movableClock is a server clock a test moves forward.
type movableClock struct{ ns atomic.Int64 }

func newMovableClock() *movableClock {
	c := &movableClock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *movableClock) Now() time.Time           { return time.Unix(0, c.ns.Load()) }
func (c *movableClock) Add(d time.Duration)      { c.ns.Add(int64(d)) }
func (c *movableClock) code(t *testing.T) string { return totpCode(t, testTOTPSecret, c.Now()) }

func totpCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// mfaToken asks for a token by password + TOTP through the SDK.
func mfaToken(t *testing.T, srv *testenv.Server, domain, password, userID, passcode string) (*model.KeystoneCreateUserTokenByPasswordAndMfaResponse, error) {
	return srv.IAMToken(t, "").KeystoneCreateUserTokenByPasswordAndMfa(&model.KeystoneCreateUserTokenByPasswordAndMfaRequest{
		Body: &model.KeystoneCreateUserTokenByPasswordAndMfaRequestBody{Auth: &model.MfaAuth{Identity: &model.MfaIdentity{
			Methods:  []model.MfaIdentityMethods{model.GetMfaIdentityMethodsEnum().PASSWORD, model.GetMfaIdentityMethodsEnum().TOTP},
			Password: &model.PwdPassword{User: &model.PwdPasswordUser{Domain: &model.PwdPasswordUserDomain{Name: domain}, Name: "admin", Password: password}},
			Totp:     &model.MfaTotp{User: &model.MfaTotpUser{Id: userID, Passcode: passcode}}}}}})
}

func signInUserID(t *testing.T, srv *testenv.Server) string {
	t.Helper()
	u, err := srv.App.Store.Keystone().GetUser(context.Background(), srv.App.Root.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// A sign-in user with a virtual MFA device: password alone is refused,
// password + TOTP issues a token (methods password, totp), a code is
// accepted once (the same code again, even in the same 30 seconds, is
// refused), a wrong code or another user id is refused, the next step's
// code works, and wrong codes lock the name like wrong passwords.
func TestTokenByPasswordAndTOTPThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clock := newMovableClock()
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clock.Now, AuthCacheTTL: -1})
		setSignInUser(t, srv, tokenPassword, "Security Administrator")
		seed, err := identity.ParseTOTPSecret(testTOTPSecret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.App.Tokens.SetTOTP(context.Background(), srv.App.Root.AccountID, seed); err != nil {
			t.Fatal(err)
		}
		u, _ := srv.App.Store.Keystone().GetUser(context.Background(), srv.App.Root.AccountID)
		if len(u.TOTPSecretSealed) == 0 || strings.Contains(string(u.TOTPSecretSealed), string(seed)) {
			t.Fatalf("the seed is not sealed at rest: %x", u.TOTPSecretSealed)
		}
		name, uid := rootName(t, srv), signInUserID(t, srv)

		// Password alone: refused while the user has a device.
		_, err = passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, nil)
		if statusOf(err) != http.StatusUnauthorized || !strings.Contains(err.Error(), "IIC.1410") || !strings.Contains(err.Error(), "virtual MFA device") {
			t.Fatalf("password alone with a device: %v, want 401 IIC.1410 naming the MFA device", err)
		}

		code := clock.code(t)
		resp, err := mfaToken(t, srv, name, tokenPassword, uid, code)
		if err != nil {
			t.Fatalf("password + totp: %v", err)
		}
		if resp.HttpStatusCode != http.StatusCreated || resp.XSubjectToken == nil || !slices.Equal(resp.Token.Methods, []string{"password", "totp"}) {
			t.Fatalf("password + totp: %d %+v", resp.HttpStatusCode, resp.Token)
		}
		if r, _ := srv.Do(t, "GET", "/v3/OS-FEDERATION/identity_providers", nil, map[string]string{"X-Auth-Token": *resp.XSubjectToken}, false); r.StatusCode != 200 {
			t.Fatalf("the MFA token on OS-FEDERATION: %d", r.StatusCode)
		}

		// The same code again (same step): a replay.
		if _, err := mfaToken(t, srv, name, tokenPassword, uid, code); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("replayed code: %v, want 401", err)
		}
		// A wrong code; the right code of the next step for another user id;
		// a wrong password with a right code.
		clock.Add(30 * time.Second)
		wrong := "000000"
		if wrong == clock.code(t) {
			wrong = "111111"
		}
		if _, err := mfaToken(t, srv, name, tokenPassword, uid, wrong); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("wrong code: %v, want 401", err)
		}
		if _, err := mfaToken(t, srv, name, tokenPassword, "not-the-user", clock.code(t)); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("another user id: %v, want 401", err)
		}
		if _, err := mfaToken(t, srv, name, "Wrong-Horse-7", uid, clock.code(t)); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("wrong password, right code: %v, want 401", err)
		}
		// The step's code was not used up by the refused requests.
		if _, err := mfaToken(t, srv, name, tokenPassword, uid, clock.code(t)); err != nil {
			t.Fatalf("next step's code: %v", err)
		}

		// Wrong codes count toward the lockout: five lock the name, and
		// then even a right password and a fresh code get 401 "The account
		// is locked.".
		for i := 0; i < 5; i++ {
			if _, err := mfaToken(t, srv, name, tokenPassword, uid, wrong); statusOf(err) != http.StatusUnauthorized {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		clock.Add(30 * time.Second)
		_, err = mfaToken(t, srv, name, tokenPassword, uid, clock.code(t))
		if se := testenv.APIError(t, err); se.StatusCode != 401 || se.ErrorCode != "401" || se.ErrorMessage != "The account is locked." {
			t.Fatalf("right code while locked: decoded %d %q %q", se.StatusCode, se.ErrorCode, se.ErrorMessage)
		}

		// Removing the device: password alone works again.
		clock.Add(time.Hour)
		if removed, err := srv.App.Tokens.SetTOTP(context.Background(), srv.App.Root.AccountID, nil); err != nil || !removed {
			t.Fatalf("removing the device: removed %v, %v", removed, err)
		}
		if removed, err := srv.App.Tokens.SetTOTP(context.Background(), srv.App.Root.AccountID, nil); err != nil || removed {
			t.Fatalf("removing no device: removed %v, %v", removed, err)
		}
		if _, err := passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, nil); err != nil {
			t.Fatalf("password alone after the device was removed: %v", err)
		}
	})
}

// iic serve --sign-in-totp-secret-file: the device is set at start, the
// same file at the next start keeps it (and its replay guard), starting
// without the flag removes it; a malformed secret stops the start.
func TestSignInTOTPSecretFile(t *testing.T) {
	dir := t.TempDir()
	pw, secret := filepath.Join(dir, "pw"), filepath.Join(dir, "totp")
	if err := os.WriteFile(pw, []byte(tokenPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, []byte(strings.ToLower(testTOTPSecret)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clock := newMovableClock()
	withTOTP := app.SignInUser{PasswordFile: pw, TOTPSecretFile: secret, Roles: []string{"Security Administrator"}}
	srv := testenv.Start(t, testenv.Options{Now: clock.Now, SignIn: withTOTP})
	name, uid := rootName(t, srv), signInUserID(t, srv)
	if _, err := passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, nil); statusOf(err) != http.StatusUnauthorized {
		t.Fatalf("password alone: %v, want 401", err)
	}
	code := clock.code(t)
	if _, err := mfaToken(t, srv, name, tokenPassword, uid, code); err != nil {
		t.Fatalf("password + totp: %v", err)
	}
	srv.Stop()

	srv = testenv.Start(t, testenv.Options{Now: clock.Now, SignIn: withTOTP, DataDir: srv.DataDir, DatabaseURL: srv.DatabaseURL})
	if _, err := mfaToken(t, srv, name, tokenPassword, uid, code); statusOf(err) != http.StatusUnauthorized {
		t.Fatalf("the code used before the restart: %v, want 401 (replay)", err)
	}
	srv.Stop()

	srv = testenv.Start(t, testenv.Options{Now: clock.Now, SignIn: app.SignInUser{PasswordFile: pw, Roles: withTOTP.Roles}, DataDir: srv.DataDir, DatabaseURL: srv.DatabaseURL})
	if _, err := passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, nil); err != nil {
		t.Fatalf("password alone without the flag: %v", err)
	}
	srv.Stop()

	if err := os.WriteFile(secret, []byte("not base32!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), app.Config{Listen: "127.0.0.1:0", DataDir: srv.DataDir, LogOutput: io.Discard, LogLevel: "error", SignIn: withTOTP})
	if err == nil {
		a.DB.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "TOTP secret") {
		t.Fatalf("malformed secret: %v, want an error naming the TOTP secret", err)
	}
}

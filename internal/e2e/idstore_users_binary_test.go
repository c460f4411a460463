package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/testenv"
)

// `iic serve` takes the user quota and the SMTP relay from the environment.
func TestBinaryUserQuotaAndSMTPFromEnv(t *testing.T) {
	smtpd := testenv.StartSMTP(t)
	dir := t.TempDir()
	p := startProc(t, dir, "", "IIC_MAX_USERS_PER_STORE=1", "IIC_SMTP_URL="+smtpd.URL())
	if err := testenv.WaitReady("http://"+p.addr, 30*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, p.log)
	}
	srv := &testenv.Server{URL: "http://" + p.addr, App: &app.App{Root: readCreds(t, dir)}}
	_, sid := srv.EnableIdentityCenter(t)
	c := srv.IdentityStore(t)
	if _, err := c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("judy", emailMode)}); err != nil {
		t.Fatal(err)
	}
	m, _ := smtpd.WaitFor(t, "judy@example.com", 0)
	if !strings.Contains(m.Data, "http://"+p.addr+"/start/set-password?token=") {
		t.Fatalf("invitation link:\n%s", m.Data)
	}
	_, err := c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("kim", otpMode)})
	testenv.WantError(t, err, 400, "IIC.1311")
}

// A malformed SMTP URL or quota stops the server at start, saying why and
// without echoing the password.
func TestBinaryRejectsBadUserSettings(t *testing.T) {
	for env, want := range map[string]string{
		"IIC_SMTP_URL=smtp://u:topsecret@host": "--smtp-url: smtp url: parameter from=",
		"IIC_SMTP_URL=smtp://u:top%zzsecret@h": "smtp url: malformed URL",
		"IIC_MAX_USERS_PER_STORE=many":         "IIC_MAX_USERS_PER_STORE",
	} {
		cmd := exec.Command(testenv.Binary(t), "serve", "--listen", testenv.FreeAddr(t), "--data-dir", t.TempDir())
		cmd.Env = append(cmd.Environ(), env)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("%s: the server started", env)
		}
		if !strings.Contains(string(out), want) || strings.Contains(string(out), "secret") {
			t.Fatalf("%s: output %q; want it to contain %q and no password", env, out, want)
		}
	}
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"

	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"

	"github.com/iic-project/iic/internal/cli"
	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/testenv"
)

// syncBuffer is a bytes.Buffer a goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var printedUserCode = regexp.MustCompile(`\b[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}\b`)

// cliLogin runs the login of s in a goroutine, approves the code it prints
// as user (the verification page's call), and waits for it to end.
func cliLogin(t *testing.T, srv *testenv.Server, s *cli.Session, user oidc.UserRef) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- s.Login(ctx, cli.LoginOptions{Out: &out}) }()
	var code string
	for code == "" {
		select {
		case err := <-done:
			t.Fatalf("login ended before the approval: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		code = printedUserCode.FindString(out.String())
	}
	if err := srv.App.OIDC.ApproveDevice(ctx, code, user, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("login: %v\n%s", err, out.String())
	}
	return out.String()
}

// iic login, iic credentials and iic logout through the real server: the
// device grant as the command runs it (the code it prints, approved as the
// verification page does), the profile file it writes, the credentials it
// prints working with the real SDK where the permission set allows, and a
// refresh: access tokens here live 30 s, less than the minute before expiry
// at which the client refreshes, so every command refreshes and must store
// the rotated refresh token (spending a refresh token twice would end the
// sign-in), concurrent commands included.
func TestCLILoginCredentials(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, OIDC: oidc.Config{Interval: time.Second, AccessTTL: 30 * time.Second}})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc := srv.Center(t), srv.IdentityStore(t)
		mgmt := srv.App.Root.AccountID
		alice := readOnlyUser(t, srv, c, sc, ins, storeID)

		st := cli.Store{Dir: t.TempDir()}
		s := &cli.Session{Store: st, Profile: "default", URL: srv.URL}
		out := cliLogin(t, srv, s, oidc.UserRef{IdentityStoreID: storeID, UserID: alice})
		if !regexp.MustCompile(`/start/device\?user_code=`).MatchString(out) {
			t.Errorf("login output lacks the verification URL:\n%s", out)
		}
		fi, err := os.Stat(st.Path("default"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("profile file: %v, %v", fi, err)
		}
		first, err := st.Load("default")
		if err != nil || first.Token == nil || first.Client == nil || first.URL != srv.URL {
			t.Fatalf("profile after login = %+v, %v", first, err)
		}

		as, err := s.Assignments(ctx)
		if err != nil || len(as) != 1 || as[0].Account.ID != mgmt || len(as[0].Agencies) != 1 || as[0].Agencies[0].PermissionSetName != "ReadOnly" {
			t.Fatalf("Assignments = %+v, %v", as, err)
		}
		var table bytes.Buffer
		cli.WriteAssignments(&table, as)
		if !regexp.MustCompile(mgmt + `\s+` + regexp.QuoteMeta(as[0].Account.Name) + `.*ReadOnly`).MatchString(table.String()) {
			t.Errorf("accounts table:\n%s", table.String())
		}

		// credentials --account <name> --permission-set ReadOnly --format json
		cr, err := s.Credentials(ctx, as[0].Account.Name, "ReadOnly")
		if err != nil {
			t.Fatal(err)
		}
		var js bytes.Buffer
		if err := cli.WriteCredentials(&js, cr, cli.FormatJSON, "default"); err != nil {
			t.Fatal(err)
		}
		var printed struct {
			AccessKey     string    `json:"access_key"`
			SecretKey     string    `json:"secret_key"`
			SecurityToken string    `json:"security_token"`
			AccountID     string    `json:"account_id"`
			Expiration    time.Time `json:"expiration"`
		}
		if err := json.Unmarshal(js.Bytes(), &printed); err != nil || printed.AccountID != mgmt || printed.Expiration.Before(time.Now()) {
			t.Fatalf("credentials --format json printed %s (%v)", js.Bytes(), err)
		}
		tc := srv.CenterAs(t, printed.AccessKey, printed.SecretKey, printed.SecurityToken, nil)
		if _, err := tc.ListInstances(&model.ListInstancesRequest{}); err != nil {
			t.Errorf("ListInstances with the printed credentials: %v", err)
		}
		_, err = tc.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "Nope"}})
		testenv.WantError(t, err, 403, "IIC.1000")

		// That call refreshed: the stored tokens are the rotated ones.
		second, err := st.Load("default")
		if err != nil {
			t.Fatal(err)
		}
		if second.Token.RefreshToken == first.Token.RefreshToken || second.Token.AccessToken == first.Token.AccessToken {
			t.Fatalf("credentials did not store a rotated token")
		}
		// Concurrent commands refresh one after another, each with the
		// token the previous one stored.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				other := &cli.Session{Store: st, Profile: "default", URL: srv.URL}
				_, errs[i] = other.Credentials(ctx, mgmt, "ReadOnly")
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("concurrent credentials: %v", err)
			}
		}
		if _, err := s.Credentials(ctx, mgmt, "ReadOnly"); err != nil {
			t.Fatalf("credentials after the concurrent refreshes (the sign-in must still live): %v", err)
		}

		_, err = s.Credentials(ctx, mgmt, "Admin")
		if err == nil || !regexp.MustCompile(`no permission set "Admin".*ReadOnly`).MatchString(err.Error()) {
			t.Errorf("credentials of an unassigned permission set: %v", err)
		}

		// logout: the credentials die and the profile keeps no token.
		if err := s.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = tc.ListInstances(&model.ListInstancesRequest{})
		testenv.WantError(t, err, 401, "IIC.1410")
		if p, err := st.Load("default"); err != nil || p.Token != nil || p.Client == nil {
			t.Errorf("profile after logout = %+v, %v", p, err)
		}
		if _, err := s.Credentials(ctx, mgmt, "ReadOnly"); !errors.Is(err, cli.ErrNotSignedIn) {
			t.Errorf("credentials after logout: %v", err)
		}
		// A second login reuses the profile's client registration.
		cliLogin(t, srv, s, oidc.UserRef{IdentityStoreID: storeID, UserID: alice})
		if again, err := st.Load("default"); err != nil || again.Client.ID != first.Client.ID || again.Token == nil {
			t.Errorf("profile after the second login = %+v, %v", again, err)
		}
	})
}

// buildIIC builds cmd/iic into a temporary directory.
func buildIIC(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "iic")
	build := exec.Command("go", "build", "-o", bin, "./cmd/iic")
	build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build iic: %v\n%s", err, out)
	}
	return bin
}

// The commands as a user runs them, with one configuration: iic login
// (IIC_URL, a profile naming an account and a permission set), iic
// accounts, iic credentials in each format, iic keys signing with the
// profile's credentials, the SDK example signing with the printed JSON
// file (--creds) and with the printed variables, and iic logout.
func TestCLICommands(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{OIDC: oidc.Config{Interval: time.Second}})
	ins, storeID := srv.EnableIdentityCenter(t)
	c, sc := srv.Center(t), srv.IdentityStore(t)
	mgmt := srv.App.Root.AccountID
	alice := readOnlyUser(t, srv, c, sc, ins, storeID)

	bin := buildIIC(t)
	config := t.TempDir()
	work := t.TempDir() // no data/root-credentials.json here: the profile must sign
	environ := append(os.Environ(), "IIC_URL="+srv.URL, "IIC_CONFIG_DIR="+config, "IIC_PROFILE=work",
		"IIC_CREDENTIALS=", "IIC_DATA_DIR=", "IIC_ACCESS_KEY=", "IIC_SECRET_KEY=", "IIC_SECURITY_TOKEN=", "IIC_ENDPOINT=")
	iic := func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = work, environ
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}

	login := exec.Command(bin, "login", "--no-browser", "--account", mgmt, "--permission-set", "ReadOnly")
	login.Dir, login.Env = work, environ
	var out syncBuffer
	login.Stdout, login.Stderr = &out, &out
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- login.Wait() }()
	var code string
	for code == "" {
		select {
		case err := <-done:
			t.Fatalf("iic login ended before the approval: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		code = printedUserCode.FindString(out.String())
	}
	if err := srv.App.OIDC.ApproveDevice(context.Background(), code, oidc.UserRef{IdentityStoreID: storeID, UserID: alice}, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("iic login: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		login.Process.Kill()
		t.Fatalf("iic login still waiting after the approval:\n%s", out.String())
	}
	if fi, err := os.Stat(filepath.Join(config, "profiles", "work.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("profile file: %v %v", fi, err)
	}

	stdout, stderr, err := iic("accounts")
	if err != nil || !regexp.MustCompile(`(?m)^`+mgmt+`\s.*\sReadOnly$`).MatchString(stdout) {
		t.Fatalf("iic accounts: %v\n%s%s", err, stdout, stderr)
	}

	// The profile's credentials sign iic keys: the agency session is
	// authenticated (a bad signature or an unknown key is 401 IIC.1410)
	// and its permission set decides: ReadOnly covers no iic:accessKey
	// action.
	if _, stderr, err := iic("keys", "list"); err == nil || !regexp.MustCompile(`HTTP 403: .*IIC\.1000.*iic:accessKey:list`).MatchString(stderr) {
		t.Errorf("iic keys list with the profile's ReadOnly credentials: %v\n%s", err, stderr)
	}

	// --format json is a --creds file for the examples.
	stdout, stderr, err = iic("credentials", "--format", "json")
	if err != nil {
		t.Fatalf("iic credentials: %v\n%s", err, stderr)
	}
	credsFile := filepath.Join(t.TempDir(), "creds.json")
	if err := os.WriteFile(credsFile, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := runExample(t, srv, "sdk", "--creds", credsFile); !regexp.MustCompile(regexp.QuoteMeta(storeID)).MatchString(got) {
		t.Errorf("the SDK example with the printed credentials file:\n%s", got)
	}

	// --format env sets the SDK's variables and iic's own.
	stdout, _, err = iic("credentials", "--account", mgmt, "--permission-set", "ReadOnly", "--format", "env")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export (\w+)=(\S+)$`).FindAllStringSubmatch(stdout, -1) {
		vars[m[1]] = m[2]
	}
	for _, k := range []string{"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "IIC_ACCESS_KEY", "IIC_SECRET_KEY", "IIC_SECURITY_TOKEN"} {
		if vars[k] == "" {
			t.Fatalf("--format env lacks %s:\n%s", k, stdout)
		}
	}
	if vars["HUAWEICLOUD_SDK_DOMAIN_ID"] != mgmt {
		t.Errorf("HUAWEICLOUD_SDK_DOMAIN_ID = %q", vars["HUAWEICLOUD_SDK_DOMAIN_ID"])
	}
	if _, err := srv.CenterAs(t, vars["IIC_ACCESS_KEY"], vars["IIC_SECRET_KEY"], vars["IIC_SECURITY_TOKEN"], nil).ListInstances(&model.ListInstancesRequest{}); err != nil {
		t.Errorf("ListInstances with the exported credentials: %v", err)
	}

	stdout, _, err = iic("credentials", "--format", "huaweicloud-cli")
	if err != nil || !regexp.MustCompile(`^hcloud configure set --cli-profile=work --cli-mode=AKSK --cli-access-key=\S+ --cli-secret-key=\S+ --cli-security-token=\S+ --cli-domain-id=`+mgmt+"\n$").MatchString(stdout) {
		t.Errorf("--format huaweicloud-cli: %v\n%s", err, stdout)
	}

	if _, stderr, err := iic("logout"); err != nil {
		t.Fatalf("iic logout: %v\n%s", err, stderr)
	}
	_, err = srv.CenterAs(t, vars["IIC_ACCESS_KEY"], vars["IIC_SECRET_KEY"], vars["IIC_SECURITY_TOKEN"], nil).ListInstances(&model.ListInstancesRequest{})
	testenv.WantError(t, err, 401, "IIC.1410")
	if _, stderr, err := iic("credentials"); err == nil || !regexp.MustCompile(`run iic login --profile work`).MatchString(stderr) {
		t.Errorf("iic credentials after logout: %v\n%s", err, stderr)
	}
}

// readOnlyUser creates alice, holding the ReadOnly permission set
// (IdentityCenter ReadOnlyAccess) in the management account, provisioned.
func readOnlyUser(t *testing.T, srv *testenv.Server, c *ic.IdentityCenterClient, sc *ics.IdentityCenterStoreClient, ins, storeID string) string {
	t.Helper()
	alice, _ := createUser(t, sc, storeID, "alice")
	ro := createPS(t, c, ins, "ReadOnly")
	if _, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: *ro.PermissionSetId,
		Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: policyID(t, "IdentityCenter ReadOnlyAccess")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := assign(c, ins, *ro.PermissionSetId, "USER", alice, srv.App.Root.AccountID); err != nil {
		t.Fatal(err)
	}
	runJobs(t, srv)
	return alice
}

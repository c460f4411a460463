package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

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
		alice, _ := createUser(t, sc, storeID, "alice")
		ro := createPS(t, c, ins, "ReadOnly")
		if _, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: *ro.PermissionSetId,
			Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: policyID(t, "IdentityCenter ReadOnlyAccess")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := assign(c, ins, *ro.PermissionSetId, "USER", alice, mgmt); err != nil {
			t.Fatal(err)
		}
		runJobs(t, srv)

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

// Package testenv starts real iic servers for end-to-end tests: in-process
// on a free loopback port with a temporary data dir (Start), or as a built
// `iic serve` process (Binary). It also builds real Huawei SDK clients
// pointed at them. Only tests import it.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"

	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/portal"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// Options configure Start. The zero value runs SQLite in a temp dir.
type Options struct {
	Dialect     string // "sqlite" (default) or "postgres"
	DatabaseURL string // reuse a database (restart tests); "" = fresh one of Dialect
	DataDir     string // reuse a data dir; "" = fresh temp dir
	MasterKey   string
	RootAK      string
	RootSK      string
	Now         func() time.Time
	// MaxUsersPerStore is the identity-store user quota (0 = default).
	MaxUsersPerStore int
	// MaxPermissionSets is the per-instance permission-set quota (0 = default).
	MaxPermissionSets int
	// SMTPURL configures outgoing e-mail (e.g. StartSMTP(t).URL()).
	SMTPURL string
	// BodyBudget and BodyTimeout bound request bodies (0 = defaults).
	BodyBudget  int64
	BodyTimeout time.Duration
	// EnforceDependency overrides which operation dependencies are checked
	// (app.Config.EnforceDependency).
	EnforceDependency func(action string) bool
	// OIDC overrides the OIDC service's lifetimes and limits.
	OIDC oidc.Config
	// AuthCacheTTL is app.Config.AuthCacheTTL (0 = default; negative = no
	// cache).
	AuthCacheTTL time.Duration
	// PortalTokens and PortalLogout stand in for the OIDC service behind
	// the portal API (app.Config.PortalTokens, PortalLogout).
	PortalTokens func(ctx context.Context, accessToken string) (portal.User, error)
	PortalLogout func(ctx context.Context, accessToken string) error
	// PublicHost, when set, is the host of the public URL
	// (http://<PublicHost>:<port>), e.g. "localhost": WebAuthn needs a
	// domain name, not the listening IP address.
	PublicHost string
	// SignIn is the root account's sign-in user as iic serve's
	// --sign-in-* flags set it (app.Config.SignIn).
	SignIn app.SignInUser
}

// Server is a running in-process server.
type Server struct {
	URL         string
	App         *app.App
	DataDir     string
	DatabaseURL string
	cancel      context.CancelFunc
	done        chan error
}

// Start runs a server until the test ends (or Stop).
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.Dialect == "" {
		opt.Dialect = "sqlite"
	}
	if opt.DataDir == "" {
		opt.DataDir = t.TempDir()
	}
	if opt.DatabaseURL == "" && opt.Dialect == "postgres" {
		opt.DatabaseURL = sqltest.PostgresSchema(t)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{
		Listen: ln.Addr().String(), Listener: ln, DataDir: opt.DataDir, DatabaseURL: opt.DatabaseURL, MasterKey: opt.MasterKey,
		RootAccessKey: opt.RootAK, RootSecretKey: opt.RootSK, Now: opt.Now, LogLevel: "warn", LogOutput: io.Discard,
		MaxUsersPerStore: opt.MaxUsersPerStore, MaxPermissionSets: opt.MaxPermissionSets, SMTPURL: opt.SMTPURL, BodyBudget: opt.BodyBudget, BodyTimeout: opt.BodyTimeout,
		EnforceDependency: opt.EnforceDependency, OIDC: opt.OIDC, PortalTokens: opt.PortalTokens, PortalLogout: opt.PortalLogout, AuthCacheTTL: opt.AuthCacheTTL,
		SignIn: opt.SignIn,
	}
	if opt.PublicHost != "" {
		cfg.PublicURL = "http://" + net.JoinHostPort(opt.PublicHost, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}
	if testing.Verbose() {
		cfg.LogOutput = os.Stderr
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatalf("app.New: %v", err)
	}
	s := &Server{App: a, DataDir: opt.DataDir, DatabaseURL: opt.DatabaseURL, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan net.Addr, 1)
	go func() { s.done <- a.Serve(ctx, func(addr net.Addr) { ready <- addr }) }()
	select {
	case addr := <-ready:
		s.URL = "http://" + addr.String()
	case err := <-s.done:
		cancel()
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Stop shuts the server down and closes its store; it is idempotent.
func (s *Server) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	s.recordCoverage()
	s.App.Close()
	s.cancel = nil
}

// HTTPConfig is the SDK HTTP configuration tests use: no retries.
func HTTPConfig() *config.HttpConfig {
	return config.DefaultHttpConfig().WithRetries(0).WithTimeout(30 * time.Second)
}

// Center returns an identitycenter client signing with ak/sk as global
// credentials of the root account.
func (s *Server) Center(t testing.TB) *ic.IdentityCenterClient {
	return s.CenterAs(t, s.App.Root.AccessKey, s.App.Root.SecretKey, "", nil)
}

// CenterAs returns an identitycenter client with the given keys (and
// optional security token and extra headers).
func (s *Server) CenterAs(t testing.TB, ak, sk, token string, extra map[string]string) *ic.IdentityCenterClient {
	t.Helper()
	b := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithDomainId(s.App.Root.AccountID)
	if token != "" {
		b = b.WithSecurityToken(token)
	}
	cred, err := b.SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := ic.IdentityCenterClientBuilder().WithEndpoints([]string{s.URL}).WithCredential(cred).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		hc = hc.WithExtraHeaders(extra)
	}
	return ic.NewIdentityCenterClient(hc)
}

// IdentityStore returns an identitycenterstore client with basic
// credentials of the root account and project of region (found the way the
// SDK finds it: GET /v3/projects?name=<region> on our IAM endpoint).
func (s *Server) IdentityStore(t testing.TB) *ics.IdentityCenterStoreClient {
	return s.IdentityStoreAs(t, s.App.Root.AccessKey, s.App.Root.SecretKey)
}

// IdentityStoreAs is IdentityStore with other keys.
func (s *Server) IdentityStoreAs(t testing.TB, ak, sk string) *ics.IdentityCenterStoreClient {
	t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithIamEndpointOverride(s.URL).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := ics.IdentityCenterStoreClientBuilder().WithRegion(regionAt("cn-north-4", s.URL)).WithCredential(cred).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return ics.NewIdentityCenterStoreClient(hc)
}

// Do sends a raw request. When sign is true it is signed with the root keys
// (the way the SDK signs), after setting headers.
func (s *Server) Do(t testing.TB, method, path string, body []byte, headers map[string]string, sign bool) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "iic-test")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if sign {
		aksk.Sign(req, s.App.Root.AccessKey, s.App.Root.SecretKey, body, time.Now())
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// noRedirects surfaces a 3xx instead of following it: the server must never
// redirect (a re-sent signed request fails its signature).
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// APIError returns the SDK's service error inside err, failing the test
// if there is none.
func APIError(t testing.TB, err error) *sdkerr.ServiceResponseError {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("want a service error, got %v", err)
	}
	return se
}

// WantError fails unless err is a service error with status and code.
func WantError(t testing.TB, err error, status int, code string) *sdkerr.ServiceResponseError {
	t.Helper()
	if err == nil {
		t.Fatalf("want %d %s, got success", status, code)
	}
	se := APIError(t, err)
	if se.StatusCode != status || se.ErrorCode != code {
		t.Fatalf("want %d %s, got %d %s: %s", status, code, se.StatusCode, se.ErrorCode, se.ErrorMessage)
	}
	if se.RequestId == "" {
		t.Fatal("error response without X-Request-Id")
	}
	return se
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds cmd/iic once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		dir, err := os.MkdirTemp("", "iic-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "iic")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/iic")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build iic: %v", buildErr)
	}
	return binPath
}

// FreeAddr returns a loopback address with a free port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WaitReady polls GET /readyz at base until it answers 200 or timeout.
func WaitReady(base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return errors.New("server not ready in time")
}

// EnableIdentityCenter registers cn-north-4 and starts Identity Center in
// the root account through the SDK; it returns the instance and identity
// store ids.
func (s *Server) EnableIdentityCenter(t testing.TB) (instanceID, identityStoreID string) {
	t.Helper()
	c := s.Center(t)
	if _, err := c.RegisterRegion(&icmodel.RegisterRegionRequest{Body: &icmodel.RegisterRegionReqBody{RegionId: "cn-north-4"}}); err != nil {
		t.Fatalf("RegisterRegion: %v", err)
	}
	if _, err := c.StartIdentityCenter(&icmodel.StartIdentityCenterRequest{}); err != nil {
		t.Fatalf("StartIdentityCenter: %v", err)
	}
	list, err := c.ListInstances(&icmodel.ListInstancesRequest{})
	if err != nil || list.Instances == nil || len(*list.Instances) != 1 {
		t.Fatalf("ListInstances: %+v %v", list, err)
	}
	in := (*list.Instances)[0]
	return in.InstanceId, in.IdentityStoreId
}

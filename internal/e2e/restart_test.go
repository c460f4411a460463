package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

func readCreds(t *testing.T, dir string) account.RootCredentials {
	t.Helper()
	path := filepath.Join(dir, app.CredentialsFile)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"access_key", "secret_key", "account_id"} {
		if _, ok := raw[k].(string); !ok {
			t.Fatalf("%s: field %s missing or not a string: %s", path, k, b)
		}
	}
	var c account.RootCredentials
	json.Unmarshal(b, &c)
	if len(c.AccountID) != 32 || strings.ToLower(c.AccountID) != c.AccountID {
		t.Fatalf("account_id %q is not 32 lowercase hex", c.AccountID)
	}
	return c
}

// Restarting on the same data (SQLite file or PostgreSQL database) keeps the
// root keys and the instance; nothing is regenerated.
func TestRestartKeepsEverything(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		first := testenv.Start(t, testenv.Options{Dialect: dialect})
		creds := readCreds(t, first.DataDir)
		if creds != first.App.Root {
			t.Fatalf("file %+v differs from the served root %+v", creds, first.App.Root)
		}
		instanceID, storeID := first.EnableIdentityCenter(t)
		first.Stop()

		second := testenv.Start(t, testenv.Options{Dialect: dialect, DataDir: first.DataDir, DatabaseURL: first.DatabaseURL})
		if again := readCreds(t, second.DataDir); again != creds || second.App.Root != creds {
			t.Fatalf("root credentials changed across restart: %+v → %+v", creds, again)
		}
		list, err := second.Center(t).ListInstances(&model.ListInstancesRequest{})
		if err != nil || len(*list.Instances) != 1 || (*list.Instances)[0].InstanceId != instanceID || (*list.Instances)[0].IdentityStoreId != storeID {
			t.Fatalf("instance after restart = %+v, %v; want %s/%s", list, err, instanceID, storeID)
		}
	})
}

// IIC_ROOT_ACCESS_KEY / IIC_ROOT_SECRET_KEY fix the root keys, on first
// start and when changed later (the old key stops working).
func TestFixedRootKeys(t *testing.T) {
	const ak, sk = "FIXEDROOTKEY00000001", "fixedRootSecret0000000000000000000000001"
	srv := testenv.Start(t, testenv.Options{RootAK: ak, RootSK: sk})
	if c := readCreds(t, srv.DataDir); c.AccessKey != ak || c.SecretKey != sk {
		t.Fatalf("credentials file %+v", c)
	}
	if _, err := srv.CenterAs(t, ak, sk, "", nil).ListInstances(&model.ListInstancesRequest{}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	const ak2, sk2 = "FIXEDROOTKEY00000002", "fixedRootSecret0000000000000000000000002"
	srv2 := testenv.Start(t, testenv.Options{DataDir: srv.DataDir, RootAK: ak2, RootSK: sk2})
	if srv2.App.Root.AccountID != srv.App.Root.AccountID {
		t.Fatal("account changed")
	}
	if _, err := srv2.CenterAs(t, ak2, sk2, "", nil).ListInstances(&model.ListInstancesRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := srv2.CenterAs(t, ak, sk, "", nil).ListInstances(&model.ListInstancesRequest{})
	testenv.WantError(t, err, 401, "IIC.1410")
	srv2.Stop()
	// Without the variables the current keys are reused, not regenerated.
	srv3 := testenv.Start(t, testenv.Options{DataDir: srv.DataDir})
	if srv3.App.Root.AccessKey != ak2 || srv3.App.Root.SecretKey != sk2 {
		t.Fatalf("keys regenerated: %+v", srv3.App.Root)
	}
}

// A data dir opened with another master key is refused with a clear error.
func TestWrongMasterKeyRefused(t *testing.T) {
	dir := t.TempDir()
	srv := testenv.Start(t, testenv.Options{DataDir: dir})
	srv.Stop()
	os.Remove(filepath.Join(dir, "master.key"))
	_, err := app.New(context.Background(), app.Config{Listen: "127.0.0.1:0", DataDir: dir, LogOutput: devNull{}})
	if err == nil || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("wrong master key: %v", err)
	}
}

type devNull struct{}

func (devNull) Write(p []byte) (int, error) { return len(p), nil }

type proc struct {
	cmd  *exec.Cmd
	addr string
	dir  string
	log  *strings.Builder
}

func startProc(t *testing.T, dir, dbURL string, env ...string) *proc {
	t.Helper()
	p := &proc{addr: testenv.FreeAddr(t), dir: dir, log: &strings.Builder{}}
	p.cmd = exec.Command(testenv.Binary(t), "serve", "--listen", p.addr, "--data-dir", dir, "--log-format", "json")
	p.cmd.Env = append(os.Environ(), env...)
	if dbURL != "" {
		p.cmd.Env = append(p.cmd.Env, "IIC_DATABASE_URL="+dbURL)
	}
	p.cmd.Stderr = &syncWriter{b: p.log}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	return p
}

type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// The binary serves, says where the credentials are, and exits cleanly on
// SIGTERM.
func TestBinaryServeAndGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	p := startProc(t, dir, "")
	if err := testenv.WaitReady("http://"+p.addr, 30*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, p.log)
	}
	readCreds(t, dir)
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.log)
	}
	if !strings.Contains(p.log.String(), app.CredentialsFile) {
		t.Fatalf("log does not say where the credentials are:\n%s", p.log)
	}
	out, err := exec.Command(testenv.Binary(t), "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "iic ") {
		t.Fatalf("iic version = %q, %v", out, err)
	}
}

// Two processes started at the same moment on one PostgreSQL database both
// come up, apply the migrations once and share one root account.
func TestTwoProcessesOnePostgres(t *testing.T) {
	url := sqltest.PostgresSchema(t)
	key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes, base64
	a := startProc(t, t.TempDir(), url, "IIC_MASTER_KEY="+key)
	b := startProc(t, t.TempDir(), url, "IIC_MASTER_KEY="+key)
	for _, p := range []*proc{a, b} {
		if err := testenv.WaitReady("http://"+p.addr, 30*time.Second); err != nil {
			t.Fatalf("%v\n%s", err, p.log)
		}
	}
	ca, cb := readCreds(t, a.dir), readCreds(t, b.dir)
	if ca != cb {
		t.Fatalf("the two replicas disagree on the root account: %+v vs %+v", ca, cb)
	}
	db, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.AppliedMigrations(context.Background())
	if err != nil || n != len(sqlstore.Migrations("postgres")) {
		t.Fatalf("schema_migrations rows = %d, %v; want %d", n, err, len(sqlstore.Migrations("postgres")))
	}
	// Both serve the same data.
	resp, body := doSigned(t, "http://"+a.addr, ca, "POST", "/v1/register-regions", `{"region_id":"cn-north-4"}`)
	if resp != 200 {
		t.Fatalf("register via a: %d %s", resp, body)
	}
	resp, body = doSigned(t, "http://"+b.addr, cb, "GET", "/v1/registered-regions", "")
	if resp != 200 || !strings.Contains(body, "cn-north-4") {
		t.Fatalf("read via b: %d %s", resp, body)
	}
}

func doSigned(t *testing.T, base string, c account.RootCredentials, method, path, body string) (int, string) {
	t.Helper()
	srv := &testenv.Server{URL: base, App: &app.App{Root: c}}
	resp, out := srv.Do(t, method, path, []byte(body), nil, true)
	return resp.StatusCode, fmt.Sprint(string(out))
}

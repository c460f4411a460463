package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"testing"

	"github.com/iic-project/iic/internal/testenv"
)

// runExample builds ./examples/<name> and runs it with args from a directory
// holding data/root-credentials.json (as the README tells users to), against
// srv (IIC_URL, unless args hold --url); it returns what the example printed.
func runExample(t *testing.T, srv *testenv.Server, name string, args ...string) string {
	t.Helper()
	work := t.TempDir()
	if err := os.Symlink(srv.DataDir, filepath.Join(work, "data")); err != nil {
		t.Fatal(err)
	}
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), name)
	build := exec.Command("go", "build", "-o", bin, "./examples/"+name)
	build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build example %s: %v\n%s", name, err, out)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "IIC_URL="+srv.URL, "IIC_CREDENTIALS=", "IIC_DATA_DIR=", "IIC_ACCESS_KEY=", "IIC_SECRET_KEY=", "IIC_SECURITY_TOKEN=")
	if slices.Contains(args, "--url") {
		cmd.Env = append(cmd.Env, "IIC_URL=http://127.0.0.1:1") // the flag must win
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("example %s: %v\n%s", name, err, out)
	}
	return string(out)
}

// The README's SDK example works as written, pointed at the server and the
// credentials file with --url and --creds.
func TestReadmeSDKExample(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	_, storeID := srv.EnableIdentityCenter(t)
	if out := runExample(t, srv, "sdk", "--url", srv.URL, "--creds", filepath.Join(srv.DataDir, "root-credentials.json")); !regexp.MustCompile(regexp.QuoteMeta(storeID)).MatchString(out) {
		t.Fatalf("example output lacks the identity store %s:\n%s", storeID, out)
	}
}

// The identity-store example creates a user with a one-time password, a
// group and the membership, through the SDK alone (IIC_URL and the default
// data/root-credentials.json).
func TestIdentityStoreExample(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{}) // fresh: the example enables Identity Center
	out := runExample(t, srv, "identitystore", "carol")
	if !regexp.MustCompile(`(?m)^enabled Identity Center in cn-north-4$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^user carol \([0-9a-f-]{36}\), one-time password \S{16,}$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^member of carol-admins: true$`).MatchString(out) {
		t.Fatalf("example output:\n%s", out)
	}
}

// The access example takes a fresh server from the first start to a group
// with a permission set in a new member account, through the SDK alone.
func TestAccessExample(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{}) // fresh: the example enables Identity Center
	out := runExample(t, srv, "access", "lab")
	for _, want := range []string{
		`(?m)^enabled Identity Center in cn-north-4$`,
		`(?m)^account lab \([0-9a-f]{32}\)$`,
		`(?m)^group lab-developers \([0-9a-f-]{36}\)$`,
		`(?m)^permission set lab-readonly \(ps-[0-9a-f]{16}\)$`,
		`(?m)^assignment [0-9a-f-]{36}: SUCCEEDED$`,
		`(?m)^provisioned to [0-9a-f]{32}: \[ps-[0-9a-f]{16}\] \(agency IdentityCenter_lab-readonly\)$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Fatalf("example output lacks %s:\n%s", want, out)
		}
	}
}

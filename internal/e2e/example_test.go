package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/testenv"
)

// The README's SDK example works as written, from a directory holding
// data/root-credentials.json.
func TestReadmeSDKExample(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	_, storeID := srv.EnableIdentityCenter(t)
	work := filepath.Dir(srv.DataDir) // the example reads data/root-credentials.json
	if err := os.Symlink(srv.DataDir, filepath.Join(work, "data")); err != nil {
		t.Fatal(err)
	}
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "sdkexample")
	build := exec.Command("go", "build", "-o", bin, "./examples/sdk")
	build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build example: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "IIC_URL="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), storeID) {
		t.Fatalf("example: %v\n%s", err, out)
	}
}

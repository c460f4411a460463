package apierr

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNewFillsPlaceholders(t *testing.T) {
	cases := []struct {
		def  Def
		args []string
		want string
	}{
		{IIC400_400, []string{"limit must be between 1 and 100"}, "Bad Request: limit must be between 1 and 100."},
		{IIC400_400, []string{"trailing period."}, "Bad Request: trailing period."},
		{IIC400_400, nil, "Bad Request: Invalid request parameter."},
		{IIC1216, nil, "Only one region can be registered."},
		{IIC1000_403, []string{"identitycenter:instances:list"}, "No permission for action identitycenter:instances:list."},
		{IIC1410_401, []string{"Signature mismatch"}, "Signature mismatch."},
	}
	for _, c := range cases {
		if got := c.def.New(c.args...).Message; got != c.want {
			t.Errorf("%s.New(%q) = %q, want %q", c.def.Code, c.args, got, c.want)
		}
	}
}

func TestDefIs(t *testing.T) {
	err := error(IIC1216.New())
	if !IIC1216.Is(err) || IIC1245.Is(err) {
		t.Fatal("Def.Is does not tell rows apart")
	}
	if IIC1000_404.Is(IIC1000_403.New("x")) {
		t.Fatal("rows sharing a code must be distinct")
	}
}

// The generated table must match the TSV it was made from.
func TestGeneratedTableIsCurrent(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "codes_gen.go")
	cmd := exec.Command("go", "run", "./gen", "error-codes.tsv", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, b)
	}
	want, _ := os.ReadFile(out)
	got, _ := os.ReadFile("codes_gen.go")
	if !bytes.Equal(got, want) {
		t.Fatal("codes_gen.go is stale: run go generate ./internal/apierr")
	}
	if len(All) != 288 {
		t.Fatalf("table has %d rows, want 288", len(All))
	}
}

// Client input quoted in a message comes back bounded.
func TestLongArgumentsAreBounded(t *testing.T) {
	long := strings.Repeat("é", 2000) // 4,000 bytes
	msg := IIC400_400.New(long).Message
	if len(msg) > MaxArgLen+100 || !strings.Contains(msg, "(4000 bytes)") || !utf8.ValidString(msg) {
		t.Fatalf("message of %d bytes: %.80q…", len(msg), msg)
	}
	if short := IIC400_400.New("user_name is required").Message; !strings.Contains(short, "user_name is required") {
		t.Fatalf("short message changed: %q", short)
	}
}

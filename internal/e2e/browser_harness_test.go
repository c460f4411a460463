package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// browserDir holds the Node scripts that drive Chromium (package.json pins
// playwright-core; `npm ci` there installs it).
const browserDir = "browser"

// browserTools finds node, Chromium (IIC_CHROMIUM, default /usr/bin/chromium)
// and playwright-core. Without one of them the test skips, saying what to
// install, except under CI=true, where it fails: CI must run it.
func browserTools(t *testing.T) (node, chromium string) {
	t.Helper()
	var missing []string
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node (Node.js 20 or later) on the PATH")
	}
	chromium = os.Getenv("IIC_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (Debian: apt-get install chromium)")
	}
	if _, err := os.Stat(filepath.Join(browserDir, "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "playwright-core (npm ci --prefix internal/e2e/browser)")
	}
	if len(missing) > 0 {
		msg := "the browser test needs " + strings.Join(missing, ", ")
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (CI=true makes this a failure)")
	}
	return node, chromium
}

// browserStep is one checkpoint a browser script reports: its name and
// what the test checks, on the server too, before the script goes on;
// reply, when set, is what the test then sends the script with its "ok"
// (as JSON: checkpoint's return value).
type browserStep struct {
	name  string
	check func(t *testing.T, data json.RawMessage)
	reply func(t *testing.T) any
}

// runBrowser runs the Node script in browserDir with env added to the
// test's environment, and checks that it reports exactly steps, in order
// (see browser/harness.mjs for the protocol), within a minute.
func runBrowser(t *testing.T, node, script string, env map[string]string, steps ...browserStep) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = browserDir
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0") // plain error messages
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Wait returns once node exited and its output was read to the end.
	stdout, stdoutW := io.Pipe()
	cmd.Stdout = stdoutW
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The script ends when its input does (it closes the browser then);
	// killing node only would leave Chromium behind.
	waited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		stdoutW.Close()
		waited <- err
	}()
	stop := func() error {
		stdin.Close()
		go func() { _, _ = io.Copy(io.Discard, stdout) }() // what is left after a failure
		select {
		case err := <-waited:
			return err
		case <-time.After(10 * time.Second):
			cancel()
			return <-waited
		}
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = stop()
			t.Logf("%s's stderr:\n%s", script, stderr.String())
		}
	}()

	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 0, 64<<10), 4<<20)
	seen := 0
	for lines.Scan() {
		var head struct {
			Step  string `json:"step"`
			Error string `json:"error"`
			URL   string `json:"url"`
			Text  string `json:"text"`
		}
		line := bytes.Clone(lines.Bytes())
		if err := json.Unmarshal(line, &head); err != nil {
			t.Fatalf("%s printed %q, not a JSON step\nstderr:\n%s", script, line, stderr.String())
		}
		if head.Error != "" {
			t.Fatalf("%s failed at %s: %s\npage text:\n%s\nstderr:\n%s", script, head.URL, head.Error, head.Text, stderr.String())
		}
		if seen >= len(steps) || head.Step != steps[seen].name {
			t.Fatalf("%s reported step %d %q, want %s", script, seen, head.Step, stepNames(steps, seen))
		}
		steps[seen].check(t, json.RawMessage(line))
		answer := "ok\n"
		if steps[seen].reply != nil {
			v, err := json.Marshal(steps[seen].reply(t))
			if err != nil {
				t.Fatal(err)
			}
			answer = "ok " + string(v) + "\n"
		}
		seen++
		if _, err := io.WriteString(stdin, answer); err != nil {
			t.Fatalf("answering step %q: %v", head.Step, err)
		}
		if seen == len(steps) {
			stdin.Close() // the script is done; another step is an error
		}
	}
	stopped = true
	err = stop()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within a minute (%d of %d steps)\nstderr:\n%s", script, seen, len(steps), stderr.String())
	}
	if err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", script, err, stderr.String())
	}
	if seen != len(steps) {
		t.Fatalf("%s ended after %d steps, want %s\nstderr:\n%s", script, seen, stepNames(steps, seen), stderr.String())
	}
}

func stepNames(steps []browserStep, from int) string {
	if from >= len(steps) {
		return "no more steps"
	}
	var names []string
	for _, s := range steps[from:] {
		names = append(names, s.name)
	}
	return "next: " + strings.Join(names, ", ")
}

// decodeStep decodes a step's data into v.
func decodeStep(t *testing.T, data json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("step %s: %v", data, err)
	}
}

// lockedBuffer is a bytes.Buffer safe for the process's stderr copier and
// the test reading it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

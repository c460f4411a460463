package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestProfileRoundTrip(t *testing.T) {
	st := Store{Dir: filepath.Join(t.TempDir(), "iic")}
	if _, err := st.Load("default"); !errors.Is(err, ErrNoProfile) {
		t.Fatalf("Load of a missing profile: %v", err)
	}
	exp := time.Unix(1_900_000_000, 0).UTC()
	want := Profile{URL: "http://h:1", Account: "dev", PermissionSet: "ReadOnly",
		Client: &Client{ID: "c", Secret: "s", SecretExpiresAt: exp},
		Token:  &Token{AccessToken: "a", RefreshToken: "r", ExpiresAt: exp}}
	if err := st.Save("default", want); err != nil {
		t.Fatal(err)
	}
	got, err := st.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Load = %+v, want %+v", got, want)
	}
	if err := st.Delete("default"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load("default"); !errors.Is(err, ErrNoProfile) {
		t.Fatalf("Load after Delete: %v", err)
	}
	if err := st.Delete("default"); err != nil {
		t.Fatalf("Delete of a missing profile: %v", err)
	}
}

// The file is 0600 in a 0700 directory whatever the umask, and a file
// others can read is refused.
func TestProfilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	st := Store{Dir: filepath.Join(t.TempDir(), "iic")}
	if err := st.Save("p", Profile{URL: "http://h"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(st.Path("p"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %04o, want 0600", fi.Mode().Perm())
	}
	for _, d := range []string{st.Dir, filepath.Dir(st.Path("p"))} {
		di, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if di.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %04o, want 0700", d, di.Mode().Perm())
		}
	}
	if err := os.Chmod(st.Path("p"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load("p"); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("Load of a 0644 file: %v", err)
	}
	// Saving again replaces the file with a 0600 one.
	if err := st.Save("p", Profile{URL: "http://h2"}); err != nil {
		t.Fatal(err)
	}
	if p, err := st.Load("p"); err != nil || p.URL != "http://h2" {
		t.Fatalf("Load after Save = %+v, %v", p, err)
	}
}

// Save replaces the file by rename: a reader holding the old file keeps
// reading the old content, and no temporary file is left behind.
func TestProfileAtomicWrite(t *testing.T) {
	st := Store{Dir: t.TempDir()}
	if err := st.Save("p", Profile{URL: "http://old"}); err != nil {
		t.Fatal(err)
	}
	old, err := os.Open(st.Path("p"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := st.Save("p", Profile{URL: "http://new"}); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 4096)
	n, _ := old.Read(raw)
	if !strings.Contains(string(raw[:n]), "http://old") {
		t.Errorf("the open file now reads %q: written in place, not replaced", raw[:n])
	}
	entries, err := os.ReadDir(filepath.Dir(st.Path("p")))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "p.json" {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only p.json", names)
	}
}

func TestProfileNames(t *testing.T) {
	for _, ok := range []string{"default", "dev", "a.b-c_d", "0"} {
		if err := CheckProfileName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", ".hidden", "-x", "a/b", `a\b`, "../x", strings.Repeat("a", 65), "a b"} {
		if err := CheckProfileName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
		if _, err := (Store{Dir: t.TempDir()}).Load(bad); err == nil || errors.Is(err, ErrNoProfile) {
			t.Errorf("Load(%q) = %v", bad, err)
		}
	}
}

func TestProfileLock(t *testing.T) {
	st := Store{Dir: t.TempDir()}
	unlock, err := st.lock("p", time.Second, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.lock("p", 100*time.Millisecond, time.Minute); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	unlock2, err := st.lock("p", 100*time.Millisecond, time.Minute)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
	// A lock whose holder died (older than stale) is taken over.
	p := filepath.Join(filepath.Dir(st.Path("p")), "p.lock")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, past, past); err != nil {
		t.Fatal(err)
	}
	unlock3, err := st.lock("p", 100*time.Millisecond, time.Minute)
	if err != nil {
		t.Fatalf("stale lock: %v", err)
	}
	unlock3()
}

// Flags beat variables beat the profile file beat the defaults.
func TestResolve(t *testing.T) {
	st := Store{Dir: t.TempDir()}
	t.Setenv(EnvURL, "")
	t.Setenv(EnvProfile, "")
	if err := st.Save("default", Profile{URL: "http://default-profile"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Save("dev", Profile{URL: "http://dev-profile/", Account: "a", PermissionSet: "p"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, env, envProfile, flagURL, flagProfile string
		url, profile                                string
		named, signs                                bool
	}{
		{name: "default profile", url: "http://default-profile", profile: "default"},
		{name: "env profile", envProfile: "dev", url: "http://dev-profile", profile: "dev", named: true, signs: true},
		{name: "flag profile beats env", envProfile: "nope", flagProfile: "dev", url: "http://dev-profile", profile: "dev", named: true, signs: true},
		{name: "env url beats the profile", env: "http://env", flagProfile: "dev", url: "http://env", profile: "dev", named: true, signs: true},
		{name: "flag url beats env", env: "http://env", flagURL: "http://flag/", url: "http://flag", profile: "default"},
		{name: "no file: the default URL", flagProfile: "new", url: DefaultURL, profile: "new", named: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvURL, tc.env)
			t.Setenv(EnvProfile, tc.envProfile)
			c, err := ResolveIn(st, tc.flagURL, tc.flagProfile)
			if err != nil {
				t.Fatal(err)
			}
			if c.URL != tc.url || c.Profile != tc.profile || c.ProfileNamed != tc.named || c.SignsWithProfile() != tc.signs {
				t.Errorf("got %s %s named=%v signs=%v", c.URL, c.Profile, c.ProfileNamed, c.SignsWithProfile())
			}
		})
	}
}

// Package cli is the client side of iic's sign-in for terminals: the
// profile files that keep a server URL, an OIDC client registration and the
// tokens of a sign-in, the device-grant login, token refresh, and temporary
// credentials through the portal API. It speaks HTTP to a server and
// imports no service: cmd/iic and tools use it (README, "Client
// configuration").
package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"time"
)

// Names of the client configuration (flags and environment variables) that
// every iic client reads; flags beat variables beat the profile file.
const (
	EnvURL       = "IIC_URL"
	EnvProfile   = "IIC_PROFILE"
	EnvConfigDir = "IIC_CONFIG_DIR"
	// DefaultProfile is the profile used when none is named.
	DefaultProfile = "default"
	// DefaultURL is the server URL when neither a flag, a variable nor the
	// profile names one.
	DefaultURL = "http://127.0.0.1:8080"
)

// Profile is one profile file: where the server is, the OIDC client this
// machine registered there, the tokens of the current sign-in, and the
// account and permission set whose credentials commands sign with.
type Profile struct {
	URL string `json:"url,omitempty"`
	// Account and PermissionSet, when both are set, are the credentials of
	// the profile: commands that sign requests fetch them from the portal
	// API with the sign-in's access token.
	Account       string  `json:"account,omitempty"`
	PermissionSet string  `json:"permission_set,omitempty"`
	Client        *Client `json:"client,omitempty"`
	Token         *Token  `json:"token,omitempty"`
}

// Client is a registration of RegisterClient (a public client).
type Client struct {
	ID              string    `json:"client_id"`
	Secret          string    `json:"client_secret"`
	SecretExpiresAt time.Time `json:"client_secret_expires_at"`
}

// Token is the tokens of a sign-in.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Store is a directory of profile files, one per profile:
// <Dir>/profiles/<name>.json, mode 0600 in a 0700 directory.
type Store struct {
	Dir string
}

// DefaultStore is the store in IIC_CONFIG_DIR, else in iic under the
// user's configuration directory (os.UserConfigDir: $XDG_CONFIG_HOME or
// ~/.config on Linux, ~/Library/Application Support on macOS, %AppData% on
// Windows).
func DefaultStore() (Store, error) {
	if d := os.Getenv(EnvConfigDir); d != "" {
		return Store{Dir: d}, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return Store{}, fmt.Errorf("no configuration directory (set %s): %w", EnvConfigDir, err)
	}
	return Store{Dir: filepath.Join(d, "iic")}, nil
}

var profileName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)

// CheckProfileName refuses a name that is not 1 to 64 letters, digits, '_',
// '.' or '-' (not starting with '.' or '-'): a name is a file name.
func CheckProfileName(name string) error {
	if !profileName.MatchString(name) {
		return fmt.Errorf("profile %q: want 1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-'", name)
	}
	return nil
}

// Path is the file of profile name.
func (s Store) Path(name string) string {
	return filepath.Join(s.Dir, "profiles", name+".json")
}

// ErrNoProfile is Load's error for a profile that has no file.
var ErrNoProfile = errors.New("no such profile")

// Load reads profile name. A missing file is ErrNoProfile (wrapped). A file
// that other users may read or write is refused: it holds tokens that stand
// for the user.
func (s Store) Load(name string) (Profile, error) {
	if err := CheckProfileName(name); err != nil {
		return Profile{}, err
	}
	p := s.Path(name)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Profile{}, fmt.Errorf("profile %q (%s): %w", name, p, ErrNoProfile)
	}
	if err != nil {
		return Profile{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Profile{}, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return Profile{}, fmt.Errorf("%s is accessible to other users (mode %04o): it holds sign-in tokens; run chmod 600 %s, or iic login again", p, fi.Mode().Perm(), p)
	}
	var out Profile
	if err := json.NewDecoder(f).Decode(&out); err != nil {
		return Profile{}, fmt.Errorf("%s: not a profile file: %w", p, err)
	}
	return out, nil
}

// Save writes profile name atomically: a temporary file in the same
// directory, mode 0600, synced, then renamed over the old one, so a reader
// sees the old or the new file and never a part. The directories are
// created 0700.
func (s Store) Save(name string, p Profile) error {
	if err := CheckProfileName(name); err != nil {
		return err
	}
	dir := filepath.Dir(s.Path(name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	// CreateTemp makes the file 0600; Chmod states it for platforms and
	// umasks that would differ.
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return err
	}
	if _, err := f.Write(append(raw, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, s.Path(name))
}

// Delete removes profile name's file; a missing file is no error.
func (s Store) Delete(name string) error {
	if err := CheckProfileName(name); err != nil {
		return err
	}
	if err := os.Remove(s.Path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// lock takes the profile's lock file (<name>.lock beside it, created
// exclusively), waiting up to wait for another process to release it; a
// lock older than stale is taken over (its holder died). The returned
// function releases it. It serializes refreshes: a refresh token is spent
// by its first use, and a second use of it revokes the whole sign-in.
func (s Store) lock(name string, wait, stale time.Duration) (func(), error) {
	dir := filepath.Dir(s.Path(name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, name+".lock")
	deadline := time.Now().Add(wait)
	for {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(p) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > stale {
			os.Remove(p)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("profile %q is locked by another iic command (%s); remove the file if no iic command is running", name, p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/cli"
)

// The options of every command that talks to a running server, the same
// names as in the examples and tools/loadgen (README, "Client
// configuration"); a flag beats its environment variable, which beats the
// profile file:
//
//	--profile NAME  env IIC_PROFILE      default "default"
//	--url URL       env IIC_URL          default the profile's url, else http://127.0.0.1:8080
//	--creds FILE    env IIC_CREDENTIALS  default <IIC_DATA_DIR>/root-credentials.json (./data/...)
//
// Signing commands sign with, in order: --creds; IIC_ACCESS_KEY and
// IIC_SECRET_KEY (+ IIC_SECURITY_TOKEN); IIC_CREDENTIALS; IIC_DATA_DIR's
// root-credentials.json; the profile's account and permission set
// (temporary credentials of its sign-in); ./data/root-credentials.json. A
// profile named by --profile that names an account and a permission set
// beats the variables. Deprecated, still accepted with a warning:
// --endpoint and IIC_ENDPOINT (now --url / IIC_URL), --data-dir DIR (now
// --creds DIR/root-credentials.json).
const (
	clientHelp = `  --profile NAME  profile (env IIC_PROFILE; default "default"); the file is
                  <config dir>/iic/profiles/NAME.json (env IIC_CONFIG_DIR
                  replaces <config dir>/iic)
  --url URL       server base URL (env IIC_URL; default the profile's, else
                  http://127.0.0.1:8080)
`
	targetHelp = clientHelp + `  --creds FILE    credentials file to sign with (env IIC_CREDENTIALS; default
                  <IIC_DATA_DIR>/root-credentials.json, i.e. ./data/root-credentials.json)

IIC_ACCESS_KEY and IIC_SECRET_KEY (and IIC_SECURITY_TOKEN for temporary
credentials), when set and --creds is not given, sign instead of a file. A
profile whose login named --account and --permission-set signs with their
temporary credentials when no --creds, key or file variable is set (or when
--profile names it). A flag beats its environment variable, which beats the
profile file. Deprecated, still accepted with a warning: --endpoint and
IIC_ENDPOINT (use --url, IIC_URL), --data-dir DIR (use --creds
DIR/root-credentials.json).
`
)

// clientFlags are the options naming the profile and the server.
type clientFlags struct {
	fs                     *flag.FlagSet
	url, endpoint, profile string
}

func addClientFlags(fs *flag.FlagSet) *clientFlags {
	c := &clientFlags{fs: fs}
	fs.StringVar(&c.profile, "profile", "", `profile (env IIC_PROFILE; default "default")`)
	fs.StringVar(&c.url, "url", "", "server base URL (env IIC_URL; default the profile's, else "+cli.DefaultURL+")")
	fs.StringVar(&c.endpoint, "endpoint", "", "deprecated: use --url")
	return c
}

func (c *clientFlags) set() map[string]bool {
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// config resolves the profile and the server URL.
func (c *clientFlags) config(stderr io.Writer) (cli.Config, error) {
	set := c.set()
	url := ""
	switch {
	case set["url"]:
		url = c.url
		if url == "" {
			return cli.Config{}, errors.New("--url is empty")
		}
	case set["endpoint"]:
		fmt.Fprintln(stderr, "iic: --endpoint is deprecated, use --url")
		url = c.endpoint
		if url == "" {
			return cli.Config{}, errors.New("--endpoint is empty")
		}
	case os.Getenv(cli.EnvURL) == "" && os.Getenv("IIC_ENDPOINT") != "":
		fmt.Fprintln(stderr, "iic: IIC_ENDPOINT is deprecated, use IIC_URL")
		url = os.Getenv("IIC_ENDPOINT")
	}
	if set["profile"] && c.profile == "" {
		return cli.Config{}, errors.New("--profile is empty")
	}
	return cli.Resolve(url, c.profile)
}

// targetFlags holds the parsed options of a signing command; call resolve
// after fs.Parse.
type targetFlags struct {
	*clientFlags
	creds, dataDir string
}

func addTargetFlags(fs *flag.FlagSet) *targetFlags {
	t := &targetFlags{clientFlags: addClientFlags(fs)}
	fs.StringVar(&t.creds, "creds", "", "credentials file (env IIC_CREDENTIALS; default <IIC_DATA_DIR>/root-credentials.json)")
	fs.StringVar(&t.dataDir, "data-dir", "", "deprecated: use --creds DIR/root-credentials.json")
	return t
}

// target is where a client command sends its signed requests.
type target struct {
	URL    string
	AK, SK string
	Token  string // security token of temporary credentials; "" for a permanent key
}

func (t *targetFlags) resolve(stderr io.Writer) (target, error) {
	cfg, err := t.config(stderr)
	if err != nil {
		return target{}, err
	}
	out := target{URL: cfg.URL}
	set := t.set()
	if set["profile"] && !cfg.Exists {
		return out, fmt.Errorf("profile %q does not exist (%s): run iic login --profile %s", cfg.Profile, cfg.Store.Path(cfg.Profile), cfg.Profile)
	}
	fromProfile := func() (target, error) {
		s := cfg.Session(&http.Client{Timeout: 30 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := s.Credentials(ctx, "", "")
		if err != nil {
			return out, fmt.Errorf("credentials of profile %q: %w", cfg.Profile, err)
		}
		out.AK, out.SK, out.Token = c.AccessKey, c.SecretKey, c.SecurityToken
		return out, nil
	}
	var file string
	switch {
	case set["creds"]:
		file = t.creds
	case set["data-dir"]:
		fmt.Fprintln(stderr, "iic: --data-dir is deprecated here, use --creds DIR/"+app.CredentialsFile)
		file = filepath.Join(t.dataDir, app.CredentialsFile)
	case set["profile"] && cfg.SignsWithProfile():
		return fromProfile()
	case os.Getenv("IIC_ACCESS_KEY") != "" && os.Getenv("IIC_SECRET_KEY") != "":
		out.AK, out.SK, out.Token = os.Getenv("IIC_ACCESS_KEY"), os.Getenv("IIC_SECRET_KEY"), os.Getenv("IIC_SECURITY_TOKEN")
		return out, nil
	case os.Getenv("IIC_CREDENTIALS") != "" || os.Getenv("IIC_DATA_DIR") != "":
		file = credentialsPath()
	case cfg.SignsWithProfile():
		return fromProfile()
	default:
		file = credentialsPath()
	}
	out.AK, out.SK, out.Token, err = readCredentials(file)
	return out, err
}

// credentialsPath is the default credentials file: IIC_CREDENTIALS, else
// root-credentials.json in IIC_DATA_DIR (default ./data), where iic serve
// writes it.
func credentialsPath() string {
	if v := os.Getenv("IIC_CREDENTIALS"); v != "" {
		return v
	}
	return filepath.Join(env("IIC_DATA_DIR", "data"), app.CredentialsFile)
}

// readCredentials reads a credentials file: what iic serve writes
// (access_key, secret_key) or iic credentials --format json (the same plus
// security_token).
func readCredentials(file string) (ak, sk, token string, err error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", "", "", fmt.Errorf("no credentials: %w (point --creds or IIC_CREDENTIALS at the server's %s, set IIC_ACCESS_KEY and IIC_SECRET_KEY, or iic login with --account and --permission-set)", err, app.CredentialsFile)
	}
	var creds struct {
		AccessKey     string `json:"access_key"`
		SecretKey     string `json:"secret_key"`
		SecurityToken string `json:"security_token"`
	}
	if err := json.Unmarshal(raw, &creds); err != nil || creds.AccessKey == "" || creds.SecretKey == "" {
		return "", "", "", fmt.Errorf("%s is not a credentials file (want JSON with access_key and secret_key)", file)
	}
	return creds.AccessKey, creds.SecretKey, creds.SecurityToken, nil
}

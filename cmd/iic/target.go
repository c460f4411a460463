package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/iic-project/iic/internal/app"
)

// The options of every command that talks to a running server, the same
// names as in the examples and tools/loadgen (README, "Talking to a
// server"):
//
//	--url URL     env IIC_URL          default http://127.0.0.1:8080
//	--creds FILE  env IIC_CREDENTIALS  default <IIC_DATA_DIR>/root-credentials.json (./data/...)
//
// IIC_ACCESS_KEY and IIC_SECRET_KEY (both set) sign instead of a file unless
// --creds is given. Deprecated, still accepted with a warning: --endpoint and
// IIC_ENDPOINT (now --url / IIC_URL), --data-dir DIR (now --creds
// DIR/root-credentials.json).
const (
	defaultURL = "http://127.0.0.1:8080"
	targetHelp = `  --url URL      server base URL (env IIC_URL; default http://127.0.0.1:8080)
  --creds FILE   credentials file to sign with (env IIC_CREDENTIALS; default
                 <IIC_DATA_DIR>/root-credentials.json, i.e. ./data/root-credentials.json)

IIC_ACCESS_KEY and IIC_SECRET_KEY, when both are set and --creds is not given,
sign instead of a credentials file. A flag beats its environment variable.
Deprecated, still accepted with a warning: --endpoint and IIC_ENDPOINT (use
--url, IIC_URL), --data-dir DIR (use --creds DIR/root-credentials.json).
`
)

// targetFlags holds the parsed options; call resolve after fs.Parse.
type targetFlags struct {
	fs                            *flag.FlagSet
	url, creds, endpoint, dataDir string
}

func addTargetFlags(fs *flag.FlagSet) *targetFlags {
	t := &targetFlags{fs: fs}
	fs.StringVar(&t.url, "url", "", "server base URL (env IIC_URL; default "+defaultURL+")")
	fs.StringVar(&t.creds, "creds", "", "credentials file (env IIC_CREDENTIALS; default <IIC_DATA_DIR>/root-credentials.json)")
	fs.StringVar(&t.endpoint, "endpoint", "", "deprecated: use --url")
	fs.StringVar(&t.dataDir, "data-dir", "", "deprecated: use --creds DIR/root-credentials.json")
	return t
}

// target is where a client command sends its signed requests.
type target struct {
	URL    string
	AK, SK string
}

func (t *targetFlags) resolve(stderr io.Writer) (target, error) {
	set := map[string]bool{}
	t.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var out target
	switch {
	case set["url"]:
		out.URL = t.url
	case set["endpoint"]:
		fmt.Fprintln(stderr, "iic: --endpoint is deprecated, use --url")
		out.URL = t.endpoint
	case os.Getenv("IIC_URL") != "":
		out.URL = os.Getenv("IIC_URL")
	case os.Getenv("IIC_ENDPOINT") != "":
		fmt.Fprintln(stderr, "iic: IIC_ENDPOINT is deprecated, use IIC_URL")
		out.URL = os.Getenv("IIC_ENDPOINT")
	default:
		out.URL = defaultURL
	}
	out.URL = strings.TrimRight(out.URL, "/")
	if out.URL == "" {
		return out, errors.New("--url is empty")
	}

	var file string
	switch {
	case set["creds"]:
		file = t.creds
	case set["data-dir"]:
		fmt.Fprintln(stderr, "iic: --data-dir is deprecated here, use --creds DIR/"+app.CredentialsFile)
		file = filepath.Join(t.dataDir, app.CredentialsFile)
	case os.Getenv("IIC_ACCESS_KEY") != "" && os.Getenv("IIC_SECRET_KEY") != "":
		out.AK, out.SK = os.Getenv("IIC_ACCESS_KEY"), os.Getenv("IIC_SECRET_KEY")
		return out, nil
	default:
		file = credentialsPath()
	}
	ak, sk, err := readCredentials(file)
	if err != nil {
		return out, err
	}
	out.AK, out.SK = ak, sk
	return out, nil
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

func readCredentials(file string) (ak, sk string, err error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", "", fmt.Errorf("no credentials: %w (point --creds or IIC_CREDENTIALS at the server's %s, or set IIC_ACCESS_KEY and IIC_SECRET_KEY)", err, app.CredentialsFile)
	}
	var creds struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal(raw, &creds); err != nil || creds.AccessKey == "" || creds.SecretKey == "" {
		return "", "", fmt.Errorf("%s is not a credentials file (want JSON with access_key and secret_key)", file)
	}
	return creds.AccessKey, creds.SecretKey, nil
}

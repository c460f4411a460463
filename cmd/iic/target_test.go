package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/cli"
)

func writeCreds(t *testing.T, dir, ak string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "root-credentials.json")
	if err := os.WriteFile(p, []byte(`{"access_key":"`+ak+`","secret_key":"SK-`+ak+`","account_id":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The server URL and the credentials file have one name each (--url /
// IIC_URL, --creds / IIC_CREDENTIALS); the old names still work and warn.
func TestTargetOptions(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeCreds(t, filepath.Join(dir, "data"), "DEFAULT")
	envFile := writeCreds(t, filepath.Join(dir, "env"), "ENVFILE")
	flagFile := writeCreds(t, filepath.Join(dir, "flag"), "FLAGFILE")
	writeCreds(t, filepath.Join(dir, "datadir"), "DATADIR")
	for _, k := range []string{"IIC_URL", "IIC_ENDPOINT", "IIC_CREDENTIALS", "IIC_DATA_DIR", "IIC_ACCESS_KEY", "IIC_SECRET_KEY", "IIC_SECURITY_TOKEN", "IIC_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("IIC_CONFIG_DIR", filepath.Join(dir, "config"))
	st, _ := cli.DefaultStore()
	if err := st.Save("remote", cli.Profile{URL: "http://remote:9"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		url, ak string
		warn    string
	}{
		{name: "defaults", url: "http://127.0.0.1:8080", ak: "DEFAULT"},
		{name: "env", env: map[string]string{"IIC_URL": "http://h:1/", "IIC_CREDENTIALS": envFile}, url: "http://h:1", ak: "ENVFILE"},
		{name: "data dir env", env: map[string]string{"IIC_DATA_DIR": filepath.Join(dir, "datadir")}, ak: "DATADIR", url: "http://127.0.0.1:8080"},
		{name: "flags beat env", env: map[string]string{"IIC_URL": "http://h:1", "IIC_CREDENTIALS": envFile, "IIC_ACCESS_KEY": "A", "IIC_SECRET_KEY": "S"},
			args: []string{"--url", "http://f:2", "--creds", flagFile}, url: "http://f:2", ak: "FLAGFILE"},
		{name: "key pair beats the file env", env: map[string]string{"IIC_CREDENTIALS": envFile, "IIC_ACCESS_KEY": "A", "IIC_SECRET_KEY": "S"},
			url: "http://127.0.0.1:8080", ak: "A"},
		{name: "deprecated flags", args: []string{"--endpoint", "http://old:3", "--data-dir", filepath.Join(dir, "datadir")},
			url: "http://old:3", ak: "DATADIR", warn: "--endpoint is deprecated"},
		{name: "deprecated env", env: map[string]string{"IIC_ENDPOINT": "http://old:4"}, url: "http://old:4", ak: "DEFAULT", warn: "IIC_ENDPOINT is deprecated"},
		{name: "profile URL", args: []string{"--profile", "remote"}, url: "http://remote:9", ak: "DEFAULT"},
		{name: "env profile", env: map[string]string{"IIC_PROFILE": "remote"}, url: "http://remote:9", ak: "DEFAULT"},
		{name: "env URL beats the profile", env: map[string]string{"IIC_URL": "http://h:1"}, args: []string{"--profile", "remote"}, url: "http://h:1", ak: "DEFAULT"},
		{name: "new beats deprecated", env: map[string]string{"IIC_ENDPOINT": "http://old:4", "IIC_URL": "http://new:5"}, url: "http://new:5", ak: "DEFAULT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			tf := addTargetFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			var warn bytes.Buffer
			got, err := tf.resolve(&warn)
			if err != nil {
				t.Fatal(err)
			}
			if got.URL != tc.url || got.AK != tc.ak {
				t.Errorf("got %s %s, want %s %s", got.URL, got.AK, tc.url, tc.ak)
			}
			if tc.warn == "" && warn.Len() > 0 || !strings.Contains(warn.String(), tc.warn) {
				t.Errorf("warnings %q, want %q", warn.String(), tc.warn)
			}
		})
	}
	t.Run("missing profile", func(t *testing.T) {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		tf := addTargetFlags(fs)
		fs.Parse([]string{"--profile", "nope"})
		if _, err := tf.resolve(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "iic login --profile nope") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		tf := addTargetFlags(fs)
		fs.Parse([]string{"--creds", filepath.Join(dir, "nope.json")})
		if _, err := tf.resolve(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "IIC_CREDENTIALS") {
			t.Fatalf("err = %v", err)
		}
	})
}

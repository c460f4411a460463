package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/policy/managed"
)

const keysHelp = `iic keys manages scoped access keys through a running server.

  iic keys create --policy ID|NAME [--policy ...] [--description TEXT] [--user-name LABEL]
  iic keys list
  iic keys delete ACCESS_KEY

A scoped key may do what its policies allow (system-defined policies by id or
name, see "iic policy managed", or custom policy ids of POST /v1/iic/policies).
The secret key is printed once by "create" and cannot be read again.

The commands call the server's admin API (POST/GET/DELETE /v1/iic/access-keys)
signed with AK/SK, so they work with any store and any host:

` + targetHelp

type keysClient struct {
	target
	http *http.Client
}

func keysCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, keysHelp)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub := args[0]
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, keysHelp) }
	tf := addTargetFlags(fs)
	var policies listFlag
	var description, userName string
	if sub == "create" {
		fs.Var(&policies, "policy", "policy id or system-defined policy name (repeatable)")
		fs.StringVar(&description, "description", "", "description of the key")
		fs.StringVar(&userName, "user-name", "", "label of the key (g:UserName in conditions)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	tgt, err := tf.resolve(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "iic keys:", err)
		return 2
	}
	c := &keysClient{target: tgt, http: &http.Client{Timeout: 30 * time.Second}}
	var status int
	var body []byte
	switch {
	case sub == "create" && fs.NArg() == 0:
		if len(policies) == 0 {
			fmt.Fprintln(stderr, "iic keys create: at least one --policy is required")
			return 2
		}
		ids := make([]string, len(policies))
		for i, p := range policies {
			ids[i] = p
			if m, err := managed.ByName(p); err == nil && !managed.IsID(p) {
				ids[i] = m.ID
			}
		}
		req, _ := json.Marshal(map[string]any{"policy_ids": ids, "description": description, "user_name": userName})
		status, body, err = c.do("POST", "/v1/iic/access-keys", req)
	case sub == "list" && fs.NArg() == 0:
		status, body, err = c.do("GET", "/v1/iic/access-keys", nil)
	case sub == "delete" && fs.NArg() == 1:
		status, body, err = c.do("DELETE", "/v1/iic/access-keys/"+fs.Arg(0), nil)
	default:
		fmt.Fprint(stderr, keysHelp)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "iic keys:", err)
		return 1
	}
	if status >= 300 {
		fmt.Fprintf(stderr, "iic keys %s: HTTP %d: %s\n", sub, status, bytes.TrimSpace(body))
		return 1
	}
	if len(body) > 0 {
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "", "  ") == nil {
			body = pretty.Bytes()
		}
		fmt.Fprintf(stdout, "%s\n", body)
	} else {
		fmt.Fprintln(stdout, "deleted")
	}
	return 0
}

func (c *keysClient) do(method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, c.URL+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set(aksk.SecurityTokenHeader, c.Token) // signed, as the SDK signs it
	}
	aksk.Sign(req, c.AK, c.SK, body, time.Now())
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, out, err
}

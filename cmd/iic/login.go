package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/iic-project/iic/internal/cli"
)

const loginHelp = `iic login signs you in from a terminal (the OIDC device grant): it prints a
code and a URL, opens the URL in a browser when there is one, and waits while
you sign in there and approve the code. The tokens are kept in the profile's
file (mode 0600) and refreshed when needed.

  iic login [--url URL] [--profile NAME] [--no-browser]
            [--account ACCOUNT --permission-set NAME]
  iic logout [--profile NAME]
  iic accounts [--profile NAME]
  iic credentials [--account ACCOUNT] [--permission-set NAME]
                  [--format env|json|huaweicloud-cli] [--profile NAME]

--account and --permission-set at login make the profile's credentials:
"iic credentials" without them, and every signing command given no other
credentials (iic keys), use that permission set's temporary credentials.
ACCOUNT is an id or a name; NAME a permission set's name.

Formats of iic credentials: env (export lines: eval "$(iic credentials …)"),
json (access_key, secret_key, security_token, account_id, expiration; a
--creds file), huaweicloud-cli (the hcloud configure set command).

` + clientHelp

// clientCmd is the common part of login, logout, accounts and credentials.
func clientCmd(name string, args []string, stderr io.Writer, extra func(fs *flag.FlagSet)) (cli.Config, int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, loginHelp) }
	cf := addClientFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return cli.Config{}, 0
		}
		return cli.Config{}, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "iic %s: unexpected argument %q\n", name, fs.Arg(0))
		return cli.Config{}, 2
	}
	cfg, err := cf.config(stderr)
	if err == nil {
		err = cli.CheckProfileName(cfg.Profile)
	}
	if err != nil {
		fmt.Fprintf(stderr, "iic %s: %v\n", name, err)
		return cli.Config{}, 2
	}
	return cfg, -1
}

func httpClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

func loginCmd(args []string, stderr io.Writer) int {
	var noBrowser bool
	var account, ps string
	cfg, code := clientCmd("login", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&noBrowser, "no-browser", false, "print the URL only; do not open a browser")
		fs.StringVar(&account, "account", "", "account (id or name) whose credentials the profile signs with")
		fs.StringVar(&ps, "permission-set", "", "permission set (name) whose credentials the profile signs with")
	})
	if code >= 0 {
		return code
	}
	if (account == "") != (ps == "") {
		fmt.Fprintln(stderr, "iic login: --account and --permission-set go together")
		return 2
	}
	ctx, stop := interruptible()
	defer stop()
	opt := cli.LoginOptions{Out: stderr, Account: account, PermissionSet: ps}
	if !noBrowser {
		opt.Open = cli.OpenBrowser
	}
	if err := cfg.Session(httpClient()).Login(ctx, opt); err != nil {
		fmt.Fprintln(stderr, "iic login:", err)
		return 1
	}
	return 0
}

func logoutCmd(args []string, stderr io.Writer) int {
	cfg, code := clientCmd("logout", args, stderr, nil)
	if code >= 0 {
		return code
	}
	ctx, stop := interruptible()
	defer stop()
	if err := cfg.Session(httpClient()).Logout(ctx); err != nil {
		fmt.Fprintln(stderr, "iic logout:", err)
		return 1
	}
	fmt.Fprintf(stderr, "Signed out (profile %q).\n", cfg.Profile)
	return 0
}

func accountsCmd(args []string, stdout, stderr io.Writer) int {
	cfg, code := clientCmd("accounts", args, stderr, nil)
	if code >= 0 {
		return code
	}
	ctx, stop := interruptible()
	defer stop()
	as, err := cfg.Session(httpClient()).Assignments(ctx)
	if err == nil {
		err = cli.WriteAssignments(stdout, as)
	}
	if err != nil {
		fmt.Fprintln(stderr, "iic accounts:", err)
		return 1
	}
	return 0
}

func credentialsCmd(args []string, stdout, stderr io.Writer) int {
	var account, ps, format string
	cfg, code := clientCmd("credentials", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&account, "account", "", "account id or name (default: the profile's)")
		fs.StringVar(&ps, "permission-set", "", "permission set name (default: the profile's)")
		fs.StringVar(&format, "format", cli.FormatEnv, "env, json or huaweicloud-cli")
	})
	if code >= 0 {
		return code
	}
	if err := cli.WriteCredentials(io.Discard, cli.Credentials{}, format, ""); err != nil {
		fmt.Fprintln(stderr, "iic credentials:", err)
		return 2
	}
	ctx, stop := interruptible()
	defer stop()
	c, err := cfg.Session(httpClient()).Credentials(ctx, account, ps)
	if err == nil {
		err = cli.WriteCredentials(stdout, c, format, cfg.Profile)
	}
	if err != nil {
		fmt.Fprintln(stderr, "iic credentials:", err)
		return 1
	}
	return 0
}

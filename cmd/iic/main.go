// Command iic is the self-hosted IAM Identity Center server and its tools.
//
//	iic serve     run the server
//	iic policy    simulate policies offline, list the system-defined ones
//	iic keys      manage scoped access keys through a running server
//	              (--profile / IIC_PROFILE, --url / IIC_URL, --creds /
//	              IIC_CREDENTIALS: target.go)
//	iic login     sign in from a terminal (device grant; login.go), and
//	              iic logout, iic accounts, iic credentials
//	iic sign-in-totp  a new TOTP secret for the sign-in user's virtual MFA
//	              device (totp.go)
//	iic dev seed  bulk-load a large identity store
//	iic version   print the version
//
// Install it with "go install ./cmd/iic" (into $(go env GOPATH)/bin) or
// build it with "go build -o iic ./cmd/iic".
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/signin"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "policy":
		return policyCmd(args[1:], stdout, stderr)
	case "keys":
		return keysCmd(args[1:], stdout, stderr)
	case "dev":
		return devCmd(args[1:], stdout, stderr)
	case "login":
		return loginCmd(args[1:], stderr)
	case "logout":
		return logoutCmd(args[1:], stderr)
	case "accounts":
		return accountsCmd(args[1:], stdout, stderr)
	case "credentials":
		return credentialsCmd(args[1:], stdout, stderr)
	case "sign-in-totp":
		return signInTOTPCmd(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "iic", fullVersion())
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "iic: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `iic — self-hosted IAM Identity Center

Usage:
  iic serve [flags]   run the server (iic serve -h lists the flags)
  iic policy ...      simulate policies offline, list system-defined policies
  iic keys ...        create, list and delete scoped access keys (through a server)
  iic login           sign in from a terminal (iic login -h: logout, accounts, credentials)
  iic logout          end the sign-in
  iic accounts        list your accounts and permission sets
  iic credentials     print temporary credentials of a permission set
  iic sign-in-totp FILE  new TOTP secret of the sign-in user (FILE, for --sign-in-totp-secret-file) and its otpauth URI
  iic dev seed ...    bulk-load a large identity store (benchmarks, load runs)
  iic version         print the version
`)
}

func fullVersion() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return v
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// envInt sets *dst from the environment variable name, or to def when it
// is unset.
func envInt(name string, def int, dst *int) error {
	*dst = def
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("%s %q: want a positive integer", name, v)
		}
		*dst = n
	}
	return nil
}

// envDuration sets *dst from the environment variable name, or to def when
// it is unset.
func envDuration(name string, def time.Duration, dst *time.Duration) error {
	*dst = def
	if v := os.Getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s %q: want a duration such as 1m or 1h", name, v)
		}
		*dst = d
	}
	return nil
}

func serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg app.Config
	var regions string
	fs.StringVar(&cfg.Listen, "listen", env("IIC_LISTEN", "127.0.0.1:8080"), "address to listen on (env IIC_LISTEN)")
	fs.StringVar(&cfg.DataDir, "data-dir", env("IIC_DATA_DIR", "./data"), "data directory: SQLite file, master key, root credentials (env IIC_DATA_DIR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env("IIC_DATABASE_URL", ""), "empty = SQLite in the data dir; postgres://... = PostgreSQL (env IIC_DATABASE_URL)")
	fs.StringVar(&cfg.LogFormat, "log-format", env("IIC_LOG_FORMAT", "text"), "log format: text or json (env IIC_LOG_FORMAT)")
	fs.StringVar(&cfg.LogLevel, "log-level", env("IIC_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env IIC_LOG_LEVEL)")
	fs.StringVar(&cfg.PublicURL, "public-url", env("IIC_PUBLIC_URL", ""), "external base URL of this server, for links, SCIM and SAML endpoints (env IIC_PUBLIC_URL; default http://<listen>)")
	fs.StringVar(&regions, "regions", env("IIC_REGIONS", ""), "comma-separated region names served (env IIC_REGIONS; default: the SDK's identity-store regions)")
	fs.IntVar(&cfg.MaxUsersPerStore, "max-users-per-store", 0, "user quota of each identity store (env IIC_MAX_USERS_PER_STORE; default 100000)")
	fs.IntVar(&cfg.MaxPermissionSets, "max-permission-sets", 0, "permission-set quota of each instance (env IIC_MAX_PERMISSION_SETS; default 2000)")
	ttl := 5 * time.Second
	if v := os.Getenv("IIC_AUTH_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			fmt.Fprintf(stderr, "iic serve: IIC_AUTH_CACHE_TTL %q: want a duration such as 5s or 0\n", v)
			return 2
		}
		ttl = d
	}
	fs.DurationVar(&ttl, "auth-cache-ttl", ttl, "how long a verified access key is reused before the store is read again; a key deleted through another replica keeps working here up to this long (env IIC_AUTH_CACHE_TTL; 0 = no cache)")
	var lease time.Duration
	if v := os.Getenv("IIC_JOB_LEASE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < app.MinJobLease {
			fmt.Fprintf(stderr, "iic serve: IIC_JOB_LEASE %q: want a duration of at least 1s, such as 30s\n", v)
			return 2
		}
		lease = d
	}
	fs.DurationVar(&lease, "job-lease", lease, "how long a background job stays claimed by a replica that stopped extending it (crashed); at least 1s (env IIC_JOB_LEASE; 0 = default 30s)")
	var argonMem, argonIter, argonPar, lockFailures int
	var lockDelay, lockMaxDelay, idle time.Duration
	for _, e := range []error{
		envInt("IIC_ARGON2_MEMORY", int(identity.DefaultArgon2.MemoryKiB), &argonMem),
		envInt("IIC_ARGON2_ITERATIONS", int(identity.DefaultArgon2.Iterations), &argonIter),
		envInt("IIC_ARGON2_PARALLELISM", int(identity.DefaultArgon2.Parallelism), &argonPar),
		envInt("IIC_LOCKOUT_FAILURES", signin.DefaultLockout.MaxFailures, &lockFailures),
		envDuration("IIC_LOCKOUT_DELAY", signin.DefaultLockout.Delay, &lockDelay),
		envDuration("IIC_LOCKOUT_MAX_DELAY", signin.DefaultLockout.MaxDelay, &lockMaxDelay),
		envDuration("IIC_SESSION_IDLE_TIMEOUT", signin.DefaultIdleTimeout, &idle),
	} {
		if e != nil {
			fmt.Fprintln(stderr, "iic serve:", e)
			return 2
		}
	}
	fs.IntVar(&argonMem, "argon2-memory", argonMem, "Argon2id memory of new password hashes, in KiB (env IIC_ARGON2_MEMORY; OWASP's 19 MiB = 19456); other hashes are re-hashed at their user's next sign-in")
	fs.IntVar(&argonIter, "argon2-iterations", argonIter, "Argon2id passes of new password hashes (env IIC_ARGON2_ITERATIONS); memory × passes must be at least 35840 KiB")
	fs.IntVar(&argonPar, "argon2-parallelism", argonPar, "Argon2id lanes of new password hashes (env IIC_ARGON2_PARALLELISM)")
	fs.IntVar(&lockFailures, "lockout-failures", lockFailures, "failed sign-ins of a user name before it is locked (env IIC_LOCKOUT_FAILURES)")
	fs.DurationVar(&lockDelay, "lockout-delay", lockDelay, "the first lock; each failure after a lock doubles it (env IIC_LOCKOUT_DELAY)")
	fs.DurationVar(&lockMaxDelay, "lockout-max-delay", lockMaxDelay, "the longest lock (env IIC_LOCKOUT_MAX_DELAY)")
	fs.DurationVar(&idle, "session-idle-timeout", idle, "a portal session unused this long ends; the instance's max_authentication_age is the absolute limit (env IIC_SESSION_IDLE_TIMEOUT)")
	// The SMTP URL may hold a password: it is never shown as a flag default.
	var signInRoles listFlag
	fs.StringVar(&cfg.SignIn.Name, "sign-in-user", env("IIC_SIGN_IN_USER", ""), "name of the root account's sign-in user for Keystone tokens (POST /v3/auth/tokens), set at start with --sign-in-password-file (env IIC_SIGN_IN_USER; default admin)")
	fs.StringVar(&cfg.SignIn.PasswordFile, "sign-in-password-file", env("IIC_SIGN_IN_PASSWORD_FILE", ""), "file holding the sign-in user's password (the portal's password policy applies; changing it revokes the user's tokens) (env IIC_SIGN_IN_PASSWORD_FILE)")
	fs.StringVar(&cfg.SignIn.TOTPSecretFile, "sign-in-totp-secret-file", env("IIC_SIGN_IN_TOTP_SECRET_FILE", ""), "file holding the base32 secret of the sign-in user's virtual MFA device (iic sign-in-totp makes one); with it a token needs the methods password and totp, without it a stored device is removed (env IIC_SIGN_IN_TOTP_SECRET_FILE)")
	fs.Var(&signInRoles, "sign-in-role", "system role (e.g. \"Security Administrator\") or custom policy id of the sign-in user (repeatable)")
	fs.StringVar(&cfg.SMTPURL, "smtp-url", "", "outgoing e-mail, smtp://user:pass@host:port?from=sender@example.com or smtps://... (env IIC_SMTP_URL; default: no e-mail)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "iic serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if regions != "" {
		for _, r := range strings.Split(regions, ",") {
			cfg.Regions = append(cfg.Regions, strings.TrimSpace(r))
		}
	}
	if cfg.MaxUsersPerStore == 0 {
		if v := os.Getenv("IIC_MAX_USERS_PER_STORE"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				fmt.Fprintf(stderr, "iic serve: IIC_MAX_USERS_PER_STORE %q: want a positive integer\n", v)
				return 2
			}
			cfg.MaxUsersPerStore = n
		}
	}
	if cfg.MaxPermissionSets == 0 {
		if v := os.Getenv("IIC_MAX_PERMISSION_SETS"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				fmt.Fprintf(stderr, "iic serve: IIC_MAX_PERMISSION_SETS %q: want a positive integer\n", v)
				return 2
			}
			cfg.MaxPermissionSets = n
		}
	}
	if cfg.SMTPURL == "" {
		cfg.SMTPURL = os.Getenv("IIC_SMTP_URL")
	}
	cfg.AuthCacheTTL = ttl
	cfg.SignIn.Roles = signInRoles
	cfg.JobLease = lease
	if argonMem <= 0 || argonMem > 1<<22 || argonIter <= 0 || argonIter > 1<<10 || argonPar <= 0 || argonPar > 255 {
		fmt.Fprintf(stderr, "iic serve: --argon2-memory %d, --argon2-iterations %d, --argon2-parallelism %d: want positive values\n", argonMem, argonIter, argonPar)
		return 2
	}
	cfg.Argon2 = identity.Argon2Params{MemoryKiB: uint32(argonMem), Iterations: uint32(argonIter), Parallelism: uint8(argonPar)}
	cfg.Lockout = signin.LockoutPolicy{MaxFailures: lockFailures, Delay: lockDelay, MaxDelay: lockMaxDelay}
	cfg.SessionIdleTimeout = idle
	if ttl == 0 {
		cfg.AuthCacheTTL = -1 // app.Config: negative = no cache
	}
	cfg.MasterKey = os.Getenv("IIC_MASTER_KEY")
	cfg.RootAccessKey = os.Getenv("IIC_ROOT_ACCESS_KEY")
	cfg.RootSecretKey = os.Getenv("IIC_ROOT_SECRET_KEY")
	cfg.LogOutput = stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "iic serve:", err)
		return 1
	}
	defer a.Close()
	if err := a.Serve(ctx, nil); err != nil {
		fmt.Fprintln(stderr, "iic serve:", err)
		return 1
	}
	return 0
}

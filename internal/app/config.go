package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/mail"
	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/portal"
	"github.com/iic-project/iic/internal/signin"
)

// DefaultRegions are the region names served when none are configured: the
// regions the Huawei SDK knows for the identity store.
var DefaultRegions = []string{
	"af-north-1", "af-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
	"cn-east-3", "cn-north-4", "cn-south-1", "cn-south-4", "cn-southwest-2", "la-north-2", "la-south-2", "me-east-1",
	"sa-brazil-1", "tr-west-1",
}

// MinJobLease is the shortest JobLease accepted: the runner extends a
// lease every third of it, and a store write must fit in that.
const MinJobLease = time.Second

// Config is everything the server needs; cmd/iic fills it from flags and
// the environment.
type Config struct {
	Listen string // address to listen on
	// Listener, when set, is what Serve accepts on instead of listening on
	// Listen (tests open it first, to know the port before the services
	// are built with PublicURL).
	Listener    net.Listener
	DataDir     string // where the SQLite file, master key and root credentials live
	DatabaseURL string // "" = SQLite in DataDir; postgres://... = PostgreSQL
	LogFormat   string // "text" or "json"
	LogLevel    string // "debug", "info", "warn", "error"
	LogOutput   io.Writer

	MasterKey     string   // IIC_MASTER_KEY; "" = key file in DataDir
	RootAccessKey string   // IIC_ROOT_ACCESS_KEY
	RootSecretKey string   // IIC_ROOT_SECRET_KEY
	Regions       []string // region names served (projects, RegisterRegion)
	// PublicURL is how clients reach this server (links in e-mails, SCIM
	// endpoint, SAML entity ids); "" = http://<Listen>.
	PublicURL string
	// SignIn sets the root account's sign-in user for Keystone tokens at
	// start (zero = leave it as stored).
	SignIn SignInUser
	// MaxUsersPerStore is the user quota of each identity store
	// (IIC_MAX_USERS_PER_STORE); 0 = 100,000.
	MaxUsersPerStore int
	// MaxPermissionSets is the permission-set quota of each instance
	// (IIC_MAX_PERMISSION_SETS); 0 = 2,000.
	MaxPermissionSets int
	// SMTPURL configures outgoing e-mail (IIC_SMTP_URL), in the form
	// smtp://user:pass@host:port?from=sender@example.com (see package
	// internal/mail); "" = no e-mail: EMAIL password modes and e-mail
	// verification are refused.
	SMTPURL string
	// AuthCacheTTL is how long a verified access key is reused before it is
	// read from the store again (IIC_AUTH_CACHE_TTL): a key deleted or
	// disabled through another replica keeps working here for up to this
	// long. 0 = the default, 5 s; negative = no cache.
	AuthCacheTTL time.Duration
	// BodyBudget and BodyTimeout bound request bodies (see
	// httpx.Middleware); 0 = 32 MiB and 15 s.
	BodyBudget  int64
	BodyTimeout time.Duration
	// JobLease is how long a claimed background job stays claimed without
	// its runner extending it (IIC_JOB_LEASE): a replica that dies mid-job
	// loses the job to another runner this long after its last extension.
	// 0 = the runner's default, 30 s; otherwise at least 1 s.
	JobLease time.Duration

	// Argon2 are the parameters of new password hashes (IIC_ARGON2_*);
	// zero = identity.DefaultArgon2. Hashes of other parameters keep
	// verifying and are re-hashed at their user's next sign-in.
	Argon2 identity.Argon2Params
	// Lockout is the failed-sign-in policy (IIC_LOCKOUT_*); zero fields =
	// signin.DefaultLockout.
	Lockout signin.LockoutPolicy
	// SessionIdleTimeout ends a portal session unused this long
	// (IIC_SESSION_IDLE_TIMEOUT); 0 = 1 h. The instance's
	// max_authentication_age is the absolute limit.
	SessionIdleTimeout time.Duration

	// EnforceDependency says which documented dependencies of an operation
	// are checked (tests); nil = authz.DependencyEnforced, the services iic
	// serves itself.
	EnforceDependency func(action string) bool

	// OIDC holds the OIDC service's lifetimes and limits (tests shorten
	// them); zero fields take oidc.Default.
	OIDC oidc.Config
	// PortalTokens authenticates the portal API's access tokens and
	// PortalLogout revokes one, in place of the OIDC service's (tests
	// inject them); nil = the OIDC service's.
	PortalTokens func(ctx context.Context, accessToken string) (portal.User, error)
	PortalLogout func(ctx context.Context, accessToken string) error

	// Now and Rand are the clock and randomness; nil = time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("--listen %q: want host:port", c.Listen))
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") &&
		!strings.HasPrefix(c.DatabaseURL, "sqlite://") && !strings.HasPrefix(c.DatabaseURL, "file:") {
		errs = append(errs, fmt.Errorf("--database-url must start with postgres://, postgresql://, sqlite:// or file: (or be empty for SQLite in the data dir)"))
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "text"
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	switch c.LogLevel {
	case "":
		c.LogLevel = "info"
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if len(c.Regions) == 0 {
		c.Regions = DefaultRegions
	}
	for _, r := range c.Regions {
		if r == "" || strings.ContainsAny(r, " /,") {
			errs = append(errs, fmt.Errorf("region name %q is not valid", r))
		}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.MaxUsersPerStore < 0 {
		errs = append(errs, fmt.Errorf("--max-users-per-store %d: must be positive (0 = default 100000)", c.MaxUsersPerStore))
	}
	if c.MaxPermissionSets < 0 {
		errs = append(errs, fmt.Errorf("--max-permission-sets %d: must be positive (0 = default 2000)", c.MaxPermissionSets))
	}
	if c.SMTPURL != "" {
		if _, err := mail.ParseURL(c.SMTPURL); err != nil {
			errs = append(errs, fmt.Errorf("--smtp-url: %w", err))
		}
	}
	if c.AuthCacheTTL == 0 {
		c.AuthCacheTTL = 5 * time.Second
	}
	if c.AuthCacheTTL > time.Hour {
		errs = append(errs, fmt.Errorf("--auth-cache-ttl %s: at most 1h (a revoked key must stop working)", c.AuthCacheTTL))
	}
	if c.JobLease != 0 && c.JobLease < MinJobLease {
		errs = append(errs, fmt.Errorf("--job-lease %s: at least %s (0 = default 30s)", c.JobLease, MinJobLease))
	}
	if c.Argon2 == (identity.Argon2Params{}) {
		c.Argon2 = identity.DefaultArgon2
	}
	if err := c.Argon2.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("--argon2-*: %w", err))
	}
	if c.Lockout.MaxFailures < 0 || c.Lockout.MaxFailures > 100 {
		errs = append(errs, fmt.Errorf("--lockout-failures %d: want 1 to 100 (0 = default 5)", c.Lockout.MaxFailures))
	}
	if c.Lockout.Delay < 0 || (c.Lockout.Delay > 0 && c.Lockout.Delay < time.Second) || c.Lockout.Delay > 24*time.Hour {
		errs = append(errs, fmt.Errorf("--lockout-delay %s: want 1s to 24h (0 = default 1m)", c.Lockout.Delay))
	}
	if c.Lockout.MaxDelay < 0 || c.Lockout.MaxDelay > 24*time.Hour || (c.Lockout.MaxDelay > 0 && c.Lockout.MaxDelay < c.Lockout.Delay) {
		errs = append(errs, fmt.Errorf("--lockout-max-delay %s: want --lockout-delay to 24h (0 = default 1h)", c.Lockout.MaxDelay))
	}
	if c.SessionIdleTimeout == 0 {
		c.SessionIdleTimeout = signin.DefaultIdleTimeout
	}
	if c.SessionIdleTimeout < time.Minute || c.SessionIdleTimeout > 90*24*time.Hour {
		errs = append(errs, fmt.Errorf("--session-idle-timeout %s: want 1m to 2160h (0 = default 1h)", c.SessionIdleTimeout))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return errors.Join(errs...)
}

// SignInUser is the root account's sign-in user for Keystone tokens as the
// server is started with it (iic serve --sign-in-user, --sign-in-password-file,
// --sign-in-role, --sign-in-totp-secret-file): PasswordFile holds the
// password (its trailing newline ignored), TOTPSecretFile the base32 secret
// of its virtual MFA device ("" = no device: one stored is removed); nothing
// of either is logged.
type SignInUser struct {
	Name           string
	PasswordFile   string
	Roles          []string
	TOTPSecretFile string
}

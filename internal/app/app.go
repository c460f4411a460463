// Package app is the one wiring point: configuration → store → services →
// http.Handler. Nothing else constructs services or knows every surface.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/iic-project/iic/internal/accesskeys"
	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/api/admin"
	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/api/iamfed"
	"github.com/iic-project/iic/internal/api/idstore"
	"github.com/iic-project/iic/internal/api/iicadmin"
	"github.com/iic-project/iic/internal/api/keystone"
	oidcapi "github.com/iic-project/iic/internal/api/oidc"
	"github.com/iic-project/iic/internal/api/orgs"
	"github.com/iic-project/iic/internal/api/portalapi"
	"github.com/iic-project/iic/internal/api/portalweb"
	"github.com/iic-project/iic/internal/api/scim"
	"github.com/iic-project/iic/internal/api/sts"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/federation"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/idsource"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/mail"
	"github.com/iic-project/iic/internal/metrics"
	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/organization"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/portal"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/tokens"
)

// Periodic jobs wired here (the services' own kinds register themselves).
const (
	// SignatureSweepJob deletes the replay guard's expired records.
	SignatureSweepJob = "authn.signature-sweep"
	// TokenSweepJob deletes expired Keystone tokens every hour.
	TokenSweepJob = "tokens.sweep"
)

// KeepFinishedJobs is how long succeeded and failed jobs stay in the table
// (for inspection) before the hourly jobs.prune deletes them.
const KeepFinishedJobs = 7 * 24 * time.Hour

// sweepBatch is how many rows one sweep step deletes.
const sweepBatch = 5000

// CredentialsFile is the name of the root credentials file in the data dir.
const CredentialsFile = "root-credentials.json"

// App is a wired server.
type App struct {
	Config  Config
	Log     *slog.Logger
	DB      *sqlstore.DB
	Store   store.Store
	Keys    *secrets.Keyring
	Root    account.RootCredentials
	Handler http.Handler
	// Identity is the identity-store service (tests drive portal-side
	// flows, such as opening sessions, through it).
	Identity *identity.Service
	// SignIn is the sign-in service (the portal and the OIDC verification
	// page call it).
	SignIn *signin.Service
	// Tokens issues and validates Keystone tokens (and sets accounts'
	// sign-in users).
	Tokens *tokens.Service
	// Metrics holds the request counters served at /metrics.
	Metrics *metrics.Registry
	// Organizations is the organizations service (Identity Center asks it
	// whose instance a caller administers and which accounts are members).
	Organizations *organization.Service
	// Jobs is the durable background-job runner, started by Serve. Services
	// register their kinds on it in New.
	Jobs *jobs.Runner

	guard  *httpx.Guard
	authn  *authn.Authenticator
	mw     *httpx.Middleware
	center *center.Service
	// Permission is the permission-set service (tests read agencies and
	// run queued requests through it).
	Permission *permission.Service
	// OIDC is the OIDC service (the portal approves device authorizations
	// and the portal API authenticates access tokens through it).
	OIDC *oidc.Service
}

// Ops lists every signed operation the handler serves (route, action,
// resource), for the action-catalog tests.
func (a *App) Ops() []httpx.Op { return a.guard.Ops() }

// New opens the store, bootstraps the root account and builds the handler.
func New(ctx context.Context, cfg Config) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := newLogger(cfg)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	master, err := secrets.LoadMaster(cfg.MasterKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	keys, err := secrets.New(master)
	if err != nil {
		return nil, err
	}
	dsn := cfg.DatabaseURL
	if dsn == "" {
		dsn = filepath.Join(cfg.DataDir, "iic.db")
	}
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, Store: db.Store(), Keys: keys}
	gen := ids.Generator{Rand: cfg.Rand}
	a.Jobs = jobs.New(a.Store, jobs.Options{Log: log, Now: cfg.Now, IDs: gen, Lease: cfg.JobLease})
	a.Jobs.Every(jobs.PruneJob, time.Hour, a.Jobs.PruneFinished(KeepFinishedJobs))
	accounts := &account.Service{Store: a.Store, Keys: keys, IDs: gen, Now: cfg.Now}
	a.Root, err = accounts.Bootstrap(ctx, account.BootstrapOptions{AccessKey: cfg.RootAccessKey, SecretKey: cfg.RootSecretKey, Regions: cfg.Regions})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	path := filepath.Join(cfg.DataDir, CredentialsFile)
	written, err := writeCredentials(path, a.Root)
	if err != nil {
		db.Close()
		return nil, err
	}
	if written {
		log.Info("root credentials written", "path", path, "account_id", a.Root.AccountID, "access_key", a.Root.AccessKey)
	} else {
		log.Info("root credentials unchanged", "path", path, "account_id", a.Root.AccountID)
	}

	pager := paging.NewSigner(keys.Derive("paging"))
	orgSvc := &organization.Service{Store: a.Store, IDs: gen, Now: cfg.Now, Paging: pager, Regions: cfg.Regions}
	a.Organizations = orgSvc
	orgSvc.RegisterJobs(a.Jobs)
	if err := orgSvc.Bootstrap(ctx, a.Root.AccountID); err != nil {
		db.Close()
		return nil, fmt.Errorf("bootstrap the organization: %w", err)
	}
	centerSvc := &center.Service{Store: a.Store, IDs: gen, Now: cfg.Now, Paging: pager, Regions: cfg.Regions, Administrator: orgSvc.Administrator}
	a.center = centerSvc
	centerSvc.RegisterJobs(a.Jobs)
	identitySvc := &identity.Service{Store: a.Store, IDs: gen, Now: cfg.Now, Paging: pager, Keys: keys, Quotas: identity.DefaultQuotas, PublicURL: cfg.PublicURL,
		Hasher: identity.NewArgon2(cfg.Argon2)}
	a.Identity = identitySvc
	identitySvc.RegisterJobs(a.Jobs)
	if cfg.MaxUsersPerStore > 0 {
		identitySvc.Quotas.Users = cfg.MaxUsersPerStore
	}
	if cfg.SMTPURL != "" {
		mailer, err := mail.ParseURL(cfg.SMTPURL)
		if err != nil {
			db.Close()
			return nil, err
		}
		identitySvc.Mailer = mailer
	}
	a.SignIn = &signin.Service{Store: a.Store, Identity: identitySvc, Center: centerSvc, IDs: gen, Now: cfg.Now, Secret: keys.Derive("signin"),
		Lockout: cfg.Lockout, IdleTimeout: cfg.SessionIdleTimeout, Log: log, Keys: keys}
	a.SignIn.RegisterJobs(a.Jobs)
	sourcesSvc := &idsource.Service{Store: a.Store, IDs: gen, Now: cfg.Now, Keys: keys, Identity: identitySvc, PublicURL: cfg.PublicURL}
	authenticator, authorizer := authn.New(a.Store, keys, cfg.Now), authz.NewPolicies(a.Store)
	authenticator.SetCacheTTL(max(cfg.AuthCacheTTL, 0))
	authorizer.CacheTTL = cfg.AuthCacheTTL // the same revocation delay for custom policies
	a.authn = authenticator
	a.Jobs.Every(SignatureSweepJob, time.Minute, jobs.Batches(sweepBatch, authenticator.SweepSignaturesIn))
	authorizer.Logger, authorizer.EnforceDependency = a.Log, cfg.EnforceDependency
	guard := &httpx.Guard{Authz: authorizer, Now: cfg.Now}
	guard.Tenancy = tenancy{center: centerSvc}
	a.guard = guard
	accessSvc := &accesskeys.Service{Store: a.Store, Keys: keys, IDs: gen, Now: cfg.Now, Paging: pager, Authz: authorizer, InvalidateKey: authenticator.Invalidate}
	accessSvc.RegisterJobs(a.Jobs)

	reg := metrics.New()
	a.Metrics = reg
	rt := httpx.NewRouter()
	rt.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	rt.Handle("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.Store.Ping(ctx); err != nil {
			httpx.Logger(r.Context()).Warn("not ready", "err", err.Error())
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "store unreachable or not migrated"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}))
	rt.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		reg.WriteTo(w)
	}))
	permSvc := &permission.Service{Store: a.Store, IDs: gen, Now: cfg.Now, Paging: pager, Quotas: permission.DefaultQuotas,
		Organization: orgSvc, Jobs: a.Jobs}
	if cfg.MaxPermissionSets > 0 {
		permSvc.Quotas.PermissionSets = cfg.MaxPermissionSets
	}
	a.Permission = permSvc
	identitySvc.PrincipalInUse = permission.PrincipalAssigned
	a.Jobs.Register(permission.JobKind, permSvc.HandleJob, jobs.Kind{MaxAttempts: permission.JobMaxAttempts, OnGiveUp: permSvc.GiveUp})
	oidcSvc := &oidc.Service{Store: a.Store, IDs: gen, Now: cfg.Now, PublicURL: cfg.PublicURL, Config: cfg.OIDC}
	a.OIDC = oidcSvc
	oidcSvc.RegisterJobs(a.Jobs)
	portalSvc := &portal.Service{Store: a.Store, Keys: keys, IDs: gen, Now: cfg.Now, Paging: pager, Identity: identitySvc, Center: centerSvc,
		InvalidateKey: authenticator.Invalidate, CacheTTL: cfg.AuthCacheTTL}
	// An administrator's OTP reset, a used set-password link and disabling
	// end the user's sign-ins; the temporary credentials issued in them end
	// with them.
	identitySvc.SignInsEnded = func(ctx context.Context, e identity.EndedSignIns) {
		for _, session := range slices.Concat(portalweb.WebSessions(e.Sessions), e.Grants) {
			if err := portalSvc.EndSession(ctx, session); err != nil {
				a.Log.Error("ending the temporary credentials of an ended sign-in", "identity_store_id", e.IdentityStoreID,
					"user_id", e.UserID, "err", err.Error())
			}
		}
	}
	// Config.PortalTokens/PortalLogout replace the OIDC service behind the
	// portal API in tests.
	portalTokens, portalLogout := oidcTokens(oidcSvc), portalapi.Logout(oidcSvc.Revoke)
	if cfg.PortalTokens != nil {
		portalTokens = cfg.PortalTokens
	}
	if cfg.PortalLogout != nil {
		portalLogout = cfg.PortalLogout
	}

	// Every mount with the authenticator its callers pass (httpx.Authenticator,
	// each producing the authz.Principal):
	//   signed surfaces   AK/SK signature (+ X-Security-Token), then the Guard's authorizer
	//   portal API        the OIDC access token in the access-token header
	//   SCIM              the tenant's bearer token (and SCIM's error dialect)
	//   OIDC              no credential at the transport: client credentials in the body, checked by the service
	//                     (the envelope plus OAuth's error)
	//   web portal        the session cookie (+ the forms' CSRF token; HTML pages as errors)
	// A further credential of the signed surfaces joins signed as one more
	// member of OneOf: a request is authenticated by the one it presents.
	a.Tokens = &tokens.Service{Store: a.Store, Hasher: identitySvc.Hasher, Lockout: cfg.Lockout, IDs: gen, Keys: keys, Now: cfg.Now, CacheTTL: cfg.AuthCacheTTL}
	if err := a.setSignInUser(ctx, cfg.SignIn); err != nil {
		db.Close()
		return nil, err
	}
	a.Jobs.Every(TokenSweepJob, time.Hour, jobs.Batches(sweepBatch, a.Tokens.SweepExpired))
	signed := httpx.OneOf(authn.Unauthorized, httpx.AKSK(authenticator), httpx.XAuthToken(a.Tokens.Authenticate))
	dialects := &httpx.Dialects{}
	guard.Mount(rt, signed, (&admin.API{Center: centerSvc, Permission: permSvc}).Ops())
	guard.Mount(rt, signed, (&keystone.API{Accounts: accounts, PublicURL: cfg.PublicURL}).Ops())
	guard.Mount(rt, signed, (&idstore.API{Identity: identitySvc, Sources: sourcesSvc}).Ops())
	guard.Mount(rt, signed, (&iicadmin.API{Access: accessSvc}).Ops())
	guard.Mount(rt, signed, (&orgs.API{Orgs: orgSvc}).Ops())
	orgs.MountUnsupported(rt)
	guard.Mount(rt, signed, (&sts.API{}).Ops())
	sts.MountUnsupported(rt)
	guard.Mount(rt, signed, (&iamfed.API{Federation: &federation.Service{Store: a.Store, Now: cfg.Now}, PublicURL: cfg.PublicURL}).Ops())
	keystoneTokens := &iamfed.Tokens{Tokens: a.Tokens, Caller: signed, Authz: authorizer, Now: cfg.Now, Regions: cfg.Regions, PublicURL: cfg.PublicURL}
	guard.Mount(rt, signed, keystoneTokens.Ops())
	keystoneTokens.MountIssue(rt)
	iamfed.MountUnsupported(rt)
	(&portalapi.API{Portal: portalSvc, Logout: portalLogout}).Mount(rt, portalapi.AccessTokens(portalTokens))
	(&scim.API{Identity: identitySvc, PublicURL: cfg.PublicURL}).Mount(rt, dialects, scim.BearerTokens(sourcesSvc.AuthenticateSCIMToken))
	(&oidcapi.API{OIDC: oidcSvc}).Mount(rt, dialects, httpx.NoCredential)
	(&portalweb.API{SignIn: a.SignIn, OIDC: oidcSvc, Portal: portalSvc, Identity: identitySvc, PublicURL: cfg.PublicURL,
		Key:    keys.Derive("portal-web-csrf"),
		Stores: portalStores{store: a.Store, center: centerSvc, account: a.Root.AccountID}}).Mount(rt, dialects, portalweb.Sessions(a.SignIn))
	// Everything else under /v3, /v3.0 and /v3-ext (Huawei IAM's Keystone API): error_code/error_msg with
	// Keystone's error object, 405 and 413. Claimed after SCIM, whose /{tenant}/scim/v2 takes any first segment.
	iamfed.ClaimErrors(dialects)

	mw := &httpx.Middleware{Log: log, Metrics: reg, IDs: gen, BodyBudget: cfg.BodyBudget, BodyTimeout: cfg.BodyTimeout, Dialects: dialects}
	a.mw = mw
	a.Handler = mw.Wrap(rt)
	return a, nil
}

// RunJobs runs every background job due now, synchronously, until none is
// due (what the runner started by Serve does in the background), and returns
// how many job steps it ran.
func (a *App) RunJobs(ctx context.Context) (int, error) { return a.Jobs.RunDue(ctx) }

// BodyBytesInUse reports the bytes of request bodies held in memory now.
func (a *App) BodyBytesInUse() int64 { return a.mw.BodyBytesInUse() }

// SweepSignatures deletes the replay guard's expired records (what the
// SignatureSweepJob does every minute) and returns how many.
func (a *App) SweepSignatures(ctx context.Context) (int, error) { return a.authn.SweepSignatures(ctx) }

// Close releases the store.
func (a *App) Close() error { return a.DB.Close() }

// Serve listens on the configured address and serves until ctx is done,
// then shuts down gracefully (in-flight requests get up to 10 s).
func (a *App) Serve(ctx context.Context, ready func(addr net.Addr)) error {
	ln := a.Config.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", a.Config.Listen); err != nil {
			return err
		}
	}
	srv := &http.Server{
		Handler: a.Handler,
		// Headers must arrive within 5 s; the body then has its own
		// deadline (BodyTimeout), set by the middleware.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	a.Log.Info("listening", "addr", ln.Addr().String(), "store", a.DB.Dialect())
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		a.Jobs.Run(jobsCtx)
	}()
	defer func() { stopJobs(); <-jobsDone }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// writeCredentials writes creds to path (mode 0600) unless the file already
// holds exactly them; it reports whether it wrote.
func writeCredentials(path string, creds account.RootCredentials) (bool, error) {
	want, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return false, err
	}
	want = append(want, '\n')
	if have, err := os.ReadFile(path); err == nil && string(have) == string(want) {
		return false, os.Chmod(path, 0o600)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".root-credentials-*")
	if err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, err
	}
	if _, err := tmp.Write(want); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}

func newLogger(cfg Config) *slog.Logger {
	out := cfg.LogOutput
	if out == nil {
		out = os.Stderr
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, opts))
	}
	return slog.New(slog.NewTextHandler(out, opts))
}

// tenancy adapts the center service to the Guard's Tenancy.
type tenancy struct{ center *center.Service }

func (t tenancy) Resolve(ctx context.Context, p *authz.Principal, instanceID, identityStoreID string) (httpx.Tenant, error) {
	ct, err := t.center.Resolve(ctx, p.AccountID, instanceID, identityStoreID)
	return httpx.Tenant{AccountID: ct.AccountID, Instance: ct.Instance}, err
}

// portalStores answers the web portal's questions about identity stores.
type portalStores struct {
	store   store.Store
	center  *center.Service
	account string // the management account
}

func (p portalStores) Default(ctx context.Context) (string, error) {
	page, err := p.center.ListInstances(ctx, p.account, 1, "")
	if err != nil {
		return "", err
	}
	if len(page.Instances) == 0 {
		return "", apierr.IIC1730.New()
	}
	return page.Instances[0].IdentityStoreID, nil
}

func (p portalStores) Exists(ctx context.Context, id string) (bool, error) {
	_, err := p.store.Instances().GetByIdentityStore(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (p portalStores) DevicePermission(ctx context.Context, id string) (string, error) {
	inst, err := p.store.Instances().GetByIdentityStore(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", apierr.IIC1730.New()
	}
	if err != nil {
		return "", err
	}
	return p.center.MFADeviceManagement(ctx, inst)
}

// oidcTokens authenticates the portal API's access tokens with the OIDC
// service: the token's user, and its grant as the sign-in session whose
// credentials Logout ends.
func oidcTokens(svc *oidc.Service) portalapi.TokenAuthenticator {
	return func(ctx context.Context, accessToken string) (portal.User, error) {
		info, err := svc.Authenticate(ctx, accessToken)
		if err != nil {
			return portal.User{}, err
		}
		return portal.User{IdentityStoreID: info.User.IdentityStoreID, UserID: info.User.UserID, Session: info.FamilyID}, nil
	}
}

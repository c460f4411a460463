package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Session is the client side of a profile's sign-in: the profile store,
// the profile's name, and the server it talks to.
type Session struct {
	Store   Store
	Profile string
	// URL is the server (resolved by the caller: flag, variable, profile,
	// default). A profile signed in at another URL is signed in again.
	URL  string
	HTTP *http.Client
	// Now and Sleep stand in for the clock in tests; nil = the real one.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

func (s *Session) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Session) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *Session) api() *API { return NewAPI(s.URL, s.HTTP) }

// clientMargin is how long before its secret expires a registration is
// replaced: a login that starts must not outlive its client.
const clientMargin = time.Hour

// LoginOptions are the terminal's side of a login.
type LoginOptions struct {
	// Out receives the code, the URL and progress (the terminal).
	Out io.Writer
	// Open opens a URL in a browser; nil = do not open one.
	Open func(url string) error
	// Account and PermissionSet, when set, become the profile's
	// credentials (see Profile).
	Account, PermissionSet string
}

// Login runs the device grant: it registers a client for the profile
// unless it holds one that is still valid, starts the device
// authorization, shows the code and the verification URL (and opens it),
// polls the token endpoint at the interval the server asks (RFC 8628 §3.4,
// §3.5: slow_down adds 5 s), and stores the tokens in the profile.
func (s *Session) Login(ctx context.Context, opt LoginOptions) error {
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	p, err := s.Store.Load(s.Profile)
	if err != nil && !errors.Is(err, ErrNoProfile) {
		return err
	}
	if p.URL != s.URL {
		// Registrations and tokens belong to one server.
		p = Profile{URL: s.URL, Account: p.Account, PermissionSet: p.PermissionSet}
	}
	if opt.Account != "" {
		p.Account = opt.Account
	}
	if opt.PermissionSet != "" {
		p.PermissionSet = opt.PermissionSet
	}
	api := s.api()
	fresh := false
	if p.Client == nil || !s.now().Add(clientMargin).Before(p.Client.SecretExpiresAt) {
		fresh = true
		host, _ := os.Hostname()
		name := "iic-cli"
		if host != "" {
			name += " on " + host
		}
		c, err := api.RegisterClient(ctx, name)
		if err != nil {
			return fmt.Errorf("registering a client at %s: %w", s.URL, err)
		}
		p.Client = &c
		// Kept at once: the registration is reused by the next login even
		// if this one is abandoned.
		if err := s.Store.Save(s.Profile, p); err != nil {
			return err
		}
	}
	d, err := api.StartDeviceAuthorization(ctx, *p.Client, s.URL+"/start")
	var ae *Error
	if !fresh && errors.As(err, &ae) && (ae.Code == "IIC.1600" || ae.Code == "IIC.1601" || ae.Code == "IIC.1602") {
		// The registration is gone or expired on the server (swept, or the
		// server's data was reset): register again (once: this time the
		// client is fresh).
		p.Client = nil
		if err := s.Store.Save(s.Profile, p); err != nil {
			return err
		}
		return s.Login(ctx, opt)
	}
	if err != nil {
		return fmt.Errorf("starting the device authorization: %w", err)
	}
	link := d.VerificationURIComplete
	if link == "" {
		link = d.VerificationURI
	}
	fmt.Fprintf(opt.Out, "To sign in, open\n\n  %s\n\nand check that it shows the code\n\n  %s\n\n", link, d.UserCode)
	if opt.Open != nil {
		if err := opt.Open(link); err != nil {
			fmt.Fprintf(opt.Out, "(could not open a browser: %v)\n", err)
		}
	}
	fmt.Fprintln(opt.Out, "Waiting for the approval…")
	tok, err := s.poll(ctx, *p.Client, d)
	if err != nil {
		return err
	}
	p.Token = &tok
	if err := s.Store.Save(s.Profile, p); err != nil {
		return err
	}
	fmt.Fprintf(opt.Out, "Signed in (profile %q, %s). The sign-in is kept in %s.\n", s.Profile, s.URL, s.Store.Path(s.Profile))
	return nil
}

// Errors of the device grant's end states.
var (
	ErrLoginExpired = errors.New("the code expired before it was approved: run iic login again")
	ErrLoginDenied  = errors.New("the sign-in was denied in the browser")
)

// poll polls the token endpoint until the authorization is decided: every
// interval seconds (5 when the server names none), 5 s more after each
// slow_down, until the device code expires.
func (s *Session) poll(ctx context.Context, c Client, d Device) (Token, error) {
	interval := time.Duration(d.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	expires := d.ExpiresIn
	if expires <= 0 {
		expires = 600
	}
	deadline := s.now().Add(time.Duration(expires) * time.Second)
	api := s.api()
	for {
		if err := s.sleep(ctx, interval); err != nil {
			return Token{}, err
		}
		tok, err := api.CreateToken(ctx, c, GrantDeviceCode, d.DeviceCode, s.now())
		if err == nil {
			return tok, nil
		}
		var ae *Error
		if !errors.As(err, &ae) {
			return Token{}, err
		}
		switch ae.OAuth {
		case "authorization_pending":
		case "slow_down":
			interval += 5 * time.Second
		case "expired_token":
			return Token{}, ErrLoginExpired
		case "access_denied":
			return Token{}, ErrLoginDenied
		default:
			return Token{}, fmt.Errorf("waiting for the approval: %w", err)
		}
		if !s.now().Before(deadline) {
			return Token{}, ErrLoginExpired
		}
	}
}

// ErrNotSignedIn is the error of a profile without a usable sign-in.
var ErrNotSignedIn = errors.New("not signed in")

// refreshMargin is how long before its expiry an access token is replaced.
const refreshMargin = time.Minute

// AccessToken returns a valid access token of the profile, refreshing it
// with the refresh token when it expired (or is about to), and storing the
// rotated refresh token. Refreshes of one profile are serialized across
// processes (a refresh token works once).
func (s *Session) AccessToken(ctx context.Context) (string, Profile, error) {
	return s.accessToken(ctx, "")
}

// accessToken is AccessToken that also refreshes when the stored access
// token is refused, the one the server just refused (revoked before its
// expiry).
func (s *Session) accessToken(ctx context.Context, refused string) (string, Profile, error) {
	p, err := s.loadSignedIn()
	if err != nil {
		return "", p, err
	}
	valid := func() bool {
		return p.Token.AccessToken != refused && s.now().Add(refreshMargin).Before(p.Token.ExpiresAt)
	}
	if valid() {
		return p.Token.AccessToken, p, nil
	}
	unlock, err := s.Store.lock(s.Profile, 30*time.Second, time.Minute)
	if err != nil {
		return "", p, err
	}
	defer unlock()
	// Another process may have refreshed while this one waited.
	if p, err = s.loadSignedIn(); err != nil {
		return "", p, err
	}
	if valid() {
		return p.Token.AccessToken, p, nil
	}
	relogin := fmt.Errorf("%w: the sign-in of profile %q ended; run iic login --profile %s", ErrNotSignedIn, s.Profile, s.Profile)
	if p.Token.RefreshToken == "" || p.Client == nil {
		return "", p, relogin
	}
	tok, err := s.api().CreateToken(ctx, *p.Client, GrantRefreshToken, p.Token.RefreshToken, s.now())
	var ae *Error
	if errors.As(err, &ae) && ae.Status < 500 {
		// Spent, revoked or past the sign-in's 8 hours; or the client is
		// gone: only a new login helps. The dead tokens are dropped.
		p.Token = nil
		if serr := s.Store.Save(s.Profile, p); serr != nil {
			return "", p, serr
		}
		return "", p, fmt.Errorf("%w (refresh: %v)", relogin, err)
	}
	if err != nil {
		return "", p, fmt.Errorf("refreshing the access token: %w", err)
	}
	p.Token = &tok
	if err := s.Store.Save(s.Profile, p); err != nil {
		return "", p, err
	}
	return tok.AccessToken, p, nil
}

func (s *Session) loadSignedIn() (Profile, error) {
	p, err := s.Store.Load(s.Profile)
	if errors.Is(err, ErrNoProfile) {
		return p, fmt.Errorf("%w: profile %q has no sign-in; run iic login --profile %s", ErrNotSignedIn, s.Profile, s.Profile)
	}
	if err != nil {
		return p, err
	}
	if p.Token == nil || p.Token.AccessToken == "" {
		return p, fmt.Errorf("%w: profile %q has no sign-in; run iic login --profile %s", ErrNotSignedIn, s.Profile, s.Profile)
	}
	if p.URL != "" && p.URL != s.URL {
		return p, fmt.Errorf("%w: profile %q is signed in at %s, not %s; run iic login --profile %s --url %s", ErrNotSignedIn, s.Profile, p.URL, s.URL, s.Profile, s.URL)
	}
	return p, nil
}

// Logout ends the profile's sign-in on the server (POST /v1/logout: the
// token, its refresh token and the credentials issued with it die) and
// deletes its tokens from the profile, keeping the URL and the client. A
// token the server no longer knows is no error.
func (s *Session) Logout(ctx context.Context) error {
	p, err := s.Store.Load(s.Profile)
	if errors.Is(err, ErrNoProfile) {
		return nil
	}
	if err != nil {
		return err
	}
	if p.Token == nil {
		return nil
	}
	if p.URL == "" {
		p.URL = s.URL
	}
	err = NewAPI(p.URL, s.HTTP).Logout(ctx, p.Token.AccessToken)
	var ae *Error
	if err != nil && !(errors.As(err, &ae) && ae.Status == http.StatusUnauthorized) {
		return fmt.Errorf("logout at %s: %w", p.URL, err)
	}
	p.Token = nil
	return s.Store.Save(s.Profile, p)
}

// Assignment is an account with the agencies (permission sets) assigned to
// the user in it.
type Assignment struct {
	Account  Account
	Agencies []Agency
}

// withToken runs fn with the profile's access token. When the server
// refuses the token (401: revoked before its expiry) it refreshes once and
// runs fn again; fn must be safe to repeat.
func (s *Session) withToken(ctx context.Context, fn func(access string, p Profile) error) error {
	access, p, err := s.accessToken(ctx, "")
	if err != nil {
		return err
	}
	err = fn(access, p)
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		return err
	}
	if access, p, err = s.accessToken(ctx, access); err != nil {
		return err
	}
	return fn(access, p)
}

// Assignments lists the user's accounts and their permission sets.
func (s *Session) Assignments(ctx context.Context) ([]Assignment, error) {
	var out []Assignment
	err := s.withToken(ctx, func(access string, _ Profile) error {
		api := s.api()
		accts, err := api.Accounts(ctx, access)
		if err != nil {
			return err
		}
		out = make([]Assignment, 0, len(accts))
		for _, a := range accts {
			ags, err := api.Agencies(ctx, access, a.ID)
			if err != nil {
				return err
			}
			out = append(out, Assignment{Account: a, Agencies: ags})
		}
		return nil
	})
	return out, err
}

// Credentials gets temporary credentials of permission set ps in account
// (an id or a name; "" for either = the profile's). The permission set is
// matched by name, then by agency name or URN.
func (s *Session) Credentials(ctx context.Context, account, ps string) (Credentials, error) {
	var out Credentials
	err := s.withToken(ctx, func(access string, p Profile) error {
		account, ps := account, ps
		if account == "" {
			account = p.Account
		}
		if ps == "" {
			ps = p.PermissionSet
		}
		if account == "" || ps == "" {
			return fmt.Errorf("name the account and the permission set (--account, --permission-set; iic accounts lists them)")
		}
		api := s.api()
		accts, err := api.Accounts(ctx, access)
		if err != nil {
			return err
		}
		acct, err := pickAccount(accts, account)
		if err != nil {
			return err
		}
		ags, err := api.Agencies(ctx, access, acct.ID)
		if err != nil {
			return err
		}
		ag, err := pickAgency(ags, acct, ps)
		if err != nil {
			return err
		}
		out, err = api.AgencyCredentials(ctx, access, acct.ID, ag.URN)
		return err
	})
	return out, err
}

func pickAccount(accts []Account, want string) (Account, error) {
	for _, a := range accts {
		if a.ID == want {
			return a, nil
		}
	}
	var hits []Account
	for _, a := range accts {
		if a.Name == want {
			hits = append(hits, a)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		names := make([]string, len(accts))
		for i, a := range accts {
			names[i] = a.Name + " (" + a.ID + ")"
		}
		return Account{}, fmt.Errorf("no account %q is assigned to you; yours: %s", want, orNone(names))
	}
	return Account{}, fmt.Errorf("%d accounts are named %q: name it by id", len(hits), want)
}

func pickAgency(ags []Agency, acct Account, want string) (Agency, error) {
	for _, match := range []func(Agency) bool{
		func(a Agency) bool { return a.PermissionSetName == want },
		func(a Agency) bool { return a.Name == want || a.URN == want },
	} {
		for _, a := range ags {
			if match(a) {
				return a, nil
			}
		}
	}
	names := make([]string, len(ags))
	for i, a := range ags {
		names[i] = a.PermissionSetName
	}
	return Agency{}, fmt.Errorf("no permission set %q is assigned to you in account %s (%s); yours there: %s", want, acct.Name, acct.ID, orNone(names))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// OpenBrowser opens url in the desktop's browser, or answers an error when
// there is no desktop (no DISPLAY or WAYLAND_DISPLAY on Linux and the
// BSDs, an SSH session on macOS).
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		if os.Getenv("SSH_CONNECTION") != "" {
			return errors.New("an SSH session: open the URL on your computer")
		}
		cmd = exec.Command("open", url)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no display: open the URL on any device")
		}
		cmd = exec.Command("xdg-open", url)
	}
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it; the browser outlives the command
	return nil
}

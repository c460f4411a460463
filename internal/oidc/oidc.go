// Package oidc is the OIDC service (the SDK's identitycenteroidc): client
// registration, the OAuth 2.0 device authorization grant (RFC 8628), the
// refresh-token grant with rotation and reuse detection, the authorization
// code grant with PKCE S256 required (RFC 7636), and the opaque access tokens
// that authenticate a signed-in user on the portal API.
//
// Every secret it hands out — client secrets, device codes, user codes,
// access and refresh tokens, authorization codes — is random, shown once
// and stored only as its SHA-256 (secrets.TokenHash); a look-up is by hash
// and the one comparison made in Go (the client secret) is constant-time.
//
// Errors are apierr errors; those of the token endpoint are wrapped in an
// *Error naming the OAuth 2.0 error code they mean (RFC 6749 §5.2,
// RFC 8628 §3.5), which the surface renders beside the product's envelope.
package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/ttlcache"
)

// Grant types (RFC 6749, RFC 8628).
const (
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
)

// Config holds the service's lifetimes and limits; a zero field takes its
// Default value.
type Config struct {
	// SecretTTL is how long a client secret is valid (client_secret_expires_at);
	// afterwards a correct secret gets 403 IIC.1602.
	SecretTTL time.Duration
	// ClientTTL is how long a registration lasts; afterwards a correct
	// secret gets 403 IIC.1601 (unless the secret expired first).
	ClientTTL time.Duration
	// ClientGrace is how long an expired registration is kept (answering
	// IIC.1601/1602 instead of IIC.1600) before the sweep deletes it with
	// its tokens.
	ClientGrace time.Duration
	// DeviceTTL is a device code's lifetime (expires_in).
	DeviceTTL time.Duration
	// Interval is the initial polling interval; each slow_down adds 5 s.
	Interval time.Duration
	// AccessTTL is an access token's lifetime (expires_in).
	AccessTTL time.Duration
	// SessionTTL is a token family's absolute lifetime: refresh tokens
	// rotate within it and never extend it.
	SessionTTL time.Duration
	// CodeTTL is an authorization code's lifetime.
	CodeTTL time.Duration
	// GuessWindow and GuessesPerKey bound wrong user codes: at most
	// GuessesPerKey per client address (IPv6: per /64) and per signed-in
	// user in each window; beyond, codes are not even checked (IIC.1722).
	GuessWindow   time.Duration
	GuessesPerKey int
	// GuessesPerCode ends a pending device authorization once this many
	// wrong user codes were entered anywhere while it was pending: each
	// wrong code is a guess at every pending one.
	GuessesPerCode int64
	// ClientCacheTTL is how long a client read (found or not) is reused
	// by the client authentication of the device and token endpoints; < 0
	// reads the store every time. A registration never changes once
	// written; what a cached read may miss is the sweep deleting an expired
	// client on another replica, whose requests then get the expiry's
	// answer (IIC.1601/1602) instead of IIC.1600 for at most this long.
	ClientCacheTTL time.Duration
}

// Default is the configuration a zero Config field takes.
var Default = Config{
	SecretTTL:      90 * 24 * time.Hour,
	ClientTTL:      90 * 24 * time.Hour,
	ClientGrace:    30 * 24 * time.Hour,
	DeviceTTL:      10 * time.Minute,
	Interval:       5 * time.Second,
	AccessTTL:      time.Hour,
	SessionTTL:     8 * time.Hour,
	CodeTTL:        5 * time.Minute,
	GuessWindow:    15 * time.Minute,
	GuessesPerKey:  10,
	GuessesPerCode: 1000,
	ClientCacheTTL: 5 * time.Second,
}

func (c Config) withDefaults() Config {
	d := Default
	pick := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&c.SecretTTL, d.SecretTTL)
	pick(&c.ClientTTL, d.ClientTTL)
	pick(&c.ClientGrace, d.ClientGrace)
	pick(&c.DeviceTTL, d.DeviceTTL)
	pick(&c.Interval, d.Interval)
	pick(&c.AccessTTL, d.AccessTTL)
	pick(&c.SessionTTL, d.SessionTTL)
	pick(&c.CodeTTL, d.CodeTTL)
	pick(&c.GuessWindow, d.GuessWindow)
	if c.GuessesPerKey <= 0 {
		c.GuessesPerKey = d.GuessesPerKey
	}
	if c.GuessesPerCode <= 0 {
		c.GuessesPerCode = d.GuessesPerCode
	}
	if c.ClientCacheTTL == 0 {
		c.ClientCacheTTL = d.ClientCacheTTL
	}
	return c
}

// Service implements the OIDC operations.
type Service struct {
	Store store.Store
	IDs   ids.Generator
	Now   func() time.Time
	// PublicURL is the server's external base URL (no trailing slash), for
	// the endpoints and verification URIs it hands out.
	PublicURL string
	Config    Config

	// clients caches client reads, found or not (Config.ClientCacheTTL).
	clients ttlcache.Cache[string, cachedClient]
}

// cachedClient is a client read: the client, or found false.
type cachedClient struct {
	client store.OIDCClient
	found  bool
}

// Endpoints of the portal and of this service, relative to PublicURL.
const (
	VerificationPath  = "/start/device"
	AuthorizationPath = "/start/authorize"
	TokenPath         = "/v1/tokens"
)

func (s *Service) cfg() Config { return s.Config.withDefaults() }

// Error is an apierr error of the token endpoint with the OAuth 2.0 error
// code it means ("invalid_client", "authorization_pending", ...).
type Error struct {
	OAuth string
	Err   *apierr.Error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// OAuthCode returns the OAuth 2.0 error code inside err, or "".
func OAuthCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.OAuth
	}
	return ""
}

func oauth(code string, e *apierr.Error) error { return &Error{OAuth: code, Err: e} }

func invalidParam(what string) error {
	return oauth("invalid_request", apierr.IIC1606_400.New(what))
}

// invalidGrant is every refused device code, refresh token or
// authorization code: unknown, another client's, expired, used.
func invalidGrant() error { return oauth("invalid_grant", apierr.IIC1604.New()) }

// UserRef names a user of an identity store.
type UserRef struct {
	IdentityStoreID string
	UserID          string
}

// ---- clients

// NewClient is the input of RegisterClient, as the SDK's model has it.
type NewClient struct {
	Name                    string
	Type                    string // "public"
	TokenEndpointAuthMethod string // "client_secret_post"
	Scopes                  []string
	GrantTypes              []string
	ResponseTypes           []string
}

// Registration is a registered client and its secret, shown only here.
type Registration struct {
	Client store.OIDCClient
	Secret string
}

// AuthorizationEndpoint and TokenEndpoint are the absolute URLs a client
// is given.
func (s *Service) AuthorizationEndpoint() string { return s.PublicURL + AuthorizationPath }
func (s *Service) TokenEndpoint() string         { return s.PublicURL + TokenPath }

const (
	maxScopes   = 25
	maxScopeLen = 256
)

// RegisterClient registers a public client. Its secret is returned once;
// only the SHA-256 is stored.
func (s *Service) RegisterClient(ctx context.Context, in NewClient) (Registration, error) {
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 1024 || !printable(in.Name) {
		return Registration{}, invalidParam("client_name must be 1 to 1024 printable characters")
	}
	if in.Type != "public" {
		return Registration{}, invalidParam(`client_type must be "public"`)
	}
	if in.TokenEndpointAuthMethod != "client_secret_post" {
		return Registration{}, invalidParam(`token_endpoint_auth_method must be "client_secret_post"`)
	}
	scopes, err := checkScopes(in.Scopes)
	if err != nil {
		return Registration{}, err
	}
	var grants []string
	for _, g := range in.GrantTypes {
		switch g {
		case GrantDeviceCode, GrantAuthorizationCode, GrantRefreshToken:
		default:
			return Registration{}, invalidParam("grant_types: " + quote(g) + " is not one of " + GrantDeviceCode + ", " + GrantAuthorizationCode + ", " + GrantRefreshToken)
		}
		if !contains(grants, g) {
			grants = append(grants, g)
		}
	}
	if len(grants) == 0 {
		return Registration{}, invalidParam("grant_types must name at least one grant type")
	}
	for _, r := range in.ResponseTypes {
		if r != "code" {
			return Registration{}, invalidParam(`response_types: ` + quote(r) + ` is not "code"`)
		}
	}
	c := s.cfg()
	now := s.now()
	secret := s.IDs.Token(64)
	cl := store.OIDCClient{
		ID: s.IDs.Hex(16), Name: in.Name, SecretHash: secrets.TokenHash(secret), Scopes: scopes, GrantTypes: grants,
		CreatedAt: now, SecretExpiresAt: now.Add(c.SecretTTL), ExpiresAt: now.Add(c.ClientTTL),
	}
	if err := s.Store.OIDC().CreateClient(ctx, cl); err != nil {
		return Registration{}, err
	}
	if c.ClientCacheTTL > 0 {
		s.clients.Put(cl.ID, cachedClient{cl, true}, now.Add(c.ClientCacheTTL))
	}
	return Registration{Client: cl, Secret: secret}, nil
}

// noClient is the hash a presented secret of an unknown client is compared
// with, so that an unknown client and a wrong secret cost the same.
var noClient = secrets.TokenHash("no such client")

// authenticateClient checks a client id and secret. An unknown client and
// a wrong secret get one answer (404 IIC.1600) after the same work: one
// client read (from the store, or the short cache of reads that holds
// unknown ids as it holds known ones) and one constant-time comparison of
// SHA-256 values. Only a caller holding the secret learns that it or the
// registration expired.
func (s *Service) authenticateClient(ctx context.Context, id, secret string) (store.OIDCClient, error) {
	if id == "" || secret == "" {
		return store.OIDCClient{}, invalidParam("client_id and client_secret are required")
	}
	presented := secrets.TokenHash(secret)
	want := noClient
	cl, found, err := s.readClient(ctx, truncate(id, 128))
	if err != nil {
		return store.OIDCClient{}, err
	}
	if found {
		want = cl.SecretHash
	}
	if subtle.ConstantTimeCompare(presented, want) != 1 || !found || len(id) > 128 {
		return store.OIDCClient{}, oauth("invalid_client", apierr.IIC1600.New())
	}
	now := s.now()
	if !now.Before(cl.SecretExpiresAt) {
		return store.OIDCClient{}, oauth("invalid_client", apierr.IIC1602.New())
	}
	if !now.Before(cl.ExpiresAt) {
		return store.OIDCClient{}, oauth("invalid_client", apierr.IIC1601.New())
	}
	return cl, nil
}

// readClient reads a client through the cache of reads: found is false
// for an unknown id; err is a store fault (never cached).
func (s *Service) readClient(ctx context.Context, id string) (store.OIDCClient, bool, error) {
	ttl := s.cfg().ClientCacheTTL
	now := s.now()
	if ttl > 0 {
		if c, ok := s.clients.Get(id, now); ok {
			return c.client, c.found, nil
		}
	}
	cl, err := s.Store.OIDC().GetClient(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.OIDCClient{}, false, err
	}
	found := err == nil
	if ttl > 0 {
		s.clients.Put(id, cachedClient{cl, found}, now.Add(ttl))
	}
	return cl, found, nil
}

// forgetClients empties the cache of client reads (after the sweep deleted
// clients).
func (s *Service) forgetClients() { s.clients.Clear() }

// ---- helpers

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// checkScopes validates a scope list (RFC 6749 §3.3 scope-tokens) and
// removes duplicates.
func checkScopes(in []string) ([]string, error) {
	if len(in) > maxScopes {
		return nil, invalidParam("scopes holds more than 25 scopes")
	}
	var out []string
	for _, sc := range in {
		if len(sc) == 0 || len(sc) > maxScopeLen {
			return nil, invalidParam("a scope must be 1 to 256 characters")
		}
		for i := 0; i < len(sc); i++ {
			if c := sc[i]; c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e {
				return nil, invalidParam("scope " + quote(sc) + " holds a character RFC 6749 does not allow in a scope")
			}
		}
		if !contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// narrowScopes returns requested if it is a subset of granted (granted when
// requested is empty), else an invalid_scope error.
func narrowScopes(requested, granted []string) ([]string, error) {
	req, err := checkScopes(requested)
	if err != nil {
		return nil, err
	}
	if len(req) == 0 {
		return granted, nil
	}
	for _, sc := range req {
		if !contains(granted, sc) {
			return nil, oauth("invalid_scope", apierr.IIC1606_400.New("scope "+quote(sc)+" was not granted"))
		}
	}
	return req, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func quote(s string) string { return `"` + truncate(strings.ToValidUTF8(s, "?"), 64) + `"` }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// addressKey is the guess-counter key of a client address: IPv4 addresses
// as they are, IPv6 addresses by their /64 (one end site holds a whole /64).
func addressKey(address string) string {
	a, err := netip.ParseAddr(address)
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(address); err2 == nil {
			a, err = ap.Addr(), nil
		}
	}
	if err != nil {
		return "addr:" + truncate(address, 64)
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + a.String()
}

func userKey(u UserRef) string { return "user:" + u.IdentityStoreID + "/" + u.UserID }

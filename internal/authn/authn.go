// Package authn authenticates AK/SK-signed requests: it parses the
// signature, finds the access key, checks the date window, the body hash,
// the security token of temporary credentials and the X-Domain-Id /
// X-Project-Id scope, refuses a replayed write, and returns the Principal.
// Every failure is a 401 IIC.1410 with a message that says what to fix and
// never contains a secret.
package authn

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/ttlcache"
)

// MaxSkew is how far X-Sdk-Date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// ReplayGrace is how long after its first use a signed write may arrive
// again. The scheme has no nonce and X-Sdk-Date counts whole seconds, so
// two identical requests a client signs within one second (the Huawei SDK
// does, e.g. two SP-certificate creates in a row) carry the same
// signature; they arrive within about a second of each other. A later use
// is a replay and is refused until the signature's date leaves the window.
const ReplayGrace = 2 * time.Second

// Authenticator verifies signed requests against the credential store.
type Authenticator struct {
	store store.Store
	keys  *secrets.Keyring
	now   func() time.Time
	// ttl is how long a credential read from the store is reused
	// (DefaultCacheTTL unless SetCacheTTL).
	ttl time.Duration

	// projects caches project id → account id (projects never move).
	projects sync.Map
	// cache holds recently used credentials with their opened secrets.
	cache ttlcache.Cache[string, *cachedCredential]
	// dummy is the signing key used for unknown access keys, so that an
	// unknown key costs the same work as a wrong signature.
	dummy *aksk.Key
}

// New returns an Authenticator. now is the clock (time.Now in production).
func New(st store.Store, keys *secrets.Keyring, now func() time.Time) *Authenticator {
	return &Authenticator{store: st, keys: keys, now: now, ttl: DefaultCacheTTL, dummy: aksk.NewKey(keys.Derive("authn-dummy"))}
}

// SetCacheTTL sets how long a credential read from the store is reused: a
// key deleted or disabled on another replica keeps working there for up to
// ttl (0 = read the store on every request). Call it before serving.
func (a *Authenticator) SetCacheTTL(ttl time.Duration) { a.ttl = ttl }

// Options say what one operation accepts of a signature.
type Options struct {
	// UnsignedPayload accepts a signed "X-Sdk-Content-Sha256:
	// UNSIGNED-PAYLOAD", the SDK's marker for a body it does not sign.
	// Only operations whose real clients send non-JSON bodies that way
	// (form posts) set it.
	UnsignedPayload bool
	// ReadOnly says the operation changes nothing (its documented access
	// level is List or Read), so a repeat of its request is not replay-
	// guarded even when it is a POST (e.g. GetUserId, IsMemberInGroups).
	ReadOnly bool
}

// singleHeaders (in canonical form) must appear at most once: with two,
// different parts of the server could read different values.
var singleHeaders = []string{"Authorization", aksk.DateHeader, aksk.SecurityTokenHeader, "X-Domain-Id", "X-Project-Id"}

// isWrite reports whether method may change state; writes are replay-
// guarded.
func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// SecretAAD is the associated data a credential's sealed secret is bound to.
func SecretAAD(ak string) []byte { return []byte("credential-secret:" + ak) }

// header is r.Header.Get(name) for a name in canonical form.
func header(r *http.Request, name string) string {
	if v := r.Header[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Unauthorized is the error of every authentication failure of a signed
// request: 401 IIC.1410 with msg (capitalized) saying what to fix.
func Unauthorized(msg string) error {
	if msg != "" && 'a' <= msg[0] && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	return apierr.IIC1410_401.New(msg)
}

// errBadCredentials is the one answer for an unknown access key and a wrong
// signature, so that the reply does not reveal which access keys exist.
const errBadCredentials = "Signature verification failed: the access key does not exist or the signature does not match (check the AK/SK pair and that the request was not altered)"

// Authenticate checks r (whose body is body) and returns the caller. A
// write (any method but GET, HEAD and OPTIONS, unless opt.ReadOnly) is
// replay-guarded: its signature is recorded until its X-Sdk-Date leaves
// the ±MaxSkew window, and the same signature arriving ReplayGrace or more
// after its first use is refused; the principal's ReplayKey is that
// signature (see Release).
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte, opt Options) (*authz.Principal, error) {
	for _, h := range singleHeaders {
		if len(r.Header[h]) > 1 { // the names are canonical: no need to canonicalize
			return nil, Unauthorized("The " + h + " header was sent more than once: send it once")
		}
	}
	auth, err := aksk.ParseAuthorization(header(r, "Authorization"))
	if err != nil {
		return nil, Unauthorized(err.Error())
	}
	date := header(r, aksk.DateHeader)
	if date == "" {
		return nil, Unauthorized("Missing X-Sdk-Date header")
	}
	signedAt, err := aksk.ParseDate(date)
	if err != nil {
		return nil, Unauthorized("Malformed X-Sdk-Date header: want YYYYMMDDTHHMMSSZ (UTC)")
	}
	if d := a.now().Sub(signedAt); d > MaxSkew || d < -MaxSkew {
		return nil, Unauthorized("Request expired: X-Sdk-Date is more than 15 minutes away from the server time")
	}

	cred, key, known, err := a.lookup(ctx, auth.AccessKey)
	if err != nil {
		return nil, err
	}
	ok, err := aksk.VerifyKey(r, auth, body, date, key, opt.UnsignedPayload)
	switch {
	case errors.Is(err, aksk.ErrBadQuery):
		return nil, Unauthorized("Malformed query string: it cannot be canonicalized for signature verification")
	case err != nil:
		return nil, Unauthorized(err.Error())
	}
	if !ok || !known {
		return nil, Unauthorized(errBadCredentials)
	}
	if cred.Disabled {
		return nil, Unauthorized("The access key is disabled")
	}
	token := header(r, aksk.SecurityTokenHeader)
	now := a.now()
	switch cred.Kind {
	case store.KindTemporary:
		if token == "" {
			return nil, Unauthorized("Temporary credentials require the X-Security-Token header")
		}
		if sum := secrets.TokenSum(token); subtle.ConstantTimeCompare(sum[:], cred.TokenHash) != 1 {
			return nil, Unauthorized("The security token does not belong to this access key")
		}
		if !cred.ExpiresAt.IsZero() && !now.Before(cred.ExpiresAt) {
			return nil, Unauthorized("The temporary credentials have expired")
		}
	default:
		if token != "" {
			return nil, Unauthorized("X-Security-Token was sent with a permanent access key")
		}
	}
	if d := header(r, "X-Domain-Id"); d != "" && d != cred.AccountID {
		return nil, Unauthorized("X-Domain-Id does not match the account of the access key")
	}
	project := header(r, "X-Project-Id")
	if p := project; p != "" {
		owner, err := a.projectAccount(ctx, p)
		if err != nil {
			return nil, err
		}
		if owner != cred.AccountID {
			return nil, Unauthorized("X-Project-Id does not belong to the account of the access key")
		}
	}
	var replayKey []byte
	if isWrite(r.Method) && !opt.ReadOnly {
		replayKey = bytes.Clone(auth.Signature[:])
		first, err := a.store.Signatures().Claim(ctx, replayKey, now, signedAt.Add(MaxSkew+time.Second))
		if err != nil {
			return nil, err
		}
		if now.Sub(first) >= ReplayGrace {
			return nil, Unauthorized("Replayed request: this signed request was already received. Sign every request anew")
		}
	}
	return &authz.Principal{
		ReplayKey:   replayKey,
		Kind:        kindOf(cred.Kind),
		AccountID:   cred.AccountID,
		AccessKey:   cred.AccessKey,
		UserID:      cred.UserID,
		UserName:    cred.UserName,
		SessionName: cred.SessionName,
		AgencyURN:   cred.AgencyURN,
		ExpiresAt:   cred.ExpiresAt,
		Tags:        cred.PrincipalTags,
		PolicyIDs:   cred.PolicyIDs,
		Agency:      cred.Agency,
		ProjectID:   project,
	}, nil
}

// lookup returns the credential and its signing key, from the cache when
// fresh. An unknown key yields known=false and the dummy key.
func (a *Authenticator) lookup(ctx context.Context, ak string) (store.Credential, *aksk.Key, bool, error) {
	now := a.now()
	if e, ok := a.cache.Get(ak, now); ok {
		return e.cred, e.key, true, nil
	}
	cred, err := a.store.Credentials().Get(ctx, ak)
	if errors.Is(err, store.ErrNotFound) {
		return cred, a.dummy, false, nil
	}
	if err != nil {
		return cred, nil, false, err
	}
	secret, err := a.keys.Open(cred.SecretSealed, SecretAAD(cred.AccessKey))
	if err != nil {
		return cred, nil, false, err
	}
	key := aksk.NewKey(secret)
	if a.ttl > 0 {
		a.cache.Put(ak, &cachedCredential{cred: cred, key: key}, now.Add(a.ttl))
	}
	return cred, key, true, nil
}

// Release forgets the replay record of p's request, so that the same
// signed request may be sent again. The guard calls it when a write failed
// with a server fault (5xx) and so had no effect.
func (a *Authenticator) Release(ctx context.Context, p *authz.Principal) error {
	if p == nil || p.ReplayKey == nil {
		return nil
	}
	return a.store.Signatures().Release(ctx, p.ReplayKey)
}

// SweepSignatures deletes expired replay records in batches until none is
// left or ctx ends; it returns how many it deleted.
func (a *Authenticator) SweepSignatures(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := a.store.Signatures().Sweep(ctx, a.now(), 5000)
		total += n
		if err != nil || n < 5000 {
			return total, err
		}
	}
}

// SweepSignaturesIn deletes up to limit expired replay records through tx
// (one step of the periodic sweep job) and returns how many.
func (a *Authenticator) SweepSignaturesIn(ctx context.Context, tx store.Store, limit int) (int, error) {
	return tx.Signatures().Sweep(ctx, a.now(), limit)
}

func (a *Authenticator) projectAccount(ctx context.Context, projectID string) (string, error) {
	if v, ok := a.projects.Load(projectID); ok {
		return v.(string), nil
	}
	p, err := a.store.Projects().Get(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return "", Unauthorized("X-Project-Id does not belong to the account of the access key")
	}
	if err != nil {
		return "", err
	}
	a.projects.Store(projectID, p.AccountID)
	return p.AccountID, nil
}

func kindOf(k store.CredentialKind) authz.Kind {
	switch k {
	case store.KindRoot:
		return authz.KindRoot
	case store.KindTemporary:
		return authz.KindTemporary
	}
	return authz.KindScoped
}

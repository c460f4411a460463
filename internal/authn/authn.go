// Package authn authenticates AK/SK-signed requests: it parses the
// signature, finds the access key, checks the date window, the security token
// of temporary credentials and the X-Domain-Id / X-Project-Id scope, and
// returns the Principal. Every failure is a 401 IIC.1410 with a message that
// says what to fix and never contains a secret.
package authn

import (
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
)

// MaxSkew is how far X-Sdk-Date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// Authenticator verifies signed requests against the credential store.
type Authenticator struct {
	store store.Store
	keys  *secrets.Keyring
	now   func() time.Time

	// projects caches project id → account id (projects never move).
	projects sync.Map
	// cache holds recently used credentials with their opened secrets.
	cache credentialCache
	// dummy is the HMAC key used for unknown access keys, so that an
	// unknown key costs the same work as a wrong signature.
	dummy []byte
}

// New returns an Authenticator. now is the clock (time.Now in production).
func New(st store.Store, keys *secrets.Keyring, now func() time.Time) *Authenticator {
	return &Authenticator{store: st, keys: keys, now: now, dummy: keys.Derive("authn-dummy")}
}

// SecretAAD is the associated data a credential's sealed secret is bound to.
func SecretAAD(ak string) []byte { return []byte("credential-secret:" + ak) }

func unauthorized(msg string) error {
	if msg != "" && 'a' <= msg[0] && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	return apierr.IIC1410_401.New(msg)
}

// errBadCredentials is the one answer for an unknown access key and a wrong
// signature, so that the reply does not reveal which access keys exist.
const errBadCredentials = "Signature verification failed: the access key does not exist or the signature does not match (check the AK/SK pair and that the request was not altered)"

// Authenticate checks r (whose body is body) and returns the caller.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte) (*authz.Principal, error) {
	auth, err := aksk.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return nil, unauthorized(err.Error())
	}
	date := r.Header.Get(aksk.DateHeader)
	if date == "" {
		return nil, unauthorized("Missing X-Sdk-Date header")
	}
	signedAt, err := aksk.ParseDate(date)
	if err != nil {
		return nil, unauthorized("Malformed X-Sdk-Date header: want YYYYMMDDTHHMMSSZ (UTC)")
	}
	if d := a.now().Sub(signedAt); d > MaxSkew || d < -MaxSkew {
		return nil, unauthorized("Request expired: X-Sdk-Date is more than 15 minutes away from the server time")
	}

	cred, secret, known, err := a.lookup(ctx, auth.AccessKey)
	if err != nil {
		return nil, err
	}
	ok, err := aksk.Verify(r, auth, body, date, secret)
	if err != nil {
		return nil, unauthorized("Malformed query string: it cannot be canonicalized for signature verification")
	}
	if !ok || !known {
		return nil, unauthorized(errBadCredentials)
	}
	if cred.Disabled {
		return nil, unauthorized("The access key is disabled")
	}
	token := r.Header.Get(aksk.SecurityTokenHeader)
	now := a.now()
	switch cred.Kind {
	case store.KindTemporary:
		if token == "" {
			return nil, unauthorized("Temporary credentials require the X-Security-Token header")
		}
		if subtle.ConstantTimeCompare(secrets.TokenHash(token), cred.TokenHash) != 1 {
			return nil, unauthorized("The security token does not belong to this access key")
		}
		if !cred.ExpiresAt.IsZero() && !now.Before(cred.ExpiresAt) {
			return nil, unauthorized("The temporary credentials have expired")
		}
	default:
		if token != "" {
			return nil, unauthorized("X-Security-Token was sent with a permanent access key")
		}
	}
	if d := r.Header.Get("X-Domain-Id"); d != "" && d != cred.AccountID {
		return nil, unauthorized("X-Domain-Id does not match the account of the access key")
	}
	if p := r.Header.Get("X-Project-Id"); p != "" {
		owner, err := a.projectAccount(ctx, p)
		if err != nil {
			return nil, err
		}
		if owner != cred.AccountID {
			return nil, unauthorized("X-Project-Id does not belong to the account of the access key")
		}
	}
	return &authz.Principal{
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
	}, nil
}

// lookup returns the credential and its secret, from the cache when fresh.
// An unknown key yields known=false and the dummy secret.
func (a *Authenticator) lookup(ctx context.Context, ak string) (store.Credential, []byte, bool, error) {
	now := a.now()
	if e := a.cache.get(ak, now); e != nil {
		return e.cred, e.secret, true, nil
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
	a.cache.put(ak, &cachedCredential{cred: cred, secret: secret, until: now.Add(CacheTTL)})
	return cred, secret, true, nil
}

func (a *Authenticator) projectAccount(ctx context.Context, projectID string) (string, error) {
	if v, ok := a.projects.Load(projectID); ok {
		return v.(string), nil
	}
	p, err := a.store.Projects().Get(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return "", unauthorized("X-Project-Id does not belong to the account of the access key")
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

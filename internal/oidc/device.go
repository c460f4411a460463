package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// UserCodeAlphabet is the alphabet of user codes: 20 consonants, no vowels
// (no words), none that reads as a digit or another letter (no I, O, U, Y).
// A code is 8 of them shown as XXXX-XXXX: 20^8 ≈ 2.6·10^10 codes (34.6 bits).
const UserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

const userCodeLen = 8

// NormalizeUserCode returns the canonical XXXX-XXXX form of a user code as
// a person may type it: any case, with or without the dash, surrounding or
// inner spaces ignored. ok is false for anything that is not 8 letters of
// UserCodeAlphabet.
func NormalizeUserCode(in string) (code string, ok bool) {
	if len(in) > 64 {
		return "", false
	}
	var b [userCodeLen]byte
	n := 0
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '-' || c == ' ' || c == '\t':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		if strings.IndexByte(UserCodeAlphabet, c) < 0 || n == userCodeLen {
			return "", false
		}
		b[n] = c
		n++
	}
	if n != userCodeLen {
		return "", false
	}
	return string(b[:4]) + "-" + string(b[4:]), true
}

// userCodeSpace is 20^8, the number of user codes.
const userCodeSpace = 20 * 20 * 20 * 20 * 20 * 20 * 20 * 20

// userCodeOf is the user code of a device code, in canonical form: the
// first 8 bytes of a domain-separated SHA-256 of the device code, as a
// number below 20^8 (bias under 10^-9) written in UserCodeAlphabet. The
// store finds a device authorization by its user code alone, so a poll,
// which presents the device code, names its row without a second index;
// the row's device-code hash is then compared in full, because a device
// code with a chosen user code takes only about 2^34 hashes to find.
// A poll cannot choose which row it reads short of that search either.
func userCodeOf(deviceCode string) string {
	h := sha256.New()
	h.Write([]byte("iic device authorization user code\x00"))
	h.Write([]byte(deviceCode))
	var sum [sha256.Size]byte
	n := binary.BigEndian.Uint64(h.Sum(sum[:0])) % userCodeSpace
	var b [userCodeLen + 1]byte
	for i := userCodeLen; i >= 0; i-- {
		if i == 4 {
			b[i] = '-'
			continue
		}
		b[i] = UserCodeAlphabet[n%20]
		n /= 20
	}
	return string(b[:])
}

// DeviceStart is the answer of StartDeviceAuthorization.
type DeviceStart struct {
	DeviceCode              string
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	ExpiresIn               int // seconds
	Interval                int // seconds
}

// StartDeviceAuthorization begins a device authorization for an
// authenticated client that registered the device-code grant. startURL is
// the portal the user signs in to; it must be an absolute http(s) URL (the
// one portal of this server answers whichever alias the client used).
func (s *Service) StartDeviceAuthorization(ctx context.Context, clientID, clientSecret, startURL string) (DeviceStart, error) {
	cl, err := s.authenticateClient(ctx, clientID, clientSecret)
	if err != nil {
		return DeviceStart{}, err
	}
	if u, err := url.Parse(startURL); startURL == "" || len(startURL) > 2048 || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return DeviceStart{}, invalidParam("start_url must be the absolute http(s) URL of the user portal")
	}
	if !contains(cl.GrantTypes, GrantDeviceCode) {
		return DeviceStart{}, oauth("unauthorized_client", apierr.IIC1609.New("the device code grant"))
	}
	c := s.cfg()
	now := s.now()
	for attempt := 0; ; attempt++ {
		device := s.IDs.Token(43)
		user := userCodeOf(device)
		d := store.OIDCDeviceAuth{
			DeviceCodeHash: secrets.TokenHash(device), UserCodeHash: secrets.TokenHash(user), ClientID: cl.ID, Scopes: cl.Scopes,
			CreatedAt: now, ExpiresAt: now.Add(c.DeviceTTL), IntervalSeconds: int(c.Interval / time.Second), Status: store.DevicePending,
		}
		err := s.Store.OIDC().CreateDeviceAuth(ctx, d)
		// A live user code drawn twice (about one in 2.6·10^10 per pair):
		// draw another device code.
		if errors.Is(err, store.ErrConflict) && store.ConflictKey(err) != store.KeyReference && attempt < 3 {
			continue
		}
		if err != nil {
			return DeviceStart{}, err
		}
		verify := s.PublicURL + VerificationPath
		return DeviceStart{
			DeviceCode: device, UserCode: user, VerificationURI: verify,
			VerificationURIComplete: verify + "?user_code=" + url.QueryEscape(user),
			ExpiresIn:               int(c.DeviceTTL / time.Second), Interval: d.IntervalSeconds,
		}, nil
	}
}

// slowDownStep is what each slow_down adds to the interval (RFC 8628 §3.5).
const slowDownStep = 5

// deviceGrant answers a token request with a device code (RFC 8628 §3.4,
// §3.5): authorization_pending (400 IIC.1608) while the user has not
// decided, slow_down (IIC.1608 too, and the interval grows by 5 s) when
// polled faster than the interval, access_denied (404 IIC.1613) once denied,
// expired_token (401 IIC.1604) after expires_in or once too many wrong user
// codes were entered while it was pending, and the tokens once approved —
// exactly once.
func (s *Service) deviceGrant(ctx context.Context, cl store.OIDCClient, in TokenRequest) (Tokens, error) {
	if !contains(cl.GrantTypes, GrantDeviceCode) {
		return Tokens{}, oauth("unauthorized_client", apierr.IIC1609.New("the device code grant"))
	}
	if in.DeviceCode == "" {
		return Tokens{}, invalidParam("device_code is required for the device code grant")
	}
	hash := secrets.TokenHash(userCodeOf(in.DeviceCode))
	d, err := s.Store.OIDC().GetDeviceAuth(ctx, hash)
	if errors.Is(err, store.ErrNotFound) ||
		(err == nil && (subtle.ConstantTimeCompare(d.DeviceCodeHash, secrets.TokenHash(in.DeviceCode)) != 1 || d.ClientID != cl.ID)) {
		return Tokens{}, invalidGrant()
	}
	if err != nil {
		return Tokens{}, err
	}
	now := s.now()
	if !now.Before(d.ExpiresAt) || (d.Status == store.DevicePending && d.WrongGuessesSince >= s.cfg().GuessesPerCode) {
		return Tokens{}, oauth("expired_token", apierr.IIC1604.New())
	}
	switch d.Status {
	case store.DeviceDenied:
		if err := s.Store.OIDC().DeleteDeviceAuth(ctx, hash); err != nil && !errors.Is(err, store.ErrNotFound) {
			return Tokens{}, err
		}
		return Tokens{}, oauth("access_denied", apierr.IIC1613.New())
	case store.DeviceApproved:
		scopes, err := narrowScopes(in.Scopes, d.Scopes)
		if err != nil {
			return Tokens{}, err
		}
		var out Tokens
		err = s.Store.WithTx(ctx, func(tx store.Store) error {
			if err := tx.OIDC().DeleteDeviceAuth(ctx, hash); err != nil {
				return err
			}
			var err error
			out, err = s.issue(ctx, tx, cl.ID, UserRef{d.IdentityStoreID, d.UserID}, scopes, "", now.Add(s.cfg().SessionTTL))
			return err
		})
		if errors.Is(err, store.ErrNotFound) || store.ConflictKey(err) == store.KeyReference {
			// Another poll took it, or the user is gone.
			return Tokens{}, invalidGrant()
		}
		return out, err
	}
	slow := false
	err = s.Store.OIDC().UpdateDeviceAuth(ctx, hash, func(x *store.OIDCDeviceAuth) error {
		if !x.LastPolledAt.IsZero() && now.Sub(x.LastPolledAt) < time.Duration(x.IntervalSeconds)*time.Second {
			x.IntervalSeconds += slowDownStep
			slow = true
		}
		x.LastPolledAt = now
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Tokens{}, err
	}
	if slow {
		return Tokens{}, oauth("slow_down", apierr.IIC1608.New())
	}
	return Tokens{}, oauth("authorization_pending", apierr.IIC1608.New())
}

// PendingDevice is what the verification page shows before the user
// decides.
type PendingDevice struct {
	ClientID   string
	ClientName string
	Scopes     []string
	ExpiresAt  time.Time
}

// DescribeDevice returns the pending device authorization a user code
// names, for the verification page to show; wrong codes count as
// ApproveDevice's do.
func (s *Service) DescribeDevice(ctx context.Context, userCode string, user UserRef, address string) (PendingDevice, error) {
	d, err := s.pendingByUserCode(ctx, userCode, user, address)
	if err != nil {
		return PendingDevice{}, err
	}
	cl, err := s.Store.OIDC().GetClient(ctx, d.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return PendingDevice{}, apierr.IIC1704.New()
	}
	if err != nil {
		return PendingDevice{}, err
	}
	return PendingDevice{ClientID: cl.ID, ClientName: cl.Name, Scopes: d.Scopes, ExpiresAt: d.ExpiresAt}, nil
}

// ApproveDevice approves the device authorization a user code names for a
// signed-in user (the portal's verification page calls it after sign-in);
// the client's next poll gets tokens for that user. address is the
// browser's address.
//
// Guessing is bounded: a wrong code (400 IIC.1704) counts against the
// address (IPv6: its /64) and the user, and once either has GuessesPerKey
// wrong codes in the current GuessWindow no code is checked for them
// (400 IIC.1722) until the window ends; every wrong code also counts against
// every pending authorization, which dies (expired_token) at GuessesPerCode.
// A code that is right but expired is IIC.1704 without counting; one
// already decided is IIC.1725.
func (s *Service) ApproveDevice(ctx context.Context, userCode string, user UserRef, address string) error {
	return s.decide(ctx, userCode, user, address, store.DeviceApproved)
}

// DenyDevice denies the device authorization a user code names (the
// client's next poll gets access_denied); its checks are ApproveDevice's.
func (s *Service) DenyDevice(ctx context.Context, userCode string, user UserRef, address string) error {
	return s.decide(ctx, userCode, user, address, store.DeviceDenied)
}

func (s *Service) decide(ctx context.Context, userCode string, user UserRef, address, status string) error {
	if user.IdentityStoreID == "" || user.UserID == "" {
		return apierr.IIC1606_400.New("a signed-in user is required")
	}
	d, err := s.pendingByUserCode(ctx, userCode, user, address)
	if err != nil {
		return err
	}
	err = s.Store.OIDC().UpdateDeviceAuth(ctx, d.UserCodeHash, func(x *store.OIDCDeviceAuth) error {
		if x.Status != store.DevicePending {
			return apierr.IIC1725.New()
		}
		x.Status, x.IdentityStoreID, x.UserID = status, user.IdentityStoreID, user.UserID
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1704.New()
	}
	return err
}

// pendingByUserCode finds the live, pending device authorization of a user
// code, counting a wrong code against the address and the user.
func (s *Service) pendingByUserCode(ctx context.Context, userCode string, user UserRef, address string) (store.OIDCDeviceAuth, error) {
	c := s.cfg()
	now := s.now()
	window := now.Truncate(c.GuessWindow)
	keys := []string{addressKey(address), userKey(user)}
	counts, err := s.Store.OIDC().WrongGuesses(ctx, keys, window)
	if err != nil {
		return store.OIDCDeviceAuth{}, err
	}
	for _, n := range counts {
		if n >= c.GuessesPerKey {
			return store.OIDCDeviceAuth{}, apierr.IIC1722.New()
		}
	}
	wrong := func() (store.OIDCDeviceAuth, error) {
		if _, err := s.Store.OIDC().CountWrongGuess(ctx, keys, window); err != nil {
			return store.OIDCDeviceAuth{}, err
		}
		return store.OIDCDeviceAuth{}, apierr.IIC1704.New()
	}
	code, ok := NormalizeUserCode(userCode)
	if !ok {
		return wrong()
	}
	d, err := s.Store.OIDC().GetDeviceAuth(ctx, secrets.TokenHash(code))
	if errors.Is(err, store.ErrNotFound) {
		return wrong()
	}
	if err != nil {
		return store.OIDCDeviceAuth{}, err
	}
	if !now.Before(d.ExpiresAt) || d.WrongGuessesSince >= c.GuessesPerCode {
		return store.OIDCDeviceAuth{}, apierr.IIC1704.New()
	}
	if d.Status != store.DevicePending {
		return store.OIDCDeviceAuth{}, apierr.IIC1725.New()
	}
	return d, nil
}

package identity

import (
	"context"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// MFA device kinds (the SDK's mfa_type values).
const (
	MFATypeTOTP     = "TOTP"
	MFATypeWebAuthn = "WEBAUTHN"
)

// Device names shown beside the display name, per kind.
var deviceNames = map[string]string{MFATypeTOTP: "Authenticator app", MFATypeWebAuthn: "Security key"}

const (
	// MaxMFADevices is how many MFA devices a user may hold, of any kind
	// (the product quota: 2 per user, not adjustable).
	MaxMFADevices = 2
	// MFARegistrationTTL is how long an admin-issued registration link
	// stays valid.
	MFARegistrationTTL = 24 * time.Hour
	// MFARegisterPath is the portal page a registration link opens.
	MFARegisterPath = "/start/mfa/register"

	totpPeriod = 30 // seconds
	totpSkew   = 1  // steps accepted either side of now
	totpIssuer = "iic"
)

// MFADevice is a device as the API shows it: no secret material.
type MFADevice struct {
	ID          string
	Type        string
	DeviceName  string
	DisplayName string
	CreatedAt   time.Time
	LastUsedAt  time.Time
}

func publicDevice(d store.MFADevice) MFADevice {
	return MFADevice{ID: d.ID, Type: d.Type, DeviceName: d.DeviceName, DisplayName: d.DisplayName, CreatedAt: d.CreatedAt, LastUsedAt: d.LastUsedAt}
}

// MFARegistrationLink is what RegisterMfaDevice hands the admin: a one-time
// link for the user to set a device up in the portal.
type MFARegistrationLink struct {
	Token       string // the one-time token (only its hash is stored)
	RedirectURL string
	ExpiresAt   time.Time
}

func deviceAAD(storeID, deviceID string) []byte {
	return []byte("mfa-device:" + storeID + ":" + deviceID)
}

func registrationAAD(tokenHash []byte) []byte {
	return []byte("mfa-registration:" + hex.EncodeToString(tokenHash))
}

// userOf checks the instance and the user; 404 IIC.1312 if the user is
// not in the store.
func (s *Service) userOf(ctx context.Context, storeID, userID string) (store.User, error) {
	u, err := s.Store.Users().Get(ctx, storeID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return u, apierr.IIC1312.New()
	}
	return u, err
}

// RegisterMfaDevice starts an admin-initiated device registration: it
// issues a one-time link to the portal's registration page, valid for
// MFARegistrationTTL. Earlier unused links of the user stop working. A user
// who already holds MaxMFADevices devices gets 400 IIC.1388.
func (s *Service) RegisterMfaDevice(ctx context.Context, c Caller, storeID, userID string) (MFARegistrationLink, error) {
	if _, err := s.userOf(ctx, storeID, userID); err != nil {
		return MFARegistrationLink{}, err
	}
	now := s.Now().UTC()
	link := MFARegistrationLink{Token: s.IDs.Token(43), ExpiresAt: now.Add(MFARegistrationTTL)}
	link.RedirectURL = s.PublicURL + MFARegisterPath + "?token=" + url.QueryEscape(link.Token)
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		have, err := tx.Devices().ListDevices(ctx, storeID, userID)
		if err != nil {
			return err
		}
		if len(have) >= MaxMFADevices {
			return apierr.IIC1388.New()
		}
		if _, err := tx.Devices().DeleteRegistrationsOfUser(ctx, storeID, userID); err != nil {
			return err
		}
		err = tx.Devices().CreateRegistration(ctx, store.MFARegistration{
			TokenHash: secrets.TokenHash(link.Token), IdentityStoreID: storeID, UserID: userID,
			CreatedAt: now, CreatedBy: c.Actor, ExpiresAt: link.ExpiresAt,
		})
		if errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1312.New()
		}
		return err
	})
	return link, err
}

// ListMfaDevices returns a user's devices, oldest first; 404 IIC.1312 for
// an unknown user.
func (s *Service) ListMfaDevices(ctx context.Context, storeID, userID string) ([]MFADevice, error) {
	if _, err := s.userOf(ctx, storeID, userID); err != nil {
		return nil, err
	}
	return s.devicesOf(ctx, storeID, userID)
}

func (s *Service) devicesOf(ctx context.Context, storeID, userID string) ([]MFADevice, error) {
	rows, err := s.Store.Devices().ListDevices(ctx, storeID, userID)
	if err != nil {
		return nil, err
	}
	out := make([]MFADevice, 0, len(rows))
	for _, d := range rows {
		out = append(out, publicDevice(d))
	}
	return out, nil
}

// UserDevices is one entry of BatchListMfaDevices.
type UserDevices struct {
	UserID  string
	Devices []MFADevice
}

// BatchListMfaDevices returns the devices of each of 1 to 100 users, in
// the order asked; duplicates are answered once and unknown users are left
// out (as DescribeUsers does).
func (s *Service) BatchListMfaDevices(ctx context.Context, storeID string, userIDs []string) ([]UserDevices, error) {
	if len(userIDs) == 0 || len(userIDs) > 100 {
		return nil, badRequest("user_list must hold 1 to 100 users")
	}
	out := make([]UserDevices, 0, len(userIDs))
	seen := map[string]bool{}
	for i, id := range userIDs {
		if id == "" {
			return nil, badRequest("user_list[%d].user_id is required", i)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := s.Store.Users().Get(ctx, storeID, id); errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		ds, err := s.devicesOf(ctx, storeID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, UserDevices{UserID: id, Devices: ds})
	}
	return out, nil
}

// ValidDeviceDisplayName checks a device's display name: 1 to 64
// characters, no control characters (400 IIC.400 otherwise).
func ValidDeviceDisplayName(name string) error { return validDeviceDisplayName(name) }

func validDeviceDisplayName(name string) error {
	if err := checkLen("display_name", name, 1, 64); err != nil {
		return err
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return badRequest("display_name must not contain control characters")
		}
	}
	return nil
}

// UpdateMfaDevice renames a device (display_name, 1 to 64 characters).
// Unknown user: 404 IIC.1312; unknown device: 400 IIC.1387.
func (s *Service) UpdateMfaDevice(ctx context.Context, storeID, userID, deviceID, displayName string) error {
	if err := validDeviceDisplayName(displayName); err != nil {
		return err
	}
	if _, err := s.userOf(ctx, storeID, userID); err != nil {
		return err
	}
	err := s.Store.Devices().UpdateDevice(ctx, storeID, userID, deviceID, func(d *store.MFADevice) error {
		d.DisplayName = displayName
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1387.New(deviceID)
	}
	return err
}

// DeleteMfaDevice removes a device. Unknown user: 404 IIC.1312; unknown
// device: 400 IIC.1387.
func (s *Service) DeleteMfaDevice(ctx context.Context, storeID, userID, deviceID string) error {
	if _, err := s.userOf(ctx, storeID, userID); err != nil {
		return err
	}
	err := s.Store.Devices().DeleteDevice(ctx, storeID, userID, deviceID)
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1387.New(deviceID)
	}
	return err
}

// ---- the portal's side of a registration (TOTP)

// TOTPSetup is what the portal shows while a TOTP device is set up: the
// base32 seed and the otpauth:// URL to render as a QR code.
type TOTPSetup struct {
	StoreID string
	UserID  string
	Secret  string
	URL     string
}

// openRegistration finds the live registration of a link token; a missing,
// used or expired one is 400 IIC.1721 (restart the workflow).
func (s *Service) openRegistration(ctx context.Context, token string) (store.MFARegistration, error) {
	r, err := s.Store.Devices().GetRegistration(ctx, secrets.TokenHash(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !s.Now().Before(r.ExpiresAt)) {
		return r, apierr.IIC1721.New()
	}
	return r, err
}

// BeginTOTPRegistration generates a TOTP seed for the registration behind
// a link token and keeps it (sealed) with the registration until the user
// confirms a code. Calling it again replaces the seed.
func (s *Service) BeginTOTPRegistration(ctx context.Context, token string) (TOTPSetup, error) {
	r, err := s.openRegistration(ctx, token)
	if err != nil {
		return TOTPSetup{}, err
	}
	u, err := s.Store.Users().Get(ctx, r.IdentityStoreID, r.UserID)
	if err != nil {
		return TOTPSetup{}, err
	}
	seed, err := hex.DecodeString(s.IDs.Hex(20))
	if err != nil {
		return TOTPSetup{}, err
	}
	key, err := TOTPKey(u.UserName, seed)
	if err != nil {
		return TOTPSetup{}, err
	}
	err = s.Store.Devices().UpdateRegistration(ctx, r.TokenHash, func(r *store.MFARegistration) error {
		r.Type = MFATypeTOTP
		r.SecretSealed = s.Keys.Seal(seed, registrationAAD(r.TokenHash))
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return TOTPSetup{}, apierr.IIC1721.New()
	}
	if err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{StoreID: r.IdentityStoreID, UserID: r.UserID, Secret: key.Secret(), URL: key.URL()}, nil
}

// CompleteTOTPRegistration checks code against the seed generated by
// BeginTOTPRegistration and, when it matches, turns the registration into
// a device named displayName ("" = the device name) and uses up the link.
// A wrong code is 400 IIC.1726 (the link stays usable); a full device quota
// 400 IIC.1388.
func (s *Service) CompleteTOTPRegistration(ctx context.Context, token, code, displayName string) (MFADevice, error) {
	if displayName == "" {
		displayName = deviceNames[MFATypeTOTP]
	}
	if err := validDeviceDisplayName(displayName); err != nil {
		return MFADevice{}, err
	}
	r, err := s.openRegistration(ctx, token)
	if err != nil {
		return MFADevice{}, err
	}
	if r.Type != MFATypeTOTP || r.SecretSealed == nil {
		return MFADevice{}, apierr.IIC1721.New()
	}
	seed, err := s.Keys.Open(r.SecretSealed, registrationAAD(r.TokenHash))
	if err != nil {
		return MFADevice{}, err
	}
	now := s.Now().UTC()
	step, ok := MatchTOTP(seed, code, now, -1)
	if !ok {
		return MFADevice{}, apierr.IIC1726.New()
	}
	d := store.MFADevice{
		IdentityStoreID: r.IdentityStoreID, UserID: r.UserID, ID: s.IDs.UUID(), Type: MFATypeTOTP,
		DeviceName: deviceNames[MFATypeTOTP], DisplayName: displayName, LastStep: step, CreatedAt: now, LastUsedAt: now,
	}
	d.SecretSealed = s.Keys.Seal(seed, deviceAAD(d.IdentityStoreID, d.ID))
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		// Deleting first makes the link single-use even under races.
		if err := tx.Devices().DeleteRegistration(ctx, r.TokenHash); errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1721.New()
		} else if err != nil {
			return err
		}
		err := tx.Devices().CreateDevice(ctx, d, MaxMFADevices)
		switch {
		case errors.Is(err, store.ErrLimit):
			return apierr.IIC1388.New()
		case errors.Is(err, store.ErrNotFound):
			return apierr.IIC1312.New()
		}
		return err
	})
	if err != nil {
		return MFADevice{}, err
	}
	return publicDevice(d), nil
}

// VerifyTOTP checks a sign-in code against the user's TOTP devices and
// returns the device that accepted it. Each time step is accepted at most
// once per device (a replayed code fails). No match: 400 IIC.1726.
func (s *Service) VerifyTOTP(ctx context.Context, storeID, userID, code string) (MFADevice, error) {
	rows, err := s.Store.Devices().ListDevices(ctx, storeID, userID)
	if err != nil {
		return MFADevice{}, err
	}
	now := s.Now().UTC()
	for _, d := range rows {
		if d.Type != MFATypeTOTP {
			continue
		}
		seed, err := s.Keys.Open(d.SecretSealed, deviceAAD(d.IdentityStoreID, d.ID))
		if err != nil {
			return MFADevice{}, err
		}
		if _, ok := MatchTOTP(seed, code, now, d.LastStep); !ok {
			continue // no write (and no lock) for a code that cannot match
		}
		var out store.MFADevice
		err = s.Store.Devices().UpdateDevice(ctx, storeID, userID, d.ID, func(cur *store.MFADevice) error {
			step, ok := MatchTOTP(seed, code, now, cur.LastStep)
			if !ok {
				return errNoMatch
			}
			cur.LastStep, cur.LastUsedAt = step, now
			out = *cur
			return nil
		})
		switch {
		case err == nil:
			return publicDevice(out), nil
		case errors.Is(err, errNoMatch), errors.Is(err, store.ErrNotFound):
			continue
		default:
			return MFADevice{}, err
		}
	}
	return MFADevice{}, apierr.IIC1726.New()
}

// TOTPKey is the key of seed as authenticator apps enrol it: issuer iic,
// the account name, 6 digits, SHA-1, 30-second steps (what MatchTOTP
// checks); its Secret() is the seed in base32 and URL() the otpauth://
// URI.
func TOTPKey(accountName string, seed []byte) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: accountName, Secret: seed, Period: totpPeriod})
}

// ParseTOTPSecret decodes a base32 TOTP secret as authenticator apps and
// otpauth:// URIs write it (case, spaces and padding ignored); it must hold
// 16 to 64 bytes (RFC 4226 asks for at least 128 bits).
func ParseTOTPSecret(secret string) ([]byte, error) {
	clean := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "=", "").Replace(secret))
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(clean)
	if err != nil || len(seed) < 16 || len(seed) > 64 {
		return nil, errors.New("a TOTP secret is 16 to 64 bytes in base32 (e.g. 32 characters A-Z, 2-7)")
	}
	return seed, nil
}

var errNoMatch = errors.New("identity: code does not match")

// MatchTOTP reports the time step within ±totpSkew of now whose code is
// code, considering only steps after lastStep; codes compare in constant
// time.
func MatchTOTP(seed []byte, code string, now time.Time, lastStep int64) (int64, bool) {
	if utf8.RuneCountInString(code) != 6 {
		return 0, false
	}
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(seed)
	cur := now.Unix() / totpPeriod
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		if step <= lastStep {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

package signin

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// next is what the MFA decision asks for after a right password.
type next int

const (
	nextSession next = iota + 1 // no second factor
	nextMFA                     // a code of a device the user has
	nextEnrol                   // register a device first
	nextEmail                   // an e-mailed code
	nextBlocked                 // IIC.1739
)

type decision struct {
	next    next
	methods []string
}

// decide is the MFA decision of the SSO configuration cfg for a user holding
// devices of deviceTypes (identity.MFAType*), signing in from a context
// that is known (or not), who can (or cannot) receive an e-mailed code:
//
//   - mfa_mode DISABLED, or CONTEXT_AWARE from a known context: no MFA;
//   - otherwise, when the user holds a device of an allowed type, MFA with
//     the allowed types the user has (a TOTP device answers TOTP; a WebAuthn
//     security key answers WEBAUTHN and WEBAUTHN_SECURITY_KEY; a passkey,
//     see DeviceNamePasskey, answers WEBAUTHN only);
//   - otherwise no_mfa_signin_behavior: ALLOWED signs in,
//     ALLOWED_WITH_ENROLLMENT registers a device of an allowed type,
//     EMAIL_OTP e-mails a code (BLOCKED when the user has no e-mail address
//     or the server cannot send mail), BLOCKED refuses (IIC.1739).
//
// A device of a type the configuration does not allow counts as none.
func decide(cfg center.SSOConfiguration, deviceTypes []string, known, canMail bool) decision {
	if cfg.MFAMode == center.MFAModeDisabled || (cfg.MFAMode == center.MFAModeContextAware && known) {
		return decision{next: nextSession}
	}
	usable := usableMethods(cfg.AllowedMFATypes, deviceTypes)
	if len(usable) > 0 {
		return decision{next: nextMFA, methods: usable}
	}
	switch cfg.NoMFASignInBehavior {
	case center.NoMFAAllowed:
		return decision{next: nextSession}
	case center.NoMFAAllowedWithEnrollment:
		return decision{next: nextEnrol, methods: slices.Clone(cfg.AllowedMFATypes)}
	case center.NoMFAEmailOTP:
		if canMail {
			return decision{next: nextEmail}
		}
	}
	return decision{next: nextBlocked}
}

// usableMethods are the types of allowed that a device of deviceTypes
// answers: a TOTP device TOTP, a WebAuthn security key WEBAUTHN and
// WEBAUTHN_SECURITY_KEY, a passkey (typePasskey) WEBAUTHN.
func usableMethods(allowed, deviceTypes []string) []string {
	var usable []string
	for _, t := range allowed {
		ok := false
		switch t {
		case center.MFATypeTOTP:
			ok = slices.Contains(deviceTypes, identity.MFATypeTOTP)
		case center.MFATypeWebAuthn:
			ok = slices.Contains(deviceTypes, identity.MFATypeWebAuthn) || slices.Contains(deviceTypes, typePasskey)
		case center.MFATypeWebAuthnSecurityKey:
			ok = slices.Contains(deviceTypes, identity.MFATypeWebAuthn)
		}
		if ok {
			usable = append(usable, t)
		}
	}
	return usable
}

// Kinds of sign-in context (store.SignInContext.Kind).
const (
	contextDevice  = "device"
	contextAddress = "address"
	contextAgent   = "agent"
)

// client cleans what the portal passed: a device id that is not one this
// service could have issued is replaced by a new one.
func (s *Service) client(c Client) Client {
	if !validDeviceID(c.DeviceID) {
		c.DeviceID = s.IDs.Token(32)
	}
	c.Address = clip(c.Address, 64)
	c.UserAgent = clip(c.UserAgent, 512)
	return c
}

func validDeviceID(id string) bool {
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// clip keeps at most n bytes of v, cut on a rune boundary.
func clip(v string, n int) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	if len(v) <= n {
		return v
	}
	for n > 0 && v[n]&0xc0 == 0x80 {
		n--
	}
	return v[:n]
}

// contexts are the digests a client's context is remembered by, one per
// kind: the device cookie, the network (NetworkOf) and the browser
// (BrowserOf), as the user's contexts seen at at.
func (s *Service) contexts(u store.User, c Client, at time.Time) []store.SignInContext {
	ctx := func(kind string, v []byte) store.SignInContext {
		return store.SignInContext{IdentityStoreID: u.IdentityStoreID, UserID: u.ID, Kind: kind, Value: v, LastSeenAt: at}
	}
	return []store.SignInContext{
		ctx(contextDevice, s.digest("context-device", []byte(c.DeviceID))),
		ctx(contextAddress, s.digest("context-address", []byte(NetworkOf(c.Address)))),
		ctx(contextAgent, s.digest("context-agent", []byte(BrowserOf(c.UserAgent)))),
	}
}

// knownContext reports whether the user completed a sign-in before from
// this device cookie, this network and this browser (all three), in one
// read.
func (s *Service) knownContext(ctx context.Context, u store.User, c Client) (bool, error) {
	want := s.contexts(u, c, time.Time{})
	got, err := s.Store.SignIns().MatchContexts(ctx, u.IdentityStoreID, u.ID, want)
	return len(got) == len(want), err
}

// rememberContext stores the client's contexts for the user (one write of
// the three and one trim to keepContexts per kind).
func (s *Service) rememberContext(ctx context.Context, tx store.Store, u store.User, c Client) error {
	return tx.SignIns().RememberContexts(ctx, s.contexts(u, c, s.now()), keepContexts)
}

// decideFor is decide for the user signing in from c under cfg, reading
// only what the decision needs: nothing more under mfa_mode DISABLED, the
// known contexts under CONTEXT_AWARE, the user's devices when MFA is
// asked for.
func (s *Service) decideFor(ctx context.Context, cfg center.SSOConfiguration, u store.User, c Client) (decision, error) {
	canMail := s.Identity.Mailer != nil && u.Email != ""
	if cfg.MFAMode == center.MFAModeDisabled {
		return decide(cfg, nil, false, canMail), nil
	}
	known := false
	if cfg.MFAMode == center.MFAModeContextAware {
		var err error
		if known, err = s.knownContext(ctx, u, c); err != nil {
			return decision{}, err
		}
		if known {
			return decide(cfg, nil, true, canMail), nil
		}
	}
	devices, err := s.Store.Devices().ListDevices(ctx, u.IdentityStoreID, u.ID)
	if err != nil {
		return decision{}, err
	}
	return decide(cfg, deviceTypes(devices), known, canMail), nil
}

// NetworkOf is the network an address is compared by: an IPv4 address
// itself, an IPv6 address's /64 (privacy addresses change within it), an
// address with a port or zone without them; what does not parse is kept
// as it is (and so is only ever equal to itself).
func NetworkOf(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(addr)
		if err2 != nil {
			return "raw:" + addr
		}
		a = ap.Addr()
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return "raw:" + addr
	}
	return p.String()
}

// BrowserOf is the browser a User-Agent is compared by: the header with the
// version of every product token removed ("Chrome/120.0.6099.71" is
// "Chrome"), so that a browser update is the same browser and another
// browser or system is not.
func BrowserOf(ua string) string {
	var b strings.Builder
	skip := false
	for _, r := range ua {
		switch {
		case r == '/':
			skip = true
		case skip && (r == ' ' || r == ')' || r == ';' || r == '(' || r == ','):
			skip = false
			b.WriteRune(r)
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

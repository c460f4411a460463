// Package signin is the sign-in service: the password step, the MFA
// decision the instance's SSO configuration asks for, the second factor
// (TOTP, a security key or passkey, an e-mailed code, enrolling a first
// device), first-login and expired-password changes, lockout, and the
// portal session at the end; and password recovery by e-mail (recovery.go).
// The portal and the OIDC verification page call it; it renders nothing.
//
// A sign-in is a chain of steps: Password answers a Result whose Step says
// what comes next, with a Challenge (a short-lived, single-use token; only
// its SHA-256 is stored) to pass to that step, until a step answers
// StepDone with the session.
package signin

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// Step is what a sign-in needs next.
type Step string

const (
	// StepDone: signed in; Result.Token and Result.Session are set.
	StepDone Step = "DONE"
	// StepMFA: enter a code of one of Result.Methods (VerifyTOTP), or use
	// a security key or passkey (BeginWebAuthn, VerifyWebAuthn).
	StepMFA Step = "MFA"
	// StepEnrolMFA: the user has no MFA device and must register one now
	// (ALLOWED_WITH_ENROLLMENT): set it up with Result.RegistrationToken
	// through the identity service's registration (BeginTOTPRegistration,
	// CompleteTOTPRegistration), then call CompleteEnrolment.
	StepEnrolMFA Step = "ENROL_MFA"
	// StepEmailOTP: enter the code e-mailed to the user (VerifyEmailOTP).
	StepEmailOTP Step = "EMAIL_OTP"
	// StepNewPassword: set a new password (SetNewPassword); PasswordChange
	// says why and Notice is IIC.1706 for an expired one.
	StepNewPassword Step = "NEW_PASSWORD"
)

// Why a new password is needed.
const (
	PasswordOneTime = "ONE_TIME" // signed in with a generated one-time password
	PasswordExpired = "EXPIRED"  // older than the store's max_password_age
)

// Factors recorded in a session's AuthMethods.
const (
	FactorPassword  = "pwd"
	FactorTOTP      = "totp"
	FactorEmailOTP  = "email_otp"
	FactorEnrolment = "mfa_enrolment" // a device was registered during this sign-in
)

// Client is what the portal knows of the browser signing in.
type Client struct {
	Address   string // client IP address (the portal's trusted view of it)
	UserAgent string
	// DeviceID is the value of the long-lived device cookie, "" when the
	// browser has none; Result.DeviceID is the value to keep in it.
	DeviceID string
}

// PasswordInput is the first step.
type PasswordInput struct {
	IdentityStoreID string
	UserName        string
	Password        string
	Client          Client
}

// Result is the outcome of a step.
type Result struct {
	Step Step
	// Challenge is the token of the next step (every Step but StepDone);
	// it works once, until ChallengeExpiresAt.
	Challenge          string
	ChallengeExpiresAt time.Time
	// Methods are the MFA types (center.MFAType*) the next step accepts:
	// for StepMFA those the user has a device of, for StepEnrolMFA those a
	// new device may be.
	Methods []string
	// RegistrationToken is the device-registration token (StepEnrolMFA).
	RegistrationToken string
	// PasswordChange is PasswordOneTime or PasswordExpired (StepNewPassword).
	PasswordChange string
	// Notice is an error the page shows beside the next step (IIC.1706 for
	// an expired password); nil otherwise.
	Notice error
	// Token and Session: the portal session (StepDone). Token is shown
	// once; only its hash is stored.
	Token   string
	Session store.Session
	// DeviceID is the device-cookie value to set (always).
	DeviceID string
}

// Service is the sign-in service.
type Service struct {
	Store    store.Store
	Identity *identity.Service
	Center   *center.Service
	IDs      ids.Generator
	Now      func() time.Time
	// Secret keys the digests of known contexts and e-mailed codes (so a
	// copy of the database does not give them away); nil = plain SHA-256.
	Secret []byte
	// Lockout is the failed-sign-in policy; zero fields take the defaults.
	Lockout LockoutPolicy
	// IdleTimeout ends a session unused this long (capped by the
	// instance's max_authentication_age, the absolute limit); 0 =
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	Log         *slog.Logger
	// Keys seals the reset links' tokens in their mail jobs; Jobs (set by
	// RegisterJobs) delivers those mails.
	Keys *secrets.Keyring
	Jobs *jobs.Runner

	settings settingsCache // the session check's SSO configurations (SettingsTTL)
}

// Defaults and limits of the flow.
const (
	DefaultIdleTimeout = time.Hour
	challengeTTL       = 5 * time.Minute  // MFA code, new password
	enrolTTL           = 15 * time.Minute // setting up an authenticator app takes a while
	emailTTL           = 10 * time.Minute
	maxCodeAttempts    = 5 // wrong codes per challenge; each also counts towards the lockout
	keepContexts       = 10
	touchEvery         = time.Minute // a session's sliding expiry is written at most this often
)

// challenge kinds (store.SignInChallenge.Kind)
const (
	kindMFA         = "MFA"
	kindEnrol       = "ENROL"
	kindEmail       = "EMAIL_OTP"
	kindNewPassword = "NEW_PASSWORD"
)

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// digest is the keyed digest of value under purpose.
func (s *Service) digest(purpose string, value []byte) []byte {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(value)
	return m.Sum(nil)
}

// Password runs the password step. Wrong password and unknown user name are
// one answer, 400 IIC.1707, after the same work (one password hash and the
// same store calls), and both count towards the lockout of the name: a name
// locked by too many failures answers 423 IIC.1705 without checking the
// password, whether or not it names a user. A disabled user with its right
// password is 423 IIC.1705 too. Then the MFA decision: see Result's steps;
// an instance that requires MFA of a user without a device under
// no_mfa_signin_behavior BLOCKED answers 403 IIC.1739.
//
// A password that matched under other hash parameters than the current
// ones is re-hashed in the transaction that records this step.
func (s *Service) Password(ctx context.Context, in PasswordInput) (Result, error) {
	now := s.now()
	key := identity.UserNameKey(in.UserName)
	failed, err := s.checkLock(ctx, in.IdentityStoreID, key, now)
	if err != nil {
		return Result{}, err
	}
	// One read for a user and for a name of none alike; no user is ID ""
	// (compared against a dummy hash: the same cost).
	u, err := s.Identity.UserRecord(ctx, in.IdentityStoreID, identity.UserByName(in.UserName))
	if err != nil && !apierr.IIC1316.Is(err) {
		return Result{}, err
	}
	check, err := s.Identity.CheckPassword(ctx, s.Store, in.IdentityStoreID, u.ID, in.Password)
	if err != nil {
		return Result{}, err
	}
	if !check.OK {
		if err := s.recordFailure(ctx, in.IdentityStoreID, key); err != nil {
			return Result{}, err
		}
		return Result{}, apierr.IIC1707.New()
	}
	if !u.Enabled {
		return Result{}, apierr.IIC1705.New()
	}
	newHash := ""
	if check.Rehash {
		if newHash, err = s.Identity.Hash(in.Password); err != nil {
			return Result{}, err
		}
	}
	st := state{user: u, key: key, client: s.client(in.Client), factors: []string{FactorPassword}, failed: failed}
	switch {
	case check.OneTime:
		st.passwordChange = PasswordOneTime
	case check.Expired:
		st.passwordChange = PasswordExpired
	}
	cfg, err := s.ssoConfig(ctx, u.IdentityStoreID)
	if err != nil {
		return Result{}, err
	}
	d, err := s.decideFor(ctx, cfg, u, st.client)
	if err != nil {
		return Result{}, err
	}
	if d.next == nextBlocked {
		return Result{}, apierr.IIC1739.New()
	}
	var res Result
	var mail *otpMail
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		if newHash != "" {
			if _, err := s.Identity.ReplaceHash(ctx, tx, u.IdentityStoreID, u.ID, check.Stored, newHash); err != nil {
				return err
			}
		}
		switch d.next {
		case nextSession:
			res, err = s.afterMFA(ctx, tx, st, cfg)
		case nextMFA:
			res, err = s.newChallenge(ctx, tx, st, kindMFA, d.methods, challengeTTL, nil)
		case nextEnrol:
			res, err = s.newChallenge(ctx, tx, st, kindEnrol, d.methods, enrolTTL, nil)
		case nextEmail:
			res, mail, err = s.emailChallenge(ctx, tx, st)
		default:
			err = fmt.Errorf("signin: decision %d", d.next)
		}
		return err
	})
	if err != nil {
		return Result{}, err
	}
	if d.next == nextEnrol {
		// The registration is the identity service's (its own write): the
		// portal's device set-up pages take its token.
		link, err := s.Identity.RegisterMfaDevice(ctx, identity.Caller{Actor: "sign-in"}, u.IdentityStoreID, u.ID)
		if err != nil {
			return Result{}, err
		}
		res.RegistrationToken = link.Token
	}
	if mail != nil {
		if err := s.sendCode(ctx, mail); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

// state is what a sign-in carries from step to step.
type state struct {
	user           store.User
	key            string
	client         Client
	factors        []string
	passwordChange string
	// failed: the name may have a failure record to clear when the session
	// opens (false only when the password step found none).
	failed bool
}

// afterMFA is the end of a sign-in whose second factor is done (or not
// needed): a new password first when one is due, else the session.
func (s *Service) afterMFA(ctx context.Context, tx store.Store, st state, cfg center.SSOConfiguration) (Result, error) {
	if st.passwordChange != "" {
		res, err := s.newChallenge(ctx, tx, st, kindNewPassword, nil, challengeTTL, nil)
		res.PasswordChange = st.passwordChange
		if st.passwordChange == PasswordExpired {
			res.Notice = apierr.IIC1706.New()
		}
		return res, err
	}
	return s.openSession(ctx, tx, st, cfg)
}

func (s *Service) newChallenge(ctx context.Context, tx store.Store, st state, kind string, methods []string, ttl time.Duration, code []byte) (Result, error) {
	return s.challengeWithToken(ctx, tx, st, s.IDs.Token(43), kind, methods, ttl, code)
}

func (s *Service) challengeWithToken(ctx context.Context, tx store.Store, st state, token, kind string, methods []string, ttl time.Duration, code []byte) (Result, error) {
	now := s.now()
	c := store.SignInChallenge{
		TokenHash: secrets.TokenHash(token), IdentityStoreID: st.user.IdentityStoreID, UserID: st.user.ID, UserKey: st.key,
		Kind: kind, Methods: methods, AuthMethods: st.factors, PasswordChange: st.passwordChange, CodeHash: code,
		SourceIP: st.client.Address, UserAgent: st.client.UserAgent, DeviceID: st.client.DeviceID,
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	if err := tx.SignIns().CreateChallenge(ctx, c); errors.Is(err, store.ErrNotFound) {
		return Result{}, apierr.IIC1721.New() // the user was deleted meanwhile
	} else if err != nil {
		return Result{}, err
	}
	step := map[string]Step{kindMFA: StepMFA, kindEnrol: StepEnrolMFA, kindEmail: StepEmailOTP, kindNewPassword: StepNewPassword}[kind]
	return Result{Step: step, Challenge: token, ChallengeExpiresAt: c.ExpiresAt, Methods: methods, DeviceID: st.client.DeviceID}, nil
}

// openSession ends a sign-in: the portal session, the failure record of the
// name cleared, the context remembered. A failure recorded by a concurrent
// attempt after the password step found no record stays (it counts).
func (s *Service) openSession(ctx context.Context, tx store.Store, st state, cfg center.SSOConfiguration) (Result, error) {
	ttl := min(s.idle(), cfg.SessionDuration)
	token, sess, err := s.Identity.CreateSessionIn(ctx, tx, identity.NewSession{
		StoreID: st.user.IdentityStoreID, UserID: st.user.ID, SourceIP: st.client.Address, UserAgent: st.client.UserAgent,
		AuthMethods: st.factors, TTL: ttl,
	})
	if apierr.IIC1312.Is(err) {
		return Result{}, apierr.IIC1705.New() // disabled (or deleted) meanwhile
	}
	if err != nil {
		return Result{}, err
	}
	if st.failed {
		if err := tx.SignIns().DeleteFailures(ctx, st.user.IdentityStoreID, st.key); err != nil {
			return Result{}, err
		}
	}
	if err := s.rememberContext(ctx, tx, st.user, st.client); err != nil {
		return Result{}, err
	}
	return Result{Step: StepDone, Token: token, Session: sess, DeviceID: st.client.DeviceID}, nil
}

func (s *Service) idle() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

// ssoConfig is the SSO configuration of the instance owning storeID.
func (s *Service) ssoConfig(ctx context.Context, storeID string) (center.SSOConfiguration, error) {
	inst, err := s.Store.Instances().GetByIdentityStore(ctx, storeID)
	if errors.Is(err, store.ErrNotFound) {
		return center.SSOConfiguration{}, apierr.IIC1730.New()
	}
	if err != nil {
		return center.SSOConfiguration{}, err
	}
	return s.Center.SSOConfiguration(ctx, inst)
}

// deviceTypes lists the kinds of MFA device the user holds (a passkey is
// typePasskey).
func deviceTypes(devices []store.MFADevice) []string {
	var out []string
	for _, d := range devices {
		t := d.Type
		if t == identity.MFATypeWebAuthn && d.DeviceName == DeviceNamePasskey {
			t = typePasskey
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

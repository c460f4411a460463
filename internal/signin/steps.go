package signin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// open finds the live challenge of token for a step of kind; a missing,
// used, expired or other-step challenge is 400 IIC.1721 (restart the
// sign-in), and so is one whose password was replaced since the challenge
// began (a reset). A name locked meanwhile is 423 IIC.1705.
func (s *Service) open(ctx context.Context, token, kind string) (store.SignInChallenge, store.User, error) {
	c, err := s.Store.SignIns().GetChallenge(ctx, secrets.TokenHash(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (c.Kind != kind || !s.now().Before(c.ExpiresAt))) {
		return c, store.User{}, apierr.IIC1721.New()
	}
	if err != nil {
		return c, store.User{}, err
	}
	if _, err := s.checkLock(ctx, c.IdentityStoreID, c.UserKey, s.now()); err != nil {
		return c, store.User{}, err
	}
	u, err := s.Store.Users().Get(ctx, c.IdentityStoreID, c.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return c, u, apierr.IIC1721.New()
	}
	if err == nil && !u.Enabled {
		return c, u, apierr.IIC1705.New()
	}
	if err == nil {
		err = s.passwordUnchangedSince(ctx, c)
	}
	return c, u, err
}

func stateOf(c store.SignInChallenge, u store.User) state {
	return state{user: u, key: c.UserKey, client: Client{Address: c.SourceIP, UserAgent: c.UserAgent, DeviceID: c.DeviceID},
		factors: slices.Clone(c.AuthMethods), passwordChange: c.PasswordChange, failed: true}
}

// wrongCode counts a wrong code against the challenge (which ends after
// maxCodeAttempts) and against the name's lockout, and returns errWrong.
func (s *Service) wrongCode(ctx context.Context, c store.SignInChallenge, errWrong error) error {
	n, err := s.Store.SignIns().AddChallengeAttempt(ctx, c.TokenHash)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if n >= maxCodeAttempts {
		if err := s.Store.SignIns().DeleteChallenge(ctx, c.TokenHash); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if err := s.recordFailure(ctx, c.IdentityStoreID, c.UserKey); err != nil {
		return err
	}
	return errWrong
}

// finish uses the challenge up (once: a second use is IIC.1721) and moves
// the sign-in on, in one transaction.
func (s *Service) finish(ctx context.Context, c store.SignInChallenge, st state, then func(ctx context.Context, tx store.Store, st state, cfg center.SSOConfiguration) (Result, error)) (Result, error) {
	cfg, err := s.ssoConfig(ctx, c.IdentityStoreID)
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		if err := tx.SignIns().DeleteChallenge(ctx, c.TokenHash); errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1721.New()
		} else if err != nil {
			return err
		}
		res, err = then(ctx, tx, st, cfg)
		return err
	})
	return res, err
}

// VerifyTOTP is the MFA step with an authenticator-app code: a code of one
// of the user's TOTP devices, within one 30-second step of now. A code is
// accepted once per device (its step is stored with the device: a replay
// fails). A wrong or replayed code is 400 IIC.1726 and counts towards the
// lockout; after 5 the challenge ends.
func (s *Service) VerifyTOTP(ctx context.Context, challenge, code string) (Result, error) {
	c, u, err := s.open(ctx, challenge, kindMFA)
	if err != nil {
		return Result{}, err
	}
	if !slices.Contains(c.Methods, center.MFATypeTOTP) {
		return Result{}, apierr.IIC1721.New()
	}
	if _, err := s.Identity.VerifyTOTP(ctx, u.IdentityStoreID, u.ID, code); apierr.IIC1726.Is(err) {
		return Result{}, s.wrongCode(ctx, c, err)
	} else if err != nil {
		return Result{}, err
	}
	st := stateOf(c, u)
	st.factors = append(st.factors, FactorTOTP)
	return s.finish(ctx, c, st, s.afterMFA)
}

// CompleteEnrolment ends the enrolment step once the user registered a
// device (of a type the step names) through the registration token, since
// the challenge was issued; before that it is 400 IIC.1725.
func (s *Service) CompleteEnrolment(ctx context.Context, challenge string) (Result, error) {
	c, u, err := s.open(ctx, challenge, kindEnrol)
	if err != nil {
		return Result{}, err
	}
	devices, err := s.Store.Devices().ListDevices(ctx, u.IdentityStoreID, u.ID)
	if err != nil {
		return Result{}, err
	}
	enrolled := false
	for _, d := range devices {
		if !d.CreatedAt.Before(c.CreatedAt) && len(usableMethods(c.Methods, deviceTypes([]store.MFADevice{d}))) > 0 {
			enrolled = true
		}
	}
	if !enrolled {
		return Result{}, apierr.IIC1725.New()
	}
	st := stateOf(c, u)
	st.factors = append(st.factors, FactorEnrolment)
	return s.finish(ctx, c, st, s.afterMFA)
}

// otpMail is an e-mailed code to send once its challenge is stored.
type otpMail struct{ to, code string }

func (s *Service) emailChallenge(ctx context.Context, tx store.Store, st state) (Result, *otpMail, error) {
	r := s.IDs.Rand
	if r == nil {
		r = rand.Reader
	}
	n, err := rand.Int(r, big.NewInt(1_000_000))
	if err != nil {
		return Result{}, nil, err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	// The token is drawn first so that the code's digest binds it to its
	// challenge.
	token := s.IDs.Token(43)
	res, err := s.challengeWithToken(ctx, tx, st, token, kindEmail, nil, emailTTL, s.codeDigest(secrets.TokenHash(token), code))
	if err != nil {
		return Result{}, nil, err
	}
	return res, &otpMail{to: st.user.Email, code: code}, nil
}

func (s *Service) codeDigest(tokenHash []byte, code string) []byte {
	return s.digest("email-otp", append(slices.Clone(tokenHash), code...))
}

func (s *Service) sendCode(ctx context.Context, m *otpMail) error {
	body := fmt.Sprintf("Your sign-in code is %s.\n\nIt works once, for %d minutes. If you did not try to sign in, someone knows your password: change it.\n",
		m.code, int(emailTTL.Minutes()))
	if err := s.Identity.Mailer.Send(ctx, m.to, "Your sign-in code", body); err != nil {
		s.log().Warn("sign-in code not sent", "err", err.Error())
		return apierr.IIC1738.New()
	}
	return nil
}

// VerifyEmailOTP is the step with the e-mailed code (EMAIL_OTP). A wrong
// code is 400 IIC.1741 and counts towards the lockout; after 5 the
// challenge ends.
func (s *Service) VerifyEmailOTP(ctx context.Context, challenge, code string) (Result, error) {
	c, u, err := s.open(ctx, challenge, kindEmail)
	if err != nil {
		return Result{}, err
	}
	if !hmac.Equal(s.codeDigest(c.TokenHash, code), c.CodeHash) {
		return Result{}, s.wrongCode(ctx, c, apierr.IIC1741.New())
	}
	st := stateOf(c, u)
	st.factors = append(st.factors, FactorEmailOTP)
	return s.finish(ctx, c, st, s.afterMFA)
}

// SetNewPassword is the step after a sign-in with a one-time or an expired
// password: password becomes the user's (every rule of the store's policy
// applies: IIC.1314, IIC.1315, IIC.1324, and the challenge stays usable),
// then the session opens.
func (s *Service) SetNewPassword(ctx context.Context, challenge, password string) (Result, error) {
	c, u, err := s.open(ctx, challenge, kindNewPassword)
	if err != nil {
		return Result{}, err
	}
	if err := s.Identity.SetPassword(ctx, u.IdentityStoreID, u.ID, password); err != nil {
		return Result{}, err
	}
	st := stateOf(c, u)
	st.passwordChange = ""
	return s.finish(ctx, c, st, s.openSession)
}

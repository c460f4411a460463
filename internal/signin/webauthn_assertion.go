package signin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/store"
)

func (s *Service) assertionChallenge(c store.SignInChallenge) []byte {
	return s.digest("webauthn-assertion", c.TokenHash)
}

// beginAssertion builds the assertion ceremony of a sign-in challenge; the
// same inputs give the same options and session data.
func (s *Service) beginAssertion(rp *webauthn.WebAuthn, c store.SignInChallenge, u store.User, devices []webauthnDevice) (*protocol.CredentialAssertion, *webauthn.SessionData, *webauthnUser, error) {
	wu := &webauthnUser{handle: s.userHandle(u), name: u.UserName, displayName: cmpOr(u.DisplayName, u.UserName)}
	var allow []protocol.CredentialDescriptor
	for _, d := range devices {
		if !answers(c.Methods, d.device.DeviceName) {
			continue
		}
		cred := d.credential()
		wu.creds = append(wu.creds, cred)
		allow = append(allow, cred.Descriptor())
	}
	if len(allow) == 0 {
		return nil, nil, nil, apierr.IIC1725.New()
	}
	opts, sess, err := rp.BeginLogin(wu, webauthn.WithChallenge(s.assertionChallenge(c)), webauthn.WithAllowedCredentials(allow),
		webauthn.WithUserVerification(userVerification(c.Methods)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("webauthn begin login: %w", err)
	}
	return opts, sess, wu, nil
}

// openAssertion opens an MFA challenge that accepts a WebAuthn type.
func (s *Service) openAssertion(ctx context.Context, challenge string) (store.SignInChallenge, store.User, *webauthn.WebAuthn, []webauthnDevice, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return store.SignInChallenge{}, store.User{}, nil, nil, err
	}
	c, u, err := s.open(ctx, challenge, kindMFA)
	if err != nil {
		return c, u, nil, nil, err
	}
	if len(WebAuthnMethods(c.Methods)) == 0 {
		return c, u, nil, nil, apierr.IIC1721.New()
	}
	devices, err := s.webauthnDevices(ctx, u)
	return c, u, rp, devices, err
}

// BeginWebAuthn answers the options of the assertion that completes an MFA
// step naming a WebAuthn type: allowCredentials are the user's devices of
// the step's types, the challenge is bound to the sign-in challenge (and
// the same until it ends). A user without such a device is 400 IIC.1725.
func (s *Service) BeginWebAuthn(ctx context.Context, challenge string) (WebAuthnOptions, error) {
	c, u, rp, devices, err := s.openAssertion(ctx, challenge)
	if err != nil {
		return WebAuthnOptions{}, err
	}
	opts, _, _, err := s.beginAssertion(rp, c, u, devices)
	if err != nil {
		return WebAuthnOptions{}, err
	}
	return optionsJSON(opts.Response)
}

// errCloned is a signature counter that did not increase.
var errCloned = errors.New("signin: webauthn signature counter did not increase")

// VerifyWebAuthn is the MFA step with a security key or passkey:
// credentialJSON is the browser's PublicKeyCredential (the
// AuthenticationResponseJSON form). It must be an assertion of one of the
// user's devices the step allows, over this step's challenge, from the
// portal's origin for its RP ID, with the user present. A device's
// signature counter must increase when either it or the stored one is not
// zero: a counter that does not is a possible clone, refused and logged.
// Anything refused is 400 IIC.1726 and counts towards the lockout, as a
// wrong TOTP code does; after 5 the challenge ends. An empty credential is
// 400 IIC.1740 (the browser gave no answer) and counts nothing.
func (s *Service) VerifyWebAuthn(ctx context.Context, challenge, credentialJSON string) (Result, error) {
	c, u, rp, devices, err := s.openAssertion(ctx, challenge)
	if err != nil {
		return Result{}, err
	}
	if strings.TrimSpace(credentialJSON) == "" {
		return Result{}, apierr.IIC1740.New("security-key answer: the browser sent none. Try again")
	}
	_, sess, wu, err := s.beginAssertion(rp, c, u, devices)
	if err != nil {
		return Result{}, err
	}
	parsed, err := ParseAssertion(credentialJSON)
	if err != nil {
		return Result{}, s.wrongCode(ctx, c, apierr.IIC1726.New())
	}
	cred, err := rp.ValidateLogin(wu, *sess, parsed)
	if err != nil {
		s.log().Info("webauthn assertion refused", "store", u.IdentityStoreID, "user", u.ID, "reason", reason(err))
		return Result{}, s.wrongCode(ctx, c, apierr.IIC1726.New())
	}
	var dev webauthnDevice
	for _, d := range devices {
		if bytes.Equal(d.record.ID, cred.ID) {
			dev = d
		}
	}
	if cred.Authenticator.CloneWarning {
		s.logClone(dev, parsed.Response.AuthenticatorData.Counter)
		return Result{}, s.wrongCode(ctx, c, apierr.IIC1726.New())
	}
	count := int64(cred.Authenticator.SignCount)
	st := stateOf(c, u)
	st.factors = append(st.factors, FactorWebAuthn)
	res, err := s.finish(ctx, c, st, func(ctx context.Context, tx store.Store, st state, cfg center.SSOConfiguration) (Result, error) {
		err := tx.Devices().UpdateDevice(ctx, dev.device.IdentityStoreID, dev.device.UserID, dev.device.ID, func(d *store.MFADevice) error {
			if (count != 0 || d.LastStep != 0) && count <= d.LastStep {
				return errCloned // another sign-in used the device meanwhile
			}
			d.LastStep, d.LastUsedAt = count, s.now()
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return Result{}, errCloned // deleted meanwhile: not this device any more
		}
		if err != nil {
			return Result{}, err
		}
		return s.afterMFA(ctx, tx, st, cfg)
	})
	if errors.Is(err, errCloned) {
		s.logClone(dev, parsed.Response.AuthenticatorData.Counter)
		return Result{}, s.wrongCode(ctx, c, apierr.IIC1726.New())
	}
	return res, err
}

func (s *Service) logClone(d webauthnDevice, presented uint32) {
	s.log().Warn("webauthn signature counter did not increase: possible cloned authenticator, assertion refused",
		"store", d.device.IdentityStoreID, "user", d.device.UserID, "device", d.device.ID, "stored_count", d.device.LastStep, "presented_count", presented)
}

// reason is a refused ceremony's reason for a log line: go-webauthn's
// short description (no key material, no client data).
func reason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Details
	}
	return "invalid"
}

package signin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// registrationBinding is what a registration ceremony is bound to besides
// its registration: the sign-in challenge or the portal session.
type registrationBinding struct {
	purpose string
	value   []byte
}

func (s *Service) registrationChallenge(r store.MFARegistration, b registrationBinding) []byte {
	v := append(slices.Clone(r.TokenHash), 0)
	v = append(v, b.purpose...)
	v = append(v, 0)
	v = append(v, b.value...)
	return s.digest("webauthn-registration", v)
}

// ceremony is a registration in progress: its user, its registration,
// the methods a new device must answer, and what it is bound to.
type ceremony struct {
	user    store.User
	reg     store.MFARegistration
	methods []string
	binding registrationBinding
}

// challengeOption sets the creation options' challenge.
func challengeOption(ch []byte) webauthn.RegistrationOption {
	return func(o *protocol.PublicKeyCredentialCreationOptions) error {
		o.Challenge = ch
		return nil
	}
}

// beginRegistration builds the registration ceremony; the same inputs give
// the same options and session data. Passkeys allowed (WEBAUTHN): a
// discoverable credential is preferred and any authenticator may answer;
// only security keys (WEBAUTHN_SECURITY_KEY): a roaming authenticator with
// a server-side credential is asked for.
func (s *Service) beginRegistration(rp *webauthn.WebAuthn, cer ceremony, devices []webauthnDevice) (*protocol.CredentialCreation, *webauthn.SessionData, *webauthnUser, error) {
	u := cer.user
	wu := &webauthnUser{handle: s.userHandle(u), name: u.UserName, displayName: cmpOr(u.DisplayName, u.UserName)}
	var exclude []protocol.CredentialDescriptor
	for _, d := range devices {
		cred := d.credential()
		exclude = append(exclude, cred.Descriptor())
	}
	sel := protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: userVerification(cer.methods)}
	if !slices.Contains(cer.methods, center.MFATypeWebAuthn) {
		sel = protocol.AuthenticatorSelection{AuthenticatorAttachment: protocol.CrossPlatform, ResidentKey: protocol.ResidentKeyRequirementDiscouraged,
			UserVerification: userVerification(cer.methods)}
	}
	opts, sess, err := rp.BeginRegistration(wu, challengeOption(s.registrationChallenge(cer.reg, cer.binding)),
		webauthn.WithAuthenticatorSelection(sel), webauthn.WithExclusions(exclude), webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		func(o *protocol.PublicKeyCredentialCreationOptions) error {
			o.Extensions.CredProps = true // tells whether the credential is discoverable
			return nil
		})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("webauthn begin registration: %w", err)
	}
	return opts, sess, wu, nil
}

// openRegistration checks a registration token for a registration of
// user: a missing, used, expired or other user's one is 400 IIC.1721.
func (s *Service) openRegistration(ctx context.Context, token string, u store.User) (store.MFARegistration, error) {
	r, err := s.Store.Devices().GetRegistration(ctx, secrets.TokenHash(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!s.now().Before(r.ExpiresAt) || r.IdentityStoreID != u.IdentityStoreID || r.UserID != u.ID)) {
		return r, apierr.IIC1721.New()
	}
	return r, err
}

// enrolment opens the ceremony of an enrolment step (ENROL_MFA).
func (s *Service) enrolment(ctx context.Context, challenge, regToken string) (ceremony, store.SignInChallenge, error) {
	c, u, err := s.open(ctx, challenge, kindEnrol)
	if err != nil {
		return ceremony{}, c, err
	}
	methods := WebAuthnMethods(c.Methods)
	if len(methods) == 0 {
		return ceremony{}, c, apierr.IIC1710.New()
	}
	r, err := s.openRegistration(ctx, regToken, u)
	if err != nil {
		return ceremony{}, c, err
	}
	return ceremony{user: u, reg: r, methods: methods, binding: registrationBinding{purpose: "signin", value: c.TokenHash}}, c, nil
}

// SessionRef names a signed-in user's portal session: its id and whose it is.
type SessionRef struct {
	ID              string
	IdentityStoreID string
	UserID          string
}

// RefOf is the SessionRef of sess.
func RefOf(sess store.Session) SessionRef {
	return SessionRef{ID: sess.ID, IdentityStoreID: sess.IdentityStoreID, UserID: sess.UserID}
}

// selfService opens the ceremony of a signed-in user adding a device: the
// instance must allow a WebAuthn type (else 400 IIC.1727) and its users to
// manage their devices (else 403 IIC.1518).
func (s *Service) selfService(ctx context.Context, sess SessionRef, regToken string) (ceremony, error) {
	u, err := s.Store.Users().Get(ctx, sess.IdentityStoreID, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return ceremony{}, apierr.IIC1717.New()
	}
	if err != nil {
		return ceremony{}, err
	}
	inst, err := s.Store.Instances().GetByIdentityStore(ctx, sess.IdentityStoreID)
	if errors.Is(err, store.ErrNotFound) {
		return ceremony{}, apierr.IIC1730.New()
	}
	if err != nil {
		return ceremony{}, err
	}
	if perm, err := s.Center.MFADeviceManagement(ctx, inst); err != nil {
		return ceremony{}, err
	} else if perm != center.MFADevicesAllActions {
		return ceremony{}, apierr.IIC1518.New()
	}
	cfg, err := s.Center.SSOConfiguration(ctx, inst)
	if err != nil {
		return ceremony{}, err
	}
	methods := WebAuthnMethods(cfg.AllowedMFATypes)
	if len(methods) == 0 {
		return ceremony{}, apierr.IIC1727.New("your organization does not allow security keys or passkeys")
	}
	r, err := s.openRegistration(ctx, regToken, u)
	if err != nil {
		return ceremony{}, err
	}
	return ceremony{user: u, reg: r, methods: methods, binding: registrationBinding{purpose: "session", value: []byte(sess.ID)}}, nil
}

func (s *Service) registrationOptions(ctx context.Context, cer ceremony) (WebAuthnOptions, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return WebAuthnOptions{}, err
	}
	devices, err := s.webauthnDevices(ctx, cer.user)
	if err != nil {
		return WebAuthnOptions{}, err
	}
	opts, _, _, err := s.beginRegistration(rp, cer, devices)
	if err != nil {
		return WebAuthnOptions{}, err
	}
	return optionsJSON(opts.Response)
}

// BeginWebAuthnEnrolment answers the options of registering a first device
// during sign-in (StepEnrolMFA naming a WebAuthn type) with the step's
// registration token. A step that names none is 400 IIC.1710.
func (s *Service) BeginWebAuthnEnrolment(ctx context.Context, challenge, regToken string) (WebAuthnOptions, error) {
	cer, _, err := s.enrolment(ctx, challenge, regToken)
	if err != nil {
		return WebAuthnOptions{}, err
	}
	return s.registrationOptions(ctx, cer)
}

// CompleteWebAuthnEnrolment registers the device of credentialJSON (the
// browser's PublicKeyCredential, RegistrationResponseJSON form) named
// displayName ("" = its kind) and ends the enrolment step
// (CompleteEnrolment). See CompleteWebAuthnRegistration for what is
// refused.
func (s *Service) CompleteWebAuthnEnrolment(ctx context.Context, challenge, regToken, credentialJSON, displayName string) (Result, error) {
	cer, _, err := s.enrolment(ctx, challenge, regToken)
	if err != nil {
		return Result{}, err
	}
	if _, err := s.register(ctx, cer, credentialJSON, displayName); err != nil {
		return Result{}, err
	}
	return s.CompleteEnrolment(ctx, challenge)
}

// BeginWebAuthnRegistration answers the options of a signed-in user adding
// a security key or passkey with a registration token of theirs
// (identity.Service.RegisterMfaDevice).
func (s *Service) BeginWebAuthnRegistration(ctx context.Context, sess SessionRef, regToken string) (WebAuthnOptions, error) {
	cer, err := s.selfService(ctx, sess, regToken)
	if err != nil {
		return WebAuthnOptions{}, err
	}
	return s.registrationOptions(ctx, cer)
}

// CompleteWebAuthnRegistration verifies the browser's attestation
// (credentialJSON) of the ceremony BeginWebAuthnRegistration began in this
// session and stores the device, named displayName ("" = its kind).
// Refused: an attestation that does not verify (format none or one
// go-webauthn verifies; another challenge, origin or RP ID; no user
// presence), 400 IIC.1727; a kind of authenticator the instance does not
// allow (a passkey where only WEBAUTHN_SECURITY_KEY is), 400 IIC.1727; a
// credential the user has already, 400 IIC.1729; a full device quota, 400
// IIC.1388; a used or expired registration token, 400 IIC.1721.
func (s *Service) CompleteWebAuthnRegistration(ctx context.Context, sess SessionRef, regToken, credentialJSON, displayName string) (identity.MFADevice, error) {
	cer, err := s.selfService(ctx, sess, regToken)
	if err != nil {
		return identity.MFADevice{}, err
	}
	return s.register(ctx, cer, credentialJSON, displayName)
}

// register verifies a registration ceremony's attestation and stores the
// device, using up the registration.
func (s *Service) register(ctx context.Context, cer ceremony, credentialJSON, displayName string) (identity.MFADevice, error) {
	if err := identity.ValidDeviceDisplayName(displayName); displayName != "" && err != nil {
		return identity.MFADevice{}, err
	}
	if strings.TrimSpace(credentialJSON) == "" {
		return identity.MFADevice{}, apierr.IIC1740.New("security-key answer: the browser sent none. Try again")
	}
	rp, err := s.relyingParty()
	if err != nil {
		return identity.MFADevice{}, err
	}
	devices, err := s.webauthnDevices(ctx, cer.user)
	if err != nil {
		return identity.MFADevice{}, err
	}
	_, sess, wu, err := s.beginRegistration(rp, cer, devices)
	if err != nil {
		return identity.MFADevice{}, err
	}
	parsed, err := ParseAttestation(credentialJSON)
	if err != nil {
		return identity.MFADevice{}, err
	}
	cred, err := rp.CreateCredential(wu, *sess, parsed)
	if err != nil {
		return identity.MFADevice{}, apierr.IIC1727.New("the security key's answer does not verify (" + reason(err) + ")")
	}
	for _, d := range devices {
		if bytes.Equal(d.record.ID, cred.ID) {
			return identity.MFADevice{}, apierr.IIC1729.New()
		}
	}
	rec := credentialRecord{
		ID: cred.ID, PublicKey: cred.PublicKey, AAGUID: cred.Authenticator.AAGUID, AttestationFormat: cred.AttestationFormat,
		AttestationType: cred.AttestationType, Attachment: string(parsed.AuthenticatorAttachment), Discoverable: cred.Extensions.RK,
		BackupEligible: cred.Flags.BackupEligible, UserVerified: cred.Flags.UserVerified, UserHandle: wu.handle,
	}
	for _, t := range cred.Transport {
		rec.Transports = append(rec.Transports, string(t))
	}
	rec.Passkey = rec.Attachment == string(protocol.Platform) || rec.BackupEligible || (rec.Discoverable != nil && *rec.Discoverable)
	kind := DeviceNameSecurityKey
	if rec.Passkey {
		kind = DeviceNamePasskey
	}
	if !answers(cer.methods, kind) {
		return identity.MFADevice{}, apierr.IIC1727.New(fmt.Sprintf("this is a %s, and your organization allows only security keys", strings.ToLower(kind)))
	}
	plain, err := json.Marshal(rec)
	if err != nil {
		return identity.MFADevice{}, err
	}
	now := s.now()
	d := store.MFADevice{
		IdentityStoreID: cer.user.IdentityStoreID, UserID: cer.user.ID, ID: s.IDs.UUID(), Type: identity.MFATypeWebAuthn,
		DeviceName: kind, DisplayName: cmpOr(displayName, kind), LastStep: int64(cred.Authenticator.SignCount), CreatedAt: now,
	}
	d.SecretSealed = s.Identity.Keys.Seal(plain, webauthnAAD(d.IdentityStoreID, d.ID))
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		// Deleting first makes the registration single-use even under races.
		if err := tx.Devices().DeleteRegistration(ctx, cer.reg.TokenHash); errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1721.New()
		} else if err != nil {
			return err
		}
		err := tx.Devices().CreateDevice(ctx, d, identity.MaxMFADevices)
		switch {
		case errors.Is(err, store.ErrLimit):
			return apierr.IIC1388.New()
		case errors.Is(err, store.ErrNotFound):
			return apierr.IIC1312.New()
		}
		return err
	})
	if err != nil {
		return identity.MFADevice{}, err
	}
	return identity.MFADevice{ID: d.ID, Type: d.Type, DeviceName: d.DeviceName, DisplayName: d.DisplayName, CreatedAt: d.CreatedAt}, nil
}

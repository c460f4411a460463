package signin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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

// WebAuthn: security keys and passkeys as a second factor.
//
// The relying party is the server's public URL (identity.Service.PublicURL):
// its host is the RP ID and its origin the only origin a ceremony may come
// from. A public URL whose host is an IP address cannot be an RP ID: every
// WebAuthn call then answers 400 IIC.1710.
//
// A ceremony's challenge is derived (keyed digest) from what it is bound to,
// so nothing is stored between its begin and its finish:
//   - an assertion, the MFA step, from the sign-in challenge: it works while
//     that challenge lives (challengeTTL) and once (the sign-in challenge is
//     used up by the step that accepts it);
//   - a registration from the registration token and the sign-in challenge
//     (enrolment) or the portal session (the devices page): the registration
//     is used up by the device it creates, and it cannot be finished from
//     another sign-in or session.
//
// A device is a store.MFADevice of type WEBAUTHN: its DeviceName says which
// kind of authenticator it is (DeviceNamePasskey or DeviceNameSecurityKey),
// DisplayName is the user's name for it, LastStep the signature counter,
// and SecretSealed the credential record (credentialRecord), sealed under
// the master key and bound to the device's row so that a database writer
// cannot put a key of their own in.

// Device names of WebAuthn devices (store.MFADevice.DeviceName), which say
// which allowed_mfa_types they answer.
const (
	// DeviceNamePasskey: a platform authenticator, or a discoverable or
	// backed-up (synced) credential. Answers WEBAUTHN.
	DeviceNamePasskey = "Passkey"
	// DeviceNameSecurityKey: a roaming authenticator with a
	// server-side credential. Answers WEBAUTHN and WEBAUTHN_SECURITY_KEY.
	DeviceNameSecurityKey = "Security key"
)

// FactorWebAuthn is recorded in a session's AuthMethods after an assertion.
const FactorWebAuthn = "webauthn"

// typePasskey is the kind deviceTypes gives a passkey (a WebAuthn device of
// DeviceNamePasskey); a security key is identity.MFATypeWebAuthn.
const typePasskey = "WEBAUTHN_PASSKEY"

// maxCredentialJSON bounds what a browser may post as its credential.
const maxCredentialJSON = 64 << 10

// WebAuthnOptions are the options of one ceremony, for the browser:
// PublicKeyCredentialCreationOptions (registration) or
// PublicKeyCredentialRequestOptions (assertion) in their JSON form (binary
// members base64url).
type WebAuthnOptions struct {
	JSON string
}

// credentialRecord is what a WebAuthn device keeps sealed.
type credentialRecord struct {
	ID                []byte   `json:"id"`
	PublicKey         []byte   `json:"public_key"` // COSE_Key
	AAGUID            []byte   `json:"aaguid,omitempty"`
	Transports        []string `json:"transports,omitempty"`
	AttestationFormat string   `json:"attestation_format,omitempty"`
	AttestationType   string   `json:"attestation_type,omitempty"`
	Attachment        string   `json:"attachment,omitempty"`    // platform, cross-platform or "" (not told)
	Discoverable      *bool    `json:"discoverable,omitempty"`  // credProps.rk; nil = not told
	BackupEligible    bool     `json:"backup_eligible"`         // BE: the credential may be synced
	UserVerified      bool     `json:"user_verified,omitempty"` // UV at registration
	Passkey           bool     `json:"passkey"`
	UserHandle        []byte   `json:"user_handle"`
}

func webauthnAAD(storeID, deviceID string) []byte {
	return []byte("webauthn-credential:" + storeID + ":" + deviceID)
}

// relyingParty is the WebAuthn configuration of the public URL.
func (s *Service) relyingParty() (*webauthn.WebAuthn, error) {
	u, err := url.Parse(s.Identity.PublicURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, apierr.IIC1710.New()
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID: u.Hostname(), RPDisplayName: "IAM Identity Center", RPOrigins: []string{u.Scheme + "://" + u.Host},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: challengeTTL, TimeoutUVD: challengeTTL},
			Registration: webauthn.TimeoutConfig{Timeout: enrolTTL, TimeoutUVD: enrolTTL},
		},
	})
	if err != nil {
		return nil, apierr.IIC1710.New() // e.g. an IP address: not a valid RP ID
	}
	return w, nil
}

// WebAuthnAvailable reports whether this server can be a WebAuthn relying
// party (its public URL's host is a domain name).
func (s *Service) WebAuthnAvailable() bool {
	_, err := s.relyingParty()
	return err == nil
}

// WebAuthnAllowed answers the WebAuthn types a new device of a user of
// identity store storeID may be (none when the instance allows none or
// this server cannot be a relying party).
func (s *Service) WebAuthnAllowed(ctx context.Context, storeID string) ([]string, error) {
	if !s.WebAuthnAvailable() {
		return nil, nil
	}
	cfg, err := s.ssoConfig(ctx, storeID)
	if err != nil {
		return nil, err
	}
	return WebAuthnMethods(cfg.AllowedMFATypes), nil
}

// WebAuthnMethods are the WebAuthn types among methods.
func WebAuthnMethods(methods []string) []string {
	var out []string
	for _, m := range methods {
		if m == center.MFATypeWebAuthn || m == center.MFATypeWebAuthnSecurityKey {
			out = append(out, m)
		}
	}
	return out
}

// webauthnUser is a user as go-webauthn sees one.
type webauthnUser struct {
	handle      []byte
	name        string
	displayName string
	creds       []webauthn.Credential
}

func (u *webauthnUser) WebAuthnID() []byte                         { return u.handle }
func (u *webauthnUser) WebAuthnName() string                       { return u.name }
func (u *webauthnUser) WebAuthnDisplayName() string                { return u.displayName }
func (u *webauthnUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// userHandle is the opaque WebAuthn user id of a user: a keyed digest, so
// an authenticator learns nothing of the user's ids.
func (s *Service) userHandle(u store.User) []byte {
	return s.digest("webauthn-user", []byte(u.IdentityStoreID+"/"+u.ID))
}

// webauthnDevice is a user's WebAuthn device and its record.
type webauthnDevice struct {
	device store.MFADevice
	record credentialRecord
}

// webauthnDevices opens the user's WebAuthn devices.
func (s *Service) webauthnDevices(ctx context.Context, u store.User) ([]webauthnDevice, error) {
	rows, err := s.Store.Devices().ListDevices(ctx, u.IdentityStoreID, u.ID)
	if err != nil {
		return nil, err
	}
	var out []webauthnDevice
	for _, d := range rows {
		if d.Type != identity.MFATypeWebAuthn {
			continue
		}
		plain, err := s.Identity.Keys.Open(d.SecretSealed, webauthnAAD(d.IdentityStoreID, d.ID))
		if err != nil {
			// A device row this service did not write (or whose record was
			// changed): never usable, never fatal for the others.
			s.log().Warn("webauthn device record does not open", "store", d.IdentityStoreID, "user", d.UserID, "device", d.ID)
			continue
		}
		var rec credentialRecord
		if err := json.Unmarshal(plain, &rec); err != nil || len(rec.ID) == 0 {
			s.log().Warn("webauthn device record unreadable", "store", d.IdentityStoreID, "user", d.UserID, "device", d.ID)
			continue
		}
		out = append(out, webauthnDevice{device: d, record: rec})
	}
	return out, nil
}

func (d webauthnDevice) credential() webauthn.Credential {
	var transports []protocol.AuthenticatorTransport
	for _, t := range d.record.Transports {
		transports = append(transports, protocol.AuthenticatorTransport(t))
	}
	return webauthn.Credential{
		ID: d.record.ID, PublicKey: d.record.PublicKey, AttestationFormat: d.record.AttestationFormat, AttestationType: d.record.AttestationType,
		Transport: transports,
		Flags:     webauthn.CredentialFlags{UserPresent: true, UserVerified: d.record.UserVerified, BackupEligible: d.record.BackupEligible},
		Authenticator: webauthn.Authenticator{AAGUID: d.record.AAGUID, SignCount: uint32(d.device.LastStep),
			Attachment: protocol.AuthenticatorAttachment(d.record.Attachment)},
	}
}

// answers reports whether a WebAuthn device of deviceName answers one of
// methods.
func answers(methods []string, deviceName string) bool {
	t := identity.MFATypeWebAuthn
	if deviceName == DeviceNamePasskey {
		t = typePasskey
	}
	return len(usableMethods(methods, []string{t})) > 0
}

// userVerification is what a ceremony asks of the authenticator under the
// allowed methods: "preferred" when passkeys are allowed (WEBAUTHN: a
// built-in authenticator verifies its user anyway), "discouraged" when only
// security keys are (a second factor after the password needs presence, a
// touch, not a PIN). It is never required: the password step has already
// said who the user is; presence (UP) always is.
func userVerification(methods []string) protocol.UserVerificationRequirement {
	if slices.Contains(methods, center.MFATypeWebAuthn) {
		return protocol.VerificationPreferred
	}
	return protocol.VerificationDiscouraged
}

// ---- assertion: the MFA step

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

// ---- registration

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

// selfService opens the ceremony of a signed-in user adding a device: the
// instance must allow a WebAuthn type (else 400 IIC.1727) and its users to
// manage their devices (else 403 IIC.1518).
func (s *Service) selfService(ctx context.Context, sess store.Session, regToken string) (ceremony, error) {
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
func (s *Service) BeginWebAuthnRegistration(ctx context.Context, sess store.Session, regToken string) (WebAuthnOptions, error) {
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
func (s *Service) CompleteWebAuthnRegistration(ctx context.Context, sess store.Session, regToken, credentialJSON, displayName string) (identity.MFADevice, error) {
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

// ---- the browser's JSON

func optionsJSON(v any) (WebAuthnOptions, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return WebAuthnOptions{}, err
	}
	return WebAuthnOptions{JSON: string(b)}, nil
}

// ParseAssertion parses the browser's answer to an assertion (a
// PublicKeyCredential in its AuthenticationResponseJSON form). Anything it
// cannot read is 400 IIC.1740, never a panic.
func ParseAssertion(raw string) (p *protocol.ParsedCredentialAssertionData, err error) {
	if len(raw) > maxCredentialJSON {
		return nil, apierr.IIC1740.New("security-key answer: too large")
	}
	defer func() {
		if recover() != nil {
			p, err = nil, apierr.IIC1740.New("security-key answer: unreadable")
		}
	}()
	p, err = protocol.ParseCredentialRequestResponseBytes([]byte(raw))
	if err != nil {
		return nil, apierr.IIC1740.New("security-key answer: " + reason(err))
	}
	return p, nil
}

// ParseAttestation parses the browser's answer to a registration (a
// PublicKeyCredential in its RegistrationResponseJSON form). Anything it
// cannot read is 400 IIC.1740, never a panic.
func ParseAttestation(raw string) (p *protocol.ParsedCredentialCreationData, err error) {
	if len(raw) > maxCredentialJSON {
		return nil, apierr.IIC1740.New("security-key answer: too large")
	}
	defer func() {
		if recover() != nil {
			p, err = nil, apierr.IIC1740.New("security-key answer: unreadable")
		}
	}()
	p, err = protocol.ParseCredentialCreationResponseBytes([]byte(raw))
	if err != nil {
		return nil, apierr.IIC1740.New("security-key answer: " + reason(err))
	}
	return p, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

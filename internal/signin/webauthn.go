package signin

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
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

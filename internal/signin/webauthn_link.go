package signin

import (
	"context"
	"errors"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// An administrator's device-registration link (identity-store
// RegisterMfaDeviceForUser) lets its holder add a device to the user it
// was issued for without signing in. With a security key or passkey, the
// ceremony is bound to the link's registration and to a value of the
// browser's the caller names (the portal: its CSRF cookie), so a ceremony
// begun in one browser cannot be finished in another; the registration is
// used up by the device it creates.

// linkBindingMin is the shortest browser value a link ceremony accepts.
const linkBindingMin = 32

// linkRegistration opens the ceremony of a registration link: the token
// must be live (else 400 IIC.1721) and the user's instance must allow a
// WebAuthn type (else 400 IIC.1727).
func (s *Service) linkRegistration(ctx context.Context, regToken, browser string) (ceremony, error) {
	if regToken == "" || len(regToken) > 128 || len(browser) < linkBindingMin {
		return ceremony{}, apierr.IIC1721.New()
	}
	r, err := s.Store.Devices().GetRegistration(ctx, secrets.TokenHash(regToken))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !s.now().Before(r.ExpiresAt)) {
		return ceremony{}, apierr.IIC1721.New()
	}
	if err != nil {
		return ceremony{}, err
	}
	u, err := s.Store.Users().Get(ctx, r.IdentityStoreID, r.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return ceremony{}, apierr.IIC1721.New()
	}
	if err != nil {
		return ceremony{}, err
	}
	cfg, err := s.ssoConfig(ctx, u.IdentityStoreID)
	if err != nil {
		return ceremony{}, err
	}
	methods := WebAuthnMethods(cfg.AllowedMFATypes)
	if len(methods) == 0 {
		return ceremony{}, apierr.IIC1727.New("your organization does not allow security keys or passkeys")
	}
	return ceremony{user: u, reg: r, methods: methods, binding: registrationBinding{purpose: "link", value: []byte(browser)}}, nil
}

// LinkMFATypes answers the types of device the instance of the user a
// registration link was issued for allows (without the WebAuthn ones when
// this server cannot be a relying party). A dead token is 400 IIC.1721.
func (s *Service) LinkMFATypes(ctx context.Context, regToken string) ([]string, error) {
	r, err := s.Store.Devices().GetRegistration(ctx, secrets.TokenHash(regToken))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !s.now().Before(r.ExpiresAt)) {
		return nil, apierr.IIC1721.New()
	}
	if err != nil {
		return nil, err
	}
	cfg, err := s.ssoConfig(ctx, r.IdentityStoreID)
	if err != nil {
		return nil, err
	}
	if s.WebAuthnAvailable() {
		return cfg.AllowedMFATypes, nil
	}
	var out []string
	for _, t := range cfg.AllowedMFATypes {
		if len(WebAuthnMethods([]string{t})) == 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// BeginWebAuthnLinkRegistration answers the options of registering a
// security key or passkey through a registration link, bound to browser
// (an unguessable value of at least 32 characters the browser presents
// again with its answer).
func (s *Service) BeginWebAuthnLinkRegistration(ctx context.Context, regToken, browser string) (WebAuthnOptions, error) {
	cer, err := s.linkRegistration(ctx, regToken, browser)
	if err != nil {
		return WebAuthnOptions{}, err
	}
	return s.registrationOptions(ctx, cer)
}

// CompleteWebAuthnLinkRegistration verifies the attestation of the
// ceremony BeginWebAuthnLinkRegistration began for regToken and browser,
// and stores the device, named displayName ("" = its kind). What is
// refused is as for CompleteWebAuthnRegistration.
func (s *Service) CompleteWebAuthnLinkRegistration(ctx context.Context, regToken, browser, credentialJSON, displayName string) (identity.MFADevice, error) {
	cer, err := s.linkRegistration(ctx, regToken, browser)
	if err != nil {
		return identity.MFADevice{}, err
	}
	return s.register(ctx, cer, credentialJSON, displayName)
}

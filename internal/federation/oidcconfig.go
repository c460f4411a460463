package federation

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Access modes of an OpenID Connect identity provider.
const (
	AccessProgramConsole = "program_console" // programmatic and console (browser) sign-in
	AccessProgram        = "program"         // programmatic sign-in only
)

// OIDCFields are the settable fields of an OpenID Connect configuration;
// nil leaves a field empty (create) or unchanged (update).
type OIDCFields struct {
	AccessMode            *string
	IdPURL                *string
	ClientID              *string
	AuthorizationEndpoint *string
	Scope                 *string
	ResponseType          *string
	ResponseMode          *string
	SigningKey            *string
}

const (
	maxURL       = 255
	maxClientID  = 255
	maxScope     = 255
	maxScopes    = 10
	maxJWKS      = 64 << 10
	maxJWKSKeys  = 20
	responseType = "id_token"
)

var scopeToken = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func (f OIDCFields) applyTo(c *store.FederationOIDCConfig) {
	set(&c.AccessMode, f.AccessMode)
	set(&c.IdPURL, f.IdPURL)
	set(&c.ClientID, f.ClientID)
	set(&c.AuthorizationEndpoint, f.AuthorizationEndpoint)
	set(&c.Scope, f.Scope)
	set(&c.ResponseType, f.ResponseType)
	set(&c.ResponseMode, f.ResponseMode)
	set(&c.SigningKey, f.SigningKey)
}

// checkOIDC validates a whole configuration as Huawei documents it: the
// console mode needs the authorization request's settings, the program
// mode takes them optionally.
func checkOIDC(c store.FederationOIDCConfig) error {
	if c.AccessMode != AccessProgramConsole && c.AccessMode != AccessProgram {
		return invalid("access_mode must be %s or %s", AccessProgramConsole, AccessProgram)
	}
	if err := checkHTTPS("idp_url", c.IdPURL); err != nil {
		return err
	}
	if c.ClientID == "" || len(c.ClientID) > maxClientID {
		return invalid("client_id must be 1 to %d bytes", maxClientID)
	}
	console := c.AccessMode == AccessProgramConsole
	if c.AuthorizationEndpoint != "" || console {
		if err := checkHTTPS("authorization_endpoint", c.AuthorizationEndpoint); err != nil {
			return err
		}
	}
	if c.Scope != "" || console {
		if err := checkScope(c.Scope); err != nil {
			return err
		}
	}
	if (c.ResponseType != "" || console) && c.ResponseType != responseType {
		return invalid("response_type must be %s", responseType)
	}
	if (c.ResponseMode != "" || console) && c.ResponseMode != "form_post" && c.ResponseMode != "fragment" {
		return invalid("response_mode must be form_post or fragment")
	}
	return checkJWKS(c.SigningKey)
}

func checkHTTPS(field, v string) error {
	if v == "" {
		return invalid("%s is required", field)
	}
	u, err := url.Parse(v)
	if len(v) > maxURL || err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return invalid("%s must be an https URL of at most %d bytes", field, maxURL)
	}
	return nil
}

func checkScope(scope string) error {
	if scope == "" {
		return invalid("scope is required")
	}
	if len(scope) > maxScope {
		return invalid("scope must be at most %d bytes", maxScope)
	}
	toks := strings.Split(scope, " ")
	if len(toks) > maxScopes {
		return invalid("scope has at most %d values", maxScopes)
	}
	hasOpenID := false
	for _, t := range toks {
		if !scopeToken.MatchString(t) {
			return invalid("scope values are letters, digits or '_', separated by one space")
		}
		hasOpenID = hasOpenID || t == "openid"
	}
	if !hasOpenID {
		return invalid("scope must contain openid")
	}
	return nil
}

// checkJWKS accepts a JSON Web Key Set (RFC 7517) of public keys: RSA keys
// with n and e, EC keys with crv, x and y; no private members.
func checkJWKS(v string) error {
	if v == "" {
		return invalid("signing_key is required")
	}
	if len(v) > maxJWKS {
		return invalid("signing_key must be at most %d bytes", maxJWKS)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(v), &set); err != nil || set.Keys == nil {
		return invalid(`signing_key must be a JSON Web Key Set: {"keys": [...]}`)
	}
	if len(set.Keys) == 0 || len(set.Keys) > maxJWKSKeys {
		return invalid("signing_key must hold 1 to %d keys", maxJWKSKeys)
	}
	for i, k := range set.Keys {
		str := func(name string) bool { s, ok := k[name].(string); return ok && s != "" }
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				return invalid("signing_key keys[%d] holds the private member %q: publish public keys only", i, private)
			}
		}
		switch k["kty"] {
		case "RSA":
			if !str("n") || !str("e") {
				return invalid("signing_key keys[%d]: an RSA key needs n and e", i)
			}
		case "EC":
			if !str("crv") || !str("x") || !str("y") {
				return invalid("signing_key keys[%d]: an EC key needs crv, x and y", i)
			}
		default:
			return invalid("signing_key keys[%d]: kty must be RSA or EC", i)
		}
	}
	return nil
}

// CreateOIDCConfig creates the OpenID Connect configuration of an identity
// provider (one per provider).
func (s *Service) CreateOIDCConfig(ctx context.Context, accountID, idpID string, f OIDCFields) (store.FederationOIDCConfig, error) {
	now := s.now()
	c := store.FederationOIDCConfig{AccountID: accountID, IdPID: idpID, CreatedAt: now, UpdatedAt: now}
	f.applyTo(&c)
	if err := checkOIDC(c); err != nil {
		return c, err
	}
	err := s.Store.Federation().CreateOIDCConfig(ctx, c)
	switch {
	case store.ConflictKey(err) == store.KeyReference:
		return c, notFound("identity provider", idpID)
	case errors.Is(err, store.ErrConflict):
		return c, apierr.IIC1257.New().WithKey(store.KeyID).About("openid connect config", idpID)
	}
	return c, err
}

// GetOIDCConfig returns the OpenID Connect configuration of an identity
// provider.
func (s *Service) GetOIDCConfig(ctx context.Context, accountID, idpID string) (store.FederationOIDCConfig, error) {
	c, err := s.Store.Federation().GetOIDCConfig(ctx, accountID, idpID)
	if errors.Is(err, store.ErrNotFound) {
		if _, ierr := s.GetIdP(ctx, accountID, idpID); ierr != nil {
			return c, ierr
		}
		return c, notFound("openid connect config of identity provider", idpID)
	}
	return c, err
}

// UpdateOIDCConfig changes the fields f sets; the result must be a valid
// configuration as a whole.
func (s *Service) UpdateOIDCConfig(ctx context.Context, accountID, idpID string, f OIDCFields) (store.FederationOIDCConfig, error) {
	if f == (OIDCFields{}) {
		return store.FederationOIDCConfig{}, invalid("an update must set at least one field")
	}
	var out store.FederationOIDCConfig
	err := s.Store.Federation().UpdateOIDCConfig(ctx, accountID, idpID, func(c *store.FederationOIDCConfig) error {
		f.applyTo(c)
		if err := checkOIDC(*c); err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		out = *c
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		if _, gerr := s.GetOIDCConfig(ctx, accountID, idpID); gerr != nil {
			return out, gerr
		}
		return out, notFound("openid connect config of identity provider", idpID) // deleted meanwhile
	}
	return out, err
}

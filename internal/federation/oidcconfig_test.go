package federation

import (
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

func TestCheckOIDC(t *testing.T) {
	good := store.FederationOIDCConfig{AccessMode: AccessProgramConsole, IdPURL: "https://idp.example.com", ClientID: "c",
		AuthorizationEndpoint: "https://idp.example.com/auth", Scope: "openid email profile", ResponseType: "id_token", ResponseMode: "form_post",
		SigningKey: `{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"},{"kty":"RSA","n":"n","e":"AQAB"}]}`}
	if err := checkOIDC(good); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	program := store.FederationOIDCConfig{AccessMode: AccessProgram, IdPURL: "https://idp.example.com", ClientID: "c", SigningKey: good.SigningKey}
	if err := checkOIDC(program); err != nil {
		t.Fatalf("program mode needs no authorization settings: %v", err)
	}
	for name, mutate := range map[string]func(*store.FederationOIDCConfig){
		"no access mode":        func(c *store.FederationOIDCConfig) { c.AccessMode = "" },
		"idp_url http":          func(c *store.FederationOIDCConfig) { c.IdPURL = "http://idp.example.com" },
		"idp_url with userinfo": func(c *store.FederationOIDCConfig) { c.IdPURL = "https://u:p@idp.example.com" },
		"idp_url too long":      func(c *store.FederationOIDCConfig) { c.IdPURL = "https://idp.example.com/" + strings.Repeat("a", 255) },
		"no client id":          func(c *store.FederationOIDCConfig) { c.ClientID = "" },
		"console without scope": func(c *store.FederationOIDCConfig) { c.Scope = "" },
		"scope without openid":  func(c *store.FederationOIDCConfig) { c.Scope = "email profile" },
		"scope double space":    func(c *store.FederationOIDCConfig) { c.Scope = "openid  email" },
		"scope bad character":   func(c *store.FederationOIDCConfig) { c.Scope = "openid e-mail" },
		"eleven scopes":         func(c *store.FederationOIDCConfig) { c.Scope = "openid" + strings.Repeat(" a", 10) },
		"response type code":    func(c *store.FederationOIDCConfig) { c.ResponseType = "code" },
		"response mode query":   func(c *store.FederationOIDCConfig) { c.ResponseMode = "query" },
		"signing key PEM":       func(c *store.FederationOIDCConfig) { c.SigningKey = "-----BEGIN PUBLIC KEY-----" },
		"signing key no keys":   func(c *store.FederationOIDCConfig) { c.SigningKey = `{"keys":[]}` },
		"signing key null keys": func(c *store.FederationOIDCConfig) { c.SigningKey = `{"keys":null}` },
		"signing key oct":       func(c *store.FederationOIDCConfig) { c.SigningKey = `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}` },
		"RSA without e":         func(c *store.FederationOIDCConfig) { c.SigningKey = `{"keys":[{"kty":"RSA","n":"n"}]}` },
		"EC without y":          func(c *store.FederationOIDCConfig) { c.SigningKey = `{"keys":[{"kty":"EC","crv":"P-256","x":"a"}]}` },
		"private RSA key": func(c *store.FederationOIDCConfig) {
			c.SigningKey = `{"keys":[{"kty":"RSA","n":"n","e":"AQAB","d":"x"}]}`
		},
		"program with bad mode": func(c *store.FederationOIDCConfig) { c.AccessMode, c.ResponseMode = AccessProgram, "query" },
	} {
		c := good
		mutate(&c)
		if err := checkOIDC(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Package oidc is the OIDC surface: the SDK's identitycenteroidc operations
// RegisterClient (POST /v1/clients), StartDeviceAuthorization
// (POST /v1/device/authorize) and CreateToken (POST /v1/tokens).
//
// Its requests are not signed: the SDK's credentials type for this service
// is empty, and clients authenticate with client_id and client_secret in the
// JSON body (client_secret_post). The surface is mounted with an
// httpx.Authenticator like every other (httpx.NoCredential: the transport
// carries no credential, RegisterClient is open to anyone), but the client
// credentials are checked by the OIDC service, not by an authenticator:
// they are members of the body the token endpoint's contract defines, the
// service checks them in the order that contract answers in (grant_type
// is required before the client is looked at; a client's expired secret
// or registration has its own code), and each grant needs the client's
// registration (its grant types and scopes) the check reads. Every error of these paths is the
// product's envelope with OAuth 2.0's error members beside it:
//
//	{"error_code": "IIC.1608", "error_msg": "Authorization pending exception.",
//	 "request_id": "…", "error": "authorization_pending", "error_description": "Authorization pending exception."}
//
// The SDK reads error_code and error_msg; a generic OAuth client reads error
// (RFC 6749 §5.2, RFC 8628 §3.5: slow_down and authorization_pending share
// IIC.1608 and differ only there). Responses are never cached (no-store).
package oidc

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/oidc"
)

// Paths of the surface.
const (
	ClientsPath = "/v1/clients"
	DevicePath  = "/v1/device/authorize"
	TokensPath  = "/v1/tokens"
)

// API serves the OIDC operations.
type API struct {
	OIDC *oidc.Service
}

// Mount registers the routes on rt, their callers authenticated by auth
// (httpx.NoCredential), and claims their requests in d.
func (a *API) Mount(rt *httpx.Router, d *httpx.Dialects, auth httpx.Authenticator) {
	d.Claim(func(r *http.Request) bool {
		switch r.URL.EscapedPath() {
		case ClientsPath, DevicePath, TokensPath:
			return true
		}
		return false
	}, writeError)
	rt.Handle("POST "+ClientsPath, serve(auth, a.registerClient))
	rt.Handle("POST "+DevicePath, serve(auth, a.startDeviceAuthorization))
	rt.Handle("POST "+TokensPath, serve(auth, a.createToken))
}

func serve(auth httpx.Authenticator, h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		_, err := auth.Authenticate(r, httpx.Body(r.Context()), httpx.AuthOp{})
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			httpx.WriteError(w, r, err)
		}
	})
}

// noStore marks a response that carries secrets as not cacheable (RFC 6749
// §5.1).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// decode reads the JSON body; a body that is not JSON is 400 IIC.1606.
func decode(r *http.Request, v any) error {
	if err := httpx.Decode(r, v); err != nil {
		msg := err.Error()
		if e, ok := apierr.From(err); ok {
			msg = strings.TrimPrefix(strings.TrimSuffix(e.Message, "."), "Bad Request: ")
		}
		return &oidc.Error{OAuth: "invalid_request", Err: apierr.IIC1606_400.New(msg)}
	}
	return nil
}

// ---- RegisterClient

type registerClientBody struct {
	ClientName              string   `json:"client_name"`
	ClientType              string   `json:"client_type"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	Scopes                  []string `json:"scopes"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
}

type clientInfo struct {
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	ClientID              string   `json:"client_id"`
	ClientIDIssuedAt      int64    `json:"client_id_issued_at"`
	ClientSecret          string   `json:"client_secret"`
	ClientSecretExpiresAt int64    `json:"client_secret_expires_at"`
	TokenEndpoint         string   `json:"token_endpoint"`
	Scopes                []string `json:"scopes"`
}

func (a *API) registerClient(w http.ResponseWriter, r *http.Request) error {
	var b registerClientBody
	if err := decode(r, &b); err != nil {
		return err
	}
	reg, err := a.OIDC.RegisterClient(r.Context(), oidc.NewClient{
		Name: b.ClientName, Type: b.ClientType, TokenEndpointAuthMethod: b.TokenEndpointAuthMethod,
		Scopes: b.Scopes, GrantTypes: b.GrantTypes, ResponseTypes: b.ResponseTypes,
	})
	if err != nil {
		return err
	}
	c := reg.Client
	scopes := c.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]clientInfo{"client_info": {
		AuthorizationEndpoint: a.OIDC.AuthorizationEndpoint(), ClientID: c.ID, ClientIDIssuedAt: unix(c.CreatedAt),
		ClientSecret: reg.Secret, ClientSecretExpiresAt: unix(c.SecretExpiresAt), TokenEndpoint: a.OIDC.TokenEndpoint(), Scopes: scopes,
	}})
	return nil
}

// unix is a time as RFC 7591 writes it: seconds since the epoch.
func unix(t time.Time) int64 { return t.Unix() }

// ---- StartDeviceAuthorization

type deviceBody struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	StartURL     string `json:"start_url"`
}

type deviceResponse struct {
	DeviceCode              string `json:"device_code"`
	ExpiresIn               int    `json:"expires_in"`
	Interval                int    `json:"interval"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
}

func (a *API) startDeviceAuthorization(w http.ResponseWriter, r *http.Request) error {
	var b deviceBody
	if err := decode(r, &b); err != nil {
		return err
	}
	d, err := a.OIDC.StartDeviceAuthorization(r.Context(), b.ClientID, b.ClientSecret, b.StartURL)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, deviceResponse{
		DeviceCode: d.DeviceCode, ExpiresIn: d.ExpiresIn, Interval: d.Interval, UserCode: d.UserCode,
		VerificationURI: d.VerificationURI, VerificationURIComplete: d.VerificationURIComplete,
	})
	return nil
}

// ---- CreateToken

// tokenBody is the SDK's CreateTokenReqBody plus code_verifier (PKCE),
// which its model lacks.
type tokenBody struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Code         string   `json:"code"`
	CodeVerifier string   `json:"code_verifier"`
	DeviceCode   string   `json:"device_code"`
	GrantType    string   `json:"grant_type"`
	RedirectURI  string   `json:"redirect_uri"`
	RefreshToken string   `json:"refresh_token"`
	Scopes       []string `json:"scopes"`
}

type tokenInfo struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	var b tokenBody
	if err := decode(r, &b); err != nil {
		return err
	}
	t, err := a.OIDC.CreateToken(r.Context(), oidc.TokenRequest{
		ClientID: b.ClientID, ClientSecret: b.ClientSecret, GrantType: b.GrantType, DeviceCode: b.DeviceCode, Code: b.Code,
		RedirectURI: b.RedirectURI, CodeVerifier: b.CodeVerifier, RefreshToken: b.RefreshToken, Scopes: b.Scopes,
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]tokenInfo{"token_info": {
		AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn, RefreshToken: t.RefreshToken, TokenType: t.TokenType,
	}})
	return nil
}

// ---- errors

type errorBody struct {
	ErrorCode        string `json:"error_code"`
	ErrorMsg         string `json:"error_msg"`
	RequestID        string `json:"request_id"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// writeError is the surface's httpx.ErrorWriter: the envelope's members,
// status and code, plus error and error_description.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	noStore(w)
	e, ok := apierr.From(err)
	switch {
	case !ok:
		httpx.Logger(r.Context()).Error("internal error", "err", err.Error())
		e = apierr.IIC1603.New("internal error")
	case e.Status() >= 500:
		httpx.Logger(r.Context()).Error("server error", "code", e.Def.Code, "err", err.Error())
	}
	var mna *httpx.MethodNotAllowedError
	if errors.As(err, &mna) {
		w.Header().Set("Allow", strings.Join(mna.Allow, ", "))
	}
	code := oidc.OAuthCode(err)
	if code == "" {
		code = oauthOfKind(e.Kind())
	}
	httpx.WriteJSON(w, e.Status(), errorBody{ErrorCode: e.Def.Code, ErrorMsg: e.Message, RequestID: httpx.RequestID(r.Context()),
		Error: code, ErrorDescription: e.Message})
}

// oauthOfKind is the OAuth error of an error the service did not name one
// for (a refused body, an unknown method, a fault).
func oauthOfKind(k apierr.Kind) string {
	switch k {
	case apierr.KindInternal:
		return "server_error"
	case apierr.KindUnavailable:
		return "temporarily_unavailable"
	}
	return "invalid_request"
}

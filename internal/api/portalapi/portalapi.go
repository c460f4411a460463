// Package portalapi is the portal API surface (SDK
// services/identitycenterportalapi/v1): a signed-in user's assigned
// accounts, the agencies assigned to the user in an account, temporary
// credentials for one of them, and logout.
//
// Requests are not AK/SK-signed: each carries the access token the OIDC
// service issued, in the header access-token (at most 4,096 characters),
// which the surface's authenticator (AccessTokens over a
// TokenAuthenticator) turns into the user. A missing, oversized, invalid,
// expired or revoked token is 401 IIC.1604. Errors are the product's
// envelope.
package portalapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/portal"
)

// TokenHeader is the header the access token travels in.
const TokenHeader = "access-token"

// MaxTokenLen is the longest access token accepted (the product's limit).
const MaxTokenLen = 4096

// TokenAuthenticator resolves an access token to the signed-in user: its
// identity store, user id and sign-in session (User.Session: the grant the
// token belongs to, whose end deletes the credentials issued with it; ""
// makes the token itself the session). An invalid, expired or revoked
// token is an error; ErrInvalidToken (or any *apierr.Error) is answered as
// it is, anything else is a server fault.
type TokenAuthenticator func(ctx context.Context, accessToken string) (portal.User, error)

// Logout revokes an access token and the refresh token it came with.
type Logout func(ctx context.Context, accessToken string) error

// ErrInvalidToken is the 401 IIC.1604 a TokenAuthenticator returns for a
// token that stands for no one.
var ErrInvalidToken = apierr.IIC1604.New()

// API serves the portal API.
type API struct {
	Portal *portal.Service
	// Logout revokes the token; nil = tokens cannot be revoked here (the
	// credentials issued with the token are still deleted).
	Logout Logout

	auth httpx.Authenticator
}

type handler func(w http.ResponseWriter, r *http.Request, u portal.User) error

// Routes are the operations, by SDK name, method and path.
var Routes = []struct{ Name, Pattern string }{
	{"ListAccounts", "GET /v1/assigned-accounts"},
	{"ListAccountAgencies", "GET /v1/assigned-agencies"},
	{"GetAgencyCredentials", "GET /v1/credentials"},
	{"Logout", "POST /v1/logout"},
}

// Mount registers the operations on rt, their callers authenticated by
// auth (AccessTokens).
func (a *API) Mount(rt *httpx.Router, auth httpx.Authenticator) {
	a.auth = auth
	hs := map[string]handler{
		"ListAccounts":         a.listAccounts,
		"ListAccountAgencies":  a.listAccountAgencies,
		"GetAgencyCredentials": a.getAgencyCredentials,
		"Logout":               a.logout,
	}
	for _, op := range Routes {
		rt.Handle(op.Pattern, a.serve(hs[op.Name]))
	}
}

func (a *API) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := a.authenticate(r)
		if err == nil {
			err = h(w, r, u)
		}
		if err != nil {
			httpx.WriteError(w, r, err)
		}
	})
}

// authenticate returns the portal user of the request's principal; a
// principal that is not a portal user is refused like a wrong token.
func (a *API) authenticate(r *http.Request) (portal.User, error) {
	p, err := a.auth.Authenticate(r, nil, httpx.AuthOp{})
	if err != nil {
		return portal.User{}, err
	}
	if p.Kind != authz.KindPortalUser || p.Store == nil {
		return portal.User{}, ErrInvalidToken
	}
	return portal.User{IdentityStoreID: p.Store.IdentityStoreID, UserID: p.UserID, Session: p.Store.Session}, nil
}

// AccessTokens is the surface's Authenticator: one access-token header of
// at most MaxTokenLen characters, resolved by resolve. The principal is
// the token's user (authz.KindPortalUser); its Session is the token's
// grant, or the token itself (hashed) when resolve names none.
func AccessTokens(resolve TokenAuthenticator) httpx.Authenticator { return accessTokens{resolve} }

type accessTokens struct{ resolve TokenAuthenticator }

func (accessTokens) Credential() string { return "an access token (" + TokenHeader + ")" }

func (accessTokens) Presented(r *http.Request) bool { return r.Header.Values(TokenHeader) != nil }

func (t accessTokens) Authenticate(r *http.Request, _ []byte, _ httpx.AuthOp) (*authz.Principal, error) {
	vs := r.Header.Values(TokenHeader)
	if len(vs) != 1 || vs[0] == "" || len(vs[0]) > MaxTokenLen {
		return nil, ErrInvalidToken
	}
	u, err := t.resolve(r.Context(), vs[0])
	if err != nil {
		return nil, err
	}
	if u.Session == "" {
		sum := sha256.Sum256([]byte(vs[0]))
		u.Session = "token:" + hex.EncodeToString(sum[:16])
	}
	return &authz.Principal{Kind: authz.KindPortalUser, UserID: u.UserID, Store: &authz.StoreCaller{IdentityStoreID: u.IdentityStoreID, Session: u.Session}}, nil
}

type accountInfo struct {
	AccountID    string `json:"account_id"`
	AccountName  string `json:"account_name"`
	EmailAddress string `json:"email_address"`
}

type listAccountsResponse struct {
	AccountList []accountInfo  `json:"account_list"`
	PageInfo    httpx.PageInfo `json:"page_info"`
}

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request, u portal.User) error {
	q := r.URL.Query()
	limit, err := paging.ParseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	p, err := a.Portal.Accounts(r.Context(), u, limit, q.Get("marker"))
	if err != nil {
		return err
	}
	out := listAccountsResponse{AccountList: make([]accountInfo, 0, len(p.Accounts)), PageInfo: httpx.NewPageInfo(p.NextMarker, len(p.Accounts))}
	for _, acct := range p.Accounts {
		out.AccountList = append(out.AccountList, accountInfo{AccountID: acct.ID, AccountName: acct.Name, EmailAddress: acct.Email})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type agencyInfo struct {
	AccountID         string `json:"account_id"`
	AgencyName        string `json:"agency_name"`
	PermissionSetName string `json:"permission_set_name"`
	AgencyURN         string `json:"agency_urn"`
	Description       string `json:"description"`
}

type listAgenciesResponse struct {
	AgencyList []agencyInfo   `json:"agency_list"`
	PageInfo   httpx.PageInfo `json:"page_info"`
}

func (a *API) listAccountAgencies(w http.ResponseWriter, r *http.Request, u portal.User) error {
	q := r.URL.Query()
	limit, err := paging.ParseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	if q.Get("account_id") == "" {
		return apierr.IIC1606_400.New("account_id is required")
	}
	p, err := a.Portal.Agencies(r.Context(), u, q.Get("account_id"), limit, q.Get("marker"))
	if err != nil {
		return err
	}
	out := listAgenciesResponse{AgencyList: make([]agencyInfo, 0, len(p.Agencies)), PageInfo: httpx.NewPageInfo(p.NextMarker, len(p.Agencies))}
	for _, ag := range p.Agencies {
		out.AgencyList = append(out.AgencyList, agencyInfo{AccountID: ag.AccountID, AgencyName: ag.Name, PermissionSetName: ag.PermissionSetName,
			AgencyURN: ag.URN, Description: ag.Description})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type agencyCredentials struct {
	AccessKeyID     string `json:"access_key_id"`
	Expiration      int64  `json:"expiration"` // Unix seconds, as the product's example
	SecretAccessKey string `json:"secret_access_key"`
	SessionToken    string `json:"session_token"`
}

type credentialsResponse struct {
	AgencyCredentials agencyCredentials `json:"agency_credentials"`
}

func (a *API) getAgencyCredentials(w http.ResponseWriter, r *http.Request, u portal.User) error {
	q := r.URL.Query()
	for _, p := range []string{"target_account_id", "agency_urn"} {
		if q.Get(p) == "" {
			return apierr.IIC1606_400.New(p + " is required")
		}
	}
	c, err := a.Portal.Credentials(r.Context(), u, q.Get("target_account_id"), q.Get("agency_urn"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, credentialsResponse{AgencyCredentials: agencyCredentials{
		AccessKeyID: c.AccessKey, Expiration: c.Expiration.Unix(), SecretAccessKey: c.SecretKey, SessionToken: c.SessionToken}})
	return nil
}

// logout revokes the token (and its refresh token) and deletes the
// credentials issued in its session.
func (a *API) logout(w http.ResponseWriter, r *http.Request, u portal.User) error {
	if a.Logout != nil {
		if err := a.Logout(r.Context(), r.Header.Get(TokenHeader)); err != nil && !apierr.IIC1604.Is(err) {
			return err
		}
	}
	if err := a.Portal.EndSession(r.Context(), u.Session); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

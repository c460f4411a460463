package iamfed

import (
	"net/http"
	"time"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/tokens"
)

// tokensPath is Keystone's token resource.
const tokensPath = "/v3/auth/tokens"

// assumeOp is the action table's row of the assume_role method.
var assumeOp = authz.OperationByName(authz.OpCreateAgencyToken)

// Tokens is the token half of the surface: POST /v3/auth/tokens (the four
// token-issuing operations of the SDK, told apart by
// auth.identity.methods) and GET /v3/auth/tokens (KeystoneValidateToken,
// behind the Guard like every signed operation).
type Tokens struct {
	Tokens *tokens.Service
	// Caller authenticates the caller of an agency token request (the
	// signed surfaces' authenticator: X-Auth-Token or AK/SK).
	Caller httpx.Authenticator
	// Authz decides whether an assume_role caller may assume the agency
	// (the action table's authz.OpCreateAgencyToken row, on the agency's
	// authz.AgencyURI), as the Guard decides signed operations; Now is the
	// request time it sees.
	Authz authz.Authorizer
	Now   func() time.Time
	// Regions and PublicURL make the token's catalog.
	Regions   []string
	PublicURL string
}

// Ops is the signed operation of the token half.
func (t *Tokens) Ops() []httpx.Op {
	return []httpx.Op{{Name: "KeystoneValidateToken", Pattern: "GET " + tokensPath, Handler: t.validate}}
}

// MountIssue mounts POST /v3/auth/tokens outside the Guard: a password
// request carries its own proof in the body (a signature or X-Auth-Token
// beside it is not read), a token request the token to exchange, an
// assume_role request is authenticated by Caller and authorized by Authz.
func (t *Tokens) MountIssue(rt *httpx.Router) {
	rt.Handle("POST "+tokensPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := t.issue(w, r); err != nil {
			httpx.WriteError(w, r, err)
		}
	}))
}

type nameID struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

type issueRequest struct {
	Auth *struct {
		Identity *struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User *struct {
					Name     string  `json:"name"`
					Password string  `json:"password"`
					Domain   *nameID `json:"domain"`
				} `json:"user"`
			} `json:"password"`
			TOTP *struct {
				User *struct {
					ID       string `json:"id"`
					Passcode string `json:"passcode"`
				} `json:"user"`
			} `json:"totp"`
			Token *struct {
				ID string `json:"id"`
			} `json:"token"`
			AssumeRole *struct {
				DomainID   string `json:"domain_id"`
				DomainName string `json:"domain_name"`
				AgencyName string `json:"agency_name"`
				XRoleName  string `json:"xrole_name"`
			} `json:"assume_role"`
		} `json:"identity"`
		Scope *struct {
			Domain  *nameID `json:"domain"`
			Project *struct {
				ID     string  `json:"id"`
				Name   string  `json:"name"`
				Domain *nameID `json:"domain"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

func invalid(msg string) error { return apierr.IIC400_400.New(msg) }

func (t *Tokens) issue(w http.ResponseWriter, r *http.Request) error {
	var in issueRequest
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Auth == nil || in.Auth.Identity == nil || len(in.Auth.Identity.Methods) == 0 {
		return invalid("auth.identity.methods is required")
	}
	id := in.Auth.Identity
	var scope tokens.Scope
	if sc := in.Auth.Scope; sc != nil {
		if sc.Project != nil {
			scope.ProjectID, scope.ProjectName = sc.Project.ID, sc.Project.Name
			if d := sc.Project.Domain; d != nil {
				scope.ProjectDomainID, scope.ProjectDomainName = d.ID, d.Name
			}
		} else if sc.Domain != nil {
			scope.DomainID, scope.DomainName = sc.Domain.ID, sc.Domain.Name
		}
	}
	var tok tokens.Token
	var value string
	var err error
	switch methods := normalize(id.Methods); {
	case len(methods) == 1 && methods[0] == tokens.MethodAssumeRole:
		ar := id.AssumeRole
		if ar == nil {
			return invalid("auth.identity.assume_role is required by the assume_role method")
		}
		p, aerr := t.Caller.Authenticate(r, httpx.Body(r.Context()), httpx.AuthOp{})
		if aerr != nil {
			return aerr
		}
		name := ar.AgencyName
		if name == "" {
			name = ar.XRoleName
		}
		a := tokens.AgencyAuth{DomainID: ar.DomainID, DomainName: ar.DomainName, AgencyName: name, Scope: scope}
		// Authorized on the agency the request names, before anything
		// about it is checked: a caller not allowed learns nothing.
		urn, aerr := t.Tokens.AgencyURN(r.Context(), a)
		if aerr != nil {
			return aerr
		}
		if aerr := t.Authz.Authorize(r.Context(), p, &authz.Request{Action: assumeOp.Action, Alternates: assumeOp.Alternates,
			LegacyAction: assumeOp.LegacyAction, ResourceURI: authz.AgencyURI(urn),
			SourceIP: httpx.SourceIP(r), SecureTransport: r.TLS != nil, Time: t.Now()}); aerr != nil {
			return aerr
		}
		tok, value, err = t.Tokens.IssueAgency(r.Context(), p, a)
	case len(methods) == 1 && methods[0] == tokens.MethodToken:
		// The token to exchange is the body's (Keystone's and the SDK's
		// auth.identity.token.id) or, without one, X-Auth-Token's.
		subject := r.Header.Get("X-Auth-Token")
		if id.Token != nil && id.Token.ID != "" {
			subject = id.Token.ID
		}
		tok, value, err = t.Tokens.IssueScoped(r.Context(), subject, scope)
	default:
		pw := id.Password
		if pw == nil || pw.User == nil {
			return invalid("auth.identity.password.user is required by the password method")
		}
		a := tokens.PasswordAuth{Methods: methods, UserName: pw.User.Name, Password: pw.User.Password, Scope: scope}
		if pw.User.Domain != nil {
			a.DomainName = pw.User.Domain.Name
		}
		if id.TOTP != nil && id.TOTP.User != nil {
			a.TOTPUserID, a.Passcode = id.TOTP.User.ID, id.TOTP.User.Passcode
		}
		tok, value, err = t.Tokens.Issue(r.Context(), a)
	}
	if err != nil {
		return err
	}
	w.Header().Set("X-Subject-Token", value)
	httpx.WriteJSON(w, http.StatusCreated, struct {
		Token tokenDTO `json:"token"`
	}{t.dto(tok, r.URL.Query().Get("nocatalog") != "")})
	return nil
}

// normalize trims the methods: the SDK's MFA enum value is " totp".
func normalize(ms []string) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		for len(m) > 0 && m[0] == ' ' {
			m = m[1:]
		}
		out = append(out, m)
	}
	return out
}

func (t *Tokens) validate(w http.ResponseWriter, r *http.Request) error {
	value := r.Header.Get("X-Subject-Token")
	if value == "" {
		return invalid("the X-Subject-Token header is required")
	}
	tok, err := t.Tokens.Validate(r.Context(), value)
	if err != nil {
		return err
	}
	w.Header().Set("X-Subject-Token", value)
	httpx.WriteJSON(w, http.StatusOK, struct {
		Token tokenDTO `json:"token"`
	}{t.dto(*tok, r.URL.Query().Get("nocatalog") != "")})
	return nil
}

type domainDTO struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type userDTO struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	Domain            domainDTO `json:"domain"`
	PasswordExpiresAt string    `json:"password_expires_at"`
}

type projectDTO struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Domain domainDTO `json:"domain"`
}

type endpointDTO struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	Region    string `json:"region"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
}

type catalogDTO struct {
	Type      string        `json:"type"`
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Endpoints []endpointDTO `json:"endpoints"`
}

type tokenDTO struct {
	Methods   []string `json:"methods"`
	ExpiresAt string   `json:"expires_at"`
	IssuedAt  string   `json:"issued_at"`
	User      userDTO  `json:"user"`
	AssumedBy *struct {
		User userDTO `json:"user"`
	} `json:"assumed_by,omitempty"`
	Domain  *domainDTO   `json:"domain,omitempty"`
	Project *projectDTO  `json:"project,omitempty"`
	Roles   []domainDTO  `json:"roles"`
	Catalog []catalogDTO `json:"catalog"`
}

// keystoneTime is Keystone's timestamp form (UTC, microseconds).
func keystoneTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func userOf(u tokens.User) userDTO {
	return userDTO{ID: u.ID, Name: u.Name, Domain: domainDTO(u.Domain), PasswordExpiresAt: u.PasswordExpiresAt}
}

func (t *Tokens) dto(tok tokens.Token, noCatalog bool) tokenDTO {
	out := tokenDTO{Methods: tok.Methods, ExpiresAt: keystoneTime(tok.ExpiresAt), IssuedAt: keystoneTime(tok.IssuedAt),
		User: userOf(tok.User), Roles: make([]domainDTO, 0, len(tok.Roles)), Catalog: []catalogDTO{}}
	if tok.AssumedBy != nil {
		out.AssumedBy = &struct {
			User userDTO `json:"user"`
		}{userOf(*tok.AssumedBy)}
	}
	if tok.Domain != nil {
		d := domainDTO(*tok.Domain)
		out.Domain = &d
	}
	if tok.Project != nil {
		out.Project = &projectDTO{ID: tok.Project.ID, Name: tok.Project.Name, Domain: domainDTO(tok.Project.Domain)}
	}
	for _, r := range tok.Roles {
		out.Roles = append(out.Roles, domainDTO{ID: r.ID, Name: r.Name})
	}
	if !noCatalog {
		out.Catalog = t.catalog()
	}
	return out
}

// catalog lists the services iic serves, each at the public URL in every
// region.
func (t *Tokens) catalog() []catalogDTO {
	services := []struct{ typ, name string }{{"identity", "iam"}, {"identitycenter", "identitycenter"}, {"identitystore", "identitystore"}}
	out := make([]catalogDTO, 0, len(services))
	for _, s := range services {
		c := catalogDTO{Type: s.typ, ID: s.name, Name: s.name, Endpoints: []endpointDTO{}}
		for _, region := range t.Regions {
			c.Endpoints = append(c.Endpoints, endpointDTO{ID: s.name + "-" + region, Interface: "public", Region: region, RegionID: region, URL: t.PublicURL})
		}
		out = append(out, c)
	}
	return out
}

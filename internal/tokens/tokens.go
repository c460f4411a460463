// Package tokens issues and validates Keystone tokens (POST and GET
// /v3/auth/tokens) for an account's sign-in user, and turns a token into
// the caller the authorizer decides (authz.Principal).
//
//   - The sign-in user (SetUser): one per account, a name and a password
//     (Argon2id through identity's Hasher; the portal's default password
//     policy is the minimum) and the system-defined roles it holds (package
//     managed, type role, e.g. "Security Administrator"). Changing its
//     password deletes every token issued to it.
//   - A password token (Issue): domain (account) name + user name +
//     password, scoped to the account (domain) or one of its projects.
//     Wrong passwords count towards the sign-in lockout (signin.LockoutPolicy,
//     the portal's), per account and name; a locked name is Huawei IAM's
//     401 "The account is locked." (apierr.KEYSTONE401) without checking
//     the password. A token lives DefaultLifetime.
//   - Virtual MFA (SetTOTP, totp.go): a user with a TOTP device gets a
//     token only by password + totp; a code is accepted once (the store's
//     ClaimTOTPStep), and wrong codes count towards the lockout too.
//   - A rescoped token (IssueScoped, the token method): a live token
//     exchanged for one of another scope, expiring with the original.
//   - An agency token (IssueAgency): the sign-in user of the account that
//     administers an Identity Center instance assumes an agency that
//     instance provisioned (domain_name/domain_id of the agency's account +
//     agency_name). Its permissions are exactly the agency's policies, read
//     at request time as temporary credentials' are; it lives
//     DefaultLifetime capped by the agency's session duration.
//   - Tokens are random, stored as their SHA-256 (store.Keystone). Validate
//     caches a validated token for CacheTTL: a revoked token (a password
//     change, a deleted user) may keep working for up to that TTL on a
//     replica that had it cached; Revoke-free expiry is exact.
package tokens

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/ttlcache"
)

// DefaultLifetime is how long a token lives (Keystone's and Huawei IAM's
// 24 hours).
const DefaultLifetime = 24 * time.Hour

// DefaultCacheTTL is how long a validated token is reused without a store
// read (the AK/SK credential cache's).
const DefaultCacheTTL = 5 * time.Second

// tokenLen is the length of a token value (alphanumeric: ~476 bits).
const tokenLen = 80

// lockoutScope prefixes the sign-in failure records of sign-in users
// (store.SignIns keyed by account instead of identity store).
const lockoutScope = "keystone:"

// Methods of POST /v3/auth/tokens.
const (
	MethodPassword   = "password"
	MethodTOTP       = "totp"
	MethodAssumeRole = "assume_role"
	MethodToken      = "token"
)

// Service issues and validates tokens.
type Service struct {
	Store   store.Store
	Hasher  identity.Hasher
	Lockout signin.LockoutPolicy
	IDs     ids.Generator
	// Keys seals the sign-in users' TOTP seeds.
	Keys *secrets.Keyring
	Now  func() time.Time
	// CacheTTL bounds how long a validated token is reused (0 = DefaultCacheTTL,
	// negative = no cache).
	CacheTTL time.Duration

	cache ttlcache.Cache[string, *Token]
}

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) ttl() time.Duration {
	if s.CacheTTL == 0 {
		return DefaultCacheTTL
	}
	return s.CacheTTL
}

func invalid(msg string) error { return apierr.IIC400_400.New(msg) }

func unauthorized(msg string) error { return apierr.IIC1410_401.New(msg) }

// SetUser creates or replaces the sign-in user of accountID: name, password
// and roles (names of system-defined roles, or ids of the account's custom
// policies, as Huawei attaches custom policies like roles). It refuses a
// password weaker than the portal's default policy or equal to the name,
// and an unknown role or custom policy (400). A custom policy deleted later
// grants nothing.
func (s *Service) SetUser(ctx context.Context, accountID, name, password string, roles []string) error {
	if name == "" || len(name) > 64 || strings.TrimSpace(name) != name {
		return invalid("the user name must be 1 to 64 characters without leading or trailing spaces")
	}
	if strings.EqualFold(name, password) {
		return invalid("the password must not be the user name")
	}
	if err := identity.DefaultPasswordPolicy.CheckComplexity(password); err != nil {
		return err
	}
	if _, err := s.Store.Accounts().Get(ctx, accountID); err != nil {
		return err
	}
	roleNames := make([]string, 0, len(roles))
	for _, r := range roles {
		if p, err := managed.ByName(r); err == nil {
			if p.Type != managed.TypeRole {
				return invalid("unknown system role " + r)
			}
			roleNames = append(roleNames, p.Name)
			continue
		}
		if _, err := s.Store.Policies().Get(ctx, accountID, r); errors.Is(err, store.ErrNotFound) {
			return invalid("unknown system role or custom policy " + r)
		} else if err != nil {
			return err
		}
		roleNames = append(roleNames, r)
	}
	hash, err := s.Hasher.Hash(password)
	if err != nil {
		return err
	}
	now := s.now()
	u, err := s.Store.Keystone().GetUser(ctx, accountID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		u = store.SignInUser{AccountID: accountID, ID: s.IDs.Hex(16), CreatedAt: now}
	case err != nil:
		return err
	}
	u.Name, u.PasswordHash, u.Roles, u.PasswordChangedAt, u.UpdatedAt = name, hash, roleNames, now, now
	if err := s.Store.Keystone().PutUser(ctx, u); err != nil {
		return err
	}
	s.cache.Clear() // the old password's tokens are gone from the store
	return nil
}

// Domain and Project name a scope.
type Domain struct{ ID, Name string }

// Project is a project and the domain it belongs to.
type Project struct {
	ID, Name string
	Domain   Domain
}

// Role is a system-defined role or a custom policy a token carries.
type Role struct{ ID, Name string }

// Token is an issued token as the API shows it.
type Token struct {
	Methods   []string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// User is the sign-in user (for an agency token, the agency's
	// session: the agency's account and name; AssumedBy is the user).
	User      User
	AssumedBy *User
	Domain    *Domain  // a domain-scoped token
	Project   *Project // a project-scoped token
	Roles     []Role

	principal *authz.Principal
}

// User names a user and its domain.
type User struct {
	ID, Name string
	Domain   Domain
	// PasswordExpiresAt is "" (passwords of sign-in users do not expire).
	PasswordExpiresAt string
}

// Principal is the caller a request with this token acts as.
func (t *Token) Principal() *authz.Principal { return t.principal }

// Scope names what a token is scoped to: a project (by id, or by name in
// a domain) or a domain (by id or name); zero = the user's own domain.
type Scope struct {
	ProjectID, ProjectName string
	// ProjectDomainID and ProjectDomainName name the project's domain
	// (optional; when given it must be the user's).
	ProjectDomainID, ProjectDomainName string
	DomainID, DomainName               string
}

// PasswordAuth is a request for a token by password (and TOTP).
type PasswordAuth struct {
	Methods    []string
	DomainName string
	UserName   string
	Password   string
	// TOTPUserID and Passcode are the totp method's.
	TOTPUserID, Passcode string
	Scope                Scope
}

// Issue checks a password sign-in and issues a token; it returns the token
// and its value (shown once, in X-Subject-Token).
func (s *Service) Issue(ctx context.Context, a PasswordAuth) (Token, string, error) {
	wantTOTP := false
	for _, m := range a.Methods {
		switch m {
		case MethodPassword:
		case MethodTOTP:
			wantTOTP = true
		default:
			return Token{}, "", invalid("unsupported authentication method " + m)
		}
	}
	if a.DomainName == "" || a.UserName == "" || a.Password == "" {
		return Token{}, "", invalid("auth.identity.password.user must name the domain, the user and the password")
	}
	if len(a.Password) > 4096 || len(a.UserName) > 256 || len(a.DomainName) > 256 {
		return Token{}, "", invalid("auth.identity.password.user is too long")
	}
	acct, err := s.Store.Accounts().GetByName(ctx, a.DomainName)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Token{}, "", err
	}
	scope, key := lockoutScope+acct.ID, strings.ToLower(a.DomainName)+"\n"+strings.ToLower(a.UserName)
	now := s.now()
	if f, err := s.Store.SignIns().GetFailures(ctx, scope, key); err == nil && now.Before(f.LockedUntil) {
		return Token{}, "", apierr.KEYSTONE401.New()
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Token{}, "", err
	}
	var u store.SignInUser
	if acct.ID != "" {
		u, err = s.Store.Keystone().GetUser(ctx, acct.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Token{}, "", err
		}
	}
	hash := u.PasswordHash
	if u.Name != a.UserName {
		hash = "" // still one Argon2id: the answer's time does not tell names apart
	}
	fail := func(msg string) (Token, string, error) {
		if err := s.Store.SignIns().UpdateFailures(ctx, scope, key, func(f *store.SignInFailures) error {
			s.Lockout.Fail(f, now)
			return nil
		}); err != nil {
			return Token{}, "", err
		}
		return Token{}, "", unauthorized(msg)
	}
	ok, _ := s.Hasher.Verify(hash, a.Password)
	if !ok || hash == "" {
		return fail("The user name or password is wrong")
	}
	methods := []string{MethodPassword}
	switch {
	case u.TOTPSecretSealed != nil && !wantTOTP:
		// Login protection: the user has a virtual MFA device.
		return Token{}, "", unauthorized("The user has a virtual MFA device: request the token with the methods password and totp (auth.identity.totp.user.id and passcode)")
	case u.TOTPSecretSealed != nil:
		ok, err := s.checkTOTP(ctx, u, a.TOTPUserID, a.Passcode)
		if err != nil {
			return Token{}, "", err
		}
		if !ok {
			return fail("The MFA verification code is wrong, expired or already used, or auth.identity.totp.user.id is not the user's id")
		}
		methods = append(methods, MethodTOTP)
	case wantTOTP:
		return Token{}, "", unauthorized("The user has no virtual MFA device: sign in with the password method")
	}
	if err := s.Store.SignIns().DeleteFailures(ctx, scope, key); err != nil {
		return Token{}, "", err
	}
	t := store.KeystoneToken{AccountID: acct.ID, UserID: u.ID, Methods: methods, IssuedAt: now, ExpiresAt: now.Add(DefaultLifetime)}
	if err := s.scope(ctx, acct, a.Scope, &t); err != nil {
		return Token{}, "", err
	}
	return s.store(ctx, t)
}

// scope checks a scope against the user's account and records it in t.
func (s *Service) scope(ctx context.Context, acct store.Account, sc Scope, t *store.KeystoneToken) error {
	switch {
	case sc.ProjectID != "" || sc.ProjectName != "":
		if sc.ProjectDomainID != "" && sc.ProjectDomainID != acct.ID || sc.ProjectDomainName != "" && sc.ProjectDomainName != acct.Name {
			return unauthorized("The domain of the project in auth.scope is not the user's domain")
		}
		projects, err := s.Store.Projects().ListByAccount(ctx, acct.ID)
		if err != nil {
			return err
		}
		for _, p := range projects {
			if p.ID == sc.ProjectID || sc.ProjectID == "" && p.Name == sc.ProjectName {
				t.ProjectID = p.ID
				return nil
			}
		}
		return unauthorized("The project in auth.scope is not a project of the user's domain")
	case sc.DomainID != "" && sc.DomainID != acct.ID, sc.DomainName != "" && sc.DomainName != acct.Name:
		return unauthorized("The domain in auth.scope is not the user's domain")
	}
	return nil
}

// store saves t under a new value and returns its view. Its times are
// kept to the millisecond, the store's precision, so that the answer shows
// what a later validation does.
func (s *Service) store(ctx context.Context, t store.KeystoneToken) (Token, string, error) {
	t.IssuedAt, t.ExpiresAt = t.IssuedAt.Truncate(time.Millisecond), t.ExpiresAt.Truncate(time.Millisecond)
	value := s.IDs.Token(tokenLen)
	t.Hash = secrets.TokenHash(value)
	if err := s.Store.Keystone().CreateToken(ctx, t); err != nil {
		return Token{}, "", err
	}
	view, err := s.view(ctx, t)
	if err != nil {
		return Token{}, "", err
	}
	return view, value, nil
}

// Validate returns the live token of value: 404 IIC.404 when it is unknown,
// expired or revoked. Validated tokens are cached for CacheTTL.
func (s *Service) Validate(ctx context.Context, value string) (*Token, error) {
	now := s.now()
	if value == "" || len(value) > 512 {
		return nil, apierr.IIC404.New("the token")
	}
	hash := secrets.TokenHash(value)
	if t, ok := s.cache.Get(string(hash), now); ok {
		return t, nil
	}
	st, err := s.Store.Keystone().GetToken(ctx, hash)
	if errors.Is(err, store.ErrNotFound) || err == nil && !now.Before(st.ExpiresAt) {
		return nil, apierr.IIC404.New("the token")
	}
	if err != nil {
		return nil, err
	}
	view, err := s.view(ctx, st)
	if err != nil {
		return nil, err
	}
	if ttl := s.ttl(); ttl > 0 {
		until := now.Add(ttl)
		if st.ExpiresAt.Before(until) {
			until = st.ExpiresAt
		}
		s.cache.Put(string(hash), &view, until)
	}
	return &view, nil
}

// Authenticate is Validate for a token presented as a credential
// (X-Auth-Token): unknown or expired is 401 IIC.1410.
func (s *Service) Authenticate(ctx context.Context, value string) (*authz.Principal, error) {
	t, err := s.Validate(ctx, value)
	if err != nil {
		if ae, ok := apierr.From(err); ok && ae.Status() == 404 {
			return nil, unauthorized("The token in X-Auth-Token is invalid or has expired")
		}
		return nil, err
	}
	return t.principal, nil
}

// view builds the API view and the principal of a stored token.
func (s *Service) view(ctx context.Context, t store.KeystoneToken) (Token, error) {
	acct, err := s.Store.Accounts().Get(ctx, t.AccountID)
	if err != nil {
		return Token{}, err
	}
	u, err := s.Store.Keystone().GetUser(ctx, t.AccountID)
	if err != nil {
		return Token{}, err
	}
	user := User{ID: u.ID, Name: u.Name, Domain: Domain{ID: acct.ID, Name: acct.Name}}
	out := Token{Methods: t.Methods, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt, User: user, Roles: []Role{}}
	if t.AgencyURN != "" {
		return s.agencyView(ctx, t, out)
	}
	p := &authz.Principal{Kind: authz.KindScoped, AccountID: acct.ID, UserID: u.ID, UserName: u.Name, ExpiresAt: t.ExpiresAt,
		ProjectID: t.ProjectID, MFA: slices.Contains(t.Methods, MethodTOTP)}
	for _, name := range u.Roles {
		if r, err := managed.ByName(name); err == nil {
			out.Roles = append(out.Roles, Role{ID: r.ID, Name: r.Name})
			p.PolicyIDs = append(p.PolicyIDs, r.ID)
			continue
		}
		// A custom policy of the account, by id (gone: it grants nothing).
		cp, err := s.Store.Policies().Get(ctx, acct.ID, name)
		switch {
		case err == nil:
			out.Roles = append(out.Roles, Role{ID: cp.ID, Name: cp.Name})
			p.PolicyIDs = append(p.PolicyIDs, cp.ID)
		case !errors.Is(err, store.ErrNotFound):
			return Token{}, err
		}
	}
	if err := s.scopeView(ctx, t, acct, &out); err != nil {
		return Token{}, err
	}
	out.principal = p
	return out, nil
}

func (s *Service) scopeView(ctx context.Context, t store.KeystoneToken, acct store.Account, out *Token) error {
	if t.ProjectID == "" {
		out.Domain = &Domain{ID: acct.ID, Name: acct.Name}
		return nil
	}
	p, err := s.Store.Projects().Get(ctx, t.ProjectID)
	if err != nil {
		return err
	}
	pacct := acct
	if p.AccountID != acct.ID {
		if pacct, err = s.Store.Accounts().Get(ctx, p.AccountID); err != nil {
			return err
		}
	}
	out.Project = &Project{ID: p.ID, Name: p.Name, Domain: Domain{ID: pacct.ID, Name: pacct.Name}}
	return nil
}

// SweepExpired deletes up to limit expired tokens through tx (the job
// runner's periodic sweep).
func (s *Service) SweepExpired(ctx context.Context, tx store.Store, limit int) (int, error) {
	return tx.Keystone().DeleteExpiredTokens(ctx, s.now(), limit)
}

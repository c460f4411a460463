// Package portal is what a signed-in user of the portal may see and get:
// the accounts where the user, directly or through one of its groups, holds
// an assignment whose agency is provisioned, the agencies (permission sets)
// assigned there, and temporary credentials for one of them.
//
// Temporary credentials are a store.Credential of KindTemporary in the
// agency's account: secret sealed as authn opens it, security token stored
// as its SHA-256, session name = the user's user name, principal tags = the
// instance's access-control attributes evaluated on the user, lifetime = the
// agency's session duration (PT1H to PT12H). They carry no policies of
// their own but a reference to their agency (store.Credential.Agency): the
// authorizer grants exactly the policies stored in the agency, read from it
// at request time (authz.Policies). So:
//
//   - re-provisioning the permission set changes what live sessions may do,
//     and deprovisioning it (removing its last assignment in the account,
//     which deletes the agency) leaves them nothing, within the authorizer's
//     cache TTL;
//   - removing only this user's assignment (the agency staying for others),
//     or disabling or deleting the user, does not end credentials already
//     issued: checking the assignment on every signed request would cost a
//     store read per request, so the bound is the session duration (at most
//     12 hours), after which authn refuses them and the sweep deletes them;
//   - ending the sign-in session they were issued in (EndSession, the portal
//     API's logout) deletes them.
//
// Errors: a user that no longer exists or is disabled is 401 IIC.1604 (its
// token no longer stands for anyone who may sign in); malformed parameters
// 400 IIC.1606; credentials for an agency the user is not assigned (or that
// does not exist, which looks the same) 403 IIC.1269, "Failed to obtain the
// agency credential".
package portal

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// User is the signed-in user a request acts for: a user of an identity
// store, and the sign-in session the request belongs to.
type User struct {
	IdentityStoreID string
	UserID          string
	// Session identifies the sign-in session (e.g. the OIDC grant behind
	// the access token): credentials issued with it are deleted when
	// EndSession ends it. "" = not tied to a session.
	Session string
}

// Service answers the portal's questions.
type Service struct {
	Store    store.Store
	Keys     *secrets.Keyring
	IDs      ids.Generator
	Now      func() time.Time
	Paging   *paging.Signer
	Identity *identity.Service
	Center   *center.Service
	// InvalidateKey forgets a deleted credential in the authenticator's
	// cache (authn.Authenticator.Invalidate); nil = none.
	InvalidateKey func(ak string)
	// CacheTTL is how long an instance's identity-store mapping and its
	// access-control attribute configuration, and a user's grant of an
	// agency, are reused (0 = DefaultCacheTTL; negative = read them on
	// every request). So for up to CacheTTL after a change, this replica
	// may still issue credentials with the old principal tags, or for an
	// assignment just removed or a user just disabled (credentials already
	// issued live on for their session duration anyway).
	CacheTTL time.Duration

	mu     sync.Mutex
	insts  map[string]cachedInstance // by identity store id
	grants map[grantKey]cachedGrant
}

// grantKey is one user's request for one agency.
type grantKey struct{ storeID, userID, accountID, agencyURN string }

// cachedGrant is what Credentials found for a grantKey: the agency, the
// user's name and principal tags, and what follows from them for every
// credential issued under it (never modified once cached).
type cachedGrant struct {
	agency      store.Agency
	userID      string
	userName    string
	tags        map[string]string
	life        time.Duration // the agency's session duration
	description string        // of the credentials
	until       time.Time
}

// DefaultCacheTTL is CacheTTL's default.
const DefaultCacheTTL = 5 * time.Second

// instanceCacheSize bounds the instance cache; when full it is emptied.
const instanceCacheSize = 10_000

type cachedInstance struct {
	inst  store.Instance
	attrs []center.AccessControlAttribute
	until time.Time
}

// Account is an account the user may access.
type Account struct {
	ID    string
	Name  string
	Email string
}

// AccountPage is one page of accounts.
type AccountPage struct {
	Accounts   []Account
	NextMarker string
}

// Agency is an agency the user may assume: the permission set it
// materializes.
type Agency struct {
	AccountID         string
	Name              string
	URN               string
	PermissionSetID   string
	PermissionSetName string
	Description       string
	SessionDuration   string
}

// AgencyPage is one page of agencies.
type AgencyPage struct {
	Agencies   []Agency
	NextMarker string
}

// Credentials are temporary credentials, shown once.
type Credentials struct {
	AccessKey    string
	SecretKey    string
	SessionToken string
	Expiration   time.Time
}

// tokenLen is the length of a security token (alphanumeric, ≈ 476 bits).
const tokenLen = 80

var accountIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func invalid(msg string) error { return apierr.IIC1606_400.New(msg) }

// pageLimit bounds a page size to 1–100 (paging.DefaultLimit when unset).
func pageLimit(limit int) int {
	if limit < 1 || limit > paging.MaxLimit {
		return paging.DefaultLimit
	}
	return limit
}

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) ttl() time.Duration {
	if s.CacheTTL == 0 {
		return DefaultCacheTTL
	}
	return s.CacheTTL
}

// subject is a resolved user: its instance, profile and principal ids (the
// user's own and its groups').
type subject struct {
	inst       store.Instance
	attrs      []center.AccessControlAttribute // the instance's access-control attributes
	user       identity.User
	principals []string
}

// instance returns the instance of identity store storeID with its
// access-control attributes, from the cache when fresh.
func (s *Service) instance(ctx context.Context, storeID string) (cachedInstance, error) {
	now := time.Now()
	s.mu.Lock()
	e, ok := s.insts[storeID]
	s.mu.Unlock()
	if ok && now.Before(e.until) {
		return e, nil
	}
	inst, err := s.Store.Instances().GetByIdentityStore(ctx, storeID)
	if err != nil {
		return cachedInstance{}, err
	}
	cfg, err := s.Center.AccessControlConfiguration(ctx, inst)
	if err != nil && !apierr.IIC404.Is(err) { // 404: no configuration
		return cachedInstance{}, err
	}
	ttl := s.ttl()
	e = cachedInstance{inst: inst, attrs: cfg.Attributes, until: now.Add(ttl)}
	if ttl > 0 {
		s.mu.Lock()
		if s.insts == nil || len(s.insts) >= instanceCacheSize {
			s.insts = make(map[string]cachedInstance)
		}
		s.insts[storeID] = e
		s.mu.Unlock()
	}
	return e, nil
}

// maxGroups bounds the groups a user is expanded into (a user joins at most
// 1,000 groups).
const maxGroups = 1000

func (s *Service) resolve(ctx context.Context, u User) (subject, error) {
	var sub subject
	ci, err := s.instance(ctx, u.IdentityStoreID)
	if errors.Is(err, store.ErrNotFound) {
		return sub, apierr.IIC1604.New()
	}
	if err != nil {
		return sub, err
	}
	user, err := s.Identity.GetUser(ctx, u.IdentityStoreID, u.UserID)
	if apierr.IIC1312.Is(err) {
		return sub, apierr.IIC1604.New()
	}
	if err != nil {
		return sub, err
	}
	if !user.Enabled {
		return sub, apierr.IIC1604.New()
	}
	sub.inst, sub.attrs, sub.user, sub.principals = ci.inst, ci.attrs, user, []string{u.UserID}
	var pos int64
	for len(sub.principals) <= maxGroups {
		ms, err := s.Store.Memberships().ListByUser(ctx, u.IdentityStoreID, u.UserID, pos, 500)
		if err != nil {
			return sub, err
		}
		for _, m := range ms {
			sub.principals = append(sub.principals, m.GroupID)
		}
		if len(ms) < 500 {
			break
		}
		pos = ms[len(ms)-1].Seq
	}
	return sub, nil
}

// assignmentBatch is how many assignments one read takes.
const assignmentBatch = 1000

// assignments returns every assignment the subject's principals hold (in
// accountID only, unless "").
func (s *Service) assignments(ctx context.Context, sub subject, accountID string) ([]store.Assignment, error) {
	var out []store.Assignment
	var after int64
	for {
		rows, err := s.Store.Assignments().ListByPrincipals(ctx, sub.inst.ID, sub.principals, accountID, after, assignmentBatch)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if len(rows) < assignmentBatch {
			return out, nil
		}
		after = rows[len(rows)-1].Seq
	}
}

// agencies returns the provisioned agencies of the subject's assignments,
// one per (account, permission set), in agency Seq order.
func (s *Service) agencies(ctx context.Context, sub subject, accountID string) ([]store.Agency, error) {
	as, err := s.assignments(ctx, sub, accountID)
	if err != nil {
		return nil, err
	}
	type key struct{ account, ps string }
	seen := make(map[key]bool, len(as))
	var out []store.Agency
	for _, a := range as {
		k := key{a.AccountID, a.PermissionSetID}
		if seen[k] {
			continue
		}
		seen[k] = true
		ag, err := s.Store.Agencies().Get(ctx, sub.inst.ID, a.AccountID, a.PermissionSetID)
		if errors.Is(err, store.ErrNotFound) {
			continue // not provisioned (yet)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ag)
	}
	slices.SortFunc(out, func(a, b store.Agency) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// Accounts lists the accounts where the user or one of its groups holds an
// assignment whose agency is provisioned, in the order they were first
// provisioned for the user (the earliest such agency).
func (s *Service) Accounts(ctx context.Context, u User, limit int, marker string) (AccountPage, error) {
	limit = pageLimit(limit)
	scope := "portal-accounts:" + u.IdentityStoreID + ":" + u.UserID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return AccountPage{}, err
	}
	sub, err := s.resolve(ctx, u)
	if err != nil {
		return AccountPage{}, err
	}
	ags, err := s.agencies(ctx, sub, "")
	if err != nil {
		return AccountPage{}, err
	}
	type first struct {
		id  string
		seq int64
	}
	var accts []first
	seen := map[string]bool{}
	for _, ag := range ags { // in Seq order: the first agency of each account comes first
		if !seen[ag.AccountID] {
			seen[ag.AccountID] = true
			accts = append(accts, first{ag.AccountID, ag.Seq})
		}
	}
	i, _ := slices.BinarySearchFunc(accts, after+1, func(f first, seq int64) int { return cmp.Compare(f.seq, seq) })
	page, next := paging.Trim(s.Paging, scope, accts[i:min(i+limit+1, len(accts))], limit, func(f first) int64 { return f.seq })
	out := AccountPage{Accounts: make([]Account, 0, len(page)), NextMarker: next}
	for _, f := range page {
		acct, err := s.Store.Accounts().Get(ctx, f.id)
		if errors.Is(err, store.ErrNotFound) {
			acct = store.Account{ID: f.id}
		} else if err != nil {
			return AccountPage{}, err
		}
		out.Accounts = append(out.Accounts, Account{ID: acct.ID, Name: acct.Name, Email: acct.Email})
	}
	return out, nil
}

// Agencies lists the agencies the user may assume in accountID: those of
// the permission sets the user or one of its groups is assigned there, once
// provisioned. An account where the user holds nothing gives an empty list.
func (s *Service) Agencies(ctx context.Context, u User, accountID string, limit int, marker string) (AgencyPage, error) {
	if !accountIDPattern.MatchString(accountID) {
		return AgencyPage{}, invalid("account_id must be an account id (32 lowercase hexadecimal characters)")
	}
	limit = pageLimit(limit)
	scope := "portal-agencies:" + u.IdentityStoreID + ":" + u.UserID + ":" + accountID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return AgencyPage{}, err
	}
	sub, err := s.resolve(ctx, u)
	if err != nil {
		return AgencyPage{}, err
	}
	ags, err := s.agencies(ctx, sub, accountID)
	if err != nil {
		return AgencyPage{}, err
	}
	i, _ := slices.BinarySearchFunc(ags, after+1, func(a store.Agency, seq int64) int { return cmp.Compare(a.Seq, seq) })
	page, next := paging.Trim(s.Paging, scope, ags[i:min(i+limit+1, len(ags))], limit, func(a store.Agency) int64 { return a.Seq })
	out := AgencyPage{Agencies: make([]Agency, 0, len(page)), NextMarker: next}
	for _, ag := range page {
		a := Agency{AccountID: ag.AccountID, Name: ag.Name, URN: ag.URN, PermissionSetID: ag.PermissionSetID, SessionDuration: ag.SessionDuration}
		ps, err := s.Store.PermissionSets().Get(ctx, sub.inst.ID, ag.PermissionSetID)
		if err == nil {
			a.PermissionSetName, a.Description = ps.Name, ps.Description
		} else if !errors.Is(err, store.ErrNotFound) {
			return AgencyPage{}, err
		}
		out.Agencies = append(out.Agencies, a)
	}
	return out, nil
}

// Credentials issues temporary credentials for the agency agencyURN in
// accountID, which the user or one of its groups must be assigned (403
// IIC.1269 otherwise).
func (s *Service) Credentials(ctx context.Context, u User, accountID, agencyURN string) (Credentials, error) {
	if !accountIDPattern.MatchString(accountID) {
		return Credentials{}, invalid("target_account_id must be an account id (32 lowercase hexadecimal characters)")
	}
	if agencyURN == "" || len(agencyURN) > 512 {
		return Credentials{}, invalid("agency_urn must be the URN of an agency, iam::<account id>:agency:<name>")
	}
	g, err := s.grant(ctx, u, accountID, agencyURN)
	if err != nil {
		return Credentials{}, err
	}
	ag := g.agency
	now := s.now()
	ak, sk, token := s.IDs.AccessKey(), s.IDs.SecretKey(), s.IDs.Token(tokenLen)
	c := store.Credential{
		AccessKey: ak, AccountID: accountID, Kind: store.KindTemporary,
		SecretSealed: s.Keys.Seal([]byte(sk), authn.SecretAAD(ak)), TokenHash: secrets.TokenHash(token),
		ExpiresAt: now.Add(g.life), Description: g.description,
		UserID: g.userID, UserName: g.userName, SessionName: g.userName, AgencyURN: ag.URN,
		PrincipalTags: g.tags, Agency: store.AgencyRef{InstanceID: ag.InstanceID, PermissionSetID: ag.PermissionSetID},
		Session: u.Session, CreatedAt: now,
	}
	// Ephemeral: a crash of the database may lose a credential issued
	// moments before. That is acceptable: it is short-lived, and its
	// holder, finding it unknown, asks for a new one as it would once
	// it expired; in exchange the issue does not wait for a disk flush.
	if err := s.Store.Credentials().CreateEphemeral(ctx, c); err != nil {
		return Credentials{}, err
	}
	return Credentials{AccessKey: ak, SecretKey: sk, SessionToken: token, Expiration: c.ExpiresAt}, nil
}

// grant resolves the user and the agency it asks for, from the cache when
// fresh (only grants are cached: a refusal is decided anew every time).
func (s *Service) grant(ctx context.Context, u User, accountID, agencyURN string) (cachedGrant, error) {
	k := grantKey{u.IdentityStoreID, u.UserID, accountID, agencyURN}
	now := time.Now()
	s.mu.Lock()
	g, ok := s.grants[k]
	s.mu.Unlock()
	if ok && now.Before(g.until) {
		return g, nil
	}
	sub, err := s.resolve(ctx, u)
	if err != nil {
		return cachedGrant{}, err
	}
	ag, err := s.assigned(ctx, sub, accountID, agencyURN)
	if err != nil {
		return cachedGrant{}, err
	}
	life, err := permission.ParseSessionDuration(ag.SessionDuration)
	if err != nil {
		life = permission.MinSession // stored durations were checked when set
	}
	g = cachedGrant{agency: ag, userID: sub.user.ID, userName: sub.user.UserName, tags: principalTags(sub), life: life,
		description: "portal session of " + sub.user.UserName + " in " + ag.Name, until: now.Add(s.ttl())}
	if s.ttl() > 0 {
		s.mu.Lock()
		if s.grants == nil || len(s.grants) >= instanceCacheSize {
			s.grants = make(map[grantKey]cachedGrant)
		}
		s.grants[k] = g
		s.mu.Unlock()
	}
	return g, nil
}

// assigned returns the provisioned agency agencyURN in accountID that one
// of the subject's assignments there names, or 403 IIC.1269.
func (s *Service) assigned(ctx context.Context, sub subject, accountID, agencyURN string) (store.Agency, error) {
	as, err := s.assignments(ctx, sub, accountID)
	if err != nil {
		return store.Agency{}, err
	}
	seen := make(map[string]bool, len(as))
	for _, a := range as {
		if seen[a.PermissionSetID] {
			continue
		}
		seen[a.PermissionSetID] = true
		ag, err := s.Store.Agencies().Get(ctx, sub.inst.ID, accountID, a.PermissionSetID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return store.Agency{}, err
		}
		if ag.URN == agencyURN {
			return ag, nil
		}
	}
	return store.Agency{}, apierr.IIC1269_403.New()
}

// principalTags evaluates the instance's access-control attributes on the
// user: key → the user's value of the attribute's source. Attributes the
// user has no value for are left out (a condition on them finds no tag).
func principalTags(sub subject) map[string]string {
	var tags map[string]string
	for _, a := range sub.attrs {
		if a.UserAttribute == "" {
			continue
		}
		if v := sub.user.Attribute(a.UserAttribute); v != "" {
			if tags == nil {
				tags = make(map[string]string, len(sub.attrs))
			}
			tags[a.Key] = v
		}
	}
	return tags
}

// endBatch is how many credentials one EndSession step deletes.
const endBatch = 500

// EndSession deletes every credential issued in sign-in session session
// (User.Session) and forgets them in this replica's authenticator cache;
// other replicas stop accepting them within their cache TTL.
func (s *Service) EndSession(ctx context.Context, session string) error {
	if session == "" {
		return nil
	}
	for {
		aks, err := s.Store.Credentials().DeleteBySession(ctx, session, endBatch)
		if err != nil {
			return err
		}
		if s.InvalidateKey != nil {
			for _, ak := range aks {
				s.InvalidateKey(ak)
			}
		}
		if len(aks) < endBatch {
			return nil
		}
	}
}

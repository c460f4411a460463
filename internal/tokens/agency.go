package tokens

import (
	"context"
	"errors"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/store"
)

// AgencyAuth is a request for an agency token (method assume_role): the
// agency's account (by id or name), the agency's name, and the token's
// scope: a project of the agency's account, or (none given) that account.
type AgencyAuth struct {
	DomainID, DomainName string
	AgencyName           string
	Scope                Scope
}

// AgencyURN is the URN of the agency a names (its id, what its token
// shows as user.id), whether or not that agency exists: in the account
// domain_id names, or else in the one named domain_name (none of that name:
// an empty account id). The surface authorizes the request on it before
// IssueAgency resolves anything, so a caller not allowed to assume the
// agency learns nothing of what exists. Only store faults are errors.
func (s *Service) AgencyURN(ctx context.Context, a AgencyAuth) (string, error) {
	id := a.DomainID
	if id == "" && a.DomainName != "" {
		acct, err := s.Store.Accounts().GetByName(ctx, a.DomainName)
		switch {
		case err == nil:
			id = acct.ID
		case !errors.Is(err, store.ErrNotFound):
			return "", err
		}
	}
	return permission.AgencyURN(id, a.AgencyName), nil
}

// maxInstances bounds the instances of one administering account searched
// for the agency.
const maxInstances = 100

// IssueAgency issues an agency token to caller, which must be a sign-in
// user's token or the root access key of an account with a sign-in user,
// that account administering the Identity Center instance that provisioned
// the agency. An agency token cannot assume another agency (403 IIC.1269,
// like an agency that does not exist or that the caller's instances did
// not provision).
func (s *Service) IssueAgency(ctx context.Context, caller *authz.Principal, a AgencyAuth) (Token, string, error) {
	if a.AgencyName == "" || len(a.AgencyName) > 256 || a.DomainID == "" && a.DomainName == "" {
		return Token{}, "", invalid("auth.identity.assume_role must name the agency (agency_name) and its domain (domain_id or domain_name)")
	}
	if caller == nil || caller.Kind != authz.KindRoot && caller.Kind != authz.KindScoped {
		return Token{}, "", apierr.IIC1269_403.New()
	}
	u, err := s.Store.Keystone().GetUser(ctx, caller.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return Token{}, "", apierr.IIC1269_403.New()
	}
	if err != nil {
		return Token{}, "", err
	}
	if caller.Kind == authz.KindScoped && caller.UserID != u.ID {
		return Token{}, "", apierr.IIC1269_403.New() // a scoped access key, not the sign-in user
	}
	target, err := s.targetAccount(ctx, a)
	if err != nil {
		return Token{}, "", err
	}
	ag, err := s.findAgency(ctx, caller.AccountID, target.ID, a.AgencyName)
	if err != nil {
		return Token{}, "", err
	}
	life, err := permission.ParseSessionDuration(ag.SessionDuration)
	if err != nil {
		life = permission.MinSession // stored durations were checked when set
	}
	now := s.now()
	t := store.KeystoneToken{AccountID: u.AccountID, UserID: u.ID, Methods: []string{MethodAssumeRole}, IssuedAt: now,
		ExpiresAt: now.Add(min(life, DefaultLifetime)), AgencyAccountID: ag.AccountID, AgencyName: ag.Name, AgencyURN: ag.URN,
		Agency: store.AgencyRef{InstanceID: ag.InstanceID, PermissionSetID: ag.PermissionSetID}}
	if err := s.scope(ctx, target, a.Scope, &t); err != nil {
		return Token{}, "", err
	}
	return s.store(ctx, t)
}

func (s *Service) targetAccount(ctx context.Context, a AgencyAuth) (store.Account, error) {
	var acct store.Account
	var err error
	if a.DomainID != "" {
		acct, err = s.Store.Accounts().Get(ctx, a.DomainID)
	} else {
		acct, err = s.Store.Accounts().GetByName(ctx, a.DomainName)
	}
	if errors.Is(err, store.ErrNotFound) || err == nil && a.DomainName != "" && a.DomainID != "" && acct.Name != a.DomainName {
		return store.Account{}, apierr.IIC1269_403.New()
	}
	return acct, err
}

// findAgency finds the agency named name in accountID among those the
// instances of admin provisioned.
func (s *Service) findAgency(ctx context.Context, admin, accountID, name string) (store.Agency, error) {
	instances, err := s.Store.Instances().ListByAccount(ctx, admin, 0, maxInstances)
	if err != nil {
		return store.Agency{}, err
	}
	for _, in := range instances {
		var after int64
		for {
			ags, err := s.Store.Agencies().ListByAccount(ctx, in.ID, accountID, store.AgencyFilter{}, after, 100)
			if err != nil {
				return store.Agency{}, err
			}
			for _, ag := range ags {
				if ag.Name == name {
					return ag, nil
				}
			}
			if len(ags) < 100 {
				break
			}
			after = ags[len(ags)-1].Seq
		}
	}
	return store.Agency{}, apierr.IIC1269_403.New()
}

// agencyView is the view of an agency token: the agency's session as the
// user, the sign-in user as assumed_by, scoped to the agency's account or
// one of its projects; its principal holds exactly the agency's policies.
func (s *Service) agencyView(ctx context.Context, t store.KeystoneToken, out Token) (Token, error) {
	acct, err := s.Store.Accounts().Get(ctx, t.AgencyAccountID)
	if err != nil {
		return Token{}, err
	}
	by := out.User
	out.AssumedBy = &by
	out.User = User{ID: t.AgencyURN, Name: acct.Name + "/" + t.AgencyName, Domain: Domain{ID: acct.ID, Name: acct.Name}}
	if err := s.scopeView(ctx, t, acct, &out); err != nil {
		return Token{}, err
	}
	out.principal = &authz.Principal{Kind: authz.KindTemporary, AccountID: acct.ID, UserID: by.ID, UserName: by.Name,
		SessionName: by.Name, AgencyURN: t.AgencyURN, ExpiresAt: t.ExpiresAt, Agency: t.Agency, ProjectID: t.ProjectID}
	return out, nil
}

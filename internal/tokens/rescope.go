package tokens

import (
	"context"
	"errors"
	"slices"

	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// IssueScoped is the token method (KeystoneCreateScopedToken): it exchanges
// the live token value for a new token of the same user scoped to sc (a
// project of the user's domain by id, or by name in that domain, or the
// domain). The new token expires when the original does, never later; its
// methods are the original's plus "token". The original is read from the
// store, not the validation cache, so a revoked token is refused at once.
// An unknown, expired or revoked token is 401; an agency token is not
// exchanged (400).
func (s *Service) IssueScoped(ctx context.Context, value string, sc Scope) (Token, string, error) {
	if value == "" {
		return Token{}, "", invalid("the token method needs the token in auth.identity.token.id or X-Auth-Token")
	}
	now := s.now()
	var orig store.KeystoneToken
	var err error
	if len(value) <= 512 {
		orig, err = s.Store.Keystone().GetToken(ctx, secrets.TokenHash(value))
	} else {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) || err == nil && !now.Before(orig.ExpiresAt) {
		return Token{}, "", unauthorized("The token in auth.identity.token is invalid or has expired")
	}
	if err != nil {
		return Token{}, "", err
	}
	if orig.AgencyURN != "" {
		return Token{}, "", invalid("an agency token cannot be exchanged by the token method: assume the agency again")
	}
	acct, err := s.Store.Accounts().Get(ctx, orig.AccountID)
	if err != nil {
		return Token{}, "", err
	}
	methods := slices.Clone(orig.Methods)
	if !slices.Contains(methods, MethodToken) {
		methods = append(methods, MethodToken)
	}
	t := store.KeystoneToken{AccountID: orig.AccountID, UserID: orig.UserID, Methods: methods, IssuedAt: now, ExpiresAt: orig.ExpiresAt}
	if err := s.scope(ctx, acct, sc, &t); err != nil {
		return Token{}, "", err
	}
	return s.store(ctx, t)
}

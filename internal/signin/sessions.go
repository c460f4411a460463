package signin

import (
	"context"
	"errors"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// Session returns the live portal session of token and slides its idle
// expiry. A session ends when unused for the idle timeout or when the
// instance's max_authentication_age has passed since the sign-in, whichever
// comes first (the absolute limit as the instance sets it now — read at
// most SettingsTTL ago —, so shortening it ends longer sessions); an
// unknown, ended or disabled user's session is 400 IIC.1717.
func (s *Service) Session(ctx context.Context, token string) (store.Session, error) {
	sess, err := s.Store.Sessions().GetByToken(ctx, secrets.TokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, apierr.IIC1717.New()
	}
	if err != nil {
		return store.Session{}, err
	}
	cfg, err := s.sessionSSOConfig(ctx, sess.IdentityStoreID)
	if apierr.IIC1730.Is(err) {
		return store.Session{}, apierr.IIC1717.New()
	}
	if err != nil {
		return store.Session{}, err
	}
	now := s.now()
	absolute := sess.CreatedAt.Add(cfg.SessionDuration)
	if !now.Before(sess.ExpiresAt) || !now.Before(absolute) {
		return store.Session{}, apierr.IIC1717.New()
	}
	u, err := s.Store.Users().Get(ctx, sess.IdentityStoreID, sess.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Enabled) {
		return store.Session{}, apierr.IIC1717.New()
	}
	if err != nil {
		return store.Session{}, err
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		expires := now.Add(s.idle())
		if expires.After(absolute) {
			expires = absolute
		}
		if err := s.Store.Sessions().Touch(ctx, sess.IdentityStoreID, sess.ID, now, expires); errors.Is(err, store.ErrNotFound) {
			return store.Session{}, apierr.IIC1717.New() // signed out meanwhile
		} else if err != nil {
			return store.Session{}, err
		}
		sess.LastSeenAt, sess.ExpiresAt = now.Truncate(1e6), expires.Truncate(1e6)
	}
	return sess, nil
}

// SignOut ends the session of token; an unknown token is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.Identity.EndSession(ctx, token)
}

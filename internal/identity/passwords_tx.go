package identity

import (
	"context"

	"github.com/iic-project/iic/internal/store"
)

// SetPasswordIn is SetPassword through tx: password (checked against every
// rule of the store's policy) becomes the user's, in the caller's
// transaction (the sign-in service's password reset).
func (s *Service) SetPasswordIn(ctx context.Context, tx store.Store, storeID, userID, password string) error {
	return s.setPassword(ctx, tx, storeID, userID, password, false)
}

// TokenDigest is how an e-mailed one-time token is stored (the hex
// SHA-256 of store.UserToken.Hash).
func TokenDigest(token string) string { return hashTokenHex(token) }

// endSignIns ends, through tx, every portal session and every OIDC token
// (access, refresh, pending codes and approved device authorizations) of
// the user: what a password reset must not leave signed in.
func endSignIns(ctx context.Context, tx store.Store, storeID, userID string) error {
	if _, err := tx.Sessions().DeleteOfUser(ctx, storeID, userID); err != nil {
		return err
	}
	_, err := tx.OIDC().DeleteUserTokens(ctx, storeID, userID)
	return err
}

package identity

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// SetPasswordIn is SetPassword through tx: password (checked against every
// rule of the store's policy) becomes the user's, in the caller's
// transaction (the sign-in service's password reset).
func (s *Service) SetPasswordIn(ctx context.Context, tx store.Store, storeID, userID, password string) error {
	return s.setPassword(ctx, tx, storeID, userID, password, false)
}

// EndSignInsIn ends, through tx, every portal session and OIDC token of
// the user and names them (the sign-in service's password reset, whose
// caller ends what was issued in them).
func (s *Service) EndSignInsIn(ctx context.Context, tx store.Store, storeID, userID string) (EndedSignIns, error) {
	return endSignIns(ctx, tx, storeID, userID)
}

// TokenDigest is how an e-mailed one-time token is stored (the hex
// SHA-256 of store.UserToken.Hash).
func TokenDigest(token string) string { return hashTokenHex(token) }

// EndedSignIns names the sign-ins of one user that a password change or
// disabling ended: its portal sessions' ids and its OIDC token families
// (grants).
type EndedSignIns struct {
	IdentityStoreID, UserID string
	Sessions, Grants        []string
}

// endSignIns ends, through tx, every portal session and every OIDC token
// (access, refresh, pending codes and approved device authorizations) of
// the user: what a password reset or disabling must not leave signed in.
// It returns
// which sign-ins went, for signInsEnded once tx commits.
func endSignIns(ctx context.Context, tx store.Store, storeID, userID string) (EndedSignIns, error) {
	out := EndedSignIns{IdentityStoreID: storeID, UserID: userID}
	sessions, err := tx.Sessions().List(ctx, storeID, userID, time.Time{})
	if err != nil {
		return out, err
	}
	for _, se := range sessions {
		out.Sessions = append(out.Sessions, se.ID)
	}
	if out.Grants, err = tx.OIDC().UserTokenFamilies(ctx, storeID, userID); err != nil {
		return out, err
	}
	if _, err := tx.Sessions().DeleteOfUser(ctx, storeID, userID); err != nil {
		return out, err
	}
	_, err = tx.OIDC().DeleteUserTokens(ctx, storeID, userID)
	return out, err
}

// signInsEnded passes ended to SignInsEnded, if set.
func (s *Service) signInsEnded(ctx context.Context, ended EndedSignIns) {
	if s.SignInsEnded != nil && (len(ended.Sessions) > 0 || len(ended.Grants) > 0) {
		s.SignInsEnded(context.WithoutCancel(ctx), ended)
	}
}

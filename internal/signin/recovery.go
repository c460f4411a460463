package signin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// Password recovery by e-mail: a user who forgot its password asks for a
// link (RequestPasswordReset), which is mailed to its primary address and
// opens the portal's reset page (ResetPassword).
const (
	// ResetTTL is how long a reset link works (once).
	ResetTTL = 30 * time.Minute
	// resetsPerWindow reset links are mailed per user name and
	// resetWindow at most; further requests in the window send nothing
	// (and answer the same).
	resetsPerWindow = 3
	resetWindow     = time.Hour
	// PurposeResetPassword is the store.UserToken purpose of reset links.
	PurposeResetPassword = "reset-password"
	// mailTimeout bounds one delivery attempt of a reset mail (a job).
	mailTimeout = time.Minute
)

// ResetRequest asks for a reset link.
type ResetRequest struct {
	IdentityStoreID string
	UserName        string
	// LinkURL is the absolute URL of the reset page; the token is added as
	// its "token" query parameter.
	LinkURL string
	// ClientAddress is the requesting client's IP address: a public one's
	// requests are rate-limited too (resetsPerAddress); "" = none.
	ClientAddress string
}

// RequestPasswordReset mails a single-use reset link (ResetTTL; only its
// SHA-256 is stored) to the primary e-mail address of the enabled user
// named UserName. Its answer (nil) and its work are the same whether or
// not the name is a user's, has an address, is disabled or is over its
// rate (resetsPerWindow per resetWindow): the same store statements run —
// a request that gets no link has its token insert refused by the user
// reference and its ResetMailJob insert (its token sealed) refused by the
// store's no-link job (stored by the first such request; it does nothing)
// — and the mail
// is delivered by the job runner after the answer, so that neither the
// answer nor its time tells which names are users. A request from a
// client address over its rate (resetsPerAddress) is counted and does
// nothing more, whatever its name. A new link voids
// the user's earlier ones (but for concurrent requests). A server without e-mail answers 400 IIC.1516.
func (s *Service) RequestPasswordReset(ctx context.Context, in ResetRequest) error {
	if s.Identity.Mailer == nil {
		return apierr.IIC1516_400.New("password reset by e-mail is not available: this server sends no e-mail")
	}
	if in.LinkURL == "" {
		return fmt.Errorf("signin: RequestPasswordReset without a link URL")
	}
	key := identity.UserNameKey(in.UserName)
	if ok, err := s.resetAddressAllowed(ctx, in); err != nil || !ok {
		return err // over its address's rate: nothing more is done, for any name
	}
	allowed, err := s.countRequest(ctx, in.IdentityStoreID, "reset:"+key, resetsPerWindow, resetWindow)
	if err != nil {
		return err
	}
	uid, err := s.Identity.GetUserID(ctx, in.IdentityStoreID, identity.UserByName(in.UserName))
	if err != nil && !apierr.IIC1316.Is(err) {
		return err
	}
	u, err := s.Store.Users().Get(ctx, in.IdentityStoreID, uid)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	send := err == nil && u.Enabled && u.Email != "" && allowed
	if !send {
		uid = "" // no such user: the insert below is refused
	}
	token := s.IDs.Token(44)
	now := s.now()
	// Two statements, no transaction, so that a refused insert costs what
	// a stored one does (concurrent requests of one user may leave two
	// live links, both mailed to its address).
	if _, err := s.Store.UserSecrets().DeleteTokens(ctx, in.IdentityStoreID, uid, PurposeResetPassword); err != nil {
		return err
	}
	err = s.Store.UserSecrets().CreateToken(ctx, store.UserToken{Hash: identity.TokenDigest(token), IdentityStoreID: in.IdentityStoreID, UserID: uid,
		Purpose: PurposeResetPassword, Email: u.Email, ExpiresAt: now.Add(ResetTTL), CreatedAt: now})
	switch {
	case !send && errors.Is(err, store.ErrConflict):
		return s.enqueueResetMail(ctx, in, "", token)
	case err != nil:
		return err
	case !send:
		return fmt.Errorf("signin: a reset token was stored for no user")
	}
	return s.enqueueResetMail(ctx, in, u.ID, token)
}

// countRequest counts one request under key (a failure record of its own
// key space: "reset:…" and "resend:…" never equal a user-name key) and
// reports whether it is within max per window. The record's LockedUntil
// is the end of the current window; the sign-in sweep deletes it a day
// after its last request.
func (s *Service) countRequest(ctx context.Context, storeID, key string, max int, window time.Duration) (bool, error) {
	now := s.now()
	allowed := false
	err := s.Store.SignIns().UpdateFailures(ctx, storeID, key, func(f *store.SignInFailures) error {
		if !now.Before(f.LockedUntil) {
			f.Failures, f.LockedUntil = 0, now.Add(window)
		}
		f.Failures++
		f.LastFailureAt = now
		allowed = f.Failures <= max
		return nil
	})
	return allowed, err
}

// Reset is what a password reset did: the user's sign-ins it ended, the
// portal sessions' ids and the OIDC sign-ins' FamilyIDs (the portal API's
// sign-in sessions: the credentials issued in both are to be ended too,
// portal.Service.EndSession).
type Reset = identity.EndedSignIns

// ResetPassword sets password through a reset link's token: every rule of
// the store's password policy applies (IIC.1314, IIC.1315, IIC.1324; the
// token stays usable then). In one transaction the token is spent, the
// old password replaced, every portal session and OIDC token (terminal
// sign-ins: `iic login`) of the user ended (Reset names them: the caller
// ends the temporary credentials issued in them), the
// failure record (lockout) of its name cleared and its other reset links
// voided. An unknown, used or expired token, one of a disabled user or
// one sent to an address that is no longer the user's is 400 IIC.1718.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (Reset, error) {
	if token == "" || len(token) > 256 {
		return Reset{}, apierr.IIC1718.New()
	}
	now := s.now()
	var out Reset
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		tok, err := tx.UserSecrets().ConsumeToken(ctx, identity.TokenDigest(token), PurposeResetPassword, now)
		if errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1718.New()
		}
		if err != nil {
			return err
		}
		u, err := tx.Users().Get(ctx, tok.IdentityStoreID, tok.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (!u.Enabled || !strings.EqualFold(tok.Email, u.Email))) {
			return apierr.IIC1718.New()
		}
		if err != nil {
			return err
		}
		if err := s.Identity.SetPasswordIn(ctx, tx, u.IdentityStoreID, u.ID, password); err != nil {
			return err
		}
		if out, err = s.Identity.EndSignInsIn(ctx, tx, u.IdentityStoreID, u.ID); err != nil {
			return err
		}
		if err := tx.SignIns().DeleteFailures(ctx, u.IdentityStoreID, identity.UserNameKey(u.UserName)); err != nil {
			return err
		}
		if _, err := tx.UserSecrets().DeleteTokens(ctx, u.IdentityStoreID, u.ID, PurposeResetPassword); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return Reset{}, err
	}
	return out, nil
}

// passwordUnchangedSince ends a sign-in in progress (400 IIC.1721) when
// the user's password was set after its challenge began: the password the
// sign-in proved is dead (a reset, an administrator's change).
func (s *Service) passwordUnchangedSince(ctx context.Context, c store.SignInChallenge) error {
	p, err := s.Store.UserSecrets().GetPassword(ctx, c.IdentityStoreID, c.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if p.SetAt.After(c.CreatedAt) {
		return apierr.IIC1721.New()
	}
	return nil
}

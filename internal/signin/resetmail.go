package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// ResetMailJob delivers a reset link's e-mail (RequestPasswordReset
// enqueues one per request). Delivery runs outside the step's transaction
// (jobs.Kind.Outside) and retries with the runner's back-off up to
// resetMailAttempts; when the last attempt fails the link is voided. A job
// of a request that got no link (no such user, disabled, no address, over
// its rate) does nothing.
const ResetMailJob = "signin.reset-mail"

// resetMailAttempts bounds the deliveries of one reset mail.
const resetMailAttempts = 5

// resetMail is the payload of a ResetMailJob. The link's token is sealed
// with the keyring under resetMailAAD (payloads are stored in clear).
type resetMail struct {
	IdentityStoreID string `json:"identity_store_id"`
	UserID          string `json:"user_id,omitempty"` // "" = nothing to send
	LinkURL         string `json:"link_url"`
	Token           []byte `json:"token_sealed"`
}

// resetMailAAD binds a sealed reset token to its purpose and its user.
func resetMailAAD(storeID, userID string) []byte {
	return []byte("signin/reset-mail\x00" + storeID + "\x00" + userID)
}

func (s *Service) registerResetMail(r *jobs.Runner) {
	r.Register(ResetMailJob, func(context.Context, store.Store, store.Job) error { return nil },
		jobs.Kind{MaxAttempts: resetMailAttempts, Outside: s.sendResetMail, OnGiveUp: s.voidResetMail})
}

// enqueueResetMail stores the mail job of one reset request: the same
// statement and the same sealing for every request, userID "" when the
// request got no link.
func (s *Service) enqueueResetMail(ctx context.Context, in ResetRequest, userID, token string) error {
	p := resetMail{IdentityStoreID: in.IdentityStoreID, UserID: userID, LinkURL: in.LinkURL,
		Token: s.Keys.Seal([]byte(token), resetMailAAD(in.IdentityStoreID, userID))}
	if _, err := s.Jobs.Enqueue(ctx, nil, ResetMailJob, p); err != nil {
		return err
	}
	s.Jobs.Kick()
	return nil
}

// openResetMail decodes a job's payload and unseals its token.
func (s *Service) openResetMail(j store.Job) (resetMail, string, error) {
	var p resetMail
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return p, "", jobs.Permanent(fmt.Errorf("signin: reset mail payload: %w", err))
	}
	if p.UserID == "" {
		return p, "", nil
	}
	tok, err := s.Keys.Open(p.Token, resetMailAAD(p.IdentityStoreID, p.UserID))
	if err != nil {
		return p, "", jobs.Permanent(fmt.Errorf("signin: reset mail token: %w", err))
	}
	return p, string(tok), nil
}

// sendResetMail delivers a reset link to the user's primary address (a
// user deleted, disabled or without an address since gets nothing: its
// link no longer works anyway).
func (s *Service) sendResetMail(ctx context.Context, j store.Job) error {
	p, token, err := s.openResetMail(j)
	if err != nil || p.UserID == "" {
		return err
	}
	u, err := s.Store.Users().Get(ctx, p.IdentityStoreID, p.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!u.Enabled || u.Email == "")) {
		return nil
	}
	if err != nil {
		return err
	}
	link := p.LinkURL + "?token=" + url.QueryEscape(token)
	body := fmt.Sprintf("Hello %s,\n\nSomeone (we hope you) asked to reset the password of your account (user name %s). Choose a new password here:\n\n%s\n\nThe link works once, for %d minutes. If you did not ask for it, ignore this e-mail: your password stays as it is.\n",
		strings.TrimSpace(u.DisplayName), u.UserName, link, int(ResetTTL.Minutes()))
	mctx, cancel := context.WithTimeout(ctx, mailTimeout)
	defer cancel()
	if err := s.Identity.Mailer.Send(mctx, u.Email, "Reset your password", body); err != nil {
		// The SMTP error may name the relay, never the link.
		return fmt.Errorf("reset mail not sent: %w", err)
	}
	return nil
}

// voidResetMail voids the link of a mail that was never delivered.
func (s *Service) voidResetMail(ctx context.Context, tx store.Store, j store.Job, cause error) error {
	p, token, err := s.openResetMail(j)
	if err != nil || p.UserID == "" {
		return nil // nothing to void (an unreadable payload carries no usable link)
	}
	s.log().Warn("password reset mail not delivered; its link is voided", "identity_store_id", p.IdentityStoreID, "user_id", p.UserID)
	_, err = tx.UserSecrets().ConsumeToken(ctx, identity.TokenDigest(token), PurposeResetPassword, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil // used, expired or replaced meanwhile
	}
	return err
}

package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/store"
)

// ResetMailJob delivers a reset link's e-mail (RequestPasswordReset
// enqueues one per link; the requests of an identity store that got none
// share one, see noLinkJobID). Delivery runs outside the step's transaction
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

// resetsPerAddress bounds the reset requests of one public client
// address (an IPv6 address by its /64) per resetWindow that are served;
// further requests from it get the same answer and do nothing.
const resetsPerAddress = 20

// resetAddressAllowed counts a reset request under its client's address
// and reports whether it is within resetsPerAddress. The answer depends on
// the address alone, never on the name: a request over it stops there, so
// a client cycling names adds at most resetsPerAddress failure records and
// mail jobs per window. Addresses that are not public (loopback, private,
// link-local: a reverse proxy in front of the server, whose clients would
// all share its address) and requests without one are not counted.
func (s *Service) resetAddressAllowed(ctx context.Context, in ResetRequest) (bool, error) {
	key, ok := addressKey(in.ClientAddress)
	if !ok {
		return true, nil
	}
	return s.countRequest(ctx, in.IdentityStoreID, "reset-addr:"+key, resetsPerAddress, resetWindow)
}

// addressKey is the rate key of a public client address: an IPv6 address
// counts by its /64 (one host's usual share), an IPv4 address by itself;
// false for anything else.
func addressKey(addr string) (string, bool) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return "", false
	}
	a = a.Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() { // loopback, link-local, unspecified, multicast, private
		return "", false
	}
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String(), true
	}
	return a.String(), true
}

// noLinkJobID is the id of the one mail job that the requests of an
// identity store that got no link share: the first such request stores it
// (a job that does nothing), the next ones have their insert of it refused
// while its row lives (until the runner prunes it), so names of no user
// add no rows to the job table.
func noLinkJobID(storeID string) string { return "job-" + ResetMailJob + "-nolink-" + storeID }

// enqueueResetMail stores the mail job of one reset request: the same
// sealing and the same insert statement for every request, userID "" when
// the request got no link (its insert refused when the store's no-link job
// exists, as the token's was by the user reference).
func (s *Service) enqueueResetMail(ctx context.Context, in ResetRequest, userID, token string) error {
	p := resetMail{IdentityStoreID: in.IdentityStoreID, UserID: userID, LinkURL: in.LinkURL,
		Token: s.Keys.Seal([]byte(token), resetMailAAD(in.IdentityStoreID, userID))}
	payload, err := json.Marshal(p)
	if err != nil {
		return err
	}
	id := "job-" + s.IDs.Hex(12) // as the runner names its jobs
	if userID == "" {
		id = noLinkJobID(in.IdentityStoreID)
	}
	now := s.now()
	_, err = s.Store.Jobs().Enqueue(ctx, store.Job{ID: id, Kind: ResetMailJob, Payload: payload, MaxAttempts: resetMailAttempts, RunAt: now, CreatedAt: now})
	if err != nil && (userID != "" || !errors.Is(err, store.ErrConflict)) {
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

package identity

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// Lifetimes of the links the store e-mails.
const (
	InviteTTL      = 7 * 24 * time.Hour // set-password link of a new user
	ResetTTL       = 24 * time.Hour     // set-password link of ResetPassword
	VerifyEmailTTL = 24 * time.Hour     // e-mail verification link
)

// Paths under the public URL that the e-mailed links open (pages of the
// web portal, under /start); the one-time token is the query parameter
// "token".
const (
	SetPasswordPath = "/start/set-password"
	VerifyEmailPath = "/start/verify-email"
)

// tokenBytes is the token length in alphanumeric characters (~262 bits).
const tokenLen = 44

// hashTokenHex is how e-mailed one-time tokens are stored (hex SHA-256).
func hashTokenHex(tok string) string {
	return hex.EncodeToString(secrets.TokenHash(tok))
}

// issueToken stores a new one-time token for u (replacing its earlier
// tokens of the same purpose) and returns the link that carries it.
func (s *Service) issueToken(ctx context.Context, tx store.Store, u *store.User, purpose, path string, ttl time.Duration) (string, error) {
	if _, err := tx.UserSecrets().DeleteTokens(ctx, u.IdentityStoreID, u.ID, purpose); err != nil {
		return "", err
	}
	raw := s.IDs.Token(tokenLen)
	now := s.Now().UTC()
	err := tx.UserSecrets().CreateToken(ctx, store.UserToken{Hash: hashTokenHex(raw), IdentityStoreID: u.IdentityStoreID, UserID: u.ID,
		Purpose: purpose, Email: u.Email, ExpiresAt: now.Add(ttl), CreatedAt: now})
	if err != nil {
		return "", err
	}
	return s.PublicURL + path + "?token=" + url.QueryEscape(raw), nil
}

// outMail is an e-mail prepared inside a transaction and delivered after
// it commits, so that no transaction waits on the SMTP server.
type outMail struct {
	to, subject, body string
	// the token the mail carries, voided if delivery fails
	storeID, userID, purpose string
}

// deliver sends m; if that fails the token it carries is deleted and the
// error is 500 IIC.1516.
func (s *Service) deliver(ctx context.Context, m *outMail) error {
	if m == nil {
		return nil
	}
	if err := s.Mailer.Send(ctx, m.to, m.subject, m.body); err != nil {
		// Best effort: an undelivered token is useless anyway.
		s.Store.UserSecrets().DeleteTokens(context.WithoutCancel(ctx), m.storeID, m.userID, m.purpose)
		// The SMTP error may name the relay; the client sees only that
		// the e-mail could not be sent.
		return fmt.Errorf("%w (%w)", apierr.IIC1516_500.New("the e-mail could not be sent"), err)
	}
	return nil
}

// setPasswordMail stores a set-password token for u (inside tx) and
// returns the e-mail that carries its link.
func (s *Service) setPasswordMail(ctx context.Context, tx store.Store, u *store.User, ttl time.Duration, invite bool) (*outMail, error) {
	if err := s.checkMailer(PasswordModeEmail); err != nil {
		return nil, err
	}
	if u.Email == "" {
		return nil, badRequest("the user has no e-mail address")
	}
	link, err := s.issueToken(ctx, tx, u, store.TokenSetPassword, SetPasswordPath, ttl)
	if err != nil {
		return nil, err
	}
	subject, intro := "Reset your password", "A password reset was requested for your account"
	if invite {
		subject, intro = "Set up your account", "An account was created for you"
	}
	body := fmt.Sprintf("Hello %s,\n\n%s (user name %s). Set your password here:\n\n%s\n\nThe link works once and expires in %s.\n",
		u.DisplayName, intro, u.UserName, link, ttlText(ttl))
	return &outMail{to: u.Email, subject: subject, body: body, storeID: u.IdentityStoreID, userID: u.ID, purpose: store.TokenSetPassword}, nil
}

func ttlText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		if d == 24*time.Hour {
			return "1 day"
		}
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// VerifyEmail e-mails the user's primary address a link that verifies it.
func (s *Service) VerifyEmail(ctx context.Context, c Caller, storeID, userID string) error {
	if s.Mailer == nil {
		return badRequest("e-mail is not configured on this server (IIC_SMTP_URL)")
	}
	var m *outMail
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		u, err := tx.Users().Get(ctx, storeID, userID)
		if errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1312.New()
		}
		if err != nil {
			return err
		}
		if u.Email == "" {
			return badRequest("the user has no e-mail address")
		}
		link, err := s.issueToken(ctx, tx, &u, store.TokenVerifyEmail, VerifyEmailPath, VerifyEmailTTL)
		if err != nil {
			return err
		}
		body := fmt.Sprintf("Hello %s,\n\nPlease confirm that %s is your e-mail address:\n\n%s\n\nThe link works once and expires in %s.\n",
			u.DisplayName, u.Email, link, ttlText(VerifyEmailTTL))
		m = &outMail{to: u.Email, subject: "Verify your e-mail address", body: body, storeID: storeID, userID: userID, purpose: store.TokenVerifyEmail}
		return nil
	})
	if err != nil {
		return err
	}
	return s.deliver(ctx, m)
}

// consume takes a token of purpose; unknown, used or expired → errBad.
func (s *Service) consume(ctx context.Context, tx store.Store, raw, purpose string, errBad error) (store.User, store.UserToken, error) {
	if raw == "" || len(raw) > 256 {
		return store.User{}, store.UserToken{}, errBad
	}
	tok, err := tx.UserSecrets().ConsumeToken(ctx, hashTokenHex(raw), purpose, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, store.UserToken{}, errBad
	}
	if err != nil {
		return store.User{}, store.UserToken{}, err
	}
	u, err := tx.Users().Get(ctx, tok.IdentityStoreID, tok.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, store.UserToken{}, errBad
	}
	return u, tok, err
}

// markVerified records that u proved it owns address email, if that is
// still its primary address.
func (s *Service) markVerified(ctx context.Context, tx store.Store, u store.User, email string) error {
	if email == "" || !strings.EqualFold(email, u.Email) {
		return nil
	}
	return tx.Users().Update(ctx, u.IdentityStoreID, u.ID, func(x *store.User) error {
		x.EmailVerified = true
		p, err := decodeUser(*x)
		if err != nil {
			return err
		}
		for i := range p.Profile.Emails {
			if strings.EqualFold(p.Profile.Emails[i].Value, email) {
				p.Profile.Emails[i].VerificationStatus = "VERIFIED"
			}
		}
		x.Profile, err = encodeProfile(p.Profile)
		return err
	})
}

// SetPasswordWithToken sets a password through an e-mailed set-password
// link (the portal calls it). The token is spent only if the password is
// accepted; the link also proves the user owns its e-mail address. The
// user's portal sessions and OIDC tokens end (the password they proved is
// gone), and SignInsEnded hears of them. An unknown, used or expired token
// is 400 IIC.1718.
func (s *Service) SetPasswordWithToken(ctx context.Context, token, password string) (store.User, error) {
	var out store.User
	var ended EndedSignIns
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		u, tok, err := s.consume(ctx, tx, token, store.TokenSetPassword, apierr.IIC1718.New())
		if err != nil {
			return err
		}
		if err := s.setPassword(ctx, tx, u.IdentityStoreID, u.ID, password, false); err != nil {
			return err
		}
		if ended, err = endSignIns(ctx, tx, u.IdentityStoreID, u.ID); err != nil {
			return err
		}
		out = u
		return s.markVerified(ctx, tx, u, tok.Email)
	})
	if err == nil {
		s.signInsEnded(ctx, ended)
	}
	return out, err
}

// ConfirmEmail consumes an e-mail verification token and marks the address
// it was sent to verified (if it is still the user's primary address). An
// unknown, used or expired token is 400 IIC.1516.
func (s *Service) ConfirmEmail(ctx context.Context, token string) (store.User, error) {
	var out store.User
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		u, tok, err := s.consume(ctx, tx, token, store.TokenVerifyEmail, apierr.IIC1516_400.New("the link is invalid, used or expired"))
		if err != nil {
			return err
		}
		if !strings.EqualFold(tok.Email, u.Email) {
			return apierr.IIC1516_400.New("the e-mail address changed after the link was sent")
		}
		if err := s.markVerified(ctx, tx, u, tok.Email); err != nil {
			return err
		}
		out, err = tx.Users().Get(ctx, u.IdentityStoreID, u.ID)
		return err
	})
	return out, err
}

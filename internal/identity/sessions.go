package identity

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// DefaultSessionTTL is how long a portal session lasts without activity
// when the caller does not say (the instance's session setting will).
const DefaultSessionTTL = 8 * time.Hour

// NewSession is the input of CreateSession.
type NewSession struct {
	StoreID     string
	UserID      string
	SourceIP    string
	UserAgent   string
	AuthMethods []string      // how the user proved itself ("pwd", "totp", ...)
	TTL         time.Duration // 0 = DefaultSessionTTL
}

// CreateSession opens a portal session for a user (the portal calls it
// after a successful sign-in) and returns the bearer token, shown once;
// only its SHA-256 is stored. A disabled or unknown user gets 404 IIC.1312.
func (s *Service) CreateSession(ctx context.Context, in NewSession) (string, store.Session, error) {
	return s.CreateSessionIn(ctx, s.Store, in)
}

// CreateSessionIn is CreateSession through tx (the sign-in service opens
// the session in the transaction of the sign-in's other writes): one
// statement besides the insert, the user's lock that checks it is enabled.
func (s *Service) CreateSessionIn(ctx context.Context, tx store.Store, in NewSession) (string, store.Session, error) {
	// The store refuses a missing or disabled user (under its lock): no
	// read here.
	ttl := in.TTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	now := s.Now().UTC()
	token := s.IDs.Token(43)
	sess := store.Session{
		IdentityStoreID: in.StoreID, UserID: in.UserID, ID: s.IDs.UUID(), TokenHash: secrets.TokenHash(token),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(ttl),
		SourceIP: truncate(in.SourceIP, 64), UserAgent: truncate(in.UserAgent, 512), AuthMethods: in.AuthMethods,
	}
	if err := tx.Sessions().Create(ctx, sess); errors.Is(err, store.ErrNotFound) {
		return "", store.Session{}, apierr.IIC1312.New()
	} else if err != nil {
		return "", store.Session{}, err
	}
	return token, sess, nil
}

// truncate makes v storable text of at most n bytes: header values may
// hold bytes that are not UTF-8, which PostgreSQL refuses.
func truncate(v string, n int) string {
	v = strings.ReplaceAll(strings.ToValidUTF8(v, "\uFFFD"), "\x00", "")
	if len(v) <= n {
		return v
	}
	// Cut on a rune boundary.
	for n > 0 && v[n]&0xc0 == 0x80 {
		n--
	}
	return v[:n]
}

// SessionByToken returns the live session a portal token names. A missing
// or expired session, or one whose user was disabled or deleted, is 401
// IIC.1410 (the stale row is removed).
func (s *Service) SessionByToken(ctx context.Context, token string) (store.Session, error) {
	sess, err := s.Store.Sessions().GetByToken(ctx, secrets.TokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, apierr.IIC1410_401_2.New()
	}
	if err != nil {
		return store.Session{}, err
	}
	if !s.Now().Before(sess.ExpiresAt) {
		return store.Session{}, apierr.IIC1410_401_2.New()
	}
	u, err := s.Store.Users().Get(ctx, sess.IdentityStoreID, sess.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Enabled) {
		if _, err := s.Store.Sessions().DeleteOfUser(ctx, sess.IdentityStoreID, sess.UserID); err != nil {
			return store.Session{}, err
		}
		return store.Session{}, apierr.IIC1410_401_2.New()
	}
	if err != nil {
		return store.Session{}, err
	}
	return sess, nil
}

// EndSession signs a portal session out (Logout); an unknown token is not
// an error.
func (s *Service) EndSession(ctx context.Context, token string) error {
	sess, err := s.Store.Sessions().GetByToken(ctx, secrets.TokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.Store.Sessions().Delete(ctx, sess.IdentityStoreID, sess.UserID, []string{sess.ID})
	return err
}

// ListSessions returns a user's unexpired portal sessions, oldest first;
// 404 IIC.1312 for an unknown user.
func (s *Service) ListSessions(ctx context.Context, storeID, userID string) ([]store.Session, error) {
	if _, err := s.userOf(ctx, storeID, userID); err != nil {
		return nil, err
	}
	return s.Store.Sessions().List(ctx, storeID, userID, s.Now())
}

// MaxSessionIDs bounds one BatchDeleteSessions call.
const MaxSessionIDs = 100

// BatchDeleteSessions signs a user out of the listed sessions (1 to 100
// ids). Ids that are not sessions of this user (unknown, expired and
// cleaned up, another user's) are ignored, so a repeated call succeeds.
// Unknown user: 404 IIC.1312.
func (s *Service) BatchDeleteSessions(ctx context.Context, storeID, userID string, ids []string) error {
	if len(ids) == 0 || len(ids) > MaxSessionIDs {
		return badRequest("session_ids must hold 1 to %d ids", MaxSessionIDs)
	}
	for i, id := range ids {
		if err := checkLen("session_ids["+strconv.Itoa(i)+"]", id, 1, 64); err != nil {
			return err
		}
	}
	if _, err := s.userOf(ctx, storeID, userID); err != nil {
		return err
	}
	_, err := s.Store.Sessions().Delete(ctx, storeID, userID, ids)
	return err
}

// DeleteSessionsOfUser ends every portal session of a user and returns how
// many there were. Disabling a user and resetting its password should
// call it.
func (s *Service) DeleteSessionsOfUser(ctx context.Context, storeID, userID string) (int, error) {
	return s.Store.Sessions().DeleteOfUser(ctx, storeID, userID)
}

// SweepExpired removes every expired session and registration, in
// batches, and returns how many rows went.
func (s *Service) SweepExpired(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.SweepSessions(ctx, s.Store, sweepBatch)
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
	}
}

// SweepSessions deletes, through tx, up to limit expired portal sessions
// and up to limit expired MFA registration links: one step of the
// periodic SessionSweepJob. It returns how many rows went; limit or more
// means a batch was full and more may be left.
func (s *Service) SweepSessions(ctx context.Context, tx store.Store, limit int) (int, error) {
	now := s.Now()
	n, err := tx.Sessions().DeleteExpired(ctx, now, limit)
	if err != nil {
		return n, err
	}
	m, err := tx.Devices().DeleteExpiredRegistrations(ctx, now, limit)
	return n + m, err
}

// SweepTokens deletes, through tx, up to limit e-mailed one-time tokens
// (set-password and verify-email links) that expired: one step of the
// periodic TokenSweepJob. Used tokens are deleted when they are used.
func (s *Service) SweepTokens(ctx context.Context, tx store.Store, limit int) (int, error) {
	return tx.UserSecrets().DeleteExpiredTokens(ctx, s.Now(), limit)
}

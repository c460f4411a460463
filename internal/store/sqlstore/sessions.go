package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// Portal sessions (table portal_sessions).
type sessions struct{ s *sqlStore }

func (s *sqlStore) Sessions() store.Sessions { return sessions{s} }

const sessionColumns = "identity_store_id, id, user_id, token_hash, created_at, last_seen_at, expires_at, source_ip, user_agent, auth_methods"

func scanSession(row interface{ Scan(...any) error }) (store.Session, error) {
	var s store.Session
	var created, seen, expires int64
	var methods string
	err := row.Scan(&s.IdentityStoreID, &s.ID, &s.UserID, &s.TokenHash, &created, &seen, &expires, &s.SourceIP, &s.UserAgent, &methods)
	if err != nil {
		return s, mapErr(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	if err := json.Unmarshal([]byte(methods), &s.AuthMethods); err != nil {
		return s, fmt.Errorf("session %s: auth_methods: %w", s.ID, err)
	}
	return s, nil
}

func (t sessions) Create(ctx context.Context, s store.Session) error {
	methods := s.AuthMethods
	if methods == nil {
		methods = []string{}
	}
	mj, err := json.Marshal(methods)
	if err != nil {
		return err
	}
	return t.s.update(ctx, func(tx *sqlStore) error {
		var enabled bool
		if err := mapErr(tx.queryRow(ctx, "SELECT enabled FROM users WHERE identity_store_id = ? AND id = ?"+tx.forUpdate(), s.IdentityStoreID, s.UserID).Scan(&enabled)); err != nil {
			return err
		}
		if !enabled {
			return store.ErrNotFound
		}
		_, err := tx.exec(ctx, "INSERT INTO portal_sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			s.IdentityStoreID, s.ID, s.UserID, s.TokenHash, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt), s.SourceIP, s.UserAgent, string(mj))
		return err
	})
}

func (t sessions) GetByToken(ctx context.Context, tokenHash []byte) (store.Session, error) {
	return scanSession(t.s.queryRow(ctx, "SELECT "+sessionColumns+" FROM portal_sessions WHERE token_hash = ?", tokenHash))
}

func (t sessions) List(ctx context.Context, storeID, userID string, now time.Time) ([]store.Session, error) {
	rows, err := t.s.query(ctx, "SELECT "+sessionColumns+" FROM portal_sessions WHERE identity_store_id = ? AND user_id = ? AND expires_at > ? ORDER BY created_at, id",
		storeID, userID, ms(now))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSession)
}

func (t sessions) Touch(ctx context.Context, storeID, sessionID string, lastSeen, expires time.Time) error {
	return t.s.execOne(ctx, "UPDATE portal_sessions SET last_seen_at = ?, expires_at = ? WHERE identity_store_id = ? AND id = ?",
		ms(lastSeen), ms(expires), storeID, sessionID)
}

func (t sessions) Delete(ctx context.Context, storeID, userID string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := []any{storeID, userID}
	for _, id := range ids {
		args = append(args, id)
	}
	return deleteCount(t.s, ctx, "DELETE FROM portal_sessions WHERE identity_store_id = ? AND user_id = ? AND id IN ("+marks+")", args...)
}

func (t sessions) DeleteOfUser(ctx context.Context, storeID, userID string) (int, error) {
	return deleteCount(t.s, ctx, "DELETE FROM portal_sessions WHERE identity_store_id = ? AND user_id = ?", storeID, userID)
}

func (t sessions) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	return deleteCount(t.s, ctx, `DELETE FROM portal_sessions WHERE token_hash IN
		(SELECT token_hash FROM portal_sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(now), limit)
}

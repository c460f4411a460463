package sqlstore

import (
	"context"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type signatures struct{ s *sqlStore }

func (s *sqlStore) Signatures() store.Signatures { return signatures{s} }

func (t signatures) Claim(ctx context.Context, sig []byte, now, expires time.Time) (time.Time, error) {
	// An expired record is overwritten; a live one is left as it is and the
	// insert affects nothing.
	res, err := t.s.exec(ctx, `INSERT INTO used_signatures (signature, first_used_at, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (signature) DO UPDATE SET first_used_at = excluded.first_used_at, expires_at = excluded.expires_at
		WHERE used_signatures.expires_at <= excluded.first_used_at`,
		sig, ms(now), ms(expires))
	if err != nil {
		return time.Time{}, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return time.Time{}, err
	}
	if n > 0 {
		return now, nil
	}
	// Read through the writer: the record may be this instant's.
	var first int64
	err = t.s.writer().QueryRowContext(ctx, t.s.db.rebind("SELECT first_used_at FROM used_signatures WHERE signature = ?"), sig).Scan(&first)
	if err != nil {
		return time.Time{}, mapErr(err)
	}
	return fromMS(first), nil
}

func (t signatures) Release(ctx context.Context, sig []byte) error {
	_, err := t.s.exec(ctx, "DELETE FROM used_signatures WHERE signature = ?", sig)
	return err
}

func (t signatures) Sweep(ctx context.Context, now time.Time, limit int) (int, error) {
	res, err := t.s.exec(ctx, `DELETE FROM used_signatures WHERE signature IN
		(SELECT signature FROM used_signatures WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, ms(now), limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

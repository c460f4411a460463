package sqlstore

import "context"

type settings struct{ s *sqlStore }

func (t settings) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := t.s.queryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	return v, mapErr(err)
}

func (t settings) PutIfAbsent(ctx context.Context, key, value string) (string, error) {
	if _, err := t.s.exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value); err != nil {
		return "", err
	}
	// Read through the writer: a read replica could lag behind our insert.
	var v string
	err := t.s.writer().QueryRowContext(ctx, t.s.db.rebind("SELECT value FROM settings WHERE key = ?"), key).Scan(&v)
	return v, mapErr(err)
}

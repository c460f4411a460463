package sqlstore

import (
	"context"
	"strings"

	"github.com/iic-project/iic/internal/store"
)

type policies struct{ s *sqlStore }

const policyColumns = "seq, account_id, id, name, description, document, legacy_actions, created_at, updated_at"

func scanPolicy(row interface{ Scan(...any) error }) (store.Policy, error) {
	var p store.Policy
	var doc string
	var created, updated int64
	if err := row.Scan(&p.Seq, &p.AccountID, &p.ID, &p.Name, &p.Description, &doc, &p.LegacyActions, &created, &updated); err != nil {
		return p, mapErr(err)
	}
	p.Document = []byte(doc)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, nil
}

func (t policies) Create(ctx context.Context, p store.Policy) error {
	_, err := t.s.exec(ctx, `INSERT INTO policies (account_id, id, name, name_key, description, document, legacy_actions, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.AccountID, p.ID, p.Name, strings.ToLower(p.Name), p.Description, string(p.Document), p.LegacyActions, ms(p.CreatedAt), ms(p.UpdatedAt))
	return err
}

func (t policies) Get(ctx context.Context, accountID, id string) (store.Policy, error) {
	return scanPolicy(t.s.queryRow(ctx, "SELECT "+policyColumns+" FROM policies WHERE account_id = ? AND id = ?", accountID, id))
}

func (t policies) Delete(ctx context.Context, accountID, id string) error {
	return t.s.execOne(ctx, "DELETE FROM policies WHERE account_id = ? AND id = ?", accountID, id)
}

func (t policies) List(ctx context.Context, accountID string, after int64, limit int) ([]store.Policy, error) {
	rows, err := t.s.query(ctx, "SELECT "+policyColumns+" FROM policies WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		accountID, after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPolicy)
}

func (t policies) Count(ctx context.Context, accountID string) (int, error) {
	var n int
	err := t.s.queryRow(ctx, "SELECT COUNT(*) FROM policies WHERE account_id = ?", accountID).Scan(&n)
	return n, mapErr(err)
}

package sqlstore

import (
	"context"

	"github.com/iic-project/iic/internal/store"
)

type accounts struct{ s *sqlStore }

func (t accounts) Create(ctx context.Context, a store.Account) error {
	_, err := t.s.exec(ctx, "INSERT INTO accounts (id, name, email, is_management, created_at) VALUES (?, ?, ?, ?, ?)",
		a.ID, a.Name, a.Email, a.IsManagement, ms(a.CreatedAt))
	return err
}

func (t accounts) Get(ctx context.Context, id string) (store.Account, error) {
	var a store.Account
	var created int64
	err := t.s.queryRow(ctx, "SELECT id, name, email, is_management, created_at FROM accounts WHERE id = ?", id).
		Scan(&a.ID, &a.Name, &a.Email, &a.IsManagement, &created)
	a.CreatedAt = fromMS(created)
	return a, mapErr(err)
}

func (t accounts) GetByName(ctx context.Context, name string) (store.Account, error) {
	var a store.Account
	var created int64
	err := t.s.queryRow(ctx, "SELECT id, name, email, is_management, created_at FROM accounts WHERE name = ?", name).
		Scan(&a.ID, &a.Name, &a.Email, &a.IsManagement, &created)
	a.CreatedAt = fromMS(created)
	return a, mapErr(err)
}

type projects struct{ s *sqlStore }

func (t projects) Create(ctx context.Context, p store.Project) error {
	_, err := t.s.exec(ctx, "INSERT INTO projects (id, account_id, name, created_at) VALUES (?, ?, ?, ?)",
		p.ID, p.AccountID, p.Name, ms(p.CreatedAt))
	return err
}

func (t projects) Get(ctx context.Context, id string) (store.Project, error) {
	var p store.Project
	var created int64
	err := t.s.queryRow(ctx, "SELECT id, account_id, name, created_at FROM projects WHERE id = ?", id).
		Scan(&p.ID, &p.AccountID, &p.Name, &created)
	p.CreatedAt = fromMS(created)
	return p, mapErr(err)
}

func (t projects) ListByAccount(ctx context.Context, accountID string) ([]store.Project, error) {
	rows, err := t.s.query(ctx, "SELECT id, account_id, name, created_at FROM projects WHERE account_id = ? ORDER BY name", accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Project
	for rows.Next() {
		var p store.Project
		var created int64
		if err := rows.Scan(&p.ID, &p.AccountID, &p.Name, &created); err != nil {
			return nil, err
		}
		p.CreatedAt = fromMS(created)
		out = append(out, p)
	}
	return out, mapErr(rows.Err())
}

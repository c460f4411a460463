package store

import (
	"context"
	"time"
)

// Account is a cloud account (a Huawei "domain"). The management account is
// the one created at bootstrap; member accounts come with organizations.
type Account struct {
	ID           string // 32 lowercase hex
	Name         string // unique
	Email        string
	IsManagement bool
	CreatedAt    time.Time
}

// Accounts stores accounts.
type Accounts interface {
	// Create inserts a; ErrConflict if the id or name exists.
	Create(ctx context.Context, a Account) error
	// Get returns the account with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Account, error)
	// GetByName returns the account named name, or ErrNotFound.
	GetByName(ctx context.Context, name string) (Account, error)
}

// Project is one account's scope in one region (X-Project-Id).
type Project struct {
	ID        string // 32 lowercase hex
	AccountID string
	Name      string // the region name, e.g. "cn-north-4"
	CreatedAt time.Time
}

// Projects stores projects; (AccountID, Name) is unique.
type Projects interface {
	// Create inserts p; ErrConflict if the id or (account, name) exists.
	Create(ctx context.Context, p Project) error
	// Get returns the project with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Project, error)
	// ListByAccount returns the account's projects ordered by name.
	ListByAccount(ctx context.Context, accountID string) ([]Project, error)
}

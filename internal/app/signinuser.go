package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/iic-project/iic/internal/store"
)

// setSignInUser sets the root account's sign-in user from u when u names a
// password file. A stored user of the same name, roles and password is
// left alone (its tokens stay valid across restarts).
func (a *App) setSignInUser(ctx context.Context, u SignInUser) error {
	if u.PasswordFile == "" {
		if u.Name != "" || len(u.Roles) > 0 {
			return errors.New("sign-in user: --sign-in-password-file is required with --sign-in-user and --sign-in-role")
		}
		return nil
	}
	raw, err := os.ReadFile(u.PasswordFile)
	if err != nil {
		return fmt.Errorf("sign-in user: %w", err)
	}
	password := strings.TrimRight(string(raw), "\r\n")
	name := u.Name
	if name == "" {
		name = "admin"
	}
	cur, err := a.Store.Keystone().GetUser(ctx, a.Root.AccountID)
	if err == nil && cur.Name == name && slices.Equal(cur.Roles, u.Roles) {
		if ok, _ := a.Identity.Hasher.Verify(cur.PasswordHash, password); ok {
			return nil
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := a.Tokens.SetUser(ctx, a.Root.AccountID, name, password, u.Roles); err != nil {
		return fmt.Errorf("sign-in user: %w", err)
	}
	a.Log.Info("sign-in user set", "account_id", a.Root.AccountID, "user", name, "roles", strings.Join(u.Roles, ","))
	return nil
}

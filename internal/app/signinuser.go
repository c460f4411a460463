package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// setSignInUser sets the root account's sign-in user from u when u names a
// password file, and its TOTP device from u.TOTPSecretFile (none when it is
// empty). A stored user of the same name, roles and password is left alone
// (its tokens stay valid across restarts), and so is a device of the same
// secret (its replay guard too).
func (a *App) setSignInUser(ctx context.Context, u SignInUser) error {
	if u.PasswordFile == "" {
		if u.Name != "" || len(u.Roles) > 0 || u.TOTPSecretFile != "" {
			return errors.New("sign-in user: --sign-in-password-file is required with --sign-in-user, --sign-in-role and --sign-in-totp-secret-file")
		}
		return nil
	}
	raw, err := os.ReadFile(u.PasswordFile)
	if err != nil {
		return fmt.Errorf("sign-in user: %w", err)
	}
	var seed []byte
	if u.TOTPSecretFile != "" {
		secret, err := os.ReadFile(u.TOTPSecretFile)
		if err != nil {
			return fmt.Errorf("sign-in user: %w", err)
		}
		if seed, err = identity.ParseTOTPSecret(strings.TrimSpace(string(secret))); err != nil {
			return fmt.Errorf("sign-in user: %s: %w", u.TOTPSecretFile, err)
		}
	}
	if err := a.setSignInPassword(ctx, u, strings.TrimRight(string(raw), "\r\n")); err != nil {
		return err
	}
	removed, err := a.Tokens.SetTOTP(ctx, a.Root.AccountID, seed)
	if err != nil {
		return fmt.Errorf("sign-in user: TOTP device: %w", err)
	}
	if removed {
		// The flags describe the whole sign-in user: a restart without the
		// secret file drops its MFA, which an operator must not miss.
		a.Log.Warn("sign-in user's TOTP device removed: started without --sign-in-totp-secret-file; token requests by password alone are accepted again", "account_id", a.Root.AccountID)
	}
	return nil
}

// setSignInPassword sets the sign-in user's name, password and roles unless
// they are the stored ones.
func (a *App) setSignInPassword(ctx context.Context, u SignInUser, password string) error {
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

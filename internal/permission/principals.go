package permission

import (
	"context"
	"errors"

	"github.com/iic-project/iic/internal/store"
)

// errLocked ends a no-op read-for-update without writing.
var errLocked = errors.New("permission: principal row locked")

// lockPrincipal locks the row of user or group id of identity store
// storeID for the rest of tx (PostgreSQL: SELECT ... FOR UPDATE; SQLite's
// write transactions are serialized already), so that an assignment's
// creation and the principal's deletion serialize: whichever commits
// second sees the other's effect. store.ErrNotFound when the principal is
// gone.
func lockPrincipal(ctx context.Context, tx store.Store, storeID, typ, id string) error {
	var err error
	if typ == store.PrincipalUser {
		err = tx.Users().Update(ctx, storeID, id, func(*store.User) error { return errLocked })
	} else {
		err = tx.Groups().Update(ctx, storeID, id, func(*store.Group) error { return errLocked })
	}
	if errors.Is(err, errLocked) {
		return nil
	}
	return err
}

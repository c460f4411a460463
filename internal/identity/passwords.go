package identity

import (
	"context"

	"github.com/iic-project/iic/internal/store"
)

// initialPassword gives a user being created (inside tx) a password
// according to mode: "OTP" sets a generated one-time password and returns
// it (shown once); "EMAIL" e-mails a link to set one and returns "".
//
// Stub: replaced by the password work.
func (s *Service) initialPassword(ctx context.Context, tx store.Store, u *store.User, mode string) (string, error) {
	return "", nil
}

package tokens

import (
	"context"
	"crypto/subtle"
	"errors"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// SetTOTP gives the sign-in user of accountID a TOTP device with seed (its
// virtual MFA device, the one the password+totp method checks), or removes
// it (nil seed; removed reports that there was one). The seed is sealed at
// rest (Keys); a new seed resets the replay guard, the same seed leaves the
// device as it is. While the user has a device, a token request by password
// alone is refused.
func (s *Service) SetTOTP(ctx context.Context, accountID string, seed []byte) (removed bool, err error) {
	u, err := s.Store.Keystone().GetUser(ctx, accountID)
	if err != nil {
		return false, err
	}
	if seed == nil {
		if u.TOTPSecretSealed == nil {
			return false, nil
		}
		u.TOTPSecretSealed, u.TOTPLastStep = nil, 0
	} else {
		if len(seed) < 16 || len(seed) > 64 {
			return false, invalid("a TOTP seed is 16 to 64 bytes")
		}
		if cur, err := s.openSeed(u); err == nil && subtle.ConstantTimeCompare(cur, seed) == 1 {
			return false, nil
		}
		u.TOTPSecretSealed, u.TOTPLastStep = s.Keys.Seal(seed, totpAAD(u)), 0
	}
	u.UpdatedAt = s.now()
	return seed == nil, s.Store.Keystone().PutUser(ctx, u)
}

// totpAAD binds a sealed seed to its account and user.
func totpAAD(u store.SignInUser) []byte {
	return []byte("keystone-totp:" + u.AccountID + ":" + u.ID)
}

var errNoDevice = errors.New("tokens: no TOTP device")

func (s *Service) openSeed(u store.SignInUser) ([]byte, error) {
	if u.TOTPSecretSealed == nil {
		return nil, errNoDevice
	}
	return s.Keys.Open(u.TOTPSecretSealed, totpAAD(u))
}

// checkTOTP reports whether passcode is a current code of u's device for
// the user userID names, and records its time step so that the code is
// accepted once (a replay, or the same code in a concurrent request,
// fails). It is identity.MatchTOTP, the portal's check.
func (s *Service) checkTOTP(ctx context.Context, u store.SignInUser, userID, passcode string) (bool, error) {
	if userID != u.ID {
		return false, nil
	}
	seed, err := s.openSeed(u)
	if err != nil {
		return false, err
	}
	step, ok := identity.MatchTOTP(seed, passcode, s.now(), u.TOTPLastStep)
	if !ok {
		return false, nil
	}
	switch err := s.Store.Keystone().ClaimTOTPStep(ctx, u.AccountID, step); {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

package signin

import (
	"context"
	"errors"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// A new e-mailed code on request ("Send a new code").
const (
	// resendAfter is how long a code must be out before a new one may be
	// asked for.
	resendAfter = 30 * time.Second
	// resendsPerWindow new codes per user name and resendWindow at most.
	resendsPerWindow = 5
	resendWindow     = 15 * time.Minute
)

// ResendEmailOTP replaces the e-mailed code of an EMAIL_OTP step with a new
// one, mailed again: the challenge and its code end (the old code no
// longer works) and the answer carries the new challenge. A new code may
// be asked for resendAfter after the last one, resendsPerWindow times per
// user name and resendWindow; sooner or more is 400 IIC.1722 and the
// challenge stays as it was. A challenge that ended is 400 IIC.1721.
func (s *Service) ResendEmailOTP(ctx context.Context, challenge string) (Result, error) {
	c, u, err := s.open(ctx, challenge, kindEmail)
	if err != nil {
		return Result{}, err
	}
	if s.now().Before(c.CreatedAt.Add(resendAfter)) {
		return Result{}, apierr.IIC1722.New()
	}
	if ok, err := s.countRequest(ctx, c.IdentityStoreID, "resend:"+c.UserKey, resendsPerWindow, resendWindow); err != nil {
		return Result{}, err
	} else if !ok {
		return Result{}, apierr.IIC1722.New()
	}
	var res Result
	var mail *otpMail
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		if err := tx.SignIns().DeleteChallenge(ctx, c.TokenHash); errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1721.New()
		} else if err != nil {
			return err
		}
		var err error
		res, mail, err = s.emailChallenge(ctx, tx, stateOf(c, u))
		return err
	})
	if err != nil {
		return Result{}, err
	}
	if err := s.sendCode(ctx, mail); err != nil {
		return Result{}, err
	}
	return res, nil
}

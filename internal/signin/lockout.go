package signin

import (
	"context"
	"errors"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// LockoutPolicy is how failed sign-ins lock a user name. Failures are
// counted per name in an identity store, for names of no user too: wrong
// passwords and wrong MFA or e-mailed codes alike. At MaxFailures the name
// is locked for Delay; every further failure after a lock ends locks it
// again for twice as long, up to MaxDelay. A completed sign-in clears the
// count, and so does ResetAfter without failures.
type LockoutPolicy struct {
	MaxFailures int           // default 5
	Delay       time.Duration // the first lock; default 1 min
	MaxDelay    time.Duration // the longest lock; default 1 h
	ResetAfter  time.Duration // default 24 h
}

// DefaultLockout is the policy of zero fields.
var DefaultLockout = LockoutPolicy{MaxFailures: 5, Delay: time.Minute, MaxDelay: time.Hour, ResetAfter: 24 * time.Hour}

func (p LockoutPolicy) withDefaults() LockoutPolicy {
	if p.MaxFailures <= 0 {
		p.MaxFailures = DefaultLockout.MaxFailures
	}
	if p.Delay <= 0 {
		p.Delay = DefaultLockout.Delay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultLockout.MaxDelay
	}
	p.MaxDelay = max(p.MaxDelay, p.Delay)
	if p.ResetAfter <= 0 {
		p.ResetAfter = DefaultLockout.ResetAfter
	}
	return p
}

// fail records one failure at now in f.
func (p LockoutPolicy) fail(f *store.SignInFailures, now time.Time) {
	p = p.withDefaults()
	if !f.LastFailureAt.IsZero() && now.Sub(f.LastFailureAt) >= p.ResetAfter && !now.Before(f.LockedUntil) {
		f.Failures, f.Lockouts, f.LockedUntil = 0, 0, time.Time{}
	}
	f.Failures++
	f.LastFailureAt = now
	if f.Failures < p.MaxFailures {
		return
	}
	delay := p.Delay
	for i := 0; i < f.Lockouts && delay < p.MaxDelay; i++ {
		delay *= 2
	}
	f.Lockouts++
	f.LockedUntil = now.Add(min(delay, p.MaxDelay))
}

// checkLock answers 423 IIC.1705 while the name is locked; failed reports
// whether the name has a failure record.
func (s *Service) checkLock(ctx context.Context, storeID, key string, now time.Time) (failed bool, err error) {
	f, err := s.Store.SignIns().GetFailures(ctx, storeID, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if now.Before(f.LockedUntil) {
		return true, apierr.IIC1705.New()
	}
	return true, nil
}

// recordFailure counts one failure of the name.
func (s *Service) recordFailure(ctx context.Context, storeID, key string) error {
	now := s.now()
	return s.Store.SignIns().UpdateFailures(ctx, storeID, key, func(f *store.SignInFailures) error {
		s.Lockout.fail(f, now)
		return nil
	})
}

// Fail records one failure at now in f under the policy (for the other
// services that lock names the same way, e.g. the Keystone sign-in user).
func (p LockoutPolicy) Fail(f *store.SignInFailures, now time.Time) { p.fail(f, now) }

package store

import (
	"context"
	"time"
)

// SignInFailures is the failed-sign-in record of one user name in one
// identity store. It is keyed by the name as typed (UserKey, the sign-in
// service's digest of the canonical name), not by user id, so that names
// of users that do not exist are counted, and locked, exactly like real
// ones.
type SignInFailures struct {
	IdentityStoreID string
	UserKey         string
	// Failures counts failed attempts since the record started.
	Failures int
	// Lockouts counts how many times this record locked the name.
	Lockouts      int
	LastFailureAt time.Time
	LockedUntil   time.Time // zero = not locked
}

// SignInContext is one context (a device cookie, an address, a browser) a
// user completed a sign-in from. Value is a digest chosen by the sign-in
// service; the store never sees the context in the clear.
type SignInContext struct {
	IdentityStoreID string
	UserID          string
	Kind            string // "device", "address", "agent"
	Value           []byte
	LastSeenAt      time.Time
}

// SignInChallenge is the server-side state between two steps of a sign-in
// (an MFA code to enter, a device to enrol, an e-mailed code, a new
// password to set). The token the client holds is kept as its SHA-256
// (TokenHash).
type SignInChallenge struct {
	TokenHash       []byte
	IdentityStoreID string
	UserID          string
	UserKey         string   // the SignInFailures key of the name signed in with
	Kind            string   // what the next step is (the sign-in service's constants)
	Methods         []string // the MFA methods the step accepts
	AuthMethods     []string // the factors proved so far
	PasswordChange  string   // "" or why a new password must be set before the session
	CodeHash        []byte   // an e-mailed code's keyed digest; nil when none
	Attempts        int      // wrong codes entered so far
	SourceIP        string
	UserAgent       string
	DeviceID        string
	CreatedAt       time.Time
	ExpiresAt       time.Time
}

// SignIns stores the sign-in service's state: failure counters (lockout),
// the contexts users signed in from, and pending challenges. Contexts and
// challenges reference a user and go with it; failure counters reference a
// name and are swept when stale.
type SignIns interface {
	// GetFailures returns the record of a name, or ErrNotFound.
	GetFailures(ctx context.Context, storeID, userKey string) (SignInFailures, error)
	// UpdateFailures applies fn atomically to the record of a name,
	// starting from a zero record (IdentityStoreID and UserKey set) when
	// there is none, and stores the result. Concurrent calls for one name
	// apply one after the other. An error from fn is returned and nothing
	// is written.
	UpdateFailures(ctx context.Context, storeID, userKey string, fn func(*SignInFailures) error) error
	// DeleteFailures removes the record of a name (absent is not an error).
	DeleteFailures(ctx context.Context, storeID, userKey string) error
	// DeleteStaleFailures removes up to limit records whose last failure is
	// at or before before and whose lock ended at or before now, and
	// returns how many.
	DeleteStaleFailures(ctx context.Context, before, now time.Time, limit int) (int, error)

	// KnownContexts returns which of values of kind the user signed in from
	// (the subset of values that is stored).
	KnownContexts(ctx context.Context, storeID, userID, kind string, values [][]byte) ([][]byte, error)
	// RememberContext stores c (or moves its LastSeenAt) and keeps at most
	// keep contexts of its kind for the user, dropping the least recently
	// seen. ErrNotFound if the user does not exist.
	RememberContext(ctx context.Context, c SignInContext, keep int) error
	// MatchContexts returns those of cs (contexts of the user, by Kind and
	// Value; the other fields are ignored) the user signed in from, in one
	// read.
	MatchContexts(ctx context.Context, storeID, userID string, cs []SignInContext) ([]SignInContext, error)
	// RememberContexts is RememberContext for several contexts of one
	// user (of distinct kinds or values) at once: a constant number of
	// statements however many. ErrNotFound if the user does not exist.
	RememberContexts(ctx context.Context, cs []SignInContext, keep int) error
	// ListContexts returns a user's contexts of kind, most recently seen
	// first.
	ListContexts(ctx context.Context, storeID, userID, kind string) ([]SignInContext, error)

	// CreateChallenge inserts c; ErrNotFound if the user does not exist,
	// ErrConflict if the token hash is taken.
	CreateChallenge(ctx context.Context, c SignInChallenge) error
	// GetChallenge returns the challenge with this token hash, or
	// ErrNotFound. Expired rows are returned too: callers check ExpiresAt.
	GetChallenge(ctx context.Context, tokenHash []byte) (SignInChallenge, error)
	// AddChallengeAttempt increments a challenge's Attempts and returns the
	// new count; ErrNotFound if absent.
	AddChallengeAttempt(ctx context.Context, tokenHash []byte) (int, error)
	// DeleteChallenge removes a challenge; ErrNotFound if absent (so of
	// concurrent deleters exactly one succeeds: the single use).
	DeleteChallenge(ctx context.Context, tokenHash []byte) error
	// DeleteExpiredChallenges removes up to limit challenges with ExpiresAt
	// at or before now and returns how many.
	DeleteExpiredChallenges(ctx context.Context, now time.Time, limit int) (int, error)
}

package store

import (
	"context"
	"time"
)

// OIDCClient is a client registered with the OIDC service. The client
// secret is kept only as its SHA-256 (SecretHash).
type OIDCClient struct {
	ID              string
	Name            string
	SecretHash      []byte
	Scopes          []string
	GrantTypes      []string
	CreatedAt       time.Time
	SecretExpiresAt time.Time
	// ExpiresAt is when the registration itself ends.
	ExpiresAt time.Time
}

// Device-authorization states.
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
)

// OIDCDeviceAuth is a device authorization (RFC 8628) between
// StartDeviceAuthorization and the token it ends in. The device code and
// the user code are kept only as their SHA-256. It is found by its
// user-code hash alone, which is unique: the service derives the user code
// from the device code, so a poll names the same row, and checks the
// device-code hash itself.
type OIDCDeviceAuth struct {
	DeviceCodeHash []byte
	UserCodeHash   []byte
	ClientID       string
	Scopes         []string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	// IntervalSeconds is the polling interval the client must keep.
	IntervalSeconds int
	// LastPolledAt is the last token request for this code (zero = none).
	LastPolledAt time.Time
	Status       string // DevicePending, DeviceApproved or DeviceDenied
	// IdentityStoreID and UserID name who approved or denied ("" while
	// pending).
	IdentityStoreID string
	UserID          string
	// WrongGuessesSince is how many wrong user codes were counted
	// (CountWrongGuess) since the row was created; computed on read and
	// ignored on write.
	WrongGuessesSince int64
}

// Kinds of OIDC tokens.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)

// OIDCToken is an access or refresh token, kept only as its SHA-256
// (Hash, unique). The tokens issued from one authorization and every
// rotation of its refresh token share a FamilyID.
type OIDCToken struct {
	Hash            []byte
	Kind            string // TokenAccess or TokenRefresh
	FamilyID        string
	ClientID        string
	IdentityStoreID string
	UserID          string
	Scopes          []string
	CreatedAt       time.Time
	ExpiresAt       time.Time
	// UsedAt is when a refresh token was exchanged (zero = not yet).
	UsedAt time.Time
	// UserEnabled is read with the token: whether its user is enabled
	// (one read for what every use of a token checks; writes ignore it).
	UserEnabled bool
}

// OIDCAuthCode is an authorization code (RFC 6749 §4.1) issued for a
// signed-in user, kept only as its SHA-256; it is used at most once.
type OIDCAuthCode struct {
	Hash            []byte
	ClientID        string
	IdentityStoreID string
	UserID          string
	RedirectURI     string
	// CodeChallenge is the PKCE S256 challenge (RFC 7636), "" for none.
	CodeChallenge string
	Scopes        []string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// OIDC stores the OIDC service's clients, device authorizations, tokens,
// authorization codes and the counts of wrong user codes. Device
// authorizations, tokens and codes reference their client, and deleting the
// client deletes them; tokens and codes reference their user (identity store
// id + user id), and deleting the user deletes them. Expired rows stay until
// a Delete… sweep removes them: readers check the expiry.
type OIDC interface {
	// CreateClient inserts c; ErrConflict if the id is taken.
	CreateClient(ctx context.Context, c OIDCClient) error
	// GetClient returns a client, or ErrNotFound.
	GetClient(ctx context.Context, id string) (OIDCClient, error)
	// DeleteExpiredClients removes up to limit clients whose ExpiresAt is at
	// or before before, with their tokens and authorization codes (not
	// their device authorizations: see CreateDeviceAuth), and returns how
	// many clients went.
	DeleteExpiredClients(ctx context.Context, before time.Time, limit int) (int, error)

	// CreateDeviceAuth inserts d; ErrConflict if its user-code hash is
	// taken, ErrConflict (KeyReference) if the client does not exist.
	// Deleting the client later leaves d in place until it expires (a
	// device authorization is only ever used with its client, which the
	// reader reads). Outside a transaction the insert is visible at once
	// but may be lost if the database crashes within moments after it
	// returns (PostgreSQL commits it without waiting for its WAL flush, as
	// Credentials.CreateEphemeral): the client's next poll then answers
	// invalid_grant and its user starts again.
	CreateDeviceAuth(ctx context.Context, d OIDCDeviceAuth) error
	// GetDeviceAuth returns the authorization with this user-code hash, or
	// ErrNotFound.
	GetDeviceAuth(ctx context.Context, userCodeHash []byte) (OIDCDeviceAuth, error)
	// UpdateDeviceAuth applies fn to the stored authorization atomically;
	// only IntervalSeconds, LastPolledAt, Status, IdentityStoreID and
	// UserID are written. ErrNotFound if absent; an error from fn is
	// returned and nothing is written.
	UpdateDeviceAuth(ctx context.Context, userCodeHash []byte, fn func(*OIDCDeviceAuth) error) error
	// DeleteDeviceAuth removes an authorization; ErrNotFound if it was not
	// there, so of concurrent deletes exactly one succeeds.
	DeleteDeviceAuth(ctx context.Context, userCodeHash []byte) error
	// DeleteExpiredDeviceAuths removes up to limit authorizations with
	// ExpiresAt at or before now and returns how many.
	DeleteExpiredDeviceAuths(ctx context.Context, now time.Time, limit int) (int, error)

	// CreateTokens inserts the tokens (all or none); ErrConflict if a hash
	// is taken, ErrConflict (KeyReference) if the client or user does not
	// exist or the family's tokens so far are another client's or user's
	// (the tokens of a family share client and user).
	CreateTokens(ctx context.Context, tokens ...OIDCToken) error
	// GetToken returns the token with this hash, or ErrNotFound.
	GetToken(ctx context.Context, hash []byte) (OIDCToken, error)
	// UseToken sets UsedAt of an unused token: ErrNotFound if absent,
	// ErrConflict if it was used already, so of concurrent uses exactly one
	// succeeds.
	UseToken(ctx context.Context, hash []byte, at time.Time) error
	// RotateToken is UseToken of spent followed by CreateTokens of tokens,
	// atomically (the refresh grant's rotation): with UseToken's errors
	// nothing is inserted, with CreateTokens' the token stays unused.
	// PostgreSQL runs it as one statement (no transaction round trips).
	RotateToken(ctx context.Context, spent []byte, at time.Time, tokens ...OIDCToken) error
	// DeleteTokenFamily removes every token of a family and returns how
	// many.
	DeleteTokenFamily(ctx context.Context, familyID string) (int, error)
	// DeleteUserTokens removes every access and refresh token and every
	// authorization code of the user (identity store id + user id), and
	// ends the device authorizations the user approved but that no token
	// was issued for yet, so nothing issued before the call mints a token
	// afterwards; it returns how many tokens went. Other users' rows stay.
	DeleteUserTokens(ctx context.Context, storeID, userID string) (int, error)
	// UserTokenFamilies returns the distinct FamilyIDs of the user's
	// tokens (expired ones too, until they are swept), in no particular
	// order: the sign-ins DeleteUserTokens would end.
	UserTokenFamilies(ctx context.Context, storeID, userID string) ([]string, error)
	// DeleteExpiredTokens removes up to limit tokens with ExpiresAt at or
	// before now, and up to limit families whose ExpiresAt (their latest
	// token's) is at or before familiesBefore, and returns how many of both
	// went. A family may outlive its tokens (familiesBefore earlier than
	// now) so that UserTokenFamilies still names it while what was issued
	// under it lives on.
	DeleteExpiredTokens(ctx context.Context, now, familiesBefore time.Time, limit int) (int, error)

	// CreateAuthCode inserts c; ErrConflict if the hash is taken,
	// ErrConflict (KeyReference) if the client or user does not exist.
	CreateAuthCode(ctx context.Context, c OIDCAuthCode) error
	// TakeAuthCode removes and returns the code with this hash (expired or
	// not), or ErrNotFound: of concurrent takes exactly one gets it.
	TakeAuthCode(ctx context.Context, hash []byte) (OIDCAuthCode, error)
	// DeleteExpiredAuthCodes removes up to limit codes with ExpiresAt at
	// or before now and returns how many.
	DeleteExpiredAuthCodes(ctx context.Context, now time.Time, limit int) (int, error)

	// CountWrongGuess records one wrong user code: it adds one to the total
	// (which every device authorization's WrongGuessesSince counts) and to
	// each key's count in the fixed window starting at windowStart (a key
	// whose stored window is older restarts at 1), and returns the keys'
	// counts afterwards, in order.
	CountWrongGuess(ctx context.Context, keys []string, windowStart time.Time) ([]int, error)
	// WrongGuesses returns each key's count in the window starting at
	// windowStart (0 for a key with none or an older window), in order.
	WrongGuesses(ctx context.Context, keys []string, windowStart time.Time) ([]int, error)
	// DeleteStaleGuesses removes up to limit key counts whose window started
	// before before and returns how many.
	DeleteStaleGuesses(ctx context.Context, before time.Time, limit int) (int, error)
}

package store

import (
	"context"
	"time"
)

// CredentialKind says what a credential stands for.
type CredentialKind string

const (
	// KindRoot is the management account's own key: it may do everything.
	KindRoot CredentialKind = "root"
	// KindScoped is a long-lived key bound to a set of policies.
	KindScoped CredentialKind = "scoped"
	// KindTemporary is issued for an assumed agency; it expires and is only
	// valid together with its security token.
	KindTemporary CredentialKind = "temporary"
)

// Credential is an access key. SecretSealed is the secret key encrypted
// under the master key (the store never sees it in clear); TokenHash is the
// SHA-256 of the security token of a temporary credential.
type Credential struct {
	AccessKey    string
	AccountID    string
	Kind         CredentialKind
	SecretSealed []byte
	TokenHash    []byte    // temporary credentials only
	ExpiresAt    time.Time // zero = never
	Description  string
	// Who acts with this key (temporary credentials: the portal user and the
	// assumed agency; scoped keys: a label chosen by the admin).
	UserID      string
	UserName    string
	SessionName string
	AgencyURN   string
	// PrincipalTags are access-control attributes carried by temporary
	// credentials; PolicyIDs are the policies a scoped key is bound to.
	PrincipalTags map[string]string
	PolicyIDs     []string
	// Agency names the agency whose policies a temporary credential's
	// session holds (the authorizer reads them from it at request time);
	// Session is the portal sign-in session it was issued in, which
	// DeleteBySession ends. Both are "" for other credentials.
	Agency    AgencyRef
	Session   string
	Disabled  bool
	CreatedAt time.Time
	Seq       int64
}

// AgencyRef names an agency: the one of permission set PermissionSetID of
// instance InstanceID in the credential's account (store.Agencies().Get).
// The zero value names none.
type AgencyRef struct {
	InstanceID      string
	PermissionSetID string
}

// Credentials stores access keys.
type Credentials interface {
	// Create inserts c; ErrConflict if the access key exists.
	Create(ctx context.Context, c Credential) error
	// CreateEphemeral is Create for a credential whose holder asks for a
	// new one when it stops working (temporary credentials): the insert
	// is visible at once, but may be lost if the database crashes within
	// moments after it returns (PostgreSQL commits it without waiting for
	// its WAL flush, synchronous_commit off; SQLite: as Create). Inside a
	// transaction it is Create (the transaction's commit decides).
	CreateEphemeral(ctx context.Context, c Credential) error
	// Get returns the credential with access key ak, or ErrNotFound.
	Get(ctx context.Context, ak string) (Credential, error)
	// Update applies fn to the stored credential and saves the result
	// atomically; fn's error aborts the update and is returned.
	Update(ctx context.Context, ak string, fn func(*Credential) error) error
	// Delete removes the credential; ErrNotFound if it does not exist.
	Delete(ctx context.Context, ak string) error
	// ListByAccount returns up to limit credentials of one account after
	// position after, in Seq order.
	ListByAccount(ctx context.Context, accountID string, after int64, limit int) ([]Credential, error)
	// DeleteExpired removes up to limit temporary credentials that expired before t and
	// returns how many it removed.
	DeleteExpired(ctx context.Context, t time.Time, limit int) (int, error)
	// DeleteBySession removes up to limit credentials issued in portal
	// session session (not "") and returns their access keys.
	DeleteBySession(ctx context.Context, session string, limit int) ([]string, error)
}

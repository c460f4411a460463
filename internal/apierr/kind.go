package apierr

import "strconv"

// Kind says what went wrong, independently of any wire format: each row of
// the error table has one (the table's kind column), and a surface that
// does not speak the product's envelope (SCIM, OAuth, the portal) renders an
// error from its Kind, its details (Key, Resource) and its message.
type Kind uint8

const (
	// KindInternal: a fault of the server or of a dependency it cannot
	// name to the client.
	KindInternal Kind = iota
	// KindInvalid: the request is malformed or a value is out of range.
	KindInvalid
	// KindUnauthenticated: the caller is not who it claims, or its
	// credential is missing, wrong or expired.
	KindUnauthenticated
	// KindForbidden: the caller is known but may not do this.
	KindForbidden
	// KindNotFound: the resource named does not exist (for this caller).
	KindNotFound
	// KindConflict: the write clashes with another resource (a unique key
	// is taken: Key names it) or with a concurrent write.
	KindConflict
	// KindFailedPrecondition: the resource's state forbids the operation
	// (in use, not empty, already enabled or disabled, not configured).
	KindFailedPrecondition
	// KindLimit: a quota or a count limit is reached.
	KindLimit
	// KindTooLarge: the request body or a value is larger than allowed.
	KindTooLarge
	// KindRateLimited: too many requests; try later.
	KindRateLimited
	// KindUnavailable: a transient condition; the same request may
	// succeed later.
	KindUnavailable
	// KindNotImplemented: the operation or feature is not supported.
	KindNotImplemented
)

var kindNames = [...]string{"Internal", "Invalid", "Unauthenticated", "Forbidden", "NotFound", "Conflict",
	"FailedPrecondition", "Limit", "TooLarge", "RateLimited", "Unavailable", "NotImplemented"}

// String returns the kind's name as the error table spells it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// KindOf returns the kind of err: the Kind of the *Error inside it, or
// KindInternal for any other error (nil included).
func KindOf(err error) Kind {
	if e, ok := From(err); ok {
		return e.Def.Kind
	}
	return KindInternal
}

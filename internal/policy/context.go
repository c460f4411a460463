package policy

import (
	"net/netip"
	"time"
)

// Request is what [Evaluate] decides on.
type Request struct {
	// Action is the API action, e.g. "IdentityCenter:permissionSet:create".
	Action string
	// Alternates are other names of the same action (where the product's
	// documentation pages disagree). A statement's Action element matches
	// when it matches Action or any alternate; a NotAction element excludes
	// the request when it matches any of them.
	Alternates []string
	// LegacyAction is the name policies marked with [Compiled.Legacy] see
	// instead of Action and Alternates ("" = Action): the pre-rename name
	// of the operation, so that such a policy keeps deciding exactly as it
	// did when it was written.
	LegacyAction string
	// Resource is the URN of the target resource, e.g.
	// "IdentityCenter::0123456789:instance:ins-1"; "" when the action is not
	// resource-scoped.
	Resource string
	// ResourceURI is the target in the URI form a 1.x statement's
	// Resource {"uri": [...]} names ("/iam/agencies/<agency id>" for
	// obtaining an agency token); "" when the action has none. Such a
	// statement applies only when one of its URIs matches it (wildcards
	// as for Resource, case-sensitively); Resource lists and NotResource
	// never see it.
	ResourceURI string
	// Ctx holds the request context for conditions; nil means an empty
	// context (every condition key absent).
	Ctx *Context
}

// Context carries the condition key values of a request. Zero values mean
// "absent": empty strings, an invalid SourceIP, a zero CurrentTime, BoolAbsent,
// empty slices.
type Context struct {
	UserID           string // g:UserId
	UserName         string // g:UserName
	DomainName       string // g:DomainName
	DomainID         string // g:DomainId
	PrincipalAccount string // g:PrincipalAccount
	PrincipalURN     string // g:PrincipalUrn
	RequestedRegion  string // g:RequestedRegion

	// PrincipalTags back g:PrincipalTag/<key>; keys compare
	// case-insensitively, values case-sensitively.
	PrincipalTags []Tag

	SourceIP        netip.Addr   // g:SourceIp
	CurrentTime     time.Time    // g:CurrentTime and g:EpochTime
	MFAPresent      OptionalBool // g:MFAPresent
	SecureTransport OptionalBool // g:SecureTransport
	TagKeys         []string     // g:TagKeys (multi-valued)

	// Extra holds every other key: service-specific ones such as
	// "obs:prefix" and the global keys without a dedicated field such as
	// "g:ResourceTag/env" or "g:ViaService". Keys compare case-insensitively.
	Extra []KV
}

// Tag is a principal tag.
type Tag struct {
	Key, Value string
}

// KV is one (possibly multi-valued) extra condition key. A KV with no values
// counts as absent.
type KV struct {
	Key    string
	Values []string
}

// OptionalBool is a boolean that may be absent from the request context.
type OptionalBool uint8

// OptionalBool values; the zero value is BoolAbsent.
const (
	BoolAbsent OptionalBool = iota
	BoolFalse
	BoolTrue
)

// OptBool returns BoolTrue or BoolFalse.
func OptBool(b bool) OptionalBool {
	if b {
		return BoolTrue
	}
	return BoolFalse
}

// Get returns the value and whether it is present.
func (o OptionalBool) Get() (value, ok bool) { return o == BoolTrue, o != BoolAbsent }

// Decision is the outcome of [Evaluate].
type Decision struct {
	Allowed bool `json:"allowed"`
	// Effect is EffectAllow, EffectDeny (an explicit Deny statement) or
	// EffectImplicitDeny (no statement applied).
	Effect string `json:"effect"`
	// Policy and Statement index the deciding statement: policies[Policy]
	// and its statement number Statement. Both are -1 for an implicit deny.
	Policy    int    `json:"policy"`
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"` // Sid of the deciding statement, if any
}

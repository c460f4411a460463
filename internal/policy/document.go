package policy

import "encoding/json"

// Policy language versions accepted by [Parse].
const (
	Version10 = "1.0" // legacy role (RBAC) policies; same grammar as 1.1
	Version11 = "1.1" // fine-grained role/policy format
	Version50 = "5.0" // identity-policy format
)

// Statement effects.
const (
	EffectAllow        = "Allow"
	EffectDeny         = "Deny"
	EffectImplicitDeny = "ImplicitDeny" // only in a [Decision]
)

// Document is a parsed policy document. Its JSON encoding (plain
// encoding/json) is the canonical form: parsing it again yields an equal
// Document. A Document handed to [Compile] must not be modified afterwards.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
	// Depends (1.x only) is kept verbatim (compacted) and ignored by
	// evaluation. It is nil when absent or empty.
	Depends []json.RawMessage `json:"Depends,omitempty"`
}

// Statement is one statement of a [Document]. A nil slice means the element
// is absent; exactly one of Action and NotAction is set, at most one of
// Resource and NotResource (neither = all resources).
type Statement struct {
	Sid         string    `json:"Sid,omitempty"`
	Effect      string    `json:"Effect"`
	Action      []string  `json:"Action,omitempty"`
	NotAction   []string  `json:"NotAction,omitempty"`
	Resource    []string  `json:"Resource,omitempty"`
	NotResource []string  `json:"NotResource,omitempty"`
	Condition   Condition `json:"Condition,omitempty"`
}

// Condition maps operator (e.g. "StringEquals", "ForAnyValue:StringLike")
// to condition key to the values listed for that key. JSON booleans and
// numbers are stored as their literal text ("true", "42"). Nil when absent.
type Condition map[string]map[string][]string

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
// Resource, ResourceURI and NotResource (none = all resources).
type Statement struct {
	Sid         string    `json:"Sid,omitempty"`
	Effect      string    `json:"Effect"`
	Action      []string  `json:"Action,omitempty"`
	NotAction   []string  `json:"NotAction,omitempty"`
	Resource    []string  `json:"Resource,omitempty"`
	NotResource []string  `json:"NotResource,omitempty"`
	Condition   Condition `json:"Condition,omitempty"`
	// ResourceURI (1.x only) is the Resource element in its object form,
	// "Resource": {"uri": ["/iam/agencies/<agency id>", ...]}: the
	// resources named by URI path instead of URN (see [Request.ResourceURI]).
	// It is encoded in that form.
	ResourceURI []string `json:"-"`
}

// uriResource is the object form of a Resource element.
type uriResource struct {
	URI []string `json:"uri"`
}

// MarshalJSON encodes s, its ResourceURI as "Resource": {"uri": [...]}.
func (s Statement) MarshalJSON() ([]byte, error) {
	type plain Statement
	if s.ResourceURI == nil {
		return json.Marshal(plain(s))
	}
	return json.Marshal(struct {
		plain
		Resource uriResource `json:"Resource"` // shadows plain's
	}{plain(s), uriResource{s.ResourceURI}})
}

// UnmarshalJSON decodes what MarshalJSON encodes (without [Parse]'s
// validation).
func (s *Statement) UnmarshalJSON(b []byte) error {
	type plain Statement
	var aux struct {
		plain
		Resource json.RawMessage `json:"Resource"` // shadows plain's
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*s = Statement(aux.plain)
	switch r := aux.Resource; {
	case len(r) > 0 && r[0] == '{':
		var u uriResource
		if err := json.Unmarshal(r, &u); err != nil {
			return err
		}
		s.ResourceURI = u.URI
	case len(r) > 0:
		return json.Unmarshal(r, &s.Resource)
	}
	return nil
}

// Condition maps operator (e.g. "StringEquals", "ForAnyValue:StringLike")
// to condition key to the values listed for that key. JSON booleans and
// numbers are stored as their literal text ("true", "42"). Nil when absent.
type Condition map[string]map[string][]string

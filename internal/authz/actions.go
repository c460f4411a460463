package authz

import "strings"

// Action names are "service:resource:verb": a lowercase service
// ("identitycenter", "identitystore", "iam", "iic"), a camelCase resource
// type ("instance", "groupMembership") and a camelCase verb ("list",
// "getStatus", "create").
//
// The read-verb convention: an action is a read (no side effect, allowed by
// the ReadOnlyAccess managed policies) when its verb starts, case-
// insensitively, with one of ReadVerbPrefixes. Every other verb is a write.
// Consequently a write must never be named with a read prefix ("isolate",
// "getOrCreate", "checkout"): ReadOnlyAccess, which is written as
// "<service>:*:<prefix>*" patterns, would allow it.
var ReadVerbPrefixes = []string{"list", "get", "describe", "show", "check", "is", "head", "search", "count"}

// SplitAction splits a well-formed action into its three parts; ok is false
// when a does not have the form service:resource:verb described above.
func SplitAction(a string) (service, resource, verb string, ok bool) {
	parts := strings.Split(a, ":")
	if len(parts) != 3 || !isWord(parts[0], false) || !isWord(parts[1], true) || !isWord(parts[2], true) {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// isWord: a lowercase letter, then letters and digits (upper case only when
// camel is set).
func isWord(s string, camel bool) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || camel && 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// IsReadVerb reports whether verb is a read by the convention above.
func IsReadVerb(verb string) bool {
	for _, p := range ReadVerbPrefixes {
		if len(verb) >= len(p) && strings.EqualFold(verb[:len(p)], p) {
			return true
		}
	}
	return false
}

// IsReadAction reports whether action's verb is a read.
func IsReadAction(action string) bool {
	if i := strings.LastIndexByte(action, ':'); i >= 0 {
		return IsReadVerb(action[i+1:])
	}
	return false
}

// Discovery actions are allowed for every authenticated principal, whatever
// its policies: they only reveal the caller's own account (domain) and
// project ids, and the Huawei SDK calls them while building a client, so a
// scoped key without them could not even construct one.
const (
	ActionListDomains  = "iam:domains:list"
	ActionListProjects = "iam:projects:list"
)

// AlwaysAllowed reports whether action is a discovery action.
func AlwaysAllowed(action string) bool {
	return action == ActionListDomains || action == ActionListProjects
}

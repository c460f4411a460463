// Package mapping is the Keystone mapping rule language: it parses and
// validates a mapping's rules (Parse) and evaluates them against the
// attributes an identity provider asserted about a user (Rules.Evaluate).
// It is pure: no I/O, no clock, no project imports.
//
// A mapping is {"rules": [rule, …]} (at least one rule). A rule is
// {"remote": [condition, …], "local": [object, …]}:
//
//   - remote conditions (at least one) all must hold for the rule to apply.
//     Each names an attribute "type"; an attribute that is absent (or has
//     no values) makes the rule not apply. With "any_one_of" one of the
//     attribute's values must be in the list, with "not_any_of" none may
//     be; "regex": true turns the list entries into regular expressions
//     that match anywhere in a value (RE2 syntax). A condition without
//     either is a direct mapping: its values become the next positional
//     argument {0}, {1}, … of the rule's local objects, optionally
//     filtered by "whitelist" (keep only the listed values) or "blacklist"
//     (drop them), which also accept "regex".
//   - local objects say what a matching user becomes: "user" (id, name,
//     email, domain {id|name}, type "ephemeral" (the default) or "local"),
//     "group" ({"id"} or {"name", "domain"}), "groups" (a group name, or a
//     JSON/Python-style list of names, in "domain"), "group_ids" (an id or
//     a list of ids), "domain", and "projects" ([{name, roles: [{name}]}]).
//     Every string may contain {N} (the Nth direct mapping's value: its one
//     value, or all of them as a list where a list is expected) and {{ }}
//     for literal braces.
//
// Every rule that applies contributes its local objects: the first user
// wins, groups accumulate (deduplicated), the last "projects" wins.
//
// Parse is stricter than Keystone, which checks some things only when a
// mapping is used: a {N} beyond the rule's direct mappings, an invalid
// regular expression, a non-string list entry or a duplicate key is
// refused on write. "groups" and "group" by name may omit "domain" (Huawei
// IAM's mappings put groups in the identity provider's own account).
package mapping

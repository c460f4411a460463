// Package policy is the pure IAM policy engine of iic: it parses, validates,
// compiles and evaluates Huawei Cloud style identity policies.
//
// Two document formats are accepted by [Parse]:
//
//   - the role/fine-grained policy format ("Version": "1.1", and the legacy
//     "1.0"), whose statements have Effect, Action, Resource and Condition
//     (and whose optional top-level Depends array is kept but ignored);
//   - the identity-policy format ("Version": "5.0"), whose statements also
//     allow Sid, NotAction and NotResource.
//
// Parsing is strict: unknown keys, wrong JSON types, duplicated keys, malformed
// actions, unknown condition operators or keys and malformed condition values
// are rejected with a [*ParseError] naming the JSON path of the offender, e.g.
// "Statement[2].Action[0]". Documents over [MaxDocumentChars] characters are
// rejected with an error wrapping [ErrTooLarge].
//
// A parsed [Document] is turned into an immutable [*Compiled] policy by
// [Compile] (or, with memoisation keyed by the SHA-256 of the raw text, by
// [Cache.Get]). [Evaluate] then decides a [Request] against a set of compiled
// policies without allocating, following the AWS/Huawei IAM logic:
//
//  1. an applicable Deny statement in any policy wins ("Deny");
//  2. otherwise an applicable Allow statement allows ("Allow");
//  3. otherwise the request is implicitly denied ("ImplicitDeny").
//
// A statement applies when its action, resource and condition blocks all
// match. Matching rules:
//
//   - Actions: "*" matches any run of characters (including ":"), "?" exactly
//     one character; matching is case-insensitive. NotAction applies when the
//     action matches none of its patterns.
//   - Resources: the same wildcards, matched case-sensitively, except that a
//     literal (wildcard-free) service segment before the first ":" is
//     compared case-insensitively, so "OBS:*:*:bucket:b" and
//     "obs:*:*:bucket:b" are the same pattern. An absent Resource element
//     means all resources; the empty request resource ("not resource-scoped")
//     only matches patterns that match the empty string, such as "*".
//   - Resource URIs: a 1.x statement may give its Resource element in the
//     object form Huawei documents for iam:agencies:assume,
//     {"uri": ["/iam/agencies/<agency id>", ...]} (that prefix, then an id
//     without "/"; at most 128 characters). It applies only to a request
//     whose ResourceURI matches one of the URIs (the same wildcards,
//     case-sensitively); a request without a ResourceURI never matches it.
//   - Conditions: all operators and all keys are ANDed, the values listed for
//     one key are ORed (for negated operators the request value must match
//     none of them). Condition keys are case-insensitive. A key missing from
//     the request makes the condition false, negated operators included,
//     unless the operator carries the IfExists suffix (then it is true) or is
//     Null. ForAllValues: is true for an absent or empty key, ForAnyValue: is
//     false. Without a qualifier a multi-valued key behaves like ForAnyValue:
//     for positive operators, and like "no request value matches" for negated
//     ones.
//
// [Explain] produces the same decision together with a per-statement trace
// for tools such as "iic policy simulate".
package policy

// Package managed is the catalog of system-defined (managed) policies: the
// policies iic ships, which scoped access keys and, later, permission sets
// refer to by id.
//
// The catalog is catalog.json, embedded at build time. Each entry has:
//
//   - id: 32 lowercase hexadecimal characters, the shape of Huawei Cloud's
//     system-defined policy and role ids. Ids are stable forever: they were
//     drawn once (the first 128 bits of SHA-256("iic-managed-policy:" +
//     name) at the time the entry was added) and are stored as literals, so
//     renaming a policy never changes its id. testdata/ids.txt pins every id
//     ever published; the tests fail if one disappears or changes.
//   - name: unique, compared case-insensitively ("IdentityCenter FullAccess").
//   - type: "identity-policy" (a Huawei system-defined identity policy,
//     Version "5.0", attached to permission sets with attach-managed-policy)
//     or "role" (a Huawei system-defined policy / role, Version "1.1",
//     attached with attach-managed-role).
//   - service: the console catalog the policy belongs to ("IdentityCenter",
//     "ECS", "Base", ...).
//   - iic: true for a policy iic ships that is not one of Huawei's
//     documented system-defined policies (IdentityCenter
//     AccountAssignmentAccess, IdentityStore FullAccess, IdentityStore
//     ReadOnlyAccess); shown by "iic policy managed" and the API.
//   - description and document (the policy itself).
//
// Every document is parsed and compiled when the package initialises; a
// catalog that does not compile is a programming error and panics (the tests
// catch it first).
//
// IdentityCenter FullAccess is Huawei's "IdentityCenter:*:*" (plus the iic
// extension iic:region:deregister, which it covered before iic used the
// documented action names). IdentityCenter ReadOnlyAccess (and iic's
// IdentityStore ReadOnlyAccess) list exactly the IdentityCenter actions
// whose documented access level is List or Read in the action table
// (internal/authz/actions.tsv); a test in internal/app checks both against
// the table. Huawei's generic read-only policies (ReadOnlyAccess, Tenant
// Guest, the other services' ones) keep their documented verb-prefix form
// ("*:*:list*", "*:*:get*", ...).
//
// Lookups of an unknown id or name return an error wrapping [ErrNotFound];
// API surfaces map it to 400 IIC.1246 ("System-defined identity policy whose
// ID is {0} not found.") when the caller named a system policy id, and to 404
// IIC.1211 otherwise. Attaching the same policy twice to one holder is 409
// IIC.1207; that check belongs to the holder (permission set, access key).
package managed

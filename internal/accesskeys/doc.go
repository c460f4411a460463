// Package accesskeys owns the iic administration objects that decide what
// non-root callers may do: custom policies (store.Policies) and scoped
// access keys (store.Credentials of kind scoped, bound to system-defined or
// custom policy ids). It also runs policy simulations against them.
//
// Invariants it keeps:
//   - a custom policy document is parsed strictly before it is stored
//     (errors name the JSON path; more than 6,144 characters is IIC.1293);
//     names are 1-128 characters, unique per account (409 IIC.1257);
//   - a scoped key is bound to 1-20 distinct (409 IIC.1207) existing policy
//     ids: system-defined ones (unknown → 400 IIC.1246) or custom policies
//     of the same account (unknown → 404 IIC.1211);
//   - a custom policy bound to a key cannot be deleted (400 IIC.400 naming
//     the keys);
//   - the secret key is generated here, returned once, and stored sealed
//     with authn.SecretAAD; deleting a key or policy invalidates the
//     authenticator's and authorizer's caches on this replica at once (other
//     replicas within --auth-cache-ttl, 5 s by default).
package accesskeys

package store

// UserSecrets stores what proves a user's identity besides the user row:
// password hashes, the store's password policy, one-time e-mail tokens.
type UserSecrets interface {
}

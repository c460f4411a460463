package store

// Groups stores identity-store groups and their memberships.
type Groups interface {
}

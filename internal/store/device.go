package store

// Devices stores users' MFA devices and portal sessions.
type Devices interface {
}

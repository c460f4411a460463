package store

// Sources stores an identity store's identity sources: the external IdP
// configuration and its certificates, SP signing certificates, SCIM
// provisioning tenants and their bearer tokens.
type Sources interface {
}

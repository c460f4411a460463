package center

import (
	"context"

	"github.com/iic-project/iic/internal/store"
)

// Identity-store association values (ListIdentityStoreAssociation).
const (
	IdentityStoreTypeUserPool = "UserPool"

	AuthenticationDefault = "DEFAULT"  // users sign in with the identity store's passwords
	AuthenticationSAML    = "SAML_2.0" // users sign in at the external IdP

	ProvisioningDefault = "DEFAULT" // users and groups are managed through the API
	ProvisioningSCIM    = "SCIM"    // an external IdP provisions them over SCIM

	AssociationEnabled = "ENABLED"
)

// IdentityStoreAssociation is how an instance's identity store is sourced.
type IdentityStoreAssociation struct {
	IdentityStoreID    string
	IdentityStoreType  string
	AuthenticationType string
	ProvisioningTypes  []string
	Status             string
}

// IdentityStoreAssociations answers ListIdentityStoreAssociation: the
// instance's one identity store, authenticated by SAML 2.0 while an
// external IdP is configured and enabled, provisioned by SCIM while a
// provisioning tenant exists.
func (s *Service) IdentityStoreAssociations(ctx context.Context, inst store.Instance) ([]IdentityStoreAssociation, error) {
	a := IdentityStoreAssociation{
		IdentityStoreID: inst.IdentityStoreID, IdentityStoreType: IdentityStoreTypeUserPool,
		AuthenticationType: AuthenticationDefault, ProvisioningTypes: []string{ProvisioningDefault}, Status: AssociationEnabled,
	}
	idps, err := s.Store.Sources().ListIdPs(ctx, inst.IdentityStoreID)
	if err != nil {
		return nil, err
	}
	for _, idp := range idps {
		if idp.Enabled {
			a.AuthenticationType = AuthenticationSAML
		}
	}
	tenants, err := s.Store.SCIMTenants().List(ctx, inst.IdentityStoreID)
	if err != nil {
		return nil, err
	}
	if len(tenants) > 0 {
		a.ProvisioningTypes = []string{ProvisioningSCIM}
	}
	return []IdentityStoreAssociation{a}, nil
}

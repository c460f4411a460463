package admin

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/store"
)

// settingsOps are the instance-settings operations: sign-in (SSO)
// configuration, MFA-device self-management, attribute-based access
// control, disaster recovery and the identity-store association. Every one
// acts on the instance its route names (Tenant); the access-control
// attribute operations document the instance as their resource (Target).
func (a *API) settingsOps() []httpx.Op {
	const (
		sso  = "/v1/instances/{instance_id}/sso-configuration"
		mfa  = "/v1/instances/{instance_id}/mfa-devices/management-settings"
		abac = "/v1/instances/{instance_id}/access-control-attribute-configuration"
		ha   = "/v1/instances/{instance_id}/disaster-recovery-configuration"
	)
	return []httpx.Op{
		{Name: "GetSsoConfiguration", Pattern: "GET " + sso, Tenant: true, Handler: a.getSSOConfiguration},
		{Name: "UpdateSsoConfiguration", Pattern: "POST " + sso, Tenant: true, Handler: a.updateSSOConfiguration},
		{Name: "GetMfaDeviceManagementForIdentityStore", Pattern: "GET " + mfa, Tenant: true, Handler: a.getMFADeviceManagement},
		{Name: "PutMfaDeviceManagementForIdentityStore", Pattern: "POST " + mfa, Tenant: true, Handler: a.putMFADeviceManagement},
		{Name: "CreateInstanceAccessControlAttributeConfiguration", Pattern: "POST " + abac, Tenant: true, Target: a.instanceTarget, Handler: a.createABAC},
		{Name: "DescribeInstanceAccessControlAttributeConfiguration", Pattern: "GET " + abac, Tenant: true, Target: a.instanceTarget, Handler: a.describeABAC},
		{Name: "UpdateInstanceAccessControlAttributeConfiguration", Pattern: "PUT " + abac, Tenant: true, Target: a.instanceTarget, Handler: a.updateABAC},
		{Name: "DeleteInstanceAccessControlAttributeConfiguration", Pattern: "DELETE " + abac, Tenant: true, Target: a.instanceTarget, Handler: a.deleteABAC},
		{Name: "GetHaConfiguration", Pattern: "GET " + ha, Tenant: true, Handler: a.getHAConfiguration},
		{Name: "UpdateHaConfiguration", Pattern: "PUT " + ha, Tenant: true, Handler: a.updateHAConfiguration},
		{Name: "ListIdentityStoreAssociation", Pattern: "GET /v1/instances/{instance_id}/identity-store-associations", Tenant: true, Handler: a.listIdentityStoreAssociations},
	}
}

type sessionConfigurationDTO struct {
	MaxAuthenticationAge *string `json:"max_authentication_age"`
}

// ssoConfigurationDTO is SsoConfigurationDto; pointers tell a field not
// given from an empty one.
type ssoConfigurationDTO struct {
	MFAMode                  *string                  `json:"mfa_mode,omitempty"`
	NoMFASignInBehavior      *string                  `json:"no_mfa_signin_behavior,omitempty"`
	NoPasswordSignInBehavior *string                  `json:"no_password_signin_behavior,omitempty"`
	AllowedMFATypes          *[]string                `json:"allowed_mfa_types,omitempty"`
	SessionConfiguration     *sessionConfigurationDTO `json:"session_configuration,omitempty"`
}

func (a *API) getSSOConfiguration(w http.ResponseWriter, r *http.Request) error {
	c, err := a.Center.SSOConfiguration(r.Context(), instance(r))
	if err != nil {
		return err
	}
	age := c.MaxAuthenticationAge
	types := append([]string{}, c.AllowedMFATypes...)
	httpx.WriteJSON(w, http.StatusOK, struct {
		SSOConfiguration ssoConfigurationDTO `json:"sso_configuration"`
	}{ssoConfigurationDTO{
		MFAMode: &c.MFAMode, NoMFASignInBehavior: &c.NoMFASignInBehavior, NoPasswordSignInBehavior: &c.NoPasswordSignInBehavior,
		AllowedMFATypes: &types, SessionConfiguration: &sessionConfigurationDTO{MaxAuthenticationAge: &age},
	}})
	return nil
}

func (a *API) updateSSOConfiguration(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		SSOConfiguration  *ssoConfigurationDTO `json:"sso_configuration"`
		ConfigurationType string               `json:"configuration_type"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.SSOConfiguration == nil {
		return apierr.IIC400_400.New("sso_configuration is required")
	}
	c := in.SSOConfiguration
	u := center.SSOUpdate{
		ConfigurationType: in.ConfigurationType, MFAMode: c.MFAMode, AllowedMFATypes: c.AllowedMFATypes,
		NoMFASignInBehavior: c.NoMFASignInBehavior, NoPasswordSignInBehavior: c.NoPasswordSignInBehavior,
	}
	if c.SessionConfiguration != nil {
		if c.SessionConfiguration.MaxAuthenticationAge == nil {
			return apierr.IIC400_400.New("sso_configuration.session_configuration.max_authentication_age is required")
		}
		u.MaxAuthenticationAge = c.SessionConfiguration.MaxAuthenticationAge
	}
	if err := a.Center.UpdateSSOConfiguration(r.Context(), instance(r), u); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) getMFADeviceManagement(w http.ResponseWriter, r *http.Request) error {
	inst := instance(r)
	perm, err := a.Center.MFADeviceManagement(r.Context(), inst)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		IdentityStoreID string `json:"identity_store_id"`
		UserPermission  string `json:"user_permission"`
	}{inst.IdentityStoreID, perm})
	return nil
}

func (a *API) putMFADeviceManagement(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IdentityStoreID string `json:"identity_store_id"`
		UserPermission  string `json:"user_permission"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Center.SetMFADeviceManagement(r.Context(), instance(r), in.IdentityStoreID, in.UserPermission); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

type abacValueDTO struct {
	Source []string `json:"source"`
}

type abacAttributeDTO struct {
	Key   string        `json:"key"`
	Value *abacValueDTO `json:"value"`
}

type abacConfigurationDTO struct {
	AccessControlAttributes []abacAttributeDTO `json:"access_control_attributes"`
}

// decodeABAC reads the body of Create/Update…AccessControlAttributeConfiguration.
func decodeABAC(r *http.Request) ([]store.AccessControlAttribute, error) {
	var in struct {
		Configuration *struct {
			AccessControlAttributes *[]abacAttributeDTO `json:"access_control_attributes"`
		} `json:"instance_access_control_attribute_configuration"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return nil, err
	}
	if in.Configuration == nil {
		return nil, apierr.IIC400_400.New("instance_access_control_attribute_configuration is required")
	}
	if in.Configuration.AccessControlAttributes == nil {
		return nil, apierr.IIC400_400.New("instance_access_control_attribute_configuration.access_control_attributes is required")
	}
	out := []store.AccessControlAttribute{}
	for _, a := range *in.Configuration.AccessControlAttributes {
		if a.Value == nil {
			return nil, apierr.IIC400_400.New("access_control_attributes[].value is required")
		}
		out = append(out, store.AccessControlAttribute{Key: a.Key, Source: a.Value.Source})
	}
	return out, nil
}

func (a *API) createABAC(w http.ResponseWriter, r *http.Request) error {
	attrs, err := decodeABAC(r)
	if err != nil {
		return err
	}
	if err := a.Center.CreateAccessControlConfiguration(r.Context(), instance(r), attrs); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) describeABAC(w http.ResponseWriter, r *http.Request) error {
	c, err := a.Center.AccessControlConfiguration(r.Context(), instance(r))
	if err != nil {
		return err
	}
	out := struct {
		Configuration abacConfigurationDTO `json:"instance_access_control_attribute_configuration"`
		Status        string               `json:"status"`
		StatusReason  string               `json:"status_reason,omitempty"`
	}{Configuration: abacConfigurationDTO{AccessControlAttributes: []abacAttributeDTO{}}, Status: c.Status, StatusReason: c.StatusReason}
	for _, at := range c.Attributes {
		out.Configuration.AccessControlAttributes = append(out.Configuration.AccessControlAttributes,
			abacAttributeDTO{Key: at.Key, Value: &abacValueDTO{Source: []string{at.Source}}})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateABAC(w http.ResponseWriter, r *http.Request) error {
	attrs, err := decodeABAC(r)
	if err != nil {
		return err
	}
	if err := a.Center.UpdateAccessControlConfiguration(r.Context(), instance(r), attrs); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) deleteABAC(w http.ResponseWriter, r *http.Request) error {
	if err := a.Center.DeleteAccessControlConfiguration(r.Context(), instance(r)); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) getHAConfiguration(w http.ResponseWriter, r *http.Request) error {
	choice, err := a.Center.DisasterRecovery(r.Context(), instance(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		DisasterRecoveryChoice string `json:"disaster_recovery_choice"`
	}{choice})
	return nil
}

func (a *API) updateHAConfiguration(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DisasterRecoveryChoice string `json:"disaster_recovery_choice"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Center.SetDisasterRecovery(r.Context(), instance(r), in.DisasterRecoveryChoice); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) listIdentityStoreAssociations(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Center.IdentityStoreAssociations(r.Context(), instance(r))
	if err != nil {
		return err
	}
	type associationDTO struct {
		IdentityStoreID    string   `json:"identity_store_id"`
		IdentityStoreType  string   `json:"identity_store_type"`
		AuthenticationType string   `json:"authentication_type"`
		ProvisioningType   []string `json:"provisioning_type"`
		Status             string   `json:"status"`
	}
	out := struct {
		Associations []associationDTO `json:"identity_store_associations"`
	}{Associations: []associationDTO{}}
	for _, s := range list {
		out.Associations = append(out.Associations, associationDTO{s.IdentityStoreID, s.IdentityStoreType, s.AuthenticationType, s.ProvisioningTypes, s.Status})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

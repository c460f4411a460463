package center

import (
	"context"
	"errors"
	"slices"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Defaults of an instance's settings, as the product ships them (and as the
// huaweicloud Terraform provider restores them when its sso_configuration
// and mfa_management_setting resources are destroyed).
var defaultSettings = store.InstanceSettings{
	MFAMode:                  MFAModeAlwaysOn,
	AllowedMFATypes:          []string{MFATypeTOTP},
	NoMFASignInBehavior:      NoMFAAllowed,
	NoPasswordSignInBehavior: NoPasswordBlocked,
	MaxAuthenticationAge:     "PT8H",
	MFADevicePermission:      MFADevicesAllActions,
	DisasterRecoveryChoice:   DisasterRecoveryReject,
}

// settings returns the instance's stored settings, or the defaults when
// none were written. Slices are copies the caller may keep.
func (s *Service) settings(ctx context.Context, inst store.Instance) (store.InstanceSettings, error) {
	st, err := s.Store.InstanceSettings().Get(ctx, inst.ID)
	if errors.Is(err, store.ErrNotFound) {
		st = defaultSettings
		st.AllowedMFATypes = slices.Clone(defaultSettings.AllowedMFATypes)
		st.InstanceID = inst.ID
		return st, nil
	}
	return st, err
}

// updateSettings applies fn to the instance's settings atomically (starting
// from the defaults on the first change) and stamps the change time. An
// instance deleted meanwhile is 404 IIC.1259.
func (s *Service) updateSettings(ctx context.Context, inst store.Instance, fn func(*store.InstanceSettings) error) error {
	initial := defaultSettings
	initial.AllowedMFATypes = slices.Clone(defaultSettings.AllowedMFATypes)
	err := s.Store.InstanceSettings().Update(ctx, inst.ID, initial, func(st *store.InstanceSettings) error {
		if err := fn(st); err != nil {
			return err
		}
		st.UpdatedAt = s.Now().UTC()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1259.New()
	}
	return err
}

// MFA-device self-management (user_permission) values.
const (
	MFADevicesReadActions = "READ_ACTIONS" // users may list their devices only
	MFADevicesAllActions  = "ALL_ACTIONS"  // users may also register, rename and delete them
)

// MFADeviceManagement answers GetMfaDeviceManagementForIdentityStore: what
// users of the instance's identity store may do with their own MFA devices.
func (s *Service) MFADeviceManagement(ctx context.Context, inst store.Instance) (string, error) {
	st, err := s.settings(ctx, inst)
	return st.MFADevicePermission, err
}

// SetMFADeviceManagement sets it (PutMfaDeviceManagementForIdentityStore).
// identityStoreID must name the instance's identity store (404 IIC.1259
// otherwise, as for any store that is not the caller's).
func (s *Service) SetMFADeviceManagement(ctx context.Context, inst store.Instance, identityStoreID, permission string) error {
	if identityStoreID == "" {
		return apierr.IIC400_400.New("identity_store_id is required")
	}
	if identityStoreID != inst.IdentityStoreID {
		return apierr.IIC1259.New()
	}
	if permission != MFADevicesReadActions && permission != MFADevicesAllActions {
		return apierr.IIC400_400.New("user_permission must be READ_ACTIONS or ALL_ACTIONS")
	}
	return s.updateSettings(ctx, inst, func(st *store.InstanceSettings) error {
		st.MFADevicePermission = permission
		return nil
	})
}

// Disaster-recovery (HA) choices.
const (
	DisasterRecoveryAccept = "ACCEPT"
	DisasterRecoveryReject = "REJECT"
)

// DisasterRecovery answers GetHaConfiguration: whether the administrator
// accepted that the instance's data be replicated for disaster recovery.
// iic records the choice; replication itself is the operator's (a
// PostgreSQL replica), so the choice changes nothing else.
func (s *Service) DisasterRecovery(ctx context.Context, inst store.Instance) (string, error) {
	st, err := s.settings(ctx, inst)
	return st.DisasterRecoveryChoice, err
}

// SetDisasterRecovery records the choice (UpdateHaConfiguration).
func (s *Service) SetDisasterRecovery(ctx context.Context, inst store.Instance, choice string) error {
	if choice != DisasterRecoveryAccept && choice != DisasterRecoveryReject {
		return apierr.IIC400_400.New("disaster_recovery_choice must be ACCEPT or REJECT")
	}
	return s.updateSettings(ctx, inst, func(st *store.InstanceSettings) error {
		st.DisasterRecoveryChoice = choice
		return nil
	})
}

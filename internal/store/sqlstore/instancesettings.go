package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/iic-project/iic/internal/store"
)

func (s *sqlStore) InstanceSettings() store.InstanceSettingsStore { return instanceSettings{s} }

type instanceSettings struct{ s *sqlStore }

const instanceSettingsColumns = "instance_id, mfa_mode, allowed_mfa_types, no_mfa_signin_behavior, no_password_signin_behavior, " +
	"max_authentication_age, mfa_device_permission, disaster_recovery_choice, abac_status, abac_status_reason, abac_attributes, updated_at"

// abacAttributeJSON is the stored form of one access-control attribute.
type abacAttributeJSON struct {
	Key    string   `json:"key"`
	Source []string `json:"source"`
}

func scanInstanceSettings(row interface{ Scan(...any) error }) (store.InstanceSettings, error) {
	var (
		st            store.InstanceSettings
		types, attrs  string
		updatedAtUnix int64
	)
	err := row.Scan(&st.InstanceID, &st.MFAMode, &types, &st.NoMFASignInBehavior, &st.NoPasswordSignInBehavior,
		&st.MaxAuthenticationAge, &st.MFADevicePermission, &st.DisasterRecoveryChoice, &st.ABACStatus, &st.ABACStatusReason,
		&attrs, &updatedAtUnix)
	if err != nil {
		return store.InstanceSettings{}, mapErr(err)
	}
	if err := json.Unmarshal([]byte(types), &st.AllowedMFATypes); err != nil {
		return store.InstanceSettings{}, fmt.Errorf("instance_settings.allowed_mfa_types: %w", err)
	}
	var list []abacAttributeJSON
	if err := json.Unmarshal([]byte(attrs), &list); err != nil {
		return store.InstanceSettings{}, fmt.Errorf("instance_settings.abac_attributes: %w", err)
	}
	for _, a := range list {
		st.ABACAttributes = append(st.ABACAttributes, store.AccessControlAttribute{Key: a.Key, Source: a.Source})
	}
	st.UpdatedAt = fromMS(updatedAtUnix)
	return st, nil
}

func (t instanceSettings) Get(ctx context.Context, instanceID string) (store.InstanceSettings, error) {
	return scanInstanceSettings(t.s.queryRow(ctx, "SELECT "+instanceSettingsColumns+" FROM instance_settings WHERE instance_id = ?", instanceID))
}

// Update locks the instance row first, so that concurrent first writes of
// one instance's settings are serialized (on SQLite every write
// transaction already is) and a missing instance is ErrNotFound.
func (t instanceSettings) Update(ctx context.Context, instanceID string, initial store.InstanceSettings, fn func(*store.InstanceSettings) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		var id string
		if err := tx.queryRow(ctx, "SELECT id FROM instances WHERE id = ?"+tx.forUpdate(), instanceID).Scan(&id); err != nil {
			return mapErr(err)
		}
		st, err := scanInstanceSettings(tx.queryRow(ctx, "SELECT "+instanceSettingsColumns+" FROM instance_settings WHERE instance_id = ?", instanceID))
		exists := err == nil
		switch {
		case errors.Is(err, store.ErrNotFound):
			st = initial
		case err != nil:
			return err
		}
		st.InstanceID = instanceID
		if err := fn(&st); err != nil {
			return err
		}
		types, err := json.Marshal(nonNil(st.AllowedMFATypes))
		if err != nil {
			return err
		}
		list := make([]abacAttributeJSON, 0, len(st.ABACAttributes))
		for _, a := range st.ABACAttributes {
			list = append(list, abacAttributeJSON{Key: a.Key, Source: nonNil(a.Source)})
		}
		attrs, err := json.Marshal(list)
		if err != nil {
			return err
		}
		args := []any{st.MFAMode, string(types), st.NoMFASignInBehavior, st.NoPasswordSignInBehavior, st.MaxAuthenticationAge,
			st.MFADevicePermission, st.DisasterRecoveryChoice, st.ABACStatus, st.ABACStatusReason, string(attrs), ms(st.UpdatedAt), instanceID}
		if exists {
			return tx.execOne(ctx, `UPDATE instance_settings SET mfa_mode = ?, allowed_mfa_types = ?, no_mfa_signin_behavior = ?,
				no_password_signin_behavior = ?, max_authentication_age = ?, mfa_device_permission = ?, disaster_recovery_choice = ?,
				abac_status = ?, abac_status_reason = ?, abac_attributes = ?, updated_at = ? WHERE instance_id = ?`, args...)
		}
		_, err = tx.exec(ctx, `INSERT INTO instance_settings (mfa_mode, allowed_mfa_types, no_mfa_signin_behavior,
				no_password_signin_behavior, max_authentication_age, mfa_device_permission, disaster_recovery_choice,
				abac_status, abac_status_reason, abac_attributes, updated_at, instance_id) VALUES (`+placeholders(12)+`)`, args...)
		return err
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

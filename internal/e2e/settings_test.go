package e2e

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	storemodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// enum makes an SDK enum value of any text (SDK enums keep their value
// unexported; their JSON decoding sets it).
func enum[T any, P interface {
	*T
	UnmarshalJSON([]byte) error
}](v string) T {
	var e T
	if err := P(&e).UnmarshalJSON([]byte(`"` + v + `"`)); err != nil {
		panic(err)
	}
	return e
}

// otherInstance creates, through the store, a second account with an
// instance (the root key cannot create accounts), and returns it.
func otherInstance(t *testing.T, srv *testenv.Server, n int) store.Instance {
	t.Helper()
	ctx := context.Background()
	acct := store.Account{ID: fmt.Sprintf("%032x", 0xabc0+n), Name: fmt.Sprintf("other-%d", n), CreatedAt: time.Now()}
	if err := srv.App.Store.Accounts().Create(ctx, acct); err != nil {
		t.Fatal(err)
	}
	in := store.Instance{ID: fmt.Sprintf("ins-%016x", 0xabc0+n), AccountID: acct.ID, IdentityStoreID: fmt.Sprintf("d-%010x", 0xabc0+n),
		RegionID: "cn-north-4", CreatedAt: time.Now()}
	if err := srv.App.Store.Instances().Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	return in
}

func getSSO(t *testing.T, c *ic.IdentityCenterClient, id string) model.SsoConfigurationDto {
	t.Helper()
	got, err := c.GetSsoConfiguration(&model.GetSsoConfigurationRequest{InstanceId: id})
	if err != nil || got.SsoConfiguration == nil {
		t.Fatalf("GetSsoConfiguration = %+v, %v", got, err)
	}
	return *got.SsoConfiguration
}

// ssoText renders a configuration for comparisons.
func ssoText(c model.SsoConfigurationDto) string {
	var types []string
	if c.AllowedMfaTypes != nil {
		for _, x := range *c.AllowedMfaTypes {
			types = append(types, x.Value())
		}
	}
	age := "<none>"
	if c.SessionConfiguration != nil {
		age = c.SessionConfiguration.MaxAuthenticationAge
	}
	val := func(v interface{ Value() string }, ok bool) string {
		if !ok {
			return "<none>"
		}
		return v.Value()
	}
	return fmt.Sprintf("mfa_mode=%s types=%v no_mfa=%s no_password=%s age=%s",
		val(c.MfaMode, c.MfaMode != nil), types, val(c.NoMfaSigninBehavior, c.NoMfaSigninBehavior != nil),
		val(c.NoPasswordSigninBehavior, c.NoPasswordSigninBehavior != nil), age)
}

// The sign-in configuration: the product's defaults, partial updates per
// configuration type, every field validated before anything is written.
func TestSSOConfigurationThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, _ := srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		const defaults = "mfa_mode=ALWAYS_ON types=[TOTP] no_mfa=ALLOWED no_password=BLOCKED age=PT8H"
		if got := ssoText(getSSO(t, c, instanceID)); got != defaults {
			t.Fatalf("defaults = %s, want %s", got, defaults)
		}
		update := func(typ string, cfg model.SsoConfigurationDto) error {
			_, err := c.UpdateSsoConfiguration(&model.UpdateSsoConfigurationRequest{InstanceId: instanceID, Body: &model.UpdateSsoConfigurationReqBody{
				ConfigurationType: enum[model.UpdateSsoConfigurationReqBodyConfigurationType](typ), SsoConfiguration: &cfg}})
			return err
		}
		mode := func(v string) *model.SsoConfigurationDtoMfaMode {
			return ptr(enum[model.SsoConfigurationDtoMfaMode](v))
		}
		noMFA := func(v string) *model.SsoConfigurationDtoNoMfaSigninBehavior {
			return ptr(enum[model.SsoConfigurationDtoNoMfaSigninBehavior](v))
		}
		noPass := func(v string) *model.SsoConfigurationDtoNoPasswordSigninBehavior {
			return ptr(enum[model.SsoConfigurationDtoNoPasswordSigninBehavior](v))
		}
		types := func(vs ...string) *[]model.SsoConfigurationDtoAllowedMfaTypes {
			out := []model.SsoConfigurationDtoAllowedMfaTypes{}
			for _, v := range vs {
				out = append(out, enum[model.SsoConfigurationDtoAllowedMfaTypes](v))
			}
			return &out
		}
		age := func(v string) *model.SessionConfigurationDto {
			return &model.SessionConfigurationDto{MaxAuthenticationAge: v}
		}

		// MFA settings only: the session length stays.
		if err := update("APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{MfaMode: mode("CONTEXT_AWARE"),
			AllowedMfaTypes: types("TOTP", "WEBAUTHN_SECURITY_KEY"), NoMfaSigninBehavior: noMFA("ALLOWED_WITH_ENROLLMENT")}); err != nil {
			t.Fatal(err)
		}
		want := "mfa_mode=CONTEXT_AWARE types=[TOTP WEBAUTHN_SECURITY_KEY] no_mfa=ALLOWED_WITH_ENROLLMENT no_password=BLOCKED age=PT8H"
		if got := ssoText(getSSO(t, c, instanceID)); got != want {
			t.Fatalf("after the MFA update = %s, want %s", got, want)
		}
		// The session length only, answered as given.
		if err := update("SESSION", model.SsoConfigurationDto{SessionConfiguration: age("P1DT12H")}); err != nil {
			t.Fatal(err)
		}
		want = strings.Replace(want, "age=PT8H", "age=P1DT12H", 1)
		if got := ssoText(getSSO(t, c, instanceID)); got != want {
			t.Fatalf("after the session update = %s, want %s", got, want)
		}
		// Everything at once, as the Terraform provider sends it.
		if err := update("APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{MfaMode: mode("DISABLED"), AllowedMfaTypes: types("WEBAUTHN"),
			NoMfaSigninBehavior: noMFA("EMAIL_OTP"), NoPasswordSigninBehavior: noPass("EMAIL_OTP"), SessionConfiguration: age("PT15M")}); err != nil {
			t.Fatal(err)
		}
		want = "mfa_mode=DISABLED types=[WEBAUTHN] no_mfa=EMAIL_OTP no_password=EMAIL_OTP age=PT15M"
		if got := ssoText(getSSO(t, c, instanceID)); got != want {
			t.Fatalf("after the full update = %s, want %s", got, want)
		}

		for _, bad := range []struct {
			name, typ string
			cfg       model.SsoConfigurationDto
		}{
			{"unknown configuration type", "EVERYTHING", model.SsoConfigurationDto{MfaMode: mode("ALWAYS_ON")}},
			{"no configuration type", "", model.SsoConfigurationDto{MfaMode: mode("ALWAYS_ON")}},
			{"MFA type without MFA fields", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{SessionConfiguration: age("PT1H")}},
			{"session type without a session", "SESSION", model.SsoConfigurationDto{MfaMode: mode("ALWAYS_ON")}},
			{"unknown MFA mode", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{MfaMode: mode("SOMETIMES")}},
			{"lower-case MFA mode", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{MfaMode: mode("always_on")}},
			{"unknown no-MFA behaviour", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{NoMfaSigninBehavior: noMFA("SMS")}},
			{"unknown no-password behaviour", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{NoPasswordSigninBehavior: noPass("ALLOWED")}},
			{"no MFA types", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{AllowedMfaTypes: types()}},
			{"unknown MFA type", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{AllowedMfaTypes: types("TOTP", "SMS")}},
			{"an MFA type twice", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{AllowedMfaTypes: types("TOTP", "TOTP")}},
			{"a valid field beside a bad one", "APP_AUTHENTICATION_CONFIGURATION", model.SsoConfigurationDto{MfaMode: mode("ALWAYS_ON"), SessionConfiguration: age("8 hours")}},
			{"session too short", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("PT14M59S")}},
			{"session too long", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("P91D")}},
			{"session in months", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("P1M")}},
			{"empty session", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("")}},
			{"bare P", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("P")}},
			{"bare PT", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("PT")}},
			{"negative session", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("-PT1H")}},
			{"fractional session", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("PT1.5H")}},
			{"huge session", "SESSION", model.SsoConfigurationDto{SessionConfiguration: age("PT99999999999999999999H")}},
		} {
			t.Run(bad.name, func(t *testing.T) {
				testenv.WantError(t, update(bad.typ, bad.cfg), 400, "IIC.400")
				if got := ssoText(getSSO(t, c, instanceID)); got != want {
					t.Fatalf("a refused update changed the configuration: %s, want %s", got, want)
				}
			})
		}

		// Raw bodies the SDK cannot send.
		for _, body := range []string{`{"configuration_type":"SESSION"}`, `{"configuration_type":"SESSION","sso_configuration":{"session_configuration":{}}}`,
			`{"configuration_type":"SESSION","sso_configuration":{"session_configuration":{"max_authentication_age":8}}}`} {
			resp, out := srv.Do(t, "POST", "/v1/instances/"+instanceID+"/sso-configuration", []byte(body), nil, true)
			if resp.StatusCode != 400 || !strings.Contains(string(out), `"IIC.400"`) {
				t.Errorf("%s: %d %s", body, resp.StatusCode, out)
			}
		}

		// Another account's instance and an unknown one are not found.
		other := otherInstance(t, srv, 1)
		for _, id := range []string{other.ID, "ins-0000000000000000"} {
			_, err := c.GetSsoConfiguration(&model.GetSsoConfigurationRequest{InstanceId: id})
			testenv.WantError(t, err, 404, "IIC.1259")
			_, err = c.UpdateSsoConfiguration(&model.UpdateSsoConfigurationRequest{InstanceId: id, Body: &model.UpdateSsoConfigurationReqBody{
				ConfigurationType: enum[model.UpdateSsoConfigurationReqBodyConfigurationType]("SESSION"), SsoConfiguration: &model.SsoConfigurationDto{SessionConfiguration: age("PT1H")}}})
			testenv.WantError(t, err, 404, "IIC.1259")
		}
		if _, err := srv.App.Store.InstanceSettings().Get(context.Background(), other.ID); err != store.ErrNotFound {
			t.Fatalf("the other account's settings were written: %v", err)
		}
	})
}

// MFA-device self-management: ALL_ACTIONS by default; the body's identity
// store must be the instance's.
func TestMFADeviceManagementThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, storeID := srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		get := func() string {
			t.Helper()
			got, err := c.GetMfaDeviceManagementForIdentityStore(&model.GetMfaDeviceManagementForIdentityStoreRequest{InstanceId: instanceID})
			if err != nil || got.IdentityStoreId == nil || *got.IdentityStoreId != storeID || got.UserPermission == nil {
				t.Fatalf("GetMfaDeviceManagementForIdentityStore = %+v, %v", got, err)
			}
			return got.UserPermission.Value()
		}
		put := func(instance, store, perm string) error {
			_, err := c.PutMfaDeviceManagementForIdentityStore(&model.PutMfaDeviceManagementForIdentityStoreRequest{InstanceId: instance,
				Body: &model.PutMfaDeviceManagementForDirectoryReqBody{IdentityStoreId: store,
					UserPermission: enum[model.PutMfaDeviceManagementForDirectoryReqBodyUserPermission](perm)}})
			return err
		}
		if got := get(); got != "ALL_ACTIONS" {
			t.Fatalf("default = %s", got)
		}
		if err := put(instanceID, storeID, "READ_ACTIONS"); err != nil {
			t.Fatal(err)
		}
		if got := get(); got != "READ_ACTIONS" {
			t.Fatalf("after the update = %s", got)
		}
		testenv.WantError(t, put(instanceID, storeID, "SOME_ACTIONS"), 400, "IIC.400")
		testenv.WantError(t, put(instanceID, storeID, ""), 400, "IIC.400")
		testenv.WantError(t, put(instanceID, "", "ALL_ACTIONS"), 400, "IIC.400")
		other := otherInstance(t, srv, 1)
		testenv.WantError(t, put(instanceID, other.IdentityStoreID, "ALL_ACTIONS"), 404, "IIC.1259")
		testenv.WantError(t, put(instanceID, "d-0000000000", "ALL_ACTIONS"), 404, "IIC.1259")
		testenv.WantError(t, put(other.ID, other.IdentityStoreID, "ALL_ACTIONS"), 404, "IIC.1259")
		if got := get(); got != "READ_ACTIONS" {
			t.Fatalf("a refused update changed the setting to %s", got)
		}
	})
}

// The disaster-recovery choice: REJECT until accepted.
func TestHAConfigurationThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, _ := srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		get := func() string {
			t.Helper()
			got, err := c.GetHaConfiguration(&model.GetHaConfigurationRequest{InstanceId: instanceID})
			if err != nil || got.DisasterRecoveryChoice == nil {
				t.Fatalf("GetHaConfiguration = %+v, %v", got, err)
			}
			return got.DisasterRecoveryChoice.Value()
		}
		set := func(id, v string) error {
			_, err := c.UpdateHaConfiguration(&model.UpdateHaConfigurationRequest{InstanceId: id,
				Body: &model.UpdateHaConfigurationReqBody{DisasterRecoveryChoice: enum[model.UpdateHaConfigurationReqBodyDisasterRecoveryChoice](v)}})
			return err
		}
		if got := get(); got != "REJECT" {
			t.Fatalf("default = %s", got)
		}
		if err := set(instanceID, "ACCEPT"); err != nil {
			t.Fatal(err)
		}
		if got := get(); got != "ACCEPT" {
			t.Fatalf("after accepting = %s", got)
		}
		for _, bad := range []string{"", "accept", "MAYBE"} {
			testenv.WantError(t, set(instanceID, bad), 400, "IIC.400")
		}
		testenv.WantError(t, set("ins-0000000000000000", "REJECT"), 404, "IIC.1259")
		if got := get(); got != "ACCEPT" {
			t.Fatalf("a refused update changed the choice to %s", got)
		}
		if err := set(instanceID, "REJECT"); err != nil || get() != "REJECT" {
			t.Fatalf("rejecting again: %v", err)
		}
	})
}

func abacBody(attrs ...[2]string) *model.InstanceAccessControlAttributeConfigurationDto {
	out := &model.InstanceAccessControlAttributeConfigurationDto{AccessControlAttributes: []model.AccessControlAttributeDto{}}
	for _, a := range attrs {
		out.AccessControlAttributes = append(out.AccessControlAttributes,
			model.AccessControlAttributeDto{Key: a[0], Value: &model.AccessControlAttributeValueDto{Source: []string{a[1]}}})
	}
	return out
}

// Attribute-based access control: one configuration per instance, created,
// described, replaced and deleted; keys and sources validated.
func TestAccessControlAttributesThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, _ := srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		describe := func() (*model.DescribeInstanceAccessControlAttributeConfigurationResponse, error) {
			return c.DescribeInstanceAccessControlAttributeConfiguration(&model.DescribeInstanceAccessControlAttributeConfigurationRequest{InstanceId: instanceID})
		}
		create := func(cfg *model.InstanceAccessControlAttributeConfigurationDto) error {
			_, err := c.CreateInstanceAccessControlAttributeConfiguration(&model.CreateInstanceAccessControlAttributeConfigurationRequest{InstanceId: instanceID,
				Body: &model.CreateInstanceAccessControlAttributeConfigurationReqBody{InstanceAccessControlAttributeConfiguration: cfg}})
			return err
		}
		update := func(cfg *model.InstanceAccessControlAttributeConfigurationDto) error {
			_, err := c.UpdateInstanceAccessControlAttributeConfiguration(&model.UpdateInstanceAccessControlAttributeConfigurationRequest{InstanceId: instanceID,
				Body: &model.UpdateInstanceAccessControlAttributeConfigurationReqBody{InstanceAccessControlAttributeConfiguration: cfg}})
			return err
		}
		del := func() error {
			_, err := c.DeleteInstanceAccessControlAttributeConfiguration(&model.DeleteInstanceAccessControlAttributeConfigurationRequest{InstanceId: instanceID})
			return err
		}
		attrs := func() [][2]string {
			t.Helper()
			got, err := describe()
			if err != nil || got.Status == nil || got.Status.Value() != "ENABLED" || got.InstanceAccessControlAttributeConfiguration == nil {
				t.Fatalf("Describe = %+v, %v", got, err)
			}
			out := [][2]string{}
			for _, a := range got.InstanceAccessControlAttributeConfiguration.AccessControlAttributes {
				if a.Value == nil || len(a.Value.Source) != 1 {
					t.Fatalf("attribute %+v", a)
				}
				out = append(out, [2]string{a.Key, a.Value.Source[0]})
			}
			return out
		}

		_, err := describe()
		testenv.WantError(t, err, 404, "IIC.404")
		testenv.WantError(t, update(abacBody([2]string{"dept", "${path:enterprise.department}"})), 404, "IIC.404")
		testenv.WantError(t, del(), 404, "IIC.404")

		first := [][2]string{{"dept", "${path:enterprise.department}"}, {"email", "${path:emails[primary eq true].value}"}, {"family", "${user:familyName}"}}
		if err := create(abacBody(first...)); err != nil {
			t.Fatal(err)
		}
		if got := attrs(); !reflect.DeepEqual(got, first) {
			t.Fatalf("attributes = %v, want %v", got, first)
		}
		testenv.WantError(t, create(abacBody([2]string{"other", "${path:userName}"})), 409, "IIC.1257")

		twenty := [][2]string{}
		for i := range 20 {
			twenty = append(twenty, [2]string{fmt.Sprintf("k%02d", i), "${path:name.givenName}"})
		}
		if err := update(abacBody(twenty...)); err != nil {
			t.Fatalf("20 attributes: %v", err)
		}
		if got := attrs(); !reflect.DeepEqual(got, twenty) {
			t.Fatalf("after the update = %v", got)
		}
		second := [][2]string{{"CostCenter", "${path:enterprise.costCenter}"}, {"a:b/c=d+e-f@g.h_i j", "${user:email}"}, {"部门", "${path:enterprise.department}"}}
		if err := update(abacBody(second...)); err != nil {
			t.Fatal(err)
		}

		long := strings.Repeat("k", 129)
		for _, bad := range []struct {
			name string
			cfg  *model.InstanceAccessControlAttributeConfigurationDto
		}{
			{"21 attributes", abacBody(append(twenty, [2]string{"k20", "${path:userName}"})...)},
			{"empty key", abacBody([2]string{"", "${path:userName}"})},
			{"129-character key", abacBody([2]string{long, "${path:userName}"})},
			{"key with a comma", abacBody([2]string{"a,b", "${path:userName}"})},
			{"key with a leading space", abacBody([2]string{" a", "${path:userName}"})},
			{"reserved key", abacBody([2]string{"_sys_dept", "${path:userName}"})},
			{"a key twice", abacBody([2]string{"dept", "${path:userName}"}, [2]string{"DEPT", "${path:title}"})},
			{"unknown path", abacBody([2]string{"x", "${path:enterprise.salary}"})},
			{"unknown user name", abacBody([2]string{"x", "${user:salary}"})},
			{"literal source", abacBody([2]string{"x", "engineering"})},
			{"unterminated source", abacBody([2]string{"x", "${path:userName"})},
			{"secondary e-mail", abacBody([2]string{"x", "${path:emails[primary eq false].value}"})},
			{"no source", &model.InstanceAccessControlAttributeConfigurationDto{AccessControlAttributes: []model.AccessControlAttributeDto{
				{Key: "x", Value: &model.AccessControlAttributeValueDto{Source: []string{}}}}}},
			{"two sources", &model.InstanceAccessControlAttributeConfigurationDto{AccessControlAttributes: []model.AccessControlAttributeDto{
				{Key: "x", Value: &model.AccessControlAttributeValueDto{Source: []string{"${path:userName}", "${path:title}"}}}}}},
			{"no value", &model.InstanceAccessControlAttributeConfigurationDto{AccessControlAttributes: []model.AccessControlAttributeDto{{Key: "x"}}}},
		} {
			t.Run(bad.name, func(t *testing.T) {
				testenv.WantError(t, update(bad.cfg), 400, "IIC.400")
				if got := attrs(); !reflect.DeepEqual(got, second) {
					t.Fatalf("a refused update changed the attributes: %v", got)
				}
			})
		}

		if err := del(); err != nil {
			t.Fatal(err)
		}
		_, err = describe()
		testenv.WantError(t, err, 404, "IIC.404")
		testenv.WantError(t, del(), 404, "IIC.404")
		// A refused create writes nothing; an empty configuration is valid.
		testenv.WantError(t, create(abacBody([2]string{"x", "${path:nope}"})), 400, "IIC.400")
		_, err = describe()
		testenv.WantError(t, err, 404, "IIC.404")
		if err := create(abacBody()); err != nil {
			t.Fatalf("empty configuration: %v", err)
		}
		if got := attrs(); len(got) != 0 {
			t.Fatalf("empty configuration = %v", got)
		}
		other := otherInstance(t, srv, 1)
		_, err = c.DescribeInstanceAccessControlAttributeConfiguration(&model.DescribeInstanceAccessControlAttributeConfigurationRequest{InstanceId: other.ID})
		testenv.WantError(t, err, 404, "IIC.1259")
	})
}

// The identity-store association follows the identity source: SAML 2.0
// only while an external IdP is enabled, SCIM while a provisioning tenant
// exists.
func TestIdentityStoreAssociationThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, storeID := srv.EnableIdentityCenter(t)
		c, s := srv.Center(t), srv.IdentityStore(t)
		assoc := func() string {
			t.Helper()
			got, err := c.ListIdentityStoreAssociation(&model.ListIdentityStoreAssociationRequest{InstanceId: instanceID})
			if err != nil || got.IdentityStoreAssociations == nil || len(*got.IdentityStoreAssociations) != 1 {
				t.Fatalf("ListIdentityStoreAssociation = %+v, %v", got, err)
			}
			a := (*got.IdentityStoreAssociations)[0]
			var prov []string
			for _, p := range a.ProvisioningType {
				prov = append(prov, p.Value())
			}
			return fmt.Sprintf("%s %s %s %v %s", a.IdentityStoreId, a.IdentityStoreType.Value(), a.AuthenticationType.Value(), prov, a.Status.Value())
		}
		want := func(auth, prov string) string { return fmt.Sprintf("%s UserPool %s [%s] ENABLED", storeID, auth, prov) }
		if got := assoc(); got != want("DEFAULT", "DEFAULT") {
			t.Fatalf("built-in store = %s", got)
		}
		_, b64 := validCert(t, "assoc-idp")
		idp, err := s.CreateExternalIdPConfigurationForDirectory(&storemodel.CreateExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID,
			Body: &storemodel.CreateIdpReqBody{IdpSamlMetadata: ptr(idpMetadata("https://idp.example.com", "https://idp.example.com/sso", b64))}})
		if err != nil {
			t.Fatal(err)
		}
		if got := assoc(); got != want("DEFAULT", "DEFAULT") {
			t.Fatalf("with a disabled IdP = %s", got)
		}
		if _, err := s.EnableExternalIdPConfigurationForDirectory(&storemodel.EnableExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID, IdpId: *idp.IdpId}); err != nil {
			t.Fatal(err)
		}
		if got := assoc(); got != want("SAML_2.0", "DEFAULT") {
			t.Fatalf("with an enabled IdP = %s", got)
		}
		tenant, err := s.CreateProvisioningTenant(&storemodel.CreateProvisioningTenantRequest{IdentityStoreId: storeID})
		if err != nil {
			t.Fatal(err)
		}
		if got := assoc(); got != want("SAML_2.0", "SCIM") {
			t.Fatalf("with a SCIM tenant = %s", got)
		}
		if _, err := s.DeleteProvisioningTenant(&storemodel.DeleteProvisioningTenantRequest{IdentityStoreId: storeID, TenantId: *tenant.TenantId}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DisableExternalIdPConfigurationForDirectory(&storemodel.DisableExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID, IdpId: *idp.IdpId}); err != nil {
			t.Fatal(err)
		}
		if got := assoc(); got != want("DEFAULT", "DEFAULT") {
			t.Fatalf("after disabling both = %s", got)
		}
		_, err = c.ListIdentityStoreAssociation(&model.ListIdentityStoreAssociationRequest{InstanceId: otherInstance(t, srv, 1).ID})
		testenv.WantError(t, err, 404, "IIC.1259")
	})
}

// An alias is unique across instances (case-insensitively: it is a
// sub-domain), and free again once its instance is deleted.
func TestAliasUniqueAcrossInstances(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, _ := srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		other := otherInstance(t, srv, 1)
		ctx := context.Background()
		if err := srv.App.Store.Instances().Update(ctx, other.ID, func(in *store.Instance) error { in.Alias = "Taken-Portal"; return nil }); err != nil {
			t.Fatal(err)
		}
		alias := func(a string) error {
			_, err := c.CreateAlias(&model.CreateAliasRequest{InstanceId: instanceID, Body: &model.CreateAliasReqBody{Alias: a}})
			return err
		}
		for _, a := range []string{"Taken-Portal", "taken-portal", "TAKEN-PORTAL"} {
			se := testenv.WantError(t, alias(a), 409, "IIC.1271")
			if se.ErrorMessage != "The alias already exists." {
				t.Fatalf("message %q", se.ErrorMessage)
			}
		}
		list, err := c.ListInstances(&model.ListInstancesRequest{})
		if err != nil || (*list.Instances)[0].Alias != nil {
			t.Fatalf("a refused alias was set: %+v, %v", list, err)
		}
		if err := srv.App.Store.Instances().Delete(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		if err := alias("taken-portal"); err != nil {
			t.Fatalf("alias of a deleted instance: %v", err)
		}
	})
}

// Disabling Identity Center removes the instance's settings: a new
// instance starts from the defaults.
func TestSettingsGoWithTheInstance(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, _ := srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		if _, err := c.UpdateHaConfiguration(&model.UpdateHaConfigurationRequest{InstanceId: instanceID,
			Body: &model.UpdateHaConfigurationReqBody{DisasterRecoveryChoice: enum[model.UpdateHaConfigurationReqBodyDisasterRecoveryChoice]("ACCEPT")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateInstanceAccessControlAttributeConfiguration(&model.CreateInstanceAccessControlAttributeConfigurationRequest{InstanceId: instanceID,
			Body: &model.CreateInstanceAccessControlAttributeConfigurationReqBody{InstanceAccessControlAttributeConfiguration: abacBody([2]string{"dept", "${path:enterprise.department}"})}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteIdentityCenter(&model.DeleteIdentityCenterRequest{}); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.App.Store.InstanceSettings().Get(context.Background(), instanceID); err != store.ErrNotFound {
			t.Fatalf("settings of the deleted instance: %v", err)
		}
		if _, err := c.StartIdentityCenter(&model.StartIdentityCenterRequest{}); err != nil {
			t.Fatal(err)
		}
		list, err := c.ListInstances(&model.ListInstancesRequest{})
		if err != nil || len(*list.Instances) != 1 {
			t.Fatal(err)
		}
		fresh := (*list.Instances)[0].InstanceId
		ha, err := c.GetHaConfiguration(&model.GetHaConfigurationRequest{InstanceId: fresh})
		if err != nil || ha.DisasterRecoveryChoice.Value() != "REJECT" {
			t.Fatalf("new instance HA = %+v, %v", ha, err)
		}
		_, err = c.DescribeInstanceAccessControlAttributeConfiguration(&model.DescribeInstanceAccessControlAttributeConfigurationRequest{InstanceId: fresh})
		testenv.WantError(t, err, 404, "IIC.404")
	})
}

package center

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Sign-in settings values (UpdateSsoConfiguration).
const (
	MFAModeContextAware = "CONTEXT_AWARE" // MFA when the sign-in context changes
	MFAModeAlwaysOn     = "ALWAYS_ON"     // MFA at every sign-in
	MFAModeDisabled     = "DISABLED"      // no MFA

	MFATypeTOTP                = "TOTP"
	MFATypeWebAuthn            = "WEBAUTHN"
	MFATypeWebAuthnSecurityKey = "WEBAUTHN_SECURITY_KEY"

	NoMFAAllowedWithEnrollment = "ALLOWED_WITH_ENROLLMENT" // a user without a device must register one at sign-in
	NoMFAAllowed               = "ALLOWED"                 // signs in without MFA
	NoMFAEmailOTP              = "EMAIL_OTP"               // signs in with a one-time code e-mailed
	NoMFABlocked               = "BLOCKED"                 // cannot sign in

	NoPasswordBlocked  = "BLOCKED"   // a user without a password cannot sign in
	NoPasswordEmailOTP = "EMAIL_OTP" // signs in with a one-time code e-mailed

	ConfigurationTypeAppAuthentication = "APP_AUTHENTICATION_CONFIGURATION"
	ConfigurationTypeSession           = "SESSION"
)

// Bounds of the portal session length (max_authentication_age).
const (
	MinSessionDuration = 15 * time.Minute
	MaxSessionDuration = 90 * 24 * time.Hour
)

var (
	mfaModes         = []string{MFAModeContextAware, MFAModeAlwaysOn, MFAModeDisabled}
	mfaTypes         = []string{MFATypeTOTP, MFATypeWebAuthn, MFATypeWebAuthnSecurityKey}
	noMFABehaviors   = []string{NoMFAAllowedWithEnrollment, NoMFAAllowed, NoMFAEmailOTP, NoMFABlocked}
	noPassBehaviors  = []string{NoPasswordBlocked, NoPasswordEmailOTP}
	configTypes      = []string{ConfigurationTypeAppAuthentication, ConfigurationTypeSession}
	isoDurationParts = regexp.MustCompile(`^P(?:(\d{1,3})W)?(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?$`)
)

// SSOConfiguration is an instance's sign-in configuration, as sign-in
// enforces it.
type SSOConfiguration struct {
	MFAMode                  string
	AllowedMFATypes          []string
	NoMFASignInBehavior      string
	NoPasswordSignInBehavior string
	// MaxAuthenticationAge is the portal session length as configured (an
	// ISO-8601 duration, answered verbatim); SessionDuration is its value.
	MaxAuthenticationAge string
	SessionDuration      time.Duration
}

// SSOConfiguration answers GetSsoConfiguration; the defaults until changed.
func (s *Service) SSOConfiguration(ctx context.Context, inst store.Instance) (SSOConfiguration, error) {
	st, err := s.settings(ctx, inst)
	if err != nil {
		return SSOConfiguration{}, err
	}
	d, err := ParseISODuration(st.MaxAuthenticationAge)
	if err != nil {
		return SSOConfiguration{}, fmt.Errorf("stored max_authentication_age of %s: %w", inst.ID, err)
	}
	return SSOConfiguration{
		MFAMode: st.MFAMode, AllowedMFATypes: st.AllowedMFATypes, NoMFASignInBehavior: st.NoMFASignInBehavior,
		NoPasswordSignInBehavior: st.NoPasswordSignInBehavior, MaxAuthenticationAge: st.MaxAuthenticationAge, SessionDuration: d,
	}, nil
}

// SSOUpdate is an UpdateSsoConfiguration request; nil fields were not
// given. ConfigurationType names the part being configured:
// APP_AUTHENTICATION_CONFIGURATION needs at least one MFA field, SESSION
// needs MaxAuthenticationAge. Every field given is validated and applied
// (clients such as the Terraform provider send the whole configuration
// with either type).
type SSOUpdate struct {
	ConfigurationType        string
	MFAMode                  *string
	AllowedMFATypes          *[]string
	NoMFASignInBehavior      *string
	NoPasswordSignInBehavior *string
	MaxAuthenticationAge     *string
}

// UpdateSSOConfiguration validates u completely, then applies it in one
// write: a refused request changes nothing.
func (s *Service) UpdateSSOConfiguration(ctx context.Context, inst store.Instance, u SSOUpdate) error {
	if err := u.validate(); err != nil {
		return err
	}
	return s.updateSettings(ctx, inst, func(st *store.InstanceSettings) error {
		if u.MFAMode != nil {
			st.MFAMode = *u.MFAMode
		}
		if u.AllowedMFATypes != nil {
			st.AllowedMFATypes = slices.Clone(*u.AllowedMFATypes)
		}
		if u.NoMFASignInBehavior != nil {
			st.NoMFASignInBehavior = *u.NoMFASignInBehavior
		}
		if u.NoPasswordSignInBehavior != nil {
			st.NoPasswordSignInBehavior = *u.NoPasswordSignInBehavior
		}
		if u.MaxAuthenticationAge != nil {
			st.MaxAuthenticationAge = *u.MaxAuthenticationAge
		}
		return nil
	})
}

func (u SSOUpdate) validate() error {
	bad := apierr.IIC400_400.New
	switch u.ConfigurationType {
	case "":
		return bad("configuration_type is required")
	case ConfigurationTypeAppAuthentication:
		if u.MFAMode == nil && u.AllowedMFATypes == nil && u.NoMFASignInBehavior == nil && u.NoPasswordSignInBehavior == nil {
			return bad("configuration_type APP_AUTHENTICATION_CONFIGURATION needs at least one of sso_configuration.mfa_mode, allowed_mfa_types, no_mfa_signin_behavior, no_password_signin_behavior")
		}
	case ConfigurationTypeSession:
		if u.MaxAuthenticationAge == nil {
			return bad("configuration_type SESSION needs sso_configuration.session_configuration.max_authentication_age")
		}
	default:
		return bad(fmt.Sprintf("configuration_type must be one of %v", configTypes))
	}
	if err := oneOf("sso_configuration.mfa_mode", u.MFAMode, mfaModes); err != nil {
		return err
	}
	if err := oneOf("sso_configuration.no_mfa_signin_behavior", u.NoMFASignInBehavior, noMFABehaviors); err != nil {
		return err
	}
	if err := oneOf("sso_configuration.no_password_signin_behavior", u.NoPasswordSignInBehavior, noPassBehaviors); err != nil {
		return err
	}
	if u.AllowedMFATypes != nil {
		types := *u.AllowedMFATypes
		if len(types) == 0 {
			return bad("sso_configuration.allowed_mfa_types must name at least one MFA type")
		}
		for i, t := range types {
			if !slices.Contains(mfaTypes, t) {
				return bad(fmt.Sprintf("sso_configuration.allowed_mfa_types[%d] must be one of %v", i, mfaTypes))
			}
			if slices.Contains(types[:i], t) {
				return bad(fmt.Sprintf("sso_configuration.allowed_mfa_types names %s twice", t))
			}
		}
	}
	if u.MaxAuthenticationAge != nil {
		d, err := ParseISODuration(*u.MaxAuthenticationAge)
		if err != nil {
			return bad("sso_configuration.session_configuration.max_authentication_age must be an ISO-8601 duration such as PT8H, PT30M or P1DT12H")
		}
		if d < MinSessionDuration || d > MaxSessionDuration {
			return bad("sso_configuration.session_configuration.max_authentication_age must be from PT15M (15 minutes) to P90D (90 days)")
		}
	}
	return nil
}

func oneOf(field string, v *string, allowed []string) error {
	if v != nil && !slices.Contains(allowed, *v) {
		return apierr.IIC400_400.New(fmt.Sprintf("%s must be one of %v", field, allowed))
	}
	return nil
}

// ParseISODuration parses an ISO-8601 duration of weeks, days, hours,
// minutes and whole seconds (PnW, PnDTnHnMnS; years and months have no
// fixed length and are refused). At least one part is required.
func ParseISODuration(v string) (time.Duration, error) {
	m := isoDurationParts.FindStringSubmatch(v)
	if m == nil || v == "P" || v[len(v)-1] == 'T' {
		return 0, fmt.Errorf("%q is not an ISO-8601 duration of weeks, days, hours, minutes and seconds", v)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, unit := range units {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil {
			return 0, err
		}
		total += time.Duration(n) * unit // digit limits keep every term and the sum far below overflow
	}
	return total, nil
}

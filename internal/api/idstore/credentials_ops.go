package idstore

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
)

const passwordPolicyPath = "/v1/identity-stores/{identity_store_id}/password-policy"

func (a *API) credentialOps() []httpx.Op {
	return []httpx.Op{
		{Name: "ResetPwdMode", Pattern: "POST " + usersPath + "/{user_id}/reset-password", Handler: a.resetPassword},
		{Name: "VerifyEmail", Pattern: "POST " + usersPath + "/{user_id}/verify-email", Handler: a.verifyEmail},
		{Name: "DescribePasswordPolicy", Pattern: "GET " + passwordPolicyPath, Handler: a.describePasswordPolicy},
		{Name: "UpdatePasswordPolicy", Pattern: "PUT " + passwordPolicyPath, Handler: a.updatePasswordPolicy},
	}
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Mode string `json:"mode"`
	}
	if err := httpx.Decode(r, &b); err != nil {
		return err
	}
	pw, err := a.Identity.ResetPassword(r.Context(), callerFor(r), storeIDOf(r), r.PathValue("user_id"), b.Mode)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, struct {
		Password string `json:"password,omitempty"`
	}{pw})
	return nil
}

func (a *API) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	if err := a.Identity.VerifyEmail(r.Context(), callerFor(r), storeIDOf(r), r.PathValue("user_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, userEmpty)
	return nil
}

// passwordPolicyDTO is the SDK's PasswordPolicyDto.
type passwordPolicyDTO struct {
	MinimumPasswordLength      *int  `json:"minimum_password_length"`
	RequireLowercaseCharacters *bool `json:"require_lowercase_characters"`
	RequireNumbers             *bool `json:"require_numbers"`
	RequireSymbols             *bool `json:"require_symbols"`
	RequireUppercaseCharacters *bool `json:"require_uppercase_characters"`
	MaxPasswordAge             *int  `json:"max_password_age"`
	PasswordReusePrevention    *int  `json:"password_reuse_prevention"`
}

func (a *API) describePasswordPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Identity.GetPasswordPolicy(r.Context(), storeIDOf(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]passwordPolicyDTO{"password_policy": {
		MinimumPasswordLength: &p.MinimumLength, RequireLowercaseCharacters: &p.RequireLowercase, RequireNumbers: &p.RequireNumbers,
		RequireSymbols: &p.RequireSymbols, RequireUppercaseCharacters: &p.RequireUppercase, MaxPasswordAge: &p.MaxPasswordAge,
		PasswordReusePrevention: &p.ReusePrevention,
	}})
	return nil
}

func (a *API) updatePasswordPolicy(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Policy *passwordPolicyDTO `json:"password_policy"`
	}
	if err := httpx.Decode(r, &b); err != nil {
		return err
	}
	if b.Policy == nil {
		return apierr.IIC400_400.New("password_policy is required")
	}
	p := b.Policy
	_, err := a.Identity.UpdatePasswordPolicy(r.Context(), storeIDOf(r), identity.PasswordPolicyUpdate{
		MinimumLength: p.MinimumPasswordLength, RequireLowercase: p.RequireLowercaseCharacters, RequireUppercase: p.RequireUppercaseCharacters,
		RequireNumbers: p.RequireNumbers, RequireSymbols: p.RequireSymbols, MaxPasswordAge: p.MaxPasswordAge, ReusePrevention: p.PasswordReusePrevention,
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, userEmpty)
	return nil
}

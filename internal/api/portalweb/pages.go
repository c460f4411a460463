package portalweb

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/oidc"
)

func (a *API) signedInView(s *sessionInfo, title, nav string) *view {
	return &view{Title: title, CSRF: s.csrf, User: s.name, Nav: nav}
}

// home lists the user's accounts.
func (a *API) home(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	p, err := a.Portal.Accounts(r.Context(), s.user(), 100, r.URL.Query().Get("marker"))
	if err != nil {
		return err
	}
	v := a.signedInView(s, "Accounts", "accounts")
	v.Accounts, v.NextMarker = p.Accounts, p.NextMarker
	a.render(w, r, http.StatusOK, "home", v)
	return nil
}

// account lists the permission sets (agencies) the user holds in one
// account.
func (a *API) account(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	id := r.PathValue("account_id")
	p, err := a.Portal.Agencies(r.Context(), s.user(), id, 100, r.URL.Query().Get("marker"))
	if err != nil {
		return err
	}
	v := a.signedInView(s, "Account "+id, "accounts")
	v.AccountID, v.NextMarker = id, p.NextMarker
	for _, ag := range p.Agencies {
		v.Agencies = append(v.Agencies, agencyView{Agency: ag, SessionDuration: humanDuration(ag.SessionDuration)})
	}
	a.render(w, r, http.StatusOK, "account", v)
	return nil
}

// humanDuration shows an ISO-8601 session duration (PT1H, PT90M) in hours
// and minutes.
func humanDuration(iso string) string {
	d, err := center.ParseISODuration(iso)
	if err != nil || d <= 0 {
		return iso
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case m == 0 && h == 1:
		return "1 hour"
	case m == 0:
		return fmt.Sprintf("%d hours", h)
	case h == 0:
		return fmt.Sprintf("%d minutes", m)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// credentials issues temporary credentials for one of the user's agencies
// (a POST: every call issues new ones) and shows them once.
func (a *API) credentials(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	acct, urn := r.PostForm.Get("account_id"), r.PostForm.Get("agency_urn")
	if acct == "" || urn == "" {
		return apierr.IIC1606_400.New("account_id and agency_urn are required")
	}
	c, err := a.Portal.Credentials(r.Context(), s.user(), acct, urn)
	if err != nil {
		return err
	}
	v := a.signedInView(s, "Credentials", "accounts")
	v.AccountID, v.Creds, v.PublicURL = acct, c, a.PublicURL
	v.PermissionSet = permissionSetOf(urn)
	v.Expires, v.ExpiresISO = c.Expiration.UTC().Format("2006-01-02 15:04 UTC"), c.Expiration.UTC().Format(time.RFC3339)
	v.SnippetSh = fmt.Sprintf("export HUAWEICLOUD_SDK_AK=%q\nexport HUAWEICLOUD_SDK_SK=%q\nexport HUAWEICLOUD_SDK_SECURITY_TOKEN=%q", c.AccessKey, c.SecretKey, c.SessionToken)
	v.SnippetPS = fmt.Sprintf("$Env:HUAWEICLOUD_SDK_AK=%q\n$Env:HUAWEICLOUD_SDK_SK=%q\n$Env:HUAWEICLOUD_SDK_SECURITY_TOKEN=%q", c.AccessKey, c.SecretKey, c.SessionToken)
	v.SnippetKoo = fmt.Sprintf("--cli-access-key=%s --cli-secret-key=%s --cli-security-token=%s", c.AccessKey, c.SecretKey, c.SessionToken)
	a.render(w, r, http.StatusOK, "credentials", v)
	return nil
}

// permissionSetOf is the permission set an agency URN
// (iam::<account>:agency:IdentityCenter_<set>) materializes.
func permissionSetOf(urn string) string {
	_, name, ok := strings.Cut(urn, ":agency:")
	if !ok {
		return urn
	}
	return strings.TrimPrefix(name, "IdentityCenter_")
}

// ---- MFA devices

func (a *API) canManageDevices(r *http.Request, s *sessionInfo) (bool, error) {
	perm, err := a.Stores.DevicePermission(r.Context(), s.session.IdentityStoreID)
	return perm == center.MFADevicesAllActions, err
}

// deviceChange is h, a change of the user's own MFA devices, run only when
// the instance lets users manage them: otherwise the devices page answers
// 403 IIC.1518 and h does not run.
func (a *API) deviceChange(h authedFunc) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
		if can, err := a.canManageDevices(r, s); err != nil {
			return err
		} else if !can {
			return a.mfaFailed(w, r, s, apierr.IIC1518.New())
		}
		return h(w, r, s)
	}
}

func (a *API) mfa(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	notice := ""
	switch {
	case r.URL.Query().Get("added") != "":
		notice = "The device was added. You will be asked for it when you sign in."
	case r.URL.Query().Get("deleted") != "":
		notice = "The device was deleted."
	}
	return a.mfaPage(w, r, s, http.StatusOK, nil, notice)
}

func (a *API) mfaPage(w http.ResponseWriter, r *http.Request, s *sessionInfo, status int, e *apierr.Error, notice string) error {
	devices, err := a.Identity.ListMfaDevices(r.Context(), s.session.IdentityStoreID, s.session.UserID)
	if err != nil {
		return err
	}
	can, err := a.canManageDevices(r, s)
	if err != nil {
		return err
	}
	v := a.signedInView(s, "MFA devices", "mfa")
	v.Devices, v.CanManage, v.MaxDevices, v.Error, v.Notice = devices, can, identity.MaxMFADevices, e, notice
	if v.WebAuthn, err = a.webauthnOffer(r, s, can); err != nil {
		return err
	}
	a.render(w, r, status, "mfa", v)
	return nil
}

// mfaFailed shows a refused device change on the device page.
func (a *API) mfaFailed(w http.ResponseWriter, r *http.Request, s *sessionInfo, err error) error {
	e, ok := apierr.From(err)
	if !ok || e.Status() >= 500 {
		return err
	}
	return a.mfaPage(w, r, s, e.Status(), e, "")
}

func (a *API) mfaAdd(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	link, err := a.Identity.RegisterMfaDevice(r.Context(), identity.Caller{Actor: "portal"}, s.session.IdentityStoreID, s.session.UserID)
	if err != nil {
		return a.mfaFailed(w, r, s, err)
	}
	setup, err := a.Identity.BeginTOTPRegistration(r.Context(), link.Token)
	if err != nil {
		return a.mfaFailed(w, r, s, err)
	}
	v := a.signedInView(s, "", "mfa")
	v.Action, v.RegToken = Prefix+"/mfa/add/confirm", link.Token
	a.renderTOTPSetup(w, r, http.StatusOK, v, setup.Secret, setup.URL, nil)
	return nil
}

func (a *API) mfaAddConfirm(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	pf := r.PostForm
	if err := a.ownRegistration(r, s, pf.Get("token")); err != nil {
		return a.mfaFailed(w, r, s, err)
	}
	_, err := a.Identity.CompleteTOTPRegistration(r.Context(), pf.Get("token"), strings.TrimSpace(pf.Get("code")), strings.TrimSpace(pf.Get("name")))
	if err != nil {
		e, ok := apierr.From(err)
		if !ok || e.Status() >= 500 || apierr.IIC1721.Is(err) || apierr.IIC1388.Is(err) {
			return a.mfaFailed(w, r, s, err)
		}
		v := a.signedInView(s, "", "mfa")
		v.Action, v.RegToken, v.DeviceName = Prefix+"/mfa/add/confirm", pf.Get("token"), pf.Get("name")
		a.renderTOTPSetup(w, r, e.Status(), v, pf.Get("secret"), pf.Get("otpauth"), e)
		return nil
	}
	http.Redirect(w, r, Prefix+"/mfa?added=1", http.StatusSeeOther)
	return nil
}

func (a *API) mfaDelete(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	if err := a.Identity.DeleteMfaDevice(r.Context(), s.session.IdentityStoreID, s.session.UserID, r.PostForm.Get("device_id")); err != nil {
		return a.mfaFailed(w, r, s, err)
	}
	http.Redirect(w, r, Prefix+"/mfa?deleted=1", http.StatusSeeOther)
	return nil
}

// ---- an administrator's registration link (identity.MFARegisterPath)

// registerLink is the page a RegisterMfaDeviceForUser link opens: the link's
// token alone lets its holder add a TOTP device, or a security key or
// passkey when a WebAuthn type is allowed (register_webauthn.go), to the
// user it was issued for (no sign-in: the link is for a user who has no
// device yet).
func (a *API) registerLink(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 128 {
		return apierr.IIC1721.New()
	}
	// A dead token gets the app's page too: its form says so when posted.
	if done, err := a.renderLinkWebAuthn(w, r, http.StatusOK, token, "", nil); done {
		return nil
	} else if err != nil && !apierr.IIC1721.Is(err) {
		return err
	}
	a.render(w, r, http.StatusOK, "enrol_intro", &view{Title: "Register an MFA device", Narrow: true, CSRF: a.preCSRF(w, r),
		Action: Prefix + "/mfa/register", RegToken: token, Link: Prefix})
	return nil
}

func (a *API) registerBegin(w http.ResponseWriter, r *http.Request) error {
	token := r.PostForm.Get("token")
	setup, err := a.Identity.BeginTOTPRegistration(r.Context(), token)
	if err != nil {
		return err
	}
	v := &view{CSRF: a.preCSRF(w, r), Action: Prefix + "/mfa/register/confirm", RegToken: token, Narrow: true}
	a.renderTOTPSetup(w, r, http.StatusOK, v, setup.Secret, setup.URL, nil)
	return nil
}

func (a *API) registerConfirm(w http.ResponseWriter, r *http.Request) error {
	pf := r.PostForm
	_, err := a.Identity.CompleteTOTPRegistration(r.Context(), pf.Get("token"), strings.TrimSpace(pf.Get("code")), strings.TrimSpace(pf.Get("name")))
	if err != nil {
		e, ok := apierr.From(err)
		if !ok || e.Status() >= 500 || apierr.IIC1721.Is(err) || apierr.IIC1388.Is(err) {
			return err
		}
		v := &view{CSRF: a.preCSRF(w, r), Action: Prefix + "/mfa/register/confirm", RegToken: pf.Get("token"), Narrow: true, DeviceName: pf.Get("name")}
		a.renderTOTPSetup(w, r, e.Status(), v, pf.Get("secret"), pf.Get("otpauth"), e)
		return nil
	}
	a.render(w, r, http.StatusOK, "message", &view{Title: "Device registered", Heading: "Your MFA device is registered", Narrow: true, OK: true,
		Notice: "The authenticator app is now an MFA device of your account.", Body: "You will be asked for its code when you sign in.", LinkText: "Sign in"})
	return nil
}

// signOut ends the session and deletes the credentials issued in it.
func (a *API) signOut(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	if err := a.Portal.EndSession(r.Context(), WebSession(s.session.ID)); err != nil {
		return err
	}
	if err := a.SignIn.SignOut(r.Context(), s.token); err != nil {
		return err
	}
	a.clearCookie(w, SessionCookie)
	a.setCookie(w, CSRFCookie, a.SignIn.IDs.Token(43), 0)
	http.Redirect(w, r, Prefix+"?signed_out=1", http.StatusSeeOther)
	return nil
}

// ---- device verification (OIDC device grant)

func displayCode(raw string) string {
	if c, ok := oidc.NormalizeUserCode(raw); ok {
		return c
	}
	if len(raw) > 16 {
		raw = raw[:16]
	}
	return strings.ToValidUTF8(raw, "")
}

// device is the verification page (verification_uri[_complete]): the code,
// prefilled from ?user_code=, to confirm.
func (a *API) device(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	v := a.signedInView(s, "Authorize a device", "")
	v.Narrow, v.UserCode = true, displayCode(r.URL.Query().Get("user_code"))
	a.render(w, r, http.StatusOK, "device", v)
	return nil
}

// deviceFailed shows a refused code on the code form.
func (a *API) deviceFailed(w http.ResponseWriter, r *http.Request, s *sessionInfo, code string, err error) error {
	e, ok := apierr.From(err)
	if !ok || e.Status() >= 500 {
		return err
	}
	v := a.signedInView(s, "Authorize a device", "")
	v.Narrow, v.UserCode, v.Error = true, displayCode(code), e
	a.render(w, r, e.Status(), "device", v)
	return nil
}

// deviceDescribe shows which client asks, for the user to allow or deny.
func (a *API) deviceDescribe(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	code := r.PostForm.Get("user_code")
	d, err := a.OIDC.DescribeDevice(r.Context(), code, s.ref(), a.client(r).Address)
	if err != nil {
		return a.deviceFailed(w, r, s, code, err)
	}
	v := a.signedInView(s, "Authorize "+d.ClientName, "")
	v.Narrow, v.UserCode, v.ClientName, v.Scopes = true, displayCode(code), d.ClientName, strings.Join(d.Scopes, " ")
	a.render(w, r, http.StatusOK, "device_confirm", v)
	return nil
}

func (a *API) deviceDecide(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	code, decision := r.PostForm.Get("user_code"), r.PostForm.Get("decision")
	var err error
	switch decision {
	case "approve":
		err = a.OIDC.ApproveDevice(r.Context(), code, s.ref(), a.client(r).Address)
	case "deny":
		err = a.OIDC.DenyDevice(r.Context(), code, s.ref(), a.client(r).Address)
	default:
		return apierr.IIC1606_400.New("decision must be approve or deny")
	}
	if err != nil {
		return a.deviceFailed(w, r, s, code, err)
	}
	v := a.signedInView(s, "Device authorization", "")
	v.Narrow, v.OK = true, true
	if decision == "approve" {
		v.Heading, v.Notice = "Device authorized", "You allowed the request with code "+displayCode(code)+"."
		v.Body = "Return to your terminal or application: it continues on its own within a few seconds. You can close this window."
	} else {
		v.Heading, v.Notice, v.OK = "Request denied", "You denied the request with code "+displayCode(code)+".", false
		v.Body = "Nothing was authorized. If you did not start this sign-in, someone may know your code: you can safely ignore it."
	}
	a.render(w, r, http.StatusOK, "message", v)
	return nil
}

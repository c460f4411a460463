package idstore

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

const usersPath = "/v1/identity-stores/{identity_store_id}/users"

func (a *API) userOps() []httpx.Op {
	return []httpx.Op{
		{Name: "CreateUser", Pattern: "POST " + usersPath, Handler: a.createUser},
		{Name: "ListUsers", Pattern: "GET " + usersPath, Handler: a.listUsers},
		{Name: "DescribeUsers", Pattern: "POST " + usersPath + "/batch-query", Handler: a.describeUsers},
		{Name: "GetUserId", Pattern: "POST " + usersPath + "/retrieve-user-id", Handler: a.getUserID},
		{Name: "DescribeUser", Pattern: "GET " + usersPath + "/{user_id}", Handler: a.describeUser},
		{Name: "UpdateUser", Pattern: "PUT " + usersPath + "/{user_id}", Handler: a.updateUser},
		{Name: "DeleteUser", Pattern: "DELETE " + usersPath + "/{user_id}", Handler: a.deleteUser},
		{Name: "EnableUser", Pattern: "POST " + usersPath + "/{user_id}/enable", Handler: a.setUserEnabled(true)},
		{Name: "DisableUser", Pattern: "POST " + usersPath + "/{user_id}/disable", Handler: a.setUserEnabled(false)},
	}
}

var userEmpty = struct{}{}

// userBody is the user attributes of CreateUser (CreateUserReqBody).
type userBody struct {
	UserName     string            `json:"user_name"`
	DisplayName  string            `json:"display_name"`
	PasswordMode string            `json:"password_mode"`
	Name         *nameWire         `json:"name"`
	Emails       []emailWire       `json:"emails"`
	Addresses    []addressWire     `json:"addresses"`
	PhoneNumbers []phoneNumberWire `json:"phone_numbers"`
	Nickname     string            `json:"nickname"`
	Title        string            `json:"title"`
	Locale       string            `json:"locale"`
	Timezone     string            `json:"timezone"`
	PrefLanguage string            `json:"preferred_language"`
	ProfileURL   string            `json:"profile_url"`
	UserType     string            `json:"user_type"`
	Enterprise   *enterpriseWire   `json:"enterprise"`
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	var b userBody
	if err := httpx.Decode(r, &b); err != nil {
		return err
	}
	if b.Name == nil {
		return apierr.IIC400_400.New("name is required")
	}
	// The SDK's password modes; a user without a password (NONE) is SCIM's.
	if b.PasswordMode != identity.PasswordModeOTP && b.PasswordMode != identity.PasswordModeEmail {
		return apierr.IIC400_400.New("password_mode must be OTP or EMAIL")
	}
	in := identity.NewUser{UserName: b.UserName, DisplayName: b.DisplayName, PasswordMode: b.PasswordMode, Profile: identity.Profile{
		Name: identity.Name(*b.Name), Emails: emailsIn(b.Emails), Addresses: addressesIn(b.Addresses), PhoneNumbers: phonesIn(b.PhoneNumbers),
		Nickname: b.Nickname, Title: b.Title, Locale: b.Locale, Timezone: b.Timezone, PreferredLanguage: b.PrefLanguage,
		ProfileURL: b.ProfileURL, UserType: b.UserType, Enterprise: b.Enterprise.domain(),
	}}
	id, password, err := a.Identity.CreateUser(r.Context(), callerFor(r), storeIDOf(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusCreated, struct {
		IdentityStoreID string `json:"identity_store_id"`
		UserID          string `json:"user_id"`
		Password        string `json:"password,omitempty"`
	}{storeIDOf(r), id, password})
	return nil
}

// userDTO is the SDK's DescribeUserResp / UserDto.
type userDTO struct {
	Addresses         []addressWire      `json:"addresses,omitempty"`
	DisplayName       string             `json:"display_name"`
	Emails            []emailWire        `json:"emails"`
	ExternalID        string             `json:"external_id,omitempty"`
	ExternalIDs       []store.ExternalID `json:"external_ids"`
	IdentityStoreID   string             `json:"identity_store_id"`
	Locale            string             `json:"locale,omitempty"`
	Name              nameWire           `json:"name"`
	Nickname          string             `json:"nickname,omitempty"`
	PhoneNumbers      []phoneNumberWire  `json:"phone_numbers,omitempty"`
	PreferredLanguage string             `json:"preferred_language,omitempty"`
	ProfileURL        string             `json:"profile_url,omitempty"`
	Timezone          string             `json:"timezone,omitempty"`
	Title             string             `json:"title,omitempty"`
	UserID            string             `json:"user_id"`
	UserName          string             `json:"user_name"`
	UserType          string             `json:"user_type,omitempty"`
	CreatedAt         int64              `json:"created_at"`
	CreatedBy         string             `json:"created_by"`
	UpdatedAt         int64              `json:"updated_at"`
	UpdatedBy         string             `json:"updated_by"`
	EmailVerified     bool               `json:"email_verified"`
	Enabled           bool               `json:"enabled"`
	Enterprise        *enterpriseWire    `json:"enterprise,omitempty"`
}

func toUserDTO(u identity.User) userDTO {
	p := u.Profile
	d := userDTO{
		Addresses: addressesOut(p.Addresses), DisplayName: u.DisplayName, Emails: emailsOut(p.Emails), ExternalIDs: u.ExternalIDs, IdentityStoreID: u.IdentityStoreID,
		Locale: p.Locale, Name: nameWire(p.Name), Nickname: p.Nickname, PhoneNumbers: phonesOut(p.PhoneNumbers), PreferredLanguage: p.PreferredLanguage,
		ProfileURL: p.ProfileURL, Timezone: p.Timezone, Title: p.Title, UserID: u.ID, UserName: u.UserName, UserType: p.UserType,
		CreatedAt: u.CreatedAt.UnixMilli(), CreatedBy: u.CreatedBy, UpdatedAt: u.UpdatedAt.UnixMilli(), UpdatedBy: u.UpdatedBy,
		EmailVerified: u.EmailVerified, Enabled: u.Enabled, Enterprise: enterpriseOut(p.Enterprise),
	}
	if d.Emails == nil {
		d.Emails = []emailWire{}
	}
	if d.ExternalIDs == nil {
		d.ExternalIDs = []store.ExternalID{}
	}
	if len(u.ExternalIDs) > 0 {
		d.ExternalID = u.ExternalIDs[0].ID
	}
	return d
}

func (a *API) describeUser(w http.ResponseWriter, r *http.Request) error {
	u, err := a.Identity.GetUser(r.Context(), storeIDOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toUserDTO(u))
	return nil
}

func (a *API) describeUsers(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		UserIDs []string `json:"user_ids"`
	}
	if err := httpx.Decode(r, &b); err != nil {
		return err
	}
	users, err := a.Identity.DescribeUsers(r.Context(), storeIDOf(r), b.UserIDs)
	if err != nil {
		return err
	}
	out := struct {
		Users []userDTO `json:"users"`
	}{Users: make([]userDTO, 0, len(users))}
	for _, u := range users {
		out.Users = append(out.Users, toUserDTO(u))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := paging.ParseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	page, err := a.Identity.ListUsers(r.Context(), storeIDOf(r), q.Get("user_name"), limit, q.Get("marker"))
	if err != nil {
		return err
	}
	out := struct {
		Users    []userDTO `json:"users"`
		PageInfo pageInfo  `json:"page_info"`
	}{Users: make([]userDTO, 0, len(page.Users)), PageInfo: newPageInfo(page.NextMarker, len(page.Users))}
	for _, u := range page.Users {
		out.Users = append(out.Users, toUserDTO(u))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Operations []attributeOp `json:"operations"`
	}
	if err := httpx.Decode(r, &b); err != nil {
		return err
	}
	ops, err := userUpdates(b.Operations)
	if err != nil {
		return err
	}
	_, _, err = a.Identity.EditUser(r.Context(), callerFor(r), storeIDOf(r), r.PathValue("user_id"), 0, func(_ identity.User, f *identity.UserFields) error {
		return applyUserUpdates(f, ops)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, userEmpty)
	return nil
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := a.Identity.DeleteUser(r.Context(), storeIDOf(r), r.PathValue("user_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, userEmpty)
	return nil
}

func (a *API) setUserEnabled(enabled bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := a.Identity.SetUserEnabled(r.Context(), callerFor(r), storeIDOf(r), r.PathValue("user_id"), enabled); err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, userEmpty)
		return nil
	}
}

func (a *API) getUserID(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Alt *alternateIdentifier `json:"alternate_identifier"`
	}
	if err := httpx.Decode(r, &b); err != nil {
		return err
	}
	k, err := b.Alt.userKey()
	if err != nil {
		return err
	}
	id, err := a.Identity.GetUserID(r.Context(), storeIDOf(r), k)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		IdentityStoreID string `json:"identity_store_id"`
		UserID          string `json:"user_id"`
	}{storeIDOf(r), id})
	return nil
}

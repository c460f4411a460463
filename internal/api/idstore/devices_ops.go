package idstore

import (
	"net/http"
	"strconv"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
)

// deviceOps are users' MFA devices and portal sessions.
func (a *API) deviceOps() []httpx.Op {
	const users = "POST /v1/identity-stores/{identity_store_id}/users"
	const user = "/v1/identity-stores/{identity_store_id}/users/{user_id}"
	return []httpx.Op{
		{Name: "RegisterMfaDeviceForUser", Pattern: "POST " + user + "/mfa-devices/register-mfa-device", Handler: a.registerMfaDevice},
		{Name: "UpdateMfaDeviceForUser", Pattern: "PUT " + user + "/mfa-devices/{device_id}", Handler: a.updateMfaDevice},
		{Name: "DeleteMfaDeviceForUser", Pattern: "DELETE " + user + "/mfa-devices/{device_id}", Handler: a.deleteMfaDevice},
		{Name: "BatchListMfaDevicesForUser", Pattern: users + "/retrieve-mfa-devices", Handler: a.batchListMfaDevices},
		{Name: "ListSessions", Pattern: "GET " + user + "/sessions", Handler: a.listSessions},
		{Name: "BatchDeleteSessions", Pattern: "POST " + user + "/sessions/batch-delete", Handler: a.batchDeleteSessions},
	}
}

type registerMfaDeviceResponse struct {
	IdentityStoreID string `json:"identity_store_id"`
	UserID          string `json:"user_id"`
	WorkFlow        string `json:"work_flow"`
	RedirectURL     string `json:"redirect_url"`
}

func (a *API) registerMfaDevice(w http.ResponseWriter, r *http.Request) error {
	storeID, userID := storeIDOf(r), r.PathValue("user_id")
	link, err := a.Identity.RegisterMfaDevice(r.Context(), callerFor(r), storeID, userID)
	if err != nil {
		return err
	}
	// work_flow is the registration's one-time token (it is also in the
	// URL); the portal page accepts either.
	httpx.WriteJSON(w, http.StatusOK, registerMfaDeviceResponse{IdentityStoreID: storeID, UserID: userID, WorkFlow: link.Token, RedirectURL: link.RedirectURL})
	return nil
}

func (a *API) updateMfaDevice(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DisplayName *string `json:"display_name"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.DisplayName == nil {
		return apierr.IIC400_400.New("display_name is required")
	}
	if err := a.Identity.UpdateMfaDevice(r.Context(), storeIDOf(r), r.PathValue("user_id"), r.PathValue("device_id"), *in.DisplayName); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (a *API) deleteMfaDevice(w http.ResponseWriter, r *http.Request) error {
	if err := a.Identity.DeleteMfaDevice(r.Context(), storeIDOf(r), r.PathValue("user_id"), r.PathValue("device_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

type mfaUserDTO struct {
	IdentityStoreID string `json:"identity_store_id"`
	UserID          string `json:"user_id"`
}

type mfaDeviceDTO struct {
	DeviceID       string `json:"device_id"`
	DeviceName     string `json:"device_name"`
	DisplayName    string `json:"display_name"`
	MfaType        string `json:"mfa_type"`
	RegisteredDate int64  `json:"registered_date"`
}

type mfaDevicesEntryDTO struct {
	MfaDevices []mfaDeviceDTO `json:"mfa_devices"`
	User       mfaUserDTO     `json:"user"`
}

func (a *API) batchListMfaDevices(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserList []mfaUserDTO `json:"user_list"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	storeID := storeIDOf(r)
	ids := make([]string, len(in.UserList))
	for i, u := range in.UserList {
		// Each entry names its store; it must be the one in the path.
		if u.IdentityStoreID != "" && u.IdentityStoreID != storeID {
			return apierr.IIC400_400.New("user_list[" + strconv.Itoa(i) + "].identity_store_id must be the identity store in the path")
		}
		ids[i] = u.UserID
	}
	entries, err := a.Identity.BatchListMfaDevices(r.Context(), storeID, ids)
	if err != nil {
		return err
	}
	out := make([]mfaDevicesEntryDTO, 0, len(entries))
	for _, e := range entries {
		ds := make([]mfaDeviceDTO, 0, len(e.Devices))
		for _, d := range e.Devices {
			ds = append(ds, mfaDeviceDTO{DeviceID: d.ID, DeviceName: d.DeviceName, DisplayName: d.DisplayName, MfaType: d.Type, RegisteredDate: d.CreatedAt.UnixMilli()})
		}
		out = append(out, mfaDevicesEntryDTO{MfaDevices: ds, User: mfaUserDTO{IdentityStoreID: storeID, UserID: e.UserID}})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user_mfa_devices_entry_list": out})
	return nil
}

type userSessionDTO struct {
	CreationTime         int64  `json:"creation_time"`
	IPAddress            string `json:"ip_address,omitempty"`
	SessionID            string `json:"session_id"`
	SessionNotValidAfter int64  `json:"session_not_valid_after"`
	UserAgent            string `json:"user_agent,omitempty"`
	UserID               string `json:"user_id"`
}

func (a *API) listSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Identity.ListSessions(r.Context(), storeIDOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := make([]userSessionDTO, 0, len(list))
	for _, s := range list {
		out = append(out, userSessionDTO{CreationTime: s.CreatedAt.UnixMilli(), IPAddress: s.SourceIP, SessionID: s.ID,
			SessionNotValidAfter: s.ExpiresAt.UnixMilli(), UserAgent: s.UserAgent, UserID: s.UserID})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"session_list": out})
	return nil
}

func (a *API) batchDeleteSessions(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		SessionIDs []string `json:"session_ids"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Identity.BatchDeleteSessions(r.Context(), storeIDOf(r), r.PathValue("user_id"), in.SessionIDs); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

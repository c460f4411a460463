package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
	"github.com/pquerna/otp/totp"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/testenv"
)

// deviceUser creates a user through the identity service (the user
// operations are another area's) and returns its id.
func deviceUser(t *testing.T, srv *testenv.Server, storeID, name string) string {
	t.Helper()
	id, _, err := srv.App.Identity.CreateUser(context.Background(), identity.Caller{Actor: "test"}, storeID, identity.NewUser{
		UserName: name, DisplayName: name, PasswordMode: identity.PasswordModeOTP,
		Profile: identity.Profile{Name: identity.Name{GivenName: name, FamilyName: "Test"}, Emails: []identity.Email{{Value: name + "@example.com", Type: "work", Primary: true}}},
	})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return id
}

// enrolTOTP registers a TOTP device for a user: the admin call through the
// SDK, then the portal's two steps through the service with a generated code
// (of the current time step). It returns the device's base32 secret.
func enrolTOTP(t *testing.T, srv *testenv.Server, c *ics.IdentityCenterStoreClient, storeID, userID, name string) string {
	t.Helper()
	res, err := c.RegisterMfaDeviceForUser(&model.RegisterMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: userID})
	if err != nil {
		t.Fatalf("RegisterMfaDeviceForUser: %v", err)
	}
	if res.RedirectUrl == nil || res.WorkFlow == nil || res.UserId == nil || *res.UserId != userID || res.IdentityStoreId == nil || *res.IdentityStoreId != storeID {
		t.Fatalf("register response = %+v", res)
	}
	u, err := url.Parse(*res.RedirectUrl)
	if err != nil || !strings.HasPrefix(*res.RedirectUrl, srv.App.Config.PublicURL+identity.MFARegisterPath+"?") || u.Query().Get("token") != *res.WorkFlow {
		t.Fatalf("redirect_url %q, work_flow %q", *res.RedirectUrl, *res.WorkFlow)
	}
	ctx := context.Background()
	setup, err := srv.App.Identity.BeginTOTPRegistration(ctx, u.Query().Get("token"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(setup.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Identity.CompleteTOTPRegistration(ctx, *res.WorkFlow, code, name); err != nil {
		t.Fatalf("complete registration: %v", err)
	}
	return setup.Secret
}

func listDevices(t *testing.T, c *ics.IdentityCenterStoreClient, storeID string, userIDs ...string) []model.RetrieveMfaDevicesForUserEntryDto {
	t.Helper()
	var users []model.RetrieveMfaDevicesForUserDto
	for _, id := range userIDs {
		users = append(users, model.RetrieveMfaDevicesForUserDto{IdentityStoreId: storeID, UserId: id})
	}
	res, err := c.BatchListMfaDevicesForUser(&model.BatchListMfaDevicesForUserRequest{IdentityStoreId: storeID, Body: &model.BatchListMfaDevicesForUserReqBody{UserList: users}})
	if err != nil {
		t.Fatalf("BatchListMfaDevicesForUser: %v", err)
	}
	if res.UserMfaDevicesEntryList == nil {
		t.Fatal("no user_mfa_devices_entry_list")
	}
	return *res.UserMfaDevicesEntryList
}

func TestIdentityStoreMFADevicesThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, storeID := identityStore(t, dialect)
		alice := deviceUser(t, srv, storeID, "alice")
		bob := deviceUser(t, srv, storeID, "bob")
		start := time.Now().Add(-time.Second).UnixMilli()

		enrolTOTP(t, srv, c, storeID, alice, "phone")
		entries := listDevices(t, c, storeID, alice, bob, "no-such-user")
		if len(entries) != 2 || entries[0].User == nil || entries[0].User.UserId != alice || entries[0].User.IdentityStoreId != storeID ||
			entries[1].User.UserId != bob || len(entries[1].MfaDevices) != 0 || len(entries[0].MfaDevices) != 1 {
			t.Fatalf("entries = %+v; want alice with one device, bob with none, the unknown user left out", entries)
		}
		d := entries[0].MfaDevices[0]
		if d.DeviceId == "" || d.DisplayName != "phone" || d.DeviceName != "Authenticator app" || d.MfaType != "TOTP" || d.RegisteredDate < start || d.RegisteredDate > time.Now().UnixMilli() {
			t.Fatalf("device = %+v", d)
		}

		// Rename.
		if _, err := c.UpdateMfaDeviceForUser(&model.UpdateMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: alice, DeviceId: d.DeviceId,
			Body: &model.UpdateMfaDeviceForUserReqBody{DisplayName: "work phone"}}); err != nil {
			t.Fatal(err)
		}
		if got := listDevices(t, c, storeID, alice)[0].MfaDevices[0]; got.DisplayName != "work phone" || got.DeviceId != d.DeviceId {
			t.Fatalf("after rename: %+v", got)
		}
		_, err := c.UpdateMfaDeviceForUser(&model.UpdateMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: alice, DeviceId: d.DeviceId,
			Body: &model.UpdateMfaDeviceForUserReqBody{DisplayName: ""}})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.UpdateMfaDeviceForUser(&model.UpdateMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: alice, DeviceId: "no-such-device",
			Body: &model.UpdateMfaDeviceForUserReqBody{DisplayName: "x"}})
		if se := testenv.WantError(t, err, 400, "IIC.1387"); !strings.Contains(se.ErrorMessage, "no-such-device") {
			t.Fatalf("message %q does not name the device", se.ErrorMessage)
		}
		_, err = c.UpdateMfaDeviceForUser(&model.UpdateMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: bob, DeviceId: d.DeviceId,
			Body: &model.UpdateMfaDeviceForUserReqBody{DisplayName: "x"}})
		testenv.WantError(t, err, 400, "IIC.1387") // another user's device
		_, err = c.UpdateMfaDeviceForUser(&model.UpdateMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: "no-such-user", DeviceId: d.DeviceId,
			Body: &model.UpdateMfaDeviceForUserReqBody{DisplayName: "x"}})
		testenv.WantError(t, err, 404, "IIC.1312")
		// A body without display_name (raw HTTP: the SDK always sends it).
		resp, body := srv.Do(t, "PUT", "/v1/identity-stores/"+storeID+"/users/"+alice+"/mfa-devices/"+d.DeviceId, []byte(`{}`), nil, true)
		if resp.StatusCode != 400 || !strings.Contains(string(body), "display_name") {
			t.Fatalf("missing display_name: %d %s", resp.StatusCode, body)
		}

		// The quota: 2 devices per user.
		enrolTOTP(t, srv, c, storeID, alice, "tablet")
		_, err = c.RegisterMfaDeviceForUser(&model.RegisterMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: alice})
		testenv.WantError(t, err, 400, "IIC.1388")
		_, err = c.RegisterMfaDeviceForUser(&model.RegisterMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: "no-such-user"})
		testenv.WantError(t, err, 404, "IIC.1312")
		_, err = c.RegisterMfaDeviceForUser(&model.RegisterMfaDeviceForUserRequest{IdentityStoreId: "d-0000000000", UserId: alice})
		testenv.WantError(t, err, 404, "IIC.1259")

		// Batch-list errors.
		_, err = c.BatchListMfaDevicesForUser(&model.BatchListMfaDevicesForUserRequest{IdentityStoreId: storeID, Body: &model.BatchListMfaDevicesForUserReqBody{UserList: []model.RetrieveMfaDevicesForUserDto{}}})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.BatchListMfaDevicesForUser(&model.BatchListMfaDevicesForUserRequest{IdentityStoreId: storeID, Body: &model.BatchListMfaDevicesForUserReqBody{
			UserList: []model.RetrieveMfaDevicesForUserDto{{IdentityStoreId: "d-ffffffffff", UserId: alice}}}})
		testenv.WantError(t, err, 400, "IIC.400")
		many := make([]model.RetrieveMfaDevicesForUserDto, 101)
		for i := range many {
			many[i] = model.RetrieveMfaDevicesForUserDto{IdentityStoreId: storeID, UserId: alice}
		}
		_, err = c.BatchListMfaDevicesForUser(&model.BatchListMfaDevicesForUserRequest{IdentityStoreId: storeID, Body: &model.BatchListMfaDevicesForUserReqBody{UserList: many}})
		testenv.WantError(t, err, 400, "IIC.400")

		// Delete.
		_, err = c.DeleteMfaDeviceForUser(&model.DeleteMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: bob, DeviceId: d.DeviceId})
		testenv.WantError(t, err, 400, "IIC.1387")
		_, err = c.DeleteMfaDeviceForUser(&model.DeleteMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: "no-such-user", DeviceId: d.DeviceId})
		testenv.WantError(t, err, 404, "IIC.1312")
		if _, err := c.DeleteMfaDeviceForUser(&model.DeleteMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: alice, DeviceId: d.DeviceId}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteMfaDeviceForUser(&model.DeleteMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: alice, DeviceId: d.DeviceId})
		testenv.WantError(t, err, 400, "IIC.1387")
		left := listDevices(t, c, storeID, alice)[0].MfaDevices
		if len(left) != 1 || left[0].DisplayName != "tablet" {
			t.Fatalf("left = %+v", left)
		}
		// A freed slot can be registered again.
		if _, err := c.RegisterMfaDeviceForUser(&model.RegisterMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: alice}); err != nil {
			t.Fatal(err)
		}

		// Deleting the user deletes its devices.
		if err := srv.App.Identity.DeleteUser(context.Background(), storeID, alice); err != nil {
			t.Fatal(err)
		}
		if n, err := srv.App.Store.Devices().ListDevices(context.Background(), storeID, alice); err != nil || len(n) != 0 {
			t.Fatalf("devices of a deleted user: %+v, %v", n, err)
		}
	})
}

func TestIdentityStoreSessionsThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, storeID := identityStore(t, dialect)
		ctx := context.Background()
		alice := deviceUser(t, srv, storeID, "alice")
		bob := deviceUser(t, srv, storeID, "bob")

		list := func(user string) []model.UserSessionDto {
			t.Helper()
			res, err := c.ListSessions(&model.ListSessionsRequest{IdentityStoreId: storeID, UserId: user})
			if err != nil {
				t.Fatalf("ListSessions: %v", err)
			}
			if res.SessionList == nil {
				t.Fatal("no session_list")
			}
			return *res.SessionList
		}
		if got := list(alice); len(got) != 0 {
			t.Fatalf("sessions before sign-in: %+v", got)
		}
		_, s1, err := srv.App.Identity.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: alice, SourceIP: "192.0.2.10", UserAgent: "Mozilla/5.0 (test)", AuthMethods: []string{"pwd"}})
		if err != nil {
			t.Fatal(err)
		}
		_, s2, _ := srv.App.Identity.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: alice, TTL: time.Hour})
		_, sb, _ := srv.App.Identity.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: bob})
		got := list(alice)
		if len(got) != 2 {
			t.Fatalf("sessions = %+v", got)
		}
		byID := map[string]model.UserSessionDto{}
		for _, s := range got {
			byID[s.SessionId] = s
		}
		g1 := byID[s1.ID]
		if g1.UserId != alice || g1.IpAddress == nil || *g1.IpAddress != "192.0.2.10" || g1.UserAgent == nil || *g1.UserAgent != "Mozilla/5.0 (test)" ||
			g1.CreationTime != s1.CreatedAt.UnixMilli() || g1.SessionNotValidAfter != s1.ExpiresAt.UnixMilli() {
			t.Fatalf("session = %+v, want %+v", g1, s1)
		}
		if g2, ok := byID[s2.ID]; !ok || g2.SessionNotValidAfter-g2.CreationTime != time.Hour.Milliseconds() || g2.IpAddress != nil {
			t.Fatalf("second session = %+v", g2)
		}

		// Unknown ids and another user's session are ignored.
		if _, err := c.BatchDeleteSessions(&model.BatchDeleteSessionsRequest{IdentityStoreId: storeID, UserId: alice,
			Body: &model.BatchDeleteSessionsReqBody{SessionIds: []string{s1.ID, sb.ID, "no-such-session"}}}); err != nil {
			t.Fatal(err)
		}
		if got := list(alice); len(got) != 1 || got[0].SessionId != s2.ID {
			t.Fatalf("after batch delete: %+v", got)
		}
		if got := list(bob); len(got) != 1 || got[0].SessionId != sb.ID {
			t.Fatalf("bob's sessions: %+v", got)
		}

		// Errors.
		_, err = c.ListSessions(&model.ListSessionsRequest{IdentityStoreId: storeID, UserId: "no-such-user"})
		testenv.WantError(t, err, 404, "IIC.1312")
		_, err = c.ListSessions(&model.ListSessionsRequest{IdentityStoreId: "d-0000000000", UserId: alice})
		testenv.WantError(t, err, 404, "IIC.1259")
		_, err = c.BatchDeleteSessions(&model.BatchDeleteSessionsRequest{IdentityStoreId: storeID, UserId: "no-such-user",
			Body: &model.BatchDeleteSessionsReqBody{SessionIds: []string{s2.ID}}})
		testenv.WantError(t, err, 404, "IIC.1312")
		_, err = c.BatchDeleteSessions(&model.BatchDeleteSessionsRequest{IdentityStoreId: storeID, UserId: alice,
			Body: &model.BatchDeleteSessionsReqBody{SessionIds: []string{}}})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.BatchDeleteSessions(&model.BatchDeleteSessionsRequest{IdentityStoreId: storeID, UserId: alice,
			Body: &model.BatchDeleteSessionsReqBody{SessionIds: make([]string, 101)}})
		testenv.WantError(t, err, 400, "IIC.400")
		resp, body := srv.Do(t, "POST", "/v1/identity-stores/"+storeID+"/users/"+alice+"/sessions/batch-delete", []byte(`{"session_ids":"x"}`), nil, true)
		if resp.StatusCode != 400 || !strings.Contains(string(body), "IIC.400") {
			t.Fatalf("wrong type: %d %s", resp.StatusCode, body)
		}
		if got := list(alice); len(got) != 1 {
			t.Fatalf("a failed call deleted sessions: %+v", got)
		}

		// Disabling a user and an admin password reset both sign it out.
		if _, err := c.DisableUser(&model.DisableUserRequest{IdentityStoreId: storeID, UserId: bob}); err != nil {
			t.Fatal(err)
		}
		if got := list(bob); len(got) != 0 {
			t.Fatalf("bob's sessions after disable: %+v", got)
		}
		if got := list(alice); len(got) != 1 {
			t.Fatalf("alice's sessions after bob was disabled: %+v", got)
		}
		if _, err := c.ResetPwdMode(&model.ResetPwdModeRequest{IdentityStoreId: storeID, UserId: alice,
			Body: &model.UpdatePwdModeReqBody{Mode: model.GetUpdatePwdModeReqBodyModeEnum().OTP}}); err != nil {
			t.Fatal(err)
		}
		if got := list(alice); len(got) != 0 {
			t.Fatalf("alice's sessions after a password reset: %+v", got)
		}
		if _, _, err := srv.App.Identity.CreateSession(ctx, identity.NewSession{StoreID: storeID, UserID: alice}); err != nil || len(list(alice)) != 1 {
			t.Fatalf("a new session for alice: %v", err)
		}

		// Deleting the user ends its sessions.
		if err := srv.App.Identity.DeleteUser(ctx, storeID, alice); err != nil {
			t.Fatal(err)
		}
		if got, err := srv.App.Store.Sessions().List(ctx, storeID, alice, time.Now()); err != nil || len(got) != 0 {
			t.Fatalf("sessions of a deleted user: %+v, %v", got, err)
		}
	})
}

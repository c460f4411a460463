package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// deviceTests are the conformance tests of this area.
var deviceTests = []namedTest{
	{"MFADevices", testMFADevices},
	{"MFADeviceLimitIsAtomic", testMFADeviceLimitAtomic},
	{"MFARegistrations", testMFARegistrations},
	{"DevicesCascadeWithUser", testDevicesCascade},
}

const devStore = "d-00000000d1"

func devUser(t *testing.T, s store.Store, storeID, id string) {
	t.Helper()
	u := store.User{IdentityStoreID: storeID, ID: id, UserName: "user-" + id, Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatalf("create user %s: %v", id, err)
	}
}

func devDevice(userID, id string, at time.Time) store.MFADevice {
	return store.MFADevice{IdentityStoreID: devStore, UserID: userID, ID: id, Type: "TOTP", DeviceName: "Authenticator app",
		DisplayName: "phone " + id, SecretSealed: []byte("sealed-" + id), CreatedAt: at}
}

func testMFADevices(t *testing.T, s store.Store) {
	dv := s.Devices()
	devUser(t, s, devStore, "u1")
	devUser(t, s, devStore, "u2")
	// The same user id in another store is another user.
	devUser(t, s, "d-00000000d2", "u1")

	d1 := devDevice("u1", "dev1", t0.Add(time.Second))
	d1.LastStep, d1.LastUsedAt = 42, t0.Add(time.Minute)
	d2 := devDevice("u1", "dev0", t0) // older, listed first
	d2.Type, d2.DeviceName = "WEBAUTHN", "Security key"
	for _, d := range []store.MFADevice{d1, d2} {
		if err := dv.CreateDevice(ctx, d, 2); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "third device over the limit", dv.CreateDevice(ctx, devDevice("u1", "dev2", t0), 2), store.ErrLimit)
	wantErr(t, "duplicate id", dv.CreateDevice(ctx, devDevice("u2", "dev1", t0), 0), store.ErrConflict)
	wantErr(t, "unknown user", dv.CreateDevice(ctx, devDevice("nobody", "dev9", t0), 0), store.ErrNotFound)
	// No limit when max <= 0.
	for i := 0; i < 3; i++ {
		if err := dv.CreateDevice(ctx, devDevice("u2", fmt.Sprint("x", i), t0), 0); err != nil {
			t.Fatal(err)
		}
	}

	got, err := dv.GetDevice(ctx, devStore, "u1", "dev1")
	if err != nil || !reflect.DeepEqual(got, d1) {
		t.Fatalf("GetDevice =\n%+v, %v\nwant\n%+v", got, err, d1)
	}
	_, err = dv.GetDevice(ctx, devStore, "u2", "dev1")
	wantErr(t, "device of another user", err, store.ErrNotFound)
	_, err = dv.GetDevice(ctx, "d-00000000d2", "u1", "dev1")
	wantErr(t, "device in another store", err, store.ErrNotFound)

	list, err := dv.ListDevices(ctx, devStore, "u1")
	if err != nil || len(list) != 2 || list[0].ID != "dev0" || list[1].ID != "dev1" || !reflect.DeepEqual(list[1], d1) {
		t.Fatalf("ListDevices = %+v, %v; want dev0, dev1", list, err)
	}
	if list, err := dv.ListDevices(ctx, "d-00000000d2", "u1"); err != nil || len(list) != 0 {
		t.Fatalf("other store's user lists %+v, %v", list, err)
	}
	if list, err := dv.ListDevices(ctx, devStore, "nobody"); err != nil || len(list) != 0 {
		t.Fatalf("unknown user lists %+v, %v", list, err)
	}

	if err := dv.UpdateDevice(ctx, devStore, "u1", "dev1", func(d *store.MFADevice) error {
		d.DisplayName, d.LastStep, d.LastUsedAt = "renamed", 43, t0.Add(time.Hour)
		d.ID, d.UserID, d.IdentityStoreID = "hijack", "u2", "d-00000000d2" // ignored
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, _ = dv.GetDevice(ctx, devStore, "u1", "dev1")
	if got.DisplayName != "renamed" || got.LastStep != 43 || !got.LastUsedAt.Equal(t0.Add(time.Hour)) || !bytes.Equal(got.SecretSealed, d1.SecretSealed) {
		t.Fatalf("update not saved: %+v", got)
	}
	boom := errors.New("boom")
	if err := dv.UpdateDevice(ctx, devStore, "u1", "dev1", func(d *store.MFADevice) error { d.DisplayName = "lost"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("updater error = %v", err)
	}
	if got, _ = dv.GetDevice(ctx, devStore, "u1", "dev1"); got.DisplayName != "renamed" {
		t.Fatal("failed update was saved")
	}
	wantErr(t, "update missing", dv.UpdateDevice(ctx, devStore, "u2", "dev1", func(*store.MFADevice) error { return nil }), store.ErrNotFound)

	wantErr(t, "delete another user's device", dv.DeleteDevice(ctx, devStore, "u2", "dev1"), store.ErrNotFound)
	if err := dv.DeleteDevice(ctx, devStore, "u1", "dev1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", dv.DeleteDevice(ctx, devStore, "u1", "dev1"), store.ErrNotFound)
	// A freed slot can be used again.
	if err := dv.CreateDevice(ctx, devDevice("u1", "dev3", t0), 2); err != nil {
		t.Fatalf("create after delete: %v", err)
	}
}

// Concurrent CreateDevice calls for one user never exceed the limit.
func testMFADeviceLimitAtomic(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := s.Devices().CreateDevice(ctx, devDevice("u1", fmt.Sprint("c", i), t0), 2)
			switch {
			case err == nil:
				mu.Lock()
				created++
				mu.Unlock()
			case !errors.Is(err, store.ErrLimit):
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	list, _ := s.Devices().ListDevices(ctx, devStore, "u1")
	if created != 2 || len(list) != 2 {
		t.Fatalf("%d creates succeeded, %d devices stored; want 2 and 2", created, len(list))
	}
}

func testMFARegistrations(t *testing.T, s store.Store) {
	dv := s.Devices()
	devUser(t, s, devStore, "u1")
	devUser(t, s, devStore, "u2")
	r := store.MFARegistration{TokenHash: []byte("hash-1"), IdentityStoreID: devStore, UserID: "u1", CreatedAt: t0, CreatedBy: "admin", ExpiresAt: t0.Add(24 * time.Hour)}
	if err := dv.CreateRegistration(ctx, r); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "duplicate token", dv.CreateRegistration(ctx, r), store.ErrConflict)
	bad := r
	bad.TokenHash, bad.UserID = []byte("hash-x"), "nobody"
	wantErr(t, "unknown user", dv.CreateRegistration(ctx, bad), store.ErrNotFound)
	got, err := dv.GetRegistration(ctx, []byte("hash-1"))
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("GetRegistration =\n%+v, %v\nwant\n%+v", got, err, r)
	}
	_, err = dv.GetRegistration(ctx, []byte("hash-2"))
	wantErr(t, "unknown token", err, store.ErrNotFound)

	if err := dv.UpdateRegistration(ctx, r.TokenHash, func(r *store.MFARegistration) error {
		r.Type, r.SecretSealed, r.ExpiresAt = "TOTP", []byte("sealed seed"), t0.Add(time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, _ = dv.GetRegistration(ctx, r.TokenHash)
	if got.Type != "TOTP" || string(got.SecretSealed) != "sealed seed" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || got.UserID != "u1" {
		t.Fatalf("update not saved: %+v", got)
	}
	boom := errors.New("boom")
	if err := dv.UpdateRegistration(ctx, r.TokenHash, func(r *store.MFARegistration) error { r.Type = "WEBAUTHN"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("updater error = %v", err)
	}
	if got, _ = dv.GetRegistration(ctx, r.TokenHash); got.Type != "TOTP" {
		t.Fatal("failed update was saved")
	}
	wantErr(t, "update missing", dv.UpdateRegistration(ctx, []byte("nope"), func(*store.MFARegistration) error { return nil }), store.ErrNotFound)

	// Per-user and expiry clean-up.
	for i, u := range []string{"u1", "u1", "u2"} {
		x := r
		x.TokenHash, x.UserID, x.ExpiresAt = []byte(fmt.Sprint("more-", i)), u, t0.Add(time.Duration(i-1)*time.Minute)
		if err := dv.CreateRegistration(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	// more-0 expired a minute before t0, more-1 expires exactly at t0.
	if n, err := dv.DeleteExpiredRegistrations(ctx, t0, 100); err != nil || n != 2 {
		t.Fatalf("DeleteExpiredRegistrations = %d, %v; want 2", n, err)
	}
	if _, err := dv.GetRegistration(ctx, []byte("more-2")); err != nil {
		t.Fatalf("unexpired registration deleted: %v", err)
	}
	if n, err := dv.DeleteRegistrationsOfUser(ctx, devStore, "u1"); err != nil || n != 1 {
		t.Fatalf("DeleteRegistrationsOfUser = %d, %v; want 1 (hash-1)", n, err)
	}
	_, err = dv.GetRegistration(ctx, r.TokenHash)
	wantErr(t, "registration of cleared user", err, store.ErrNotFound)
	if err := dv.DeleteRegistration(ctx, []byte("more-2")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", dv.DeleteRegistration(ctx, []byte("more-2")), store.ErrNotFound)
}

// Deleting a user deletes its devices, registrations and sessions.
func testDevicesCascade(t *testing.T, s store.Store) {
	dv := s.Devices()
	devUser(t, s, devStore, "u1")
	devUser(t, s, devStore, "u2")
	for _, u := range []string{"u1", "u2"} {
		if err := dv.CreateDevice(ctx, devDevice(u, "dev-"+u, t0), 2); err != nil {
			t.Fatal(err)
		}
		if err := s.Sessions().Create(ctx, devSession(u, "s-"+u, t0, t0.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		if err := dv.CreateRegistration(ctx, store.MFARegistration{TokenHash: []byte("r-" + u), IdentityStoreID: devStore, UserID: u, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Users().Delete(ctx, devStore, "u1"); err != nil {
		t.Fatal(err)
	}
	if list, _ := dv.ListDevices(ctx, devStore, "u1"); len(list) != 0 {
		t.Fatalf("devices of a deleted user: %+v", list)
	}
	_, err := s.Sessions().GetByToken(ctx, []byte("tok-s-u1"))
	wantErr(t, "session of a deleted user", err, store.ErrNotFound)
	_, err = dv.GetRegistration(ctx, []byte("r-u1"))
	wantErr(t, "registration of a deleted user", err, store.ErrNotFound)
	// A new user with the same id starts clean.
	devUser(t, s, devStore, "u1")
	if list, _ := dv.ListDevices(ctx, devStore, "u1"); len(list) != 0 {
		t.Fatalf("recreated user inherits devices: %+v", list)
	}
	// The other user keeps everything.
	if list, _ := dv.ListDevices(ctx, devStore, "u2"); len(list) != 1 {
		t.Fatalf("u2 devices = %+v", list)
	}
	if _, err := s.Sessions().GetByToken(ctx, []byte("tok-s-u2")); err != nil {
		t.Fatal(err)
	}
	if _, err := dv.GetRegistration(ctx, []byte("r-u2")); err != nil {
		t.Fatal(err)
	}
}

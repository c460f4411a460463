package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

var instanceSettingsTests = []namedTest{
	{"InstanceSettings", testInstanceSettings},
	{"InstanceSettingsConcurrentFirstWrites", testInstanceSettingsConcurrent},
	{"InstanceSettingsGoWithInstance", testInstanceSettingsCascade},
	{"InstanceAliasUnique", testInstanceAliasUnique},
}

func mustInstance(t *testing.T, s store.Store, n int) store.Instance {
	t.Helper()
	a := mustAccount(t, s, fmt.Sprintf("acct-settings-%d", n))
	in := store.Instance{ID: fmt.Sprintf("ins-%016d", n), AccountID: a.ID, IdentityStoreID: fmt.Sprintf("d-%010d", n), RegionID: "cn-north-4", CreatedAt: t0}
	if err := s.Instances().Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	return in
}

var initialSettings = store.InstanceSettings{
	MFAMode: "ALWAYS_ON", AllowedMFATypes: []string{"TOTP"}, NoMFASignInBehavior: "ALLOWED_WITH_ENROLLMENT",
	NoPasswordSignInBehavior: "BLOCKED", MaxAuthenticationAge: "PT8H", MFADevicePermission: "ALL_ACTIONS",
	DisasterRecoveryChoice: "REJECT", UpdatedAt: t0,
}

func testInstanceSettings(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	_, err := s.InstanceSettings().Get(ctx, in.ID)
	wantErr(t, "get before any write", err, store.ErrNotFound)
	wantErr(t, "update of an unknown instance",
		s.InstanceSettings().Update(ctx, "ins-ffffffffffffffff", initialSettings, func(*store.InstanceSettings) error { return nil }), store.ErrNotFound)

	// The first write starts from initial; fn sees it with the instance id.
	err = s.InstanceSettings().Update(ctx, in.ID, initialSettings, func(st *store.InstanceSettings) error {
		if st.InstanceID != in.ID || st.MFAMode != "ALWAYS_ON" {
			return fmt.Errorf("fn saw %+v", st)
		}
		st.MFAMode = "CONTEXT_AWARE"
		st.ABACStatus = "ENABLED"
		st.ABACAttributes = []store.AccessControlAttribute{
			{Key: "dept", Source: []string{"${path:enterprise.department}"}},
			{Key: "email", Source: []string{"${path:emails[primary eq true].value}"}},
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := initialSettings
	want.InstanceID = in.ID
	want.MFAMode = "CONTEXT_AWARE"
	want.ABACStatus = "ENABLED"
	want.ABACAttributes = []store.AccessControlAttribute{
		{Key: "dept", Source: []string{"${path:enterprise.department}"}},
		{Key: "email", Source: []string{"${path:emails[primary eq true].value}"}},
	}
	got, err := s.InstanceSettings().Get(ctx, in.ID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Get = %+v, %v\nwant %+v", got, err, want)
	}

	// Later writes start from what is stored, not from initial.
	other := initialSettings
	other.MFAMode = "DISABLED"
	err = s.InstanceSettings().Update(ctx, in.ID, other, func(st *store.InstanceSettings) error {
		if st.MFAMode != "CONTEXT_AWARE" {
			return fmt.Errorf("second write saw %q", st.MFAMode)
		}
		st.AllowedMFATypes = []string{"TOTP", "WEBAUTHN"}
		st.ABACStatus, st.ABACAttributes = "", nil
		st.UpdatedAt = t0.Add(time.Second)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want.AllowedMFATypes = []string{"TOTP", "WEBAUTHN"}
	want.ABACStatus, want.ABACAttributes = "", nil
	want.UpdatedAt = t0.Add(time.Second)
	if got, err := s.InstanceSettings().Get(ctx, in.ID); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after second write = %+v, %v\nwant %+v", got, err, want)
	}

	// An error from fn writes nothing.
	boom := errors.New("boom")
	err = s.InstanceSettings().Update(ctx, in.ID, initialSettings, func(st *store.InstanceSettings) error {
		st.MFAMode = "ALWAYS_ON"
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("fn error = %v", err)
	}
	if got, _ := s.InstanceSettings().Get(ctx, in.ID); got.MFAMode != "CONTEXT_AWARE" {
		t.Fatalf("failed update wrote %q", got.MFAMode)
	}
	// Nor does an error from fn on a first write.
	second := mustInstance(t, s, 2)
	if err := s.InstanceSettings().Update(ctx, second.ID, initialSettings, func(*store.InstanceSettings) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("fn error on first write = %v", err)
	}
	_, err = s.InstanceSettings().Get(ctx, second.ID)
	wantErr(t, "failed first write", err, store.ErrNotFound)
}

// Concurrent first writes of different fields of one instance both land.
func testInstanceSettingsConcurrent(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, set := range []func(*store.InstanceSettings){
		func(st *store.InstanceSettings) { st.MFADevicePermission = "READ_ACTIONS" },
		func(st *store.InstanceSettings) { st.DisasterRecoveryChoice = "ACCEPT" },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.InstanceSettings().Update(ctx, in.ID, initialSettings, func(st *store.InstanceSettings) error { set(st); return nil })
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.InstanceSettings().Get(ctx, in.ID)
	if err != nil || got.MFADevicePermission != "READ_ACTIONS" || got.DisasterRecoveryChoice != "ACCEPT" {
		t.Fatalf("after concurrent writes = %+v, %v", got, err)
	}
}

func testInstanceSettingsCascade(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	if err := s.InstanceSettings().Update(ctx, in.ID, initialSettings, func(*store.InstanceSettings) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Instances().Delete(ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.InstanceSettings().Get(ctx, in.ID)
	wantErr(t, "settings of a deleted instance", err, store.ErrNotFound)
}

// An alias is unique across instances, case-insensitively; "" (none) is not.
func testInstanceAliasUnique(t *testing.T, s store.Store) {
	a, b, c := mustInstance(t, s, 1), mustInstance(t, s, 2), mustInstance(t, s, 3)
	setAlias := func(id, alias string) error {
		return s.Instances().Update(ctx, id, func(in *store.Instance) error { in.Alias = alias; return nil })
	}
	if err := setAlias(a.ID, "corp"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "same alias on another instance", setAlias(b.ID, "corp"), store.ErrConflict)
	wantErr(t, "same alias in other case", setAlias(b.ID, "CORP"), store.ErrConflict)
	if got, _ := s.Instances().Get(ctx, b.ID); got.Alias != "" {
		t.Fatalf("refused alias was written: %q", got.Alias)
	}
	if err := setAlias(b.ID, "corp-2"); err != nil {
		t.Fatal(err)
	}
	if err := setAlias(a.ID, "corp"); err != nil {
		t.Fatalf("rewriting an instance's own alias: %v", err)
	}
	// Once its instance is gone, an alias is free again.
	if err := s.Instances().Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := setAlias(c.ID, "Corp"); err != nil {
		t.Fatalf("alias of a deleted instance: %v", err)
	}
}

package oidc

import (
	"testing"
	"time"
)

// The sweep keeps a sign-in's token family FamilyRetention after its last
// token expired, so ending the user's sign-ins still finds it (and the
// temporary credentials issued under it, which may outlive its tokens).
func TestSweepKeepsFamiliesForTheirCredentials(t *testing.T) {
	f := newFixture(t, "sqlite", Config{}, GrantDeviceCode, GrantRefreshToken)
	dev := f.start(t)
	if err := f.svc.ApproveDevice(ctx, dev.UserCode, f.alice, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantDeviceCode, DeviceCode: dev.DeviceCode}); err != nil {
		t.Fatal(err)
	}
	families := func() int {
		t.Helper()
		fams, err := f.svc.Store.OIDC().UserTokenFamilies(ctx, f.alice.IdentityStoreID, f.alice.UserID)
		if err != nil {
			t.Fatal(err)
		}
		return len(fams)
	}
	f.now = f.now.Add(Default.SessionTTL + time.Minute) // every token expired
	if _, err := f.svc.Sweep(ctx, f.svc.Store, 100); err != nil {
		t.Fatal(err)
	}
	if n := families(); n != 1 {
		t.Fatalf("families right after the tokens expired and a sweep: %d, want 1", n)
	}
	f.now = f.now.Add(FamilyRetention)
	if _, err := f.svc.Sweep(ctx, f.svc.Store, 100); err != nil {
		t.Fatal(err)
	}
	if n := families(); n != 0 {
		t.Fatalf("families FamilyRetention later: %d, want 0", n)
	}
}

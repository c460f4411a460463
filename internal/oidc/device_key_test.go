package oidc

import (
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// A device code's user code is canonical, fixed by the device code, and
// spread over the whole alphabet in every position.
func TestUserCodeOfDeviceCode(t *testing.T) {
	g := ids.Generator{}
	var seen [userCodeLen]map[byte]bool
	for i := range seen {
		seen[i] = map[byte]bool{}
	}
	for range 2000 {
		device := g.Token(43)
		code := userCodeOf(device)
		if norm, ok := NormalizeUserCode(code); !ok || norm != code {
			t.Fatalf("userCodeOf(%q) = %q, not canonical (%q, %v)", device, code, norm, ok)
		}
		if again := userCodeOf(device); again != code {
			t.Fatalf("userCodeOf(%q) = %q, then %q", device, code, again)
		}
		for i, c := range []byte(strings.ReplaceAll(code, "-", "")) {
			seen[i][c] = true
		}
	}
	for i, s := range seen {
		if len(s) != len(UserCodeAlphabet) {
			t.Fatalf("position %d drew %d of the %d letters in 2000 codes", i, len(s), len(UserCodeAlphabet))
		}
	}
	if userCodeOf("a") == userCodeOf("b") {
		t.Fatal("two device codes share a user code")
	}
}

// The device authorization a poll reads is the one its device code's user
// code names, and the poll is refused unless the stored device-code hash
// is that device code's: a device code found to share a pending
// authorization's user code gets nothing.
func TestPollChecksTheWholeDeviceCode(t *testing.T) {
	f := newFixture(t, "sqlite", Config{})
	forged := "forged-device-code"
	row := store.OIDCDeviceAuth{DeviceCodeHash: secrets.TokenHash("the real device code"), UserCodeHash: secrets.TokenHash(userCodeOf(forged)),
		ClientID: f.client.Client.ID, Scopes: []string{"openid"}, CreatedAt: f.now, ExpiresAt: f.now.Add(Default.DeviceTTL),
		IntervalSeconds: 5, Status: store.DevicePending}
	if err := f.svc.Store.OIDC().CreateDeviceAuth(ctx, row); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ApproveDevice(ctx, userCodeOf(forged), f.alice, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantDeviceCode, DeviceCode: forged})
	if OAuthCode(err) != "invalid_grant" {
		t.Fatalf("poll with a device code that only shares the user code: %v (%s), want invalid_grant", err, OAuthCode(err))
	}
	if got, err := f.svc.Store.OIDC().GetDeviceAuth(ctx, row.UserCodeHash); err != nil || got.Status != store.DeviceApproved {
		t.Fatalf("the approved authorization after the forged poll = %+v, %v; want it untouched", got, err)
	}

	// A real one: its poll finds it through the user code.
	dev := f.start(t)
	if dev.UserCode != userCodeOf(dev.DeviceCode) {
		t.Fatalf("user code %q, want the device code's %q", dev.UserCode, userCodeOf(dev.DeviceCode))
	}
	if err := f.svc.ApproveDevice(ctx, dev.UserCode, f.alice, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	tok, err := f.svc.CreateToken(ctx, TokenRequest{ClientID: f.client.Client.ID, ClientSecret: f.client.Secret, GrantType: GrantDeviceCode, DeviceCode: dev.DeviceCode})
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("poll after approval = %+v, %v", tok, err)
	}
}

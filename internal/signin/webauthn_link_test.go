package signin_test

import (
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/testenv"
)

// A key registered through an administrator's registration link: the
// ceremony is bound to the link and the browser's value (another browser's
// answer, or a value too short to be secret, is refused), the link works
// once and not after it expired, the WebAuthn types must be allowed, and
// the key is listed as the user's.
func TestWebAuthnLinkRegistration(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeWebAuthn}, center.NoMFAAllowedWithEnrollment)
		uid := f.user(t, "hank", pw)
		link, err := f.id.RegisterMfaDevice(ctx, identity.Caller{Actor: "root"}, f.storeID, uid)
		if err != nil {
			t.Fatal(err)
		}
		if types, err := f.svc.LinkMFATypes(ctx, link.Token); err != nil || len(types) != 1 || types[0] != center.MFATypeWebAuthn {
			t.Fatalf("LinkMFATypes = %v, %v", types, err)
		}
		_, err = f.svc.LinkMFATypes(ctx, "no-such-token")
		wantDef(t, "types of a dead link", err, apierr.IIC1721)
		browserA, browserB := strings.Repeat("a", 43), strings.Repeat("b", 43)
		_, err = f.svc.BeginWebAuthnLinkRegistration(ctx, link.Token, "short")
		wantDef(t, "a short browser value", err, apierr.IIC1721)
		opts, err := f.svc.BeginWebAuthnLinkRegistration(ctx, link.Token, browserA)
		if err != nil {
			t.Fatal(err)
		}
		key := testenv.NewAuthenticator(t, origin)
		answer := key.Register(t, opts.JSON)
		_, err = f.svc.CompleteWebAuthnLinkRegistration(ctx, link.Token, browserB, answer, "Key")
		wantDef(t, "another browser's ceremony", err, apierr.IIC1727)
		dev, err := f.svc.CompleteWebAuthnLinkRegistration(ctx, link.Token, browserA, answer, "Key")
		if err != nil || dev.DisplayName != "Key" || dev.DeviceName != signin.DeviceNameSecurityKey || dev.Type != identity.MFATypeWebAuthn {
			t.Fatalf("registered %+v, %v", dev, err)
		}
		_, err = f.svc.CompleteWebAuthnLinkRegistration(ctx, link.Token, browserA, answer, "Key")
		wantDef(t, "the link again", err, apierr.IIC1721)
		if devs, _ := f.id.ListMfaDevices(ctx, f.storeID, uid); len(devs) != 1 || devs[0].ID != dev.ID {
			t.Fatalf("hank's devices = %+v", devs)
		}

		link, err = f.id.RegisterMfaDevice(ctx, identity.Caller{Actor: "root"}, f.storeID, uid)
		if err != nil {
			t.Fatal(err)
		}
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAAllowedWithEnrollment)
		_, err = f.svc.BeginWebAuthnLinkRegistration(ctx, link.Token, browserA)
		wantDef(t, "WebAuthn not allowed", err, apierr.IIC1727)
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeWebAuthn}, center.NoMFAAllowedWithEnrollment)
		f.now = f.now.Add(identity.MFARegistrationTTL)
		_, err = f.svc.BeginWebAuthnLinkRegistration(ctx, link.Token, browserA)
		wantDef(t, "an expired link", err, apierr.IIC1721)
	})
}

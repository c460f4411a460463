package signin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/signin"
)

// The session check reads the instance's settings once per SettingsTTL;
// a change is seen within it.
func TestSessionCheckCachesSettings(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeDisabled, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		f.user(t, "kim", pw)
		start := f.now
		r := wantStep(t, "sign-in", mustPassword(f, "kim", signin.Client{}), nil, signin.StepDone)
		instanceReads := func() int {
			n := 0
			for _, q := range f.stmts.during(func() {
				if _, err := f.svc.Session(ctx, r.Token); err != nil {
					t.Fatalf("Session: %v", err)
				}
			}) {
				if strings.Contains(q, "FROM instance") {
					n++
				}
			}
			return n
		}
		if n := instanceReads(); n == 0 {
			t.Fatal("the first session check read no instance settings")
		}
		if n := instanceReads(); n != 0 {
			t.Fatalf("the second session check read the instance settings again (%d statements)", n)
		}
		// max_authentication_age shortened to 30 min, 40 min into the
		// session: still alive while the cached settings are fresh…
		f.now = start.Add(40*time.Minute - signin.SettingsTTL + time.Second)
		if instanceReads() == 0 {
			t.Fatal("stale settings were not read again")
		}
		age := "PT30M"
		if err := f.center.UpdateSSOConfiguration(ctx, f.inst, center.SSOUpdate{ConfigurationType: center.ConfigurationTypeSession, MaxAuthenticationAge: &age}); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(signin.SettingsTTL - 2*time.Second)
		if _, err := f.svc.Session(ctx, r.Token); err != nil {
			t.Fatalf("within the TTL: %v", err)
		}
		// …and ended once they are read again.
		f.now = f.now.Add(2 * time.Second)
		_, err := f.svc.Session(ctx, r.Token)
		wantDef(t, "after the TTL", err, apierr.IIC1717)
	})
}

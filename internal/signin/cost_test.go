package signin_test

import (
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/signin"
)

// A password sign-in runs a fixed, small number of store statements (BEGIN
// and COMMIT counted): one read of the user, the SSO configuration and the
// password policy once each, the known contexts in one read and only under
// CONTEXT_AWARE, the devices only when MFA is asked for, and in the
// transaction the session (its user's lock checking it is enabled), the
// failure record cleared only when there is one, and the three contexts in
// one upsert and one trim.
func TestPasswordSignInStatements(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeDisabled, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		f.user(t, "bench", pw)
		c := signin.Client{Address: "192.0.2.1", UserAgent: browser, DeviceID: "bench-device-0000000000"}
		run := func(what string, want int, step signin.Step) []string {
			t.Helper()
			var r signin.Result
			var err error
			log := f.stmts.during(func() { r, err = f.password("bench", pw, c) })
			wantStep(t, what, r, err, step)
			if len(log) != want {
				t.Fatalf("%s: %d statements, want %d:\n%s", what, len(log), want, strings.Join(log, "\n"))
			}
			return log
		}
		count := func(log []string, prefix string) (n int) {
			for _, q := range log {
				if strings.HasPrefix(q, prefix) {
					n++
				}
			}
			return n
		}
		log := run("MFA disabled", 13, signin.StepDone)
		if n := count(log, "INSERT INTO signin_contexts"); n != 1 {
			t.Fatalf("%d context upserts, want 1", n)
		}
		if n := count(log, "DELETE FROM signin_failures"); n != 0 {
			t.Fatal("cleared a failure record that does not exist")
		}
		// A failure first: the sign-in clears its record (one statement more).
		if _, err := f.password("bench", "wrong", c); err == nil {
			t.Fatal("wrong password accepted")
		}
		if log := run("after a failure", 14, signin.StepDone); count(log, "DELETE FROM signin_failures") != 1 {
			t.Fatal("the failure record was not cleared")
		}
		f.sso(t, center.MFAModeContextAware, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
		run("CONTEXT_AWARE, known context", 14, signin.StepDone)
		c.DeviceID = "another-device-000000000"
		run("CONTEXT_AWARE, new device, no MFA device", 15, signin.StepDone)
	})
}

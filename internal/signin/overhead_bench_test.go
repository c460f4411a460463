package signin_test

import (
	"testing"

	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/cputime"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// BenchmarkPasswordSignInOverhead is a whole password sign-in (MFA off:
// the session opens) with a negligible hash, on each store: what a sign-in
// costs besides Argon2id. It reports this process's CPU per sign-in
// (cpu-µs/signin: the service and the store's client side; PostgreSQL's own
// CPU is not in it), robust against other load where ns/op is not.
//
//	go test -run '^$' -bench PasswordSignInOverhead -benchtime 2000x -cpu 1 ./internal/signin
func BenchmarkPasswordSignInOverhead(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			f := newFixture(b, d)
			f.sso(b, center.MFAModeDisabled, []string{center.MFATypeTOTP}, center.NoMFAAllowed)
			f.user(b, "bench", pw)
			c := signin.Client{Address: "192.0.2.1", UserAgent: browser, DeviceID: "bench-device-0000000000"}
			b.ResetTimer()
			cpu0 := cputime.Process()
			for b.Loop() {
				if r, err := f.password("bench", pw, c); err != nil || r.Step != signin.StepDone {
					b.Fatal(r.Step, err)
				}
			}
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N), "cpu-µs/signin")
		})
	}
}

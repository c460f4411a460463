package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/cputime"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// BenchmarkPortalPasswordSignIn is the portal's password sign-in through a real
// server on loopback (internal/signin's BenchmarkPasswordSignIn is the
// service alone, one at a time), as tools/loadgen's password scenario sends it: MFA
// off, one user, every POST /start/signin (CSRF token and cookie loaded
// once per client) ending in a session, from 2×GOMAXPROCS keep-alive
// clients. It reports the process's CPU per sign-in (server, store and
// client: cpu-µs/signin), the CPU of one Argon2id hash of the default
// parameters timed in the same process one at a time afterwards
// (hash-cpu-µs), and the hash's share of a sign-in (hash-%); the issue's
// target is a share above 90 %. CPU time per operation is robust against
// other load on the machine; wall-clock throughput is not.
//
//	go test -run '^$' -bench PortalPasswordSignIn -benchtime 200x -cpu 2 ./internal/e2e
func BenchmarkPortalPasswordSignIn(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) { benchPasswordSignIn(b, d) })
	}
}

var benchCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func benchPasswordSignIn(b *testing.B, d string) {
	const password = "Bench-Passw0rd-2026!"
	srv := testenv.Start(b, testenv.Options{Dialect: d})
	ins, storeID := srv.EnableIdentityCenter(b)
	ctx := context.Background()
	if _, err := srv.Center(b).UpdateSsoConfiguration(&model.UpdateSsoConfigurationRequest{InstanceId: ins, Body: &model.UpdateSsoConfigurationReqBody{
		ConfigurationType: enum[model.UpdateSsoConfigurationReqBodyConfigurationType]("APP_AUTHENTICATION_CONFIGURATION"),
		SsoConfiguration: &model.SsoConfigurationDto{MfaMode: ptr(enum[model.SsoConfigurationDtoMfaMode]("DISABLED")),
			NoMfaSigninBehavior: ptr(enum[model.SsoConfigurationDtoNoMfaSigninBehavior]("ALLOWED"))}}}); err != nil {
		b.Fatal(err)
	}
	uid, _, err := srv.App.Identity.CreateUser(ctx, identity.Caller{Actor: "bench"}, storeID, identity.NewUser{UserName: "bench", DisplayName: "bench",
		PasswordMode: identity.PasswordModeNone, Profile: identity.Profile{Name: identity.Name{GivenName: "B", FamilyName: "Ench"},
			Emails: []identity.Email{{Value: "bench@example.com", Type: "work", Primary: true}}}})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.App.Identity.SetPassword(ctx, storeID, uid, password); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// The form once: its CSRF cookie and token, as a browser holds them.
	resp, err := client.Get(srv.URL + "/start/" + storeID)
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := benchCSRF.FindSubmatch(page)
	cookies := resp.Cookies()
	if m == nil || len(cookies) == 0 {
		b.Fatalf("no CSRF token or cookie in the sign-in form (%d)", resp.StatusCode)
	}
	body := url.Values{"csrf": {string(m[1])}, "username": {"bench"}, "password": {password}, "store": {storeID}}.Encode()
	signIn := func() error {
		req, _ := http.NewRequest("POST", srv.URL+"/start/signin", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/start" {
			b.Errorf("POST /start/signin: %d → %q, want 303 → /start", resp.StatusCode, resp.Header.Get("Location"))
		}
		return nil
	}
	if err := signIn(); err != nil {
		b.Fatal(err)
	}
	perSignIn := benchParallel(b, signIn, "signins/s")
	b.ReportMetric(perSignIn, "cpu-µs/signin")
	b.StopTimer()
	hash := benchHashCPU(password)
	b.ReportMetric(hash, "hash-cpu-µs")
	b.ReportMetric(100*hash/perSignIn, "hash-%")
}

// benchHashCPU is the median CPU time of one Argon2id of the default
// parameters (a stored hash verified), in µs, timed one at a time.
func benchHashCPU(password string) float64 {
	h := identity.NewArgon2(identity.DefaultArgon2)
	stored, err := h.Hash(password)
	if err != nil {
		panic(err)
	}
	var times []time.Duration
	for range 15 {
		t0 := cputime.Process()
		identity.CheckPasswordHash(stored, password)
		times = append(times, cputime.Process()-t0)
	}
	slices.Sort(times)
	return float64(times[len(times)/2].Microseconds())
}

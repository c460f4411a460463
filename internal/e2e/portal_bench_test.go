package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/cputime"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/portal"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// BenchmarkGetAgencyCredentials is GetAgencyCredentials through a real
// server on loopback, from 2×GOMAXPROCS keep-alive clients: a user in a
// group assigned a permission set (a managed and a custom policy) in the
// management account, with one access-control attribute. It reports
// requests per second (req/s); each request issues and stores one
// temporary credential. "cached" is the default configuration, where the
// user's grant is reused for the auth cache TTL (the same user asking
// again: one INSERT per request); "uncached" resolves the user, its groups,
// assignments and agency on every request (--auth-cache-ttl < 0), as a
// user's first request does.
//
//	go test -run '^$' -bench GetAgencyCredentials ./internal/e2e
func BenchmarkGetAgencyCredentials(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		for _, mode := range []struct {
			name string
			ttl  time.Duration
		}{{"cached", 0}, {"uncached", -1}} {
			b.Run(sqltest.Name(d)+"/"+mode.name, func(b *testing.B) { benchCredentials(b, d, mode.ttl) })
		}
	}
}

func benchCredentials(b *testing.B, d string, ttl time.Duration) {
	tokens := &testTokens{}
	srv := testenv.Start(b, testenv.Options{Dialect: d, PortalTokens: tokens.authenticate, AuthCacheTTL: ttl})
	ins, storeID := srv.EnableIdentityCenter(b)
	ctx := context.Background()
	caller := identity.Caller{Actor: "bench"}
	uid, _, err := srv.App.Identity.CreateUser(ctx, caller, storeID, identity.NewUser{UserName: "bench", DisplayName: "bench",
		PasswordMode: identity.PasswordModeNone, Profile: identity.Profile{Name: identity.Name{GivenName: "B", FamilyName: "Ench"},
			Emails:     []identity.Email{{Value: "bench@example.com", Type: "work", Primary: true}},
			Enterprise: &identity.Enterprise{Department: "engineering"}}})
	if err != nil {
		b.Fatal(err)
	}
	gid, err := srv.App.Identity.CreateGroup(ctx, caller, storeID, identity.NewGroup{DisplayName: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := srv.App.Identity.CreateGroupMembership(ctx, storeID, gid, uid); err != nil {
		b.Fatal(err)
	}
	c := srv.Center(b)
	if _, err := c.CreateInstanceAccessControlAttributeConfiguration(&model.CreateInstanceAccessControlAttributeConfigurationRequest{InstanceId: ins,
		Body: &model.CreateInstanceAccessControlAttributeConfigurationReqBody{InstanceAccessControlAttributeConfiguration: abacBody(
			[2]string{"department", "${path:enterprise.department}"})}}); err != nil {
		b.Fatal(err)
	}
	ps, err := c.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "Bench"}})
	if err != nil {
		b.Fatal(err)
	}
	psID := *ps.PermissionSet.PermissionSetId
	if _, err := c.PutCustomPolicyToPermissionSet(&model.PutCustomPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: psID,
		Body: &model.PutCustomPolicyToPermissionSetReqBody{CustomPolicy: `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:*:list*"]}]}`}}); err != nil {
		b.Fatal(err)
	}
	mgmt := srv.App.Root.AccountID
	if _, err := assign(c, ins, psID, "GROUP", gid, mgmt); err != nil {
		b.Fatal(err)
	}
	inst, err := srv.App.Store.Instances().Get(ctx, ins)
	if err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if _, err := srv.App.RunJobs(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := srv.App.Permission.Agency(ctx, inst, mgmt, psID); err == nil {
			break
		} else if err != store.ErrNotFound || time.Now().After(deadline) {
			b.Fatalf("agency: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	tokens.issue("bench-token", portal.User{IdentityStoreID: storeID, UserID: uid, Session: "bench"})
	target := srv.URL + "/v1/credentials?" + url.Values{"target_account_id": {mgmt},
		"agency_urn": {"iam::" + mgmt + ":agency:IdentityCenter_Bench"}}.Encode()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func() error {
		req, _ := http.NewRequest("GET", target, nil)
		req.Header.Set("access-token", "bench-token")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	if err := get(); err != nil {
		b.Fatal(err)
	}
	// CPU of the whole process (server, store, client) per request:
	// on a machine shared with other work, 2 cores / this is the
	// ceiling req/s would reach on 2 idle cores.
	b.ReportMetric(benchParallel(b, get, "req/s"), "cpu-µs/req")
}

// benchParallel calls op b.N times from 2 × GOMAXPROCS goroutines, reports
// the calls per second as rateUnit and returns the process's CPU time per
// call in µs. A failed call fails the benchmark.
func benchParallel(b *testing.B, op func() error, rateUnit string) float64 {
	b.SetParallelism(2)
	b.ResetTimer()
	start, cpu0 := time.Now(), cputime.Process()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	perCall := float64((cputime.Process() - cpu0).Microseconds()) / float64(b.N)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), rateUnit)
	return perCall
}

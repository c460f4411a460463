package e2e

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/testenv"
)

// TestMeasureSCIM measures SCIM user creates at 16 clients, one /Bulk of
// 1,000 creates, and member PATCHes on a large group (IIC_MEASURE=1;
// IIC_MEASURE_MEMBERS sets the group's size, default 10,000).
func TestMeasureSCIM(t *testing.T) {
	if os.Getenv("IIC_MEASURE") != "1" {
		t.Skip("set IIC_MEASURE=1 to measure")
	}
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, MaxUsersPerStore: 1_000_000})
		_, storeID := srv.EnableIdentityCenter(t)
		tenant, auth := srv.SCIMTenant(t, storeID)
		c := &scimClient{t: t, srv: srv, tenant: tenant, auth: auth}
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		client := &http.Client{Transport: tr}
		post := func(method, path, body string) (int, error) {
			req, _ := http.NewRequest(method, srv.URL+"/"+c.tenant+"/scim/v2"+path, strings.NewReader(body))
			req.Header.Set("Authorization", c.auth)
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			resp.Body.Close()
			return resp.StatusCode, nil
		}
		userBody := func(n int) string {
			return fmt.Sprintf(`{"userName":"load-%d","name":{"givenName":"G","familyName":"F"},"emails":[{"value":"load-%d@example.com","primary":true}]}`, n, n)
		}
		const clients, perClient = 16, 250
		var next atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range perClient {
					if code, err := post("POST", "/Users", userBody(int(next.Add(1)))); err != nil || code != 201 {
						t.Errorf("create: %d %v", code, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		d := time.Since(start)
		t.Logf("%s: %d SCIM user creates at %d clients in %v: %.0f/s", dialect, clients*perClient, clients, d.Round(time.Millisecond), float64(clients*perClient)/d.Seconds())

		ops := make([]string, 1000)
		for i := range ops {
			ops[i] = fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"b%d","data":%s}`, i, userBody(100000+i))
		}
		start = time.Now()
		if code, err := post("POST", "/Bulk", `{"Operations":[`+strings.Join(ops, ",")+`]}`); err != nil || code != 200 {
			t.Fatalf("bulk: %d %v", code, err)
		}
		t.Logf("%s: one /Bulk of 1,000 user creates: %v", dialect, time.Since(start).Round(time.Millisecond))

		// A large group: members added through one replace, then single adds/removes.
		size := 10000
		fmt.Sscan(os.Getenv("IIC_MEASURE_MEMBERS"), &size)
		ids := make([]string, 0, size)
		for i := 0; len(ids) < size; i++ {
			batch := make([]string, 0, 1000)
			for j := 0; j < 1000 && len(ids)+len(batch) < size; j++ {
				batch = append(batch, fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"m%d","data":%s}`, j, userBody(200000+len(ids)+j)))
			}
			bulkStart := time.Now()
			code, _, m := c.do("POST", "/Bulk", `{"Operations":[`+strings.Join(batch, ",")+`]}`)
			if code != 200 {
				t.Fatal(code, m)
			}
			if i%10 == 0 {
				t.Logf("%s: bulk %d (users %d–%d): %v", dialect, i, len(ids), len(ids)+len(batch), time.Since(bulkStart).Round(time.Millisecond))
			}
			for _, o := range m["Operations"].([]any) {
				loc := o.(map[string]any)["location"].(string)
				ids = append(ids, loc[strings.LastIndex(loc, "/")+1:])
			}
		}
		_, _, g := c.do("POST", "/Groups", `{"displayName":"Large"}`)
		gid := g["id"].(string)
		members := make([]string, len(ids))
		for i, id := range ids {
			members[i] = `{"value":"` + id + `"}`
		}
		// Members go in by adds of 10,000 (a PATCH body is at most 1 MiB).
		for from := 0; from < len(members); from += 10000 {
			to := min(from+10000, len(members))
			if code, err := post("PATCH", "/Groups/"+gid, `{"Operations":[{"op":"add","path":"members","value":[`+strings.Join(members[from:to], ",")+`]}]}`); err != nil || code != 204 {
				t.Fatalf("add: %d %v", code, err)
			}
		}
		extra := c.user("extra-member", "")
		var lat []time.Duration
		for i := 0; i < 200; i++ {
			op := `{"Operations":[{"op":"add","path":"members","value":[{"value":"` + extra + `"}]}]}`
			if i%2 == 1 {
				op = `{"Operations":[{"op":"remove","path":"members[value eq \"` + extra + `\"]"}]}`
			}
			s := time.Now()
			if code, err := post("PATCH", "/Groups/"+gid, op); err != nil || code != 204 {
				t.Fatalf("patch: %d %v", code, err)
			}
			lat = append(lat, time.Since(s))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		t.Logf("%s: PATCH add/remove one member of a %d-member group: p50 %v, p99 %v", dialect, len(ids), lat[len(lat)/2], lat[len(lat)*99/100])
		lat = lat[:0]
		for i := 0; i < 100; i++ {
			s := time.Now()
			req, _ := http.NewRequest("GET", srv.URL+"/"+c.tenant+"/scim/v2/Groups/"+gid+"?excludedAttributes=members", nil)
			req.Header.Set("Authorization", c.auth)
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatal(err)
			}
			resp.Body.Close()
			lat = append(lat, time.Since(s))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		t.Logf("%s: GET the group with excludedAttributes=members: p50 %v, p99 %v", dialect, lat[len(lat)/2], lat[len(lat)*99/100])
		// Replace with 10,000 members (half of them new to the group when it is small).
		repl := members[len(members)-min(10000, len(members)):]
		replBody := `{"Operations":[{"op":"replace","path":"members","value":[` + strings.Join(repl, ",") + `]}]}`
		// Its memory: bytes allocated and the peak heap in use while it
		// runs, sampled every 2 ms (this process: server and client).
		runtime.GC()
		var before, m runtime.MemStats
		runtime.ReadMemStats(&before)
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		start = time.Now()
		code, err := post("PATCH", "/Groups/"+gid, replBody)
		took := time.Since(start)
		close(stop)
		<-sampled
		if err != nil || code != 204 {
			t.Fatalf("replace: %d %v", code, err)
		}
		runtime.ReadMemStats(&m)
		t.Logf("%s: members replace of %d in one PATCH (%d KiB body) on a group of %d: %v; allocated %d MiB, peak heap in use %d MiB (%d MiB before)",
			dialect, len(repl), len(replBody)>>10, len(ids), took.Round(time.Millisecond), (m.TotalAlloc-before.TotalAlloc)>>20, peak.Load()>>20, before.HeapInuse>>20)
		lat = lat[:0]
		for i := 0; i < 100; i++ {
			s := time.Now()
			req, _ := http.NewRequest("GET", srv.URL+"/"+c.tenant+"/scim/v2/Users?filter=userName%20eq%20%22load-"+fmt.Sprint(i+1)+"%22", nil)
			req.Header.Set("Authorization", c.auth)
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatal(err)
			}
			resp.Body.Close()
			lat = append(lat, time.Since(s))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		t.Logf("%s: userName eq filter (%d users): p50 %v, p99 %v", dialect, 4000+len(ids)+1000, lat[len(lat)/2], lat[len(lat)*99/100])
	})
}

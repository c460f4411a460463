// Command loadgen sends AK/SK-signed requests to an iic server on loopback
// with a fixed number of concurrent clients, for a bounded time and count,
// and reports throughput and latency percentiles.
//
//	go run ./tools/loadgen --url http://127.0.0.1:8080 --creds data/root-credentials.json \
//	    --path /v1/instances --concurrency 16 --duration 10s
//
// --url and --creds default, like every iic client's, to $IIC_URL (else
// http://127.0.0.1:8080) and $IIC_CREDENTIALS (else root-credentials.json
// in $IIC_DATA_DIR, default ./data); a file of temporary credentials
// (iic credentials --format json) signs with its security token.
//
// Each request is signed afresh (as the SDK does), so signature verification
// is part of what is measured. It refuses targets outside the loopback range.
// With --vary N, "{n}" in the path and body becomes a random number below N
// and "{n:12}" the same number zero-padded to 12 digits, e.g.
// --path '/v1/identity-stores/d-…/users/00000000-0000-4000-8000-{n:12}' --vary 1000000
// (the ids `iic dev seed` gives). "{seq}" becomes a number unique to the run
// (for creates), and --scope-header X-Project-Id signs like basic credentials.
//
// With --scim STORE_ID the load goes to the store's SCIM 2.0 endpoint
// instead: loadgen uses the store's provisioning tenant (creating it if there
// is none) and creates a bearer token through the signed identity-store API,
// replaces "{tenant}" in --path with the tenant id, sends each request with
// that token and no signature, and deletes the token when done, e.g.
// --scim d-… --path '/{tenant}/scim/v2/Users?filter=userName%20eq%20%22seed-user-{n}%22' --vary 1000000.
// With --expect S, an answer counts as an error when its first 4 KiB lack S
// (whatever its status: --expect tooMany measures refusals), else when its
// status is 400 or above.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iic-project/iic/internal/aksk"
)

func main() {
	target := flag.String("url", env("IIC_URL", "http://127.0.0.1:8080"), "server base URL, loopback only (env IIC_URL)")
	credsPath := flag.String("creds", env("IIC_CREDENTIALS", filepath.Join(env("IIC_DATA_DIR", "data"), "root-credentials.json")),
		"root-credentials.json to sign with (env IIC_CREDENTIALS; default <IIC_DATA_DIR>/root-credentials.json)")
	method := flag.String("method", "GET", "HTTP method")
	path := flag.String("path", "/v1/instances", "request path and query")
	body := flag.String("body", "", "request body")
	header := flag.String("scope-header", "X-Domain-Id", "scoping header to send with the account id (X-Domain-Id, X-Project-Id or none)")
	conc := flag.Int("concurrency", 16, "concurrent clients")
	dur := flag.Duration("duration", 10*time.Second, "how long to send")
	max := flag.Int("max", 2_000_000, "stop after this many requests")
	vary := flag.Int("vary", 0, "if > 0, replace {n} in --path and --body with a random number in [0, vary) per request")
	scimStore := flag.String("scim", "", "identity store id: send the load to its SCIM endpoint with a bearer token created for the run")
	expect := flag.String("expect", "", "an answer is an error when its first 4 KiB lack this string (default: when its status is >= 400)")
	flag.Parse()

	u, err := url.Parse(*target)
	if err != nil || !loopback(u.Hostname()) {
		fail("--url must be an http URL on the loopback range")
	}
	var creds struct{ AccessKey, SecretKey, SecurityToken, AccountID string }
	b, err := os.ReadFile(*credsPath)
	if err != nil {
		fail(err.Error())
	}
	var raw map[string]string
	json.Unmarshal(b, &raw)
	// root-credentials.json, or temporary credentials as iic credentials
	// --format json prints them (security_token set).
	creds.AccessKey, creds.SecretKey, creds.SecurityToken, creds.AccountID = raw["access_key"], raw["secret_key"], raw["security_token"], raw["account_id"]

	tr := &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	bearer, cleanup := "", func() {}
	if *scimStore != "" {
		s := signer{client: client, base: *target, ak: creds.AccessKey, sk: creds.SecretKey, account: creds.AccountID, header: *header}
		tenant, tokenID, token, err := s.scimToken(*scimStore)
		if err != nil {
			fail("SCIM setup: " + err.Error())
		}
		cleanup = func() {
			p := "/v1/identity-stores/" + *scimStore + "/tenant/" + tenant + "/bearer-token/" + tokenID
			if _, err := s.do("DELETE", p, ""); err != nil {
				fmt.Fprintln(os.Stderr, "loadgen: deleting the run's bearer token:", err)
			}
		}
		defer cleanup()
		*path = strings.ReplaceAll(*path, "{tenant}", tenant)
		bearer = "Bearer " + token
	}
	var sent, failed, seq atomic.Int64
	runID := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	var firstErr atomic.Value
	lat := make([][]time.Duration, *conc)
	deadline := time.Now().Add(*dur)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Now().Before(deadline) && sent.Add(1) <= int64(*max) {
				p, bd := *path, *body
				if *vary > 0 {
					n := rand.IntN(*vary)
					r := strings.NewReplacer("{n}", strconv.Itoa(n), "{n:12}", fmt.Sprintf("%012d", n))
					p, bd = r.Replace(p), r.Replace(bd)
				}
				if strings.Contains(p+bd, "{seq}") {
					q := strconv.FormatInt(seq.Add(1), 10) + "-" + runID
					p, bd = strings.ReplaceAll(p, "{seq}", q), strings.ReplaceAll(bd, "{seq}", q)
				}
				req, _ := http.NewRequest(*method, *target+p, bytes.NewReader([]byte(bd)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("User-Agent", "iic-loadgen")
				t0 := time.Now()
				if bearer != "" {
					req.Header.Set("Authorization", bearer)
				} else {
					if *header != "none" {
						req.Header.Set(*header, creds.AccountID)
					}
					if creds.SecurityToken != "" {
						req.Header.Set(aksk.SecurityTokenHeader, creds.SecurityToken)
					}
					aksk.Sign(req, creds.AccessKey, creds.SecretKey, []byte(bd), t0)
				}
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				rb, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
				resp.Body.Close()
				lat[w] = append(lat[w], time.Since(t0))
				if ok := resp.StatusCode < 400; *expect != "" && !bytes.Contains(rb, []byte(*expect)) || *expect == "" && !ok {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", resp.StatusCode, rb))
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if !report(lat, failed.Load(), elapsed, firstErr.Load()) {
		cleanup()
		fail("no responses")
	}
}

// report prints throughput and latency percentiles; false if there were no
// responses.
func report(lat [][]time.Duration, failed int64, elapsed time.Duration, firstErr any) bool {
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) == 0 {
		return false
	}
	pct := func(p float64) time.Duration { return all[int(float64(len(all)-1)*p)] }
	fmt.Printf("requests=%d errors=%d elapsed=%s rps=%.0f p50=%s p90=%s p99=%s max=%s\n",
		len(all), failed, elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(),
		pct(0.5), pct(0.9), pct(0.99), all[len(all)-1])
	if firstErr != nil {
		fmt.Printf("first error: %s\n", firstErr)
	}
	return true
}

// signer sends single signed requests (the SCIM set-up).
type signer struct {
	client                *http.Client
	base, ak, sk, account string
	header                string
}

func (s signer) do(method, path, body string) (map[string]any, error) {
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "iic-loadgen")
	if s.header != "none" {
		req.Header.Set(s.header, s.account)
	}
	aksk.Sign(req, s.ak, s.sk, []byte(body), time.Now())
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s %s: %v", method, path, err)
	}
	return m, nil
}

// scimToken returns the store's provisioning tenant (created if there is
// none) and a new bearer token for it.
func (s signer) scimToken(storeID string) (tenant, tokenID, token string, err error) {
	p := "/v1/identity-stores/" + storeID
	list, err := s.do("GET", p+"/provision-tenant", "")
	if err != nil {
		return "", "", "", err
	}
	if ts, _ := list["provisioning_tenants"].([]any); len(ts) > 0 {
		tenant, _ = ts[0].(map[string]any)["tenant_id"].(string)
	} else {
		t, err := s.do("POST", p+"/provision-tenant", "")
		if err != nil {
			return "", "", "", err
		}
		tenant, _ = t["tenant_id"].(string)
	}
	tok, err := s.do("POST", p+"/tenant/"+tenant+"/bearer-token", "")
	if err != nil {
		return "", "", "", err
	}
	tokenID, _ = tok["token_id"].(string)
	token, _ = tok["token"].(string)
	if tenant == "" || tokenID == "" || token == "" {
		return "", "", "", fmt.Errorf("unexpected answers: tenant %q, token %v", tenant, tok)
	}
	return tenant, tokenID, token, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "loadgen:", msg)
	os.Exit(2)
}

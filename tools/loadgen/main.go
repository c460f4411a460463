// Command loadgen is iic's one load program: it sends requests to a server
// on loopback with a fixed number of concurrent clients, for a bounded
// time and count, and reports throughput and latency percentiles. It
// speaks to iic and, for the OAuth scenarios, to the peers iic is measured
// beside (Dex, Ory Hydra), so that one program produces both sides of a
// ratio.
//
// The default scenario, signed, sends AK/SK-signed requests:
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
//
// The OAuth scenarios (--scenario, against --peer iic, dex or hydra):
//
//	device              POST device authorization (iic /v1/device/authorize, Dex /device/code)
//	refresh             the refresh_token grant; each worker has its own sign-in and keeps the
//	                    rotated refresh token of each answer for its next request (Dex: worker w
//	                    signs in as r<w>@example.com, since Dex keeps one refresh token per user)
//	client-credentials  the client_credentials grant (Hydra; a client is created through
//	                    --admin-url). iic refuses the grant by design: loadgen checks the refusal
//	                    and prints rps=n/a
//	password            a password sign-in: iic's portal sign-in form (POST /start/signin, the
//	                    form loaded once per worker, every POST ending in a session); Dex's
//	                    password grant as --user (password "password"). It also prints the
//	                    median time of one hash of that sign-in and the ceiling it sets
//	agency-credentials  iic's portal API GetAgencyCredentials (GET /v1/credentials, header
//	                    access-token) for the set-up agency
//
// Against iic they need what --scenario setup makes in a fresh server
// (signed with --creds: Identity Center started with MFA off, a user with a
// password, a permission set assigned to it and provisioned, an OIDC
// client), written to --state:
//
//	loadgen --url $IIC --creds data/root-credentials.json --scenario setup --state state.json
//	loadgen --url $IIC --state state.json --scenario refresh --concurrency 8 --duration 10s
//	loadgen --peer dex --url http://127.0.0.1:5556/dex --scenario refresh
//	loadgen --peer hydra --url http://127.0.0.1:4444 --admin-url http://127.0.0.1:4445 --scenario client-credentials
//
// What a scenario needs (sign-ins approving device authorizations, refresh
// tokens, a client) is made before the timed part. The device and refresh
// scenarios send their timed requests with loadgen's own HTTP/1.1 client
// (one keep-alive connection per worker, a constant body or one with the
// token spliced in, the answer checked by status and the member a success
// carries; --raw-http=false uses net/http's), so that loadgen's CPU stays
// small beside the server's; every run's result line ends with
// client-cpu-us, loadgen's own CPU time per answer. tools/loadgen/oidc.sh
// runs every scenario against iic (SQLite and PostgreSQL) and the peers and
// prints the medians and ratios.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

func main() {
	target := flag.String("url", env("IIC_URL", "http://127.0.0.1:8080"), "server base URL, loopback only (env IIC_URL); Dex: its issuer URL")
	credsPath := flag.String("creds", env("IIC_CREDENTIALS", filepath.Join(env("IIC_DATA_DIR", "data"), "root-credentials.json")),
		"root-credentials.json to sign with (env IIC_CREDENTIALS; default <IIC_DATA_DIR>/root-credentials.json)")
	scenario := flag.String("scenario", "signed", "signed, setup, device, refresh, client-credentials, password or agency-credentials")
	peer := flag.String("peer", PeerIIC, "the server's kind for the OAuth scenarios: iic, dex or hydra")
	statePath := flag.String("state", "", "iic: the file --scenario setup writes and the OAuth scenarios read")
	adminURL := flag.String("admin-url", "", "Hydra: the admin API's base URL (loopback only)")
	user := flag.String("user", "u10@example.com", "Dex password scenario: the user (password \"password\")")
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
	flag.BoolVar(&rawHTTP, "raw-http", true, "OAuth device and refresh scenarios: send the timed requests with loadgen's own HTTP/1.1 client (false: net/http's)")
	flag.Parse()

	for _, raw := range []string{*target, *adminURL} {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err != nil || !loopback(u.Hostname()) {
			fail("--url and --admin-url must be http URLs on the loopback range")
		}
	}
	client := noRedirectClient(*conc)
	h := httpc{client}
	switch *scenario {
	case "signed":
		r := &signedRun{client: client, base: *target, method: *method, path: *path, body: *body, header: *header,
			creds: readCreds(*credsPath), vary: *vary, scimStore: *scimStore, expect: *expect}
		if !r.run(*conc, *dur, *max) {
			fail("no responses")
		}
		return
	case "setup":
		if *statePath == "" {
			fail("--scenario setup needs --state FILE to write")
		}
		st, err := setupIIC(h, *target, readCreds(*credsPath))
		if err != nil {
			fail("setup: " + err.Error())
		}
		b, _ := jsonIndent(st)
		if err := os.WriteFile(*statePath, b, 0o600); err != nil {
			fail(err.Error())
		}
		fmt.Println("setup: identity store", st.IdentityStoreID, "client", st.ClientID)
		return
	}
	r := &oauthRun{h: h, peer: *peer, scenario: *scenario, base: *target, admin: *adminURL, user: *user}
	if *peer == PeerIIC {
		if *statePath == "" {
			fail("the OAuth scenarios against iic need --state (written by --scenario setup)")
		}
		r.state = readState(*statePath)
	}
	newWorker, err := r.prepare(*conc)
	var na errNA
	if errors.As(err, &na) {
		fmt.Printf("rps=n/a (%s)\n", na.why)
		return
	}
	if err != nil {
		fail(*peer + " " + *scenario + ": " + err.Error())
	}
	if !load(*conc, *dur, *max, newWorker) {
		fail("no successful responses")
	}
	if *scenario == ScenarioPassword {
		hashCost(*peer, time.Second)
	}
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

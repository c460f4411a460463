package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	smodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/testenv"
)

// captured is one request exactly as a client put it on the wire.
type captured struct {
	method, path string
	header       http.Header
	body         []byte
}

// captureSDK runs call with an identitycenterstore client of the real SDK
// pointed at a loopback recorder, and returns the request it sent.
func captureSDK(t *testing.T, srv *testenv.Server, projectID string, call func(c *ics.IdentityCenterStoreClient)) captured {
	t.Helper()
	var got captured
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = captured{method: r.Method, path: r.URL.RequestURI(), header: r.Header.Clone(), body: b}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		w.Write([]byte(`{}`))
	}))
	defer rec.Close()
	root := srv.App.Root
	cred := basic.NewCredentialsBuilder().WithAk(root.AccessKey).WithSk(root.SecretKey).WithProjectId(projectID).Build()
	c := ics.NewIdentityCenterStoreClient(ics.IdentityCenterStoreClientBuilder().WithEndpoints([]string{rec.URL}).
		WithCredential(cred).WithHttpConfig(testenv.HTTPConfig()).Build())
	call(c)
	if got.method == "" {
		t.Fatal("the SDK sent nothing")
	}
	return got
}

// send puts c on the wire to srv, with edit applied to a copy of its
// headers and body.
func (c captured) send(t *testing.T, srv *testenv.Server, edit func(h http.Header, body *[]byte)) (*http.Response, []byte) {
	t.Helper()
	h, body := c.header.Clone(), bytes.Clone(c.body)
	if edit != nil {
		edit(h, &body)
	}
	req, err := http.NewRequest(c.method, srv.URL+c.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// A request signed by the real SDK, captured and tampered with: every
// variant is refused with 401 and has no effect; the original works once;
// a replay after the grace is refused, even after the user it created was
// deleted.
func TestCapturedSDKRequestTampering(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		var offset atomic.Int64 // the server's clock runs ahead by offset
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
		_, sid := srv.EnableIdentityCenter(t)
		store := srv.IdentityStore(t)
		projects, err := srv.App.Store.Projects().ListByAccount(t.Context(), srv.App.Root.AccountID)
		if err != nil || len(projects) == 0 {
			t.Fatal(projects, err)
		}
		orig := captureSDK(t, srv, projects[0].ID, func(c *ics.IdentityCenterStoreClient) {
			c.CreateUser(&smodel.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("alice", otpMode)})
		})
		if orig.header.Get(aksk.ContentHashHeader) != "" {
			t.Fatalf("the SDK sent %s on a JSON body", aksk.ContentHashHeader)
		}
		sum := sha256.Sum256(orig.body)
		origHash := hex.EncodeToString(sum[:])
		evil := bytes.ReplaceAll(orig.body, []byte("alice"), []byte("mallory"))

		users := func() []string {
			t.Helper()
			l, err := store.ListUsers(&smodel.ListUsersRequest{IdentityStoreId: sid})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range *l.Users {
				names = append(names, u.UserName)
			}
			return names
		}
		refused := func(t *testing.T, what string, edit func(h http.Header, body *[]byte), fragment string) {
			t.Helper()
			resp, body := orig.send(t, srv, edit)
			e := wantEnvelope(t, resp, body, 401, "IIC.1410")
			if !strings.Contains(e.ErrorMsg, fragment) {
				t.Fatalf("%s: message %q, want %q", what, e.ErrorMsg, fragment)
			}
			if u := users(); len(u) != 0 {
				t.Fatalf("%s had an effect: users %v", what, u)
			}
		}

		refused(t, "another body", func(h http.Header, b *[]byte) { *b = evil }, "signature does not match")
		refused(t, "another body with an unsigned X-Sdk-Content-Sha256 of the original", func(h http.Header, b *[]byte) {
			*b = evil
			h.Set(aksk.ContentHashHeader, origHash)
		}, "signature does not match")
		refused(t, "an unsigned UNSIGNED-PAYLOAD", func(h http.Header, b *[]byte) {
			*b = evil
			h.Set(aksk.ContentHashHeader, aksk.UnsignedPayload)
		}, "signature does not match")
		refused(t, "a second Authorization header", func(h http.Header, b *[]byte) {
			h.Add("Authorization", "SDK-HMAC-SHA256 Access=x, SignedHeaders=x, Signature="+strings.Repeat("0", 64))
		}, "more than once")
		refused(t, "a second X-Sdk-Date header", func(h http.Header, b *[]byte) {
			h.Add(aksk.DateHeader, time.Now().UTC().Format(aksk.DateLayout))
		}, "more than once")
		refused(t, "a second X-Project-Id header", func(h http.Header, b *[]byte) {
			h.Add("X-Project-Id", h.Get("X-Project-Id"))
		}, "more than once")

		// The original, as the SDK sent it, works, and none of the refused
		// variants used it up.
		resp, body := orig.send(t, srv, nil)
		if resp.StatusCode != 201 {
			t.Fatalf("original: %d %s", resp.StatusCode, body)
		}
		var created struct {
			UserID string `json:"user_id"`
		}
		json.Unmarshal(body, &created)
		if _, err := store.DeleteUser(&smodel.DeleteUserRequest{IdentityStoreId: sid, UserId: created.UserID}); err != nil {
			t.Fatal(err)
		}
		// Seconds later (within the 15-minute date window) the captured
		// request is a replay.
		offset.Store(int64(authn.ReplayGrace + time.Second))
		refused(t, "a replay", nil, "Replayed request")
	})
}

// Two identical writes signed in the same second carry one signature: the
// real SDK sends such pairs (here, two bearer-token creates at once, as
// Terraform does for two token resources), and both are served.
func TestIdenticalWritesInOneSecond(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	_, sid := srv.EnableIdentityCenter(t)
	store := srv.IdentityStore(t)
	tenant, err := store.CreateProvisioningTenant(&smodel.CreateProvisioningTenantRequest{IdentityStoreId: sid})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = store.CreateBearerToken(&smodel.CreateBearerTokenRequest{IdentityStoreId: sid, TenantId: *tenant.TenantId})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("identical create: %v", err)
		}
	}
	l, err := store.ListBearerTokens(&smodel.ListBearerTokensRequest{IdentityStoreId: sid, TenantId: *tenant.TenantId})
	if err != nil || l.BearerTokens == nil || len(*l.BearerTokens) != 2 {
		t.Fatalf("tokens: %+v %v", l, err)
	}
}

// Links in /v3 answers come from --public-url, never from the unsigned Host
// header.
func TestLinksIgnoreHostHeader(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	for _, path := range []string{"/v3/projects", "/v3/auth/domains"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Host = "evil.example"
		req.Header.Set("User-Agent", "t")
		aksk.Sign(req, srv.App.Root.AccessKey, srv.App.Root.SecretKey, nil, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || bytes.Contains(body, []byte("evil.example")) || !bytes.Contains(body, []byte(`"self":"`+srv.URL+path)) {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
}

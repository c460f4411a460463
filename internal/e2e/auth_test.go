package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	smodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

type envelope struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

func wantEnvelope(t *testing.T, resp *http.Response, body []byte, status int, code string) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body is not a JSON envelope: %q", body)
	}
	if resp.StatusCode != status || e.ErrorCode != code || e.ErrorMsg == "" {
		t.Fatalf("got %d %+v, want %d %s", resp.StatusCode, e, status, code)
	}
	rid := resp.Header.Get("X-Request-Id")
	if rid == "" || rid != e.RequestID {
		t.Fatalf("X-Request-Id %q, body request_id %q", rid, e.RequestID)
	}
	return e
}

func TestAuthenticationFailures(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		root := srv.App.Root
		ok := func(t *testing.T, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err := srv.Center(t).ListInstances(&model.ListInstancesRequest{})
		ok(t, err)

		t.Run("wrong secret", func(t *testing.T) {
			_, err := srv.CenterAs(t, root.AccessKey, root.SecretKey+"x", "", nil).ListInstances(&model.ListInstancesRequest{})
			se := testenv.WantError(t, err, 401, "IIC.1410")
			if strings.Contains(se.ErrorMessage, root.SecretKey) {
				t.Fatal("secret echoed")
			}
		})
		t.Run("unknown access key", func(t *testing.T) {
			_, err := srv.CenterAs(t, "NOSUCHKEY00000000000", root.SecretKey, "", nil).ListInstances(&model.ListInstancesRequest{})
			testenv.WantError(t, err, 401, "IIC.1410")
		})
		t.Run("stale X-Sdk-Date", func(t *testing.T) {
			old := time.Now().Add(-16 * time.Minute).UTC().Format(aksk.DateLayout)
			_, err := srv.CenterAs(t, root.AccessKey, root.SecretKey, "", map[string]string{"X-Sdk-Date": old}).ListInstances(&model.ListInstancesRequest{})
			se := testenv.WantError(t, err, 401, "IIC.1410")
			if !strings.Contains(se.ErrorMessage, "15 minutes") {
				t.Fatalf("message %q does not explain the clock window", se.ErrorMessage)
			}
			future := time.Now().Add(16 * time.Minute).UTC().Format(aksk.DateLayout)
			_, err = srv.CenterAs(t, root.AccessKey, root.SecretKey, "", map[string]string{"X-Sdk-Date": future}).ListInstances(&model.ListInstancesRequest{})
			testenv.WantError(t, err, 401, "IIC.1410")
			near := time.Now().Add(-10 * time.Minute).UTC().Format(aksk.DateLayout)
			_, err = srv.CenterAs(t, root.AccessKey, root.SecretKey, "", map[string]string{"X-Sdk-Date": near}).ListInstances(&model.ListInstancesRequest{})
			ok(t, err)
		})
		t.Run("unsigned", func(t *testing.T) {
			resp, body := srv.Do(t, "GET", "/v1/instances", nil, nil, false)
			wantEnvelope(t, resp, body, 401, "IIC.1410")
		})
		t.Run("tampered body", func(t *testing.T) {
			body := []byte(`{"region_id":"cn-north-4"}`)
			req, _ := http.NewRequest("POST", srv.URL+"/v1/register-regions", strings.NewReader(`{"region_id":"cn-south-1"}`))
			req.Header.Set("Content-Type", "application/json")
			aksk.Sign(req, root.AccessKey, root.SecretKey, body, time.Now())
			resp, err := http.DefaultClient.Do(req)
			ok(t, err)
			defer resp.Body.Close()
			var e envelope
			json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode != 401 || e.ErrorCode != "IIC.1410" {
				t.Fatalf("tampered body: %d %+v", resp.StatusCode, e)
			}
			regions, _ := srv.Center(t).DescribeRegisteredRegions(&model.DescribeRegisteredRegionsRequest{})
			if len(*regions.Regions) != 0 {
				t.Fatal("tampered request had an effect")
			}
		})
		t.Run("tampered signed header", func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/v1/instances", nil)
			req.Header.Set("X-Domain-Id", root.AccountID)
			aksk.Sign(req, root.AccessKey, root.SecretKey, nil, time.Now())
			req.Header.Set("X-Domain-Id", "ffffffffffffffffffffffffffffffff")
			resp, err := http.DefaultClient.Do(req)
			ok(t, err)
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		})
		t.Run("domain id of another account", func(t *testing.T) {
			resp, body := srv.Do(t, "GET", "/v1/instances", nil, map[string]string{"X-Domain-Id": "ffffffffffffffffffffffffffffffff"}, true)
			e := wantEnvelope(t, resp, body, 401, "IIC.1410")
			if !strings.Contains(e.ErrorMsg, "X-Domain-Id") {
				t.Fatalf("message %q", e.ErrorMsg)
			}
		})
		t.Run("project-scoped and unscoped signatures on admin calls", func(t *testing.T) {
			projects, err := srv.App.Store.Projects().ListByAccount(context.Background(), root.AccountID)
			if err != nil || len(projects) == 0 {
				t.Fatalf("projects: %v %v", projects, err)
			}
			// The Terraform provider sends X-Project-Id even on /v1/instances.
			resp, body := srv.Do(t, "GET", "/v1/instances", nil, map[string]string{"X-Project-Id": projects[0].ID}, true)
			if resp.StatusCode != 200 {
				t.Fatalf("project-scoped: %d %s", resp.StatusCode, body)
			}
			// Basic credentials without a project id send neither header.
			resp, body = srv.Do(t, "GET", "/v1/instances", nil, nil, true)
			if resp.StatusCode != 200 {
				t.Fatalf("unscoped: %d %s", resp.StatusCode, body)
			}
			resp, body = srv.Do(t, "GET", "/v1/instances", nil, map[string]string{"X-Project-Id": "00000000000000000000000000000000"}, true)
			wantEnvelope(t, resp, body, 401, "IIC.1410")
		})
		t.Run("temporary credentials", func(t *testing.T) {
			const ak, sk, token = "TEMPAK00000000000001", "tempSecretKey000000000000000000000000000", "security-token-1"
			err := srv.App.Store.Credentials().Create(context.Background(), store.Credential{
				AccessKey: ak, AccountID: root.AccountID, Kind: store.KindTemporary,
				SecretSealed: srv.App.Keys.Seal([]byte(sk), authn.SecretAAD(ak)), TokenHash: secrets.TokenHash(token),
				ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(),
			})
			ok(t, err)
			_, err = srv.CenterAs(t, ak, sk, "", nil).ListInstances(&model.ListInstancesRequest{})
			se := testenv.WantError(t, err, 401, "IIC.1410")
			if !strings.Contains(se.ErrorMessage, "X-Security-Token") {
				t.Fatalf("message %q", se.ErrorMessage)
			}
			_, err = srv.CenterAs(t, ak, sk, "wrong-token", nil).ListInstances(&model.ListInstancesRequest{})
			testenv.WantError(t, err, 401, "IIC.1410")
			// With its token the credential authenticates; with no policy
			// attached, the authorizer denies it.
			_, err = srv.CenterAs(t, ak, sk, token, nil).ListInstances(&model.ListInstancesRequest{})
			testenv.WantError(t, err, 403, "IIC.1000")
			// A permanent key must not carry a security token.
			_, err = srv.CenterAs(t, root.AccessKey, root.SecretKey, token, nil).ListInstances(&model.ListInstancesRequest{})
			testenv.WantError(t, err, 401, "IIC.1410")
		})
		t.Run("expired temporary credentials", func(t *testing.T) {
			const ak, sk, token = "TEMPAK00000000000002", "tempSecretKey000000000000000000000000002", "security-token-2"
			// The server's credential sweep (at start, then every few
			// minutes) may delete the expired row before the request: then
			// it is an unknown key, and the row is stored again.
			for attempt := 1; ; attempt++ {
				err := srv.App.Store.Credentials().Create(context.Background(), store.Credential{
					AccessKey: ak, AccountID: root.AccountID, Kind: store.KindTemporary,
					SecretSealed: srv.App.Keys.Seal([]byte(sk), authn.SecretAAD(ak)), TokenHash: secrets.TokenHash(token),
					ExpiresAt: time.Now().Add(-time.Second), CreatedAt: time.Now(),
				})
				ok(t, err)
				_, err = srv.CenterAs(t, ak, sk, token, nil).ListInstances(&model.ListInstancesRequest{})
				se := testenv.WantError(t, err, 401, "IIC.1410")
				if strings.Contains(se.ErrorMessage, "expired") {
					break
				}
				if _, gone := srv.App.Store.Credentials().Get(context.Background(), ak); !errors.Is(gone, store.ErrNotFound) || attempt == 3 {
					t.Fatalf("message %q", se.ErrorMessage)
				}
			}
		})
	})
}

// A client built with a region and no domain or project id discovers them
// through our IAM look-ups, as the SDK does against Huawei Cloud.
func TestSDKDiscoversDomainAndProject(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	// Store client: basic credentials, region, IAM endpoint override → the
	// SDK calls GET /v3/projects?name=cn-north-4 while building.
	sc := srv.IdentityStore(t)
	// No identity-store operation exists yet: the request still reaches us,
	// signed with the discovered X-Project-Id, and gets the 404 envelope.
	_, err := sc.ListUsers(&smodel.ListUsersRequest{IdentityStoreId: "d-0000000000"})
	if se := testenv.APIError(t, err); se.StatusCode == 401 {
		t.Fatalf("store request with discovered project rejected: %+v", se)
	}

	resp, body := srv.Do(t, "GET", "/v3/projects?name=cn-north-4", nil, nil, true)
	var projects struct {
		Projects []struct {
			ID       string `json:"id"`
			DomainID string `json:"domain_id"`
		} `json:"projects"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &projects) != nil || len(projects.Projects) != 1 || projects.Projects[0].DomainID != srv.App.Root.AccountID {
		t.Fatalf("projects: %d %s", resp.StatusCode, body)
	}
	resp, body = srv.Do(t, "GET", "/v3/projects?name=no-such-region", nil, nil, true)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"projects":[]`) {
		t.Fatalf("unknown region must give an empty array: %d %s", resp.StatusCode, body)
	}
	resp, body = srv.Do(t, "GET", "/v3/auth/domains", nil, nil, true)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"id":"`+srv.App.Root.AccountID+`"`) {
		t.Fatalf("domains: %d %s", resp.StatusCode, body)
	}
}

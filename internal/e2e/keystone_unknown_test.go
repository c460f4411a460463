package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/iic-project/iic/internal/testenv"
)

// Paths of Huawei IAM's Keystone API that iic does not serve answer 404 in
// the IAM/Keystone dialect — error_code/error_msg/request_id and Keystone's
// error object — under each of its prefixes /v3, /v3.0 and /v3-ext, and
// the SDK's iam v3 client decodes them; a known path with another method
// is 405 with Allow. Other unknown paths keep the product's envelope, and
// SCIM's paths (whose first segment is any tenant) keep SCIM's.
func TestKeystoneUnknownPathsDialect(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		keystone := func(method, path string, status int, code, msg string) http.Header {
			t.Helper()
			resp, out := srv.Do(t, method, path, nil, nil, true)
			var b struct {
				ErrorCode string `json:"error_code"`
				ErrorMsg  string `json:"error_msg"`
				RequestID string `json:"request_id"`
				Error     *struct {
					Code    int    `json:"code"`
					Title   string `json:"title"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if resp.StatusCode != status || json.Unmarshal(out, &b) != nil || b.ErrorCode != code || b.ErrorMsg != msg ||
				b.RequestID == "" || b.RequestID != resp.Header.Get("X-Request-Id") || b.Error == nil ||
				b.Error.Code != status || b.Error.Title != http.StatusText(status) || b.Error.Message != msg {
				t.Errorf("%s %s = %d %s, want %d in the Keystone dialect: %s %q", method, path, resp.StatusCode, out, status, code, msg)
			}
			return resp.Header
		}
		for _, p := range []struct{ method, path string }{
			{"POST", "/v3.0/OS-AUTH/securitytoken/logintokens"},
			{"POST", "/v3.0/OS-CREDENTIAL/securitytokens"},
			{"GET", "/v3.0/OS-USER/users/u-1"},
			{"GET", "/v3.0/OS-NOTHING"},
			{"GET", "/v3/OS-AUTH/nothing"},
			{"GET", "/v3/auth/catalog"},
			{"GET", "/v3/users"},
			{"POST", "/v3/users"},
			{"GET", "/v3"},
			{"GET", "/v3/"},
			{"GET", "/v3-ext/projects/p-1"},
			{"GET", "/v3-ext/OS-NOTHING/x"},
		} {
			keystone(p.method, p.path, 404, "IIC.404", "Not Found: no API operation at "+p.method+" "+p.path+".")
		}
		// An escaped first segment is the segment ServeMux routes by.
		keystone("GET", "/%76%33/users", 404, "IIC.404", "Not Found: no API operation at GET /%76%33/users.")
		if allow := keystone("DELETE", "/v3/OS-FEDERATION/projects", 405, "405",
			"The method is not allowed for the requested URL (allowed: GET, HEAD)."); allow.Get("Allow") != "GET, HEAD" {
			t.Errorf("Allow = %q", allow.Get("Allow"))
		}

		// The SDK's iam v3 client decodes them like any error of its API.
		c := srv.IAM(t)
		sdk404 := func(what string, err error, path string) {
			t.Helper()
			se := testenv.APIError(t, err)
			if se.StatusCode != 404 || se.ErrorCode != "IIC.404" || se.ErrorMessage != "Not Found: no API operation at "+path+"." || se.RequestId == "" {
				t.Errorf("%s: decoded %d %q %q (request id %q)", what, se.StatusCode, se.ErrorCode, se.ErrorMessage, se.RequestId)
			}
		}
		_, err := c.KeystoneShowCatalog(&model.KeystoneShowCatalogRequest{})
		sdk404("KeystoneShowCatalog", err, "GET /v3/auth/catalog")
		_, err = c.KeystoneListUsers(&model.KeystoneListUsersRequest{})
		sdk404("KeystoneListUsers", err, "GET /v3/users")
		_, err = c.ShowUser(&model.ShowUserRequest{UserId: "u-1"})
		sdk404("ShowUser", err, "GET /v3.0/OS-USER/users/u-1")
		_, err = c.CreateLoginToken(&model.CreateLoginTokenRequest{})
		sdk404("CreateLoginToken", err, "POST /v3.0/OS-AUTH/securitytoken/logintokens")
		_, err = c.CreateTemporaryAccessKeyByToken(&model.CreateTemporaryAccessKeyByTokenRequest{})
		sdk404("CreateTemporaryAccessKeyByToken", err, "POST /v3.0/OS-CREDENTIAL/securitytokens")
		_, err = c.ShowProjectDetailsAndStatus(&model.ShowProjectDetailsAndStatusRequest{ProjectId: "p-1"})
		sdk404("ShowProjectDetailsAndStatus", err, "GET /v3-ext/projects/p-1")

		// Elsewhere: the product's envelope, without Keystone's object.
		for _, path := range []string{"/v1/nothing-here", "/v2/users", "/v30/users", "/v3.1/users", "/v3x", "/v3-extra/x", "/v3%2Fusers", "/"} {
			resp, out := srv.Do(t, "GET", path, nil, nil, true)
			var keys map[string]json.RawMessage
			e := wantEnvelope(t, resp, out, 404, "IIC.404")
			if json.Unmarshal(out, &keys) != nil || len(keys) != 3 || keys["error"] != nil {
				t.Errorf("GET %s = %s, want the product's envelope (%+v)", path, out, e)
			}
		}
		// SCIM's surface takes any first segment: what no route of
		// /v3/scim/v2 takes stays a SCIM error.
		resp, out := srv.Do(t, "GET", "/v3/scim/v2/Nothing", nil, nil, false)
		var scimErr struct {
			Schemas []string `json:"schemas"`
			Status  string   `json:"status"`
		}
		if resp.StatusCode != 404 || json.Unmarshal(out, &scimErr) != nil || scimErr.Status != "404" ||
			len(scimErr.Schemas) != 1 || scimErr.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
			t.Errorf("GET /v3/scim/v2/Nothing = %d %s, want SCIM's 404", resp.StatusCode, out)
		}
	})
}

package iamfed_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// FuzzTokenRequests sends arbitrary bodies to POST /v3/auth/tokens of a
// real server whose sign-in user has a password and a virtual MFA device,
// with and without X-Auth-Token (a live token, for the token and
// assume_role methods): the answer is never a 5xx; a refusal is the
// surface's envelope; an accepted request is a 201 with X-Subject-Token.
func FuzzTokenRequests(f *testing.F) {
	for _, seed := range []string{
		`{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"root"},"name":"admin","password":"Correct-Horse-7"}}}}}`,
		`{"auth":{"identity":{"methods":["password"," totp"],"password":{"user":{"domain":{"name":"root"},"name":"admin","password":"Correct-Horse-7"}},"totp":{"user":{"id":"x","passcode":"123456"}}}}}`,
		`{"auth":{"identity":{"methods":["token"],"token":{"id":"abc"}},"scope":{"project":{"name":"cn-north-4","domain":{"name":"root"}}}}}`,
		`{"auth":{"identity":{"methods":["token"]},"scope":{"domain":{"id":"x"}}}}`,
		`{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"domain_name":"root","agency_name":"a"}},"scope":{"domain":{"name":"root"}}}}`,
		`{"auth":{"identity":{"methods":[]}}}`, `{"auth":null}`, `[]`, ``,
	} {
		f.Add(false, []byte(seed))
		f.Add(true, []byte(seed))
	}
	known := map[string]bool{}
	for _, d := range apierr.All {
		known[d.Code] = true
	}
	type target struct {
		srv   *testenv.Server
		token string
	}
	var targets []target
	for _, d := range sqltest.Dialects() {
		srv := testenv.Start(f, testenv.Options{Dialect: d})
		if err := srv.App.Tokens.SetUser(context.Background(), srv.App.Root.AccountID, "admin", "Correct-Horse-7", []string{"Security Administrator"}); err != nil {
			f.Fatal(err)
		}
		resp, body := srv.Do(f, "POST", "/v3/auth/tokens", []byte(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"root"},"name":"admin","password":"Correct-Horse-7"}}}}}`), nil, false)
		if resp.StatusCode != 201 {
			f.Fatalf("token: %d %s", resp.StatusCode, body)
		}
		if _, err := srv.App.Tokens.SetTOTP(context.Background(), srv.App.Root.AccountID, []byte("0123456789abcdefghij")); err != nil {
			f.Fatal(err)
		}
		targets = append(targets, target{srv, resp.Header.Get("X-Subject-Token")})
	}
	f.Fuzz(func(t *testing.T, withToken bool, body []byte) {
		for _, tg := range targets {
			var headers map[string]string
			if withToken {
				headers = map[string]string{"X-Auth-Token": tg.token}
			}
			resp, answer := tg.srv.Do(t, "POST", "/v3/auth/tokens", body, headers, false)
			if resp.StatusCode >= 500 {
				t.Fatalf("%q = %d %s", body, resp.StatusCode, answer)
			}
			var doc map[string]any
			if err := json.Unmarshal(answer, &doc); err != nil {
				t.Fatalf("%q = %d, not a JSON object: %s", body, resp.StatusCode, answer)
			}
			if resp.StatusCode >= 400 {
				checkEnvelope(t, known, resp.StatusCode, doc, answer)
				continue
			}
			if resp.StatusCode != 201 || resp.Header.Get("X-Subject-Token") == "" || doc["token"] == nil {
				t.Fatalf("%q = %d %s", body, resp.StatusCode, answer)
			}
		}
	})
}

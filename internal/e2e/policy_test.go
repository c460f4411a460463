package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	smodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

func managedID(t *testing.T, name string) string {
	t.Helper()
	p, err := managed.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

const allowICDenyDelete = `{"Version":"5.0","Statement":[
	{"Sid":"All","Effect":"Allow","Action":["IdentityCenter:instance:*"]},
	{"Sid":"NoServiceDelete","Effect":"Deny","Action":["IdentityCenter:instance:deleteIdentityCenter"]}]}`

// denyOutside allows IdentityCenter:* but denies every call whose source
// address is outside cidr.
func denyOutside(cidr string) string {
	return `{"Version":"5.0","Statement":[
	{"Effect":"Allow","Action":["IdentityCenter:*"]},
	{"Sid":"OnlyFrom","Effect":"Deny","Action":["*"],"Condition":{"NotIpAddress":{"g:SourceIp":["` + cidr + `"]}}}]}`
}

func TestPoliciesThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		// Root does everything, as before.
		_, storeID := srv.EnableIdentityCenter(t)
		ro := managedID(t, "IdentityCenter ReadOnlyAccess")

		t.Run("read-only key", func(t *testing.T) {
			ak, sk := srv.CreateKey(t, ro)
			c := srv.CenterAs(t, ak, sk, "", nil)
			list, err := c.ListInstances(&model.ListInstancesRequest{})
			if err != nil || len(*list.Instances) != 1 {
				t.Fatalf("ListInstances = %+v, %v", list, err)
			}
			if _, err := c.GetIdentityCenterServiceStatus(&model.GetIdentityCenterServiceStatusRequest{}); err != nil {
				t.Fatal(err)
			}
			_, err = c.RegisterRegion(&model.RegisterRegionRequest{Body: &model.RegisterRegionReqBody{RegionId: "cn-north-4"}})
			se := testenv.WantError(t, err, 403, "IIC.1000")
			if se.ErrorMessage != "No permission for action IdentityCenter:instance:registerRegion." {
				t.Fatalf("message %q", se.ErrorMessage)
			}
			_, err = c.StartIdentityCenter(&model.StartIdentityCenterRequest{})
			testenv.WantError(t, err, 403, "IIC.1000")
			// The SDK's project discovery (iam:projects:list) works for any
			// key, and identity-store reads are in the policy.
			sc := srv.IdentityStoreAs(t, ak, sk)
			if _, err := sc.ListUsers(&smodel.ListUsersRequest{IdentityStoreId: storeID}); err != nil {
				t.Fatalf("read-only key on ListUsers: %v", err)
			}
			// The admin API is not in the policy.
			resp, body := srv.DoAs(t, ak, sk, "GET", "/v1/iic/access-keys", nil)
			wantEnvelope(t, resp, body, 403, "IIC.1000")
		})

		t.Run("deny statement on one action", func(t *testing.T) {
			ak, sk := srv.CreateKey(t, srv.CreatePolicy(t, "no-service-delete", allowICDenyDelete))
			c := srv.CenterAs(t, ak, sk, "", nil)
			if _, err := c.DescribeRegisteredRegions(&model.DescribeRegisteredRegionsRequest{}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.RegisterRegion(&model.RegisterRegionRequest{Body: &model.RegisterRegionReqBody{RegionId: "cn-north-4"}}); err != nil {
				t.Fatalf("allowed write: %v", err)
			}
			_, err := c.DeleteIdentityCenter(&model.DeleteIdentityCenterRequest{})
			testenv.WantError(t, err, 403, "IIC.1000")
			if _, err := srv.Center(t).GetIdentityCenterServiceStatus(&model.GetIdentityCenterServiceStatusRequest{}); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("source ip condition", func(t *testing.T) {
			akIn, skIn := srv.CreateKey(t, srv.CreatePolicy(t, "from-loopback", denyOutside("127.0.0.0/8")))
			akOut, skOut := srv.CreateKey(t, srv.CreatePolicy(t, "from-10", denyOutside("10.0.0.0/8")))
			if _, err := srv.CenterAs(t, akIn, skIn, "", nil).ListInstances(&model.ListInstancesRequest{}); err != nil {
				t.Fatalf("call from loopback with a loopback-only key: %v", err)
			}
			_, err := srv.CenterAs(t, akOut, skOut, "", nil).ListInstances(&model.ListInstancesRequest{})
			testenv.WantError(t, err, 403, "IIC.1000")
		})

		t.Run("temporary credentials use their policies", func(t *testing.T) {
			const ak, sk, token = "TEMPPOLICY0000000001", "tempPolicySecret000000000000000000000001", "token-policy-1"
			err := srv.App.Store.Credentials().Create(context.Background(), store.Credential{
				AccessKey: ak, AccountID: srv.App.Root.AccountID, Kind: store.KindTemporary,
				SecretSealed: srv.App.Keys.Seal([]byte(sk), authn.SecretAAD(ak)), TokenHash: secrets.TokenHash(token),
				ExpiresAt: time.Now().Add(time.Hour), PolicyIDs: []string{ro}, CreatedAt: time.Now(),
			})
			if err != nil {
				t.Fatal(err)
			}
			c := srv.CenterAs(t, ak, sk, token, nil)
			if _, err := c.ListInstances(&model.ListInstancesRequest{}); err != nil {
				t.Fatal(err)
			}
			_, err = c.StartIdentityCenter(&model.StartIdentityCenterRequest{})
			testenv.WantError(t, err, 403, "IIC.1000")
		})

		t.Run("simulate and CLI agree with the live authorizer", func(t *testing.T) {
			custom := srv.CreatePolicy(t, "sim-custom", allowICDenyDelete)
			dir := t.TempDir()
			file := filepath.Join(dir, "custom.json")
			if err := os.WriteFile(file, []byte(allowICDenyDelete), 0o600); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				policyID, cliPolicy string
				action, resource    string
			}{
				{ro, ro, "IdentityCenter:instance:list", ""},
				{ro, "IdentityCenter ReadOnlyAccess", "IdentityCenter:instance:startIdentityCenter", ""},
				{custom, file, "IdentityCenter:instance:deleteIdentityCenter", ""},
				{custom, file, "IdentityCenter:instance:describeRegisteredRegions", ""},
				// An operation's old name is decided as that operation.
				{custom, file, "identitycenter:service:delete", ""},
			}
			bin := testenv.Binary(t)
			for _, tc := range cases {
				ak, sk := srv.CreateKey(t, tc.policyID)
				live := liveDecision(t, srv, ak, sk, tc.action)

				body, _ := json.Marshal(map[string]any{"policy_ids": []string{tc.policyID}, "action": tc.action, "resource": tc.resource,
					"context": map[string]any{"g:SourceIp": "127.0.0.1", "g:SecureTransport": false}})
				resp, out := srv.Do(t, "POST", "/v1/iic/policies/simulate", body, nil, true)
				var res struct {
					Allowed  bool            `json:"allowed"`
					Effect   string          `json:"effect"`
					Deciding json.RawMessage `json:"deciding_statement"`
					Expl     struct {
						Statements []json.RawMessage `json:"statements"`
					} `json:"explanation"`
				}
				if resp.StatusCode != 200 || json.Unmarshal(out, &res) != nil || len(res.Expl.Statements) == 0 {
					t.Fatalf("simulate: %d %s", resp.StatusCode, out)
				}
				if res.Allowed != live {
					t.Errorf("%s with %s: simulate allowed=%v, live allowed=%v", tc.action, tc.policyID, res.Allowed, live)
				}
				if res.Effect == "Deny" && !strings.Contains(string(res.Deciding), "NoServiceDelete") {
					t.Errorf("deciding statement %s", res.Deciding)
				}

				cmd := exec.Command(bin, "policy", "simulate", "--policy", tc.cliPolicy, "--action", tc.action, "--resource", tc.resource,
					"--context", "g:SourceIp=127.0.0.1")
				cliOut, err := cmd.Output()
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				if want := map[bool]int{true: 0, false: 1}[live]; code != want {
					t.Errorf("%s via CLI: exit %d, want %d\n%s", tc.action, code, want, cliOut)
				}
				if !strings.HasPrefix(string(cliOut), "Decision: ") || !strings.Contains(string(cliOut), "Explanation:") {
					t.Errorf("CLI output:\n%s", cliOut)
				}
			}
			// Usage errors exit 2.
			if err := exec.Command(bin, "policy", "simulate", "--action", "x:y:z").Run(); exitCode(err) != 2 {
				t.Errorf("missing --policy: exit %d", exitCode(err))
			}
		})

		t.Run("keys CLI against the server", func(t *testing.T) {
			out, err := exec.Command(testenv.Binary(t), "keys", "create", "--url", srv.URL, "--creds", filepath.Join(srv.DataDir, "root-credentials.json"),
				"--policy", "IdentityCenter ReadOnlyAccess", "--description", "from the CLI").Output()
			if err != nil {
				t.Fatalf("iic keys create: %v", err)
			}
			var res struct {
				Credential struct {
					AccessKey string   `json:"access_key"`
					SecretKey string   `json:"secret_key"`
					PolicyIDs []string `json:"policy_ids"`
				} `json:"credential"`
			}
			if err := json.Unmarshal(out, &res); err != nil || len(res.Credential.PolicyIDs) != 1 || res.Credential.PolicyIDs[0] != ro {
				t.Fatalf("iic keys create printed %s (%v)", out, err)
			}
			if _, err := srv.CenterAs(t, res.Credential.AccessKey, res.Credential.SecretKey, "", nil).ListInstances(&model.ListInstancesRequest{}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// liveDecision asks the server whether the key may do action by making
// the matching call (every case uses an identitycenter operation that is
// harmless when allowed).
func liveDecision(t *testing.T, srv *testenv.Server, ak, sk, action string) bool {
	t.Helper()
	path := map[string]string{
		"IdentityCenter:instance:list":                      "GET /v1/instances",
		"IdentityCenter:instance:describeRegisteredRegions": "GET /v1/registered-regions",
		"IdentityCenter:instance:startIdentityCenter":       "POST /v1/service/start",
		"IdentityCenter:instance:deleteIdentityCenter":      "POST /v1/service/delete",
		"identitycenter:service:delete":                     "POST /v1/service/delete",
	}[action]
	if path == "" {
		t.Fatalf("no live call for %s", action)
	}
	method, p, _ := strings.Cut(path, " ")
	var body []byte
	if method == "POST" {
		body = []byte("{}")
	}
	resp, out := srv.DoAs(t, ak, sk, method, p, body)
	if resp.StatusCode == 403 && strings.Contains(string(out), "IIC.1000") {
		return false
	}
	if resp.StatusCode == 401 {
		t.Fatalf("%s: %d %s", action, resp.StatusCode, out)
	}
	return true
}

// The admin API's own rules: validation, error codes, key and policy
// lifecycle.
func TestAccessAdminAPI(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		post := func(path string, v any) (int, []byte) {
			body, _ := json.Marshal(v)
			resp, out := srv.Do(t, "POST", path, body, nil, true)
			return resp.StatusCode, out
		}
		wantCode := func(status int, out []byte, wantStatus int, code, msgPart string) {
			t.Helper()
			var e envelope
			json.Unmarshal(out, &e)
			if status != wantStatus || e.ErrorCode != code || !strings.Contains(e.ErrorMsg, msgPart) {
				t.Fatalf("got %d %s, want %d %s containing %q", status, out, wantStatus, code, msgPart)
			}
		}
		doc := `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:*:list"]}]}`

		// Documents are parsed strictly; errors name the JSON path.
		st, out := post("/v1/iic/policies", map[string]any{"policy_name": "bad", "policy_document": json.RawMessage(
			`{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["a:b:c:d"]}]}`)})
		wantCode(st, out, 400, "IIC.400", "Statement[0].Action[0]")
		big := `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["` + strings.Repeat("a", 6200) + `:*"]}]}`
		st, out = post("/v1/iic/policies", map[string]any{"policy_name": "big", "policy_document": big})
		wantCode(st, out, 400, "IIC.1293", "6,144")
		st, out = post("/v1/iic/policies", map[string]any{"policy_name": "", "policy_document": doc})
		wantCode(st, out, 400, "IIC.400", "policy_name")
		st, out = post("/v1/iic/policies", map[string]any{"policy_name": "p", "policy_document": 42})
		wantCode(st, out, 400, "IIC.400", "policy_document")

		// The document may be sent as a string, as Huawei's APIs do.
		id := srv.CreatePolicy(t, "Readers", doc)
		st, out = post("/v1/iic/policies", map[string]any{"policy_name": "READERS", "policy_document": doc})
		wantCode(st, out, 409, "IIC.1257", "")
		resp, out := srv.Do(t, "GET", "/v1/iic/policies/"+id, nil, nil, true)
		if resp.StatusCode != 200 || !strings.Contains(string(out), `"policy_name":"Readers"`) {
			t.Fatalf("get policy: %d %s", resp.StatusCode, out)
		}
		resp, out = srv.Do(t, "GET", "/v1/iic/policies?limit=1", nil, nil, true)
		if resp.StatusCode != 200 || !strings.Contains(string(out), `"next_marker":null`) || !strings.Contains(string(out), id) {
			t.Fatalf("list policies: %d %s", resp.StatusCode, out)
		}
		resp, out = srv.Do(t, "GET", "/v1/iic/managed-policies", nil, nil, true)
		if resp.StatusCode != 200 || strings.Count(string(out), `"policy_id"`) != len(managed.All()) {
			t.Fatalf("managed policies: %d %s", resp.StatusCode, out)
		}
		resp, out = srv.Do(t, "GET", "/v1/iic/managed-policies/00000000000000000000000000000000", nil, nil, true)
		wantEnvelope(t, resp, out, 400, "IIC.1246")

		// Keys: policy ids must exist, once each.
		st, out = post("/v1/iic/access-keys", map[string]any{"policy_ids": []string{"00000000000000000000000000000000"}})
		wantCode(st, out, 400, "IIC.1246", "00000000000000000000000000000000")
		st, out = post("/v1/iic/access-keys", map[string]any{"policy_ids": []string{"no-such-custom-policy"}})
		wantCode(st, out, 404, "IIC.1211", "")
		st, out = post("/v1/iic/access-keys", map[string]any{"policy_ids": []string{id, id}})
		wantCode(st, out, 409, "IIC.1207", "")
		st, out = post("/v1/iic/access-keys", map[string]any{"policy_ids": []string{}})
		wantCode(st, out, 400, "IIC.400", "policy_ids")
		ak, sk := srv.CreateKey(t, id, managedID(t, "IdentityCenter ReadOnlyAccess"))

		resp, out = srv.Do(t, "GET", "/v1/iic/access-keys", nil, nil, true)
		if resp.StatusCode != 200 || !strings.Contains(string(out), ak) || strings.Contains(string(out), sk) ||
			strings.Contains(string(out), srv.App.Root.AccessKey) {
			t.Fatalf("list keys must show the scoped key without its secret, and not the root key: %d %s", resp.StatusCode, out)
		}
		// A bound policy cannot be deleted.
		resp, out = srv.Do(t, "DELETE", "/v1/iic/policies/"+id, nil, nil, true)
		e := wantEnvelope(t, resp, out, 400, "IIC.400")
		if !strings.Contains(e.ErrorMsg, ak) {
			t.Fatalf("message %q does not name the key", e.ErrorMsg)
		}
		// The root key is not a scoped key.
		resp, out = srv.Do(t, "DELETE", "/v1/iic/access-keys/"+srv.App.Root.AccessKey, nil, nil, true)
		wantEnvelope(t, resp, out, 404, "IIC.404")

		if _, err := srv.CenterAs(t, ak, sk, "", nil).ListInstances(&model.ListInstancesRequest{}); err != nil {
			t.Fatal(err)
		}
		resp, out = srv.Do(t, "DELETE", "/v1/iic/access-keys/"+ak, nil, nil, true)
		if resp.StatusCode != 204 {
			t.Fatalf("delete key: %d %s", resp.StatusCode, out)
		}
		_, err := srv.CenterAs(t, ak, sk, "", nil).ListInstances(&model.ListInstancesRequest{})
		testenv.WantError(t, err, 401, "IIC.1410")
		resp, out = srv.Do(t, "DELETE", "/v1/iic/policies/"+id, nil, nil, true)
		if resp.StatusCode != 204 {
			t.Fatalf("delete policy: %d %s", resp.StatusCode, out)
		}
		resp, out = srv.Do(t, "DELETE", "/v1/iic/policies/"+id, nil, nil, true)
		wantEnvelope(t, resp, out, 404, "IIC.1211")

		// Simulation input errors.
		st, out = post("/v1/iic/policies/simulate", map[string]any{"action": "a:b:c"})
		wantCode(st, out, 400, "IIC.400", "policy_ids")
		st, out = post("/v1/iic/policies/simulate", map[string]any{"policies": []any{json.RawMessage(doc)}, "action": "a:b:c",
			"context": map[string]any{"g:SourceIp": "not-an-ip"}})
		wantCode(st, out, 400, "IIC.400", "g:SourceIp")
		st, out = post("/v1/iic/policies/simulate", map[string]any{"policies": []any{`{"Version":"9"}`}, "action": "a:b:c"})
		wantCode(st, out, 400, "IIC.400", "policies[0]")
		// A document given inline decides like a stored one.
		st, out = post("/v1/iic/policies/simulate", map[string]any{"policies": []any{doc}, "action": "IdentityCenter:instance:list"})
		if st != 200 || !strings.Contains(string(out), `"allowed":true`) {
			t.Fatalf("inline simulate: %d %s", st, out)
		}
		// The answer is snake_case throughout (the deciding statement's text
		// keeps the policy language's own keys).
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		checkSnakeCase(t, "", v)
		// An alternate documented name is decided as its operation, and the
		// answer says which names it covers.
		st, out = post("/v1/iic/policies/simulate", map[string]any{"policies": []any{
			`{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:user:listSessions"]}]}`}, "action": "IdentityCenter:user:list"})
		if st != 200 || !strings.Contains(string(out), `"allowed":true`) || !strings.Contains(string(out), `"alternates":["IdentityCenter:user:listSessions"]`) {
			t.Fatalf("simulate an alternate: %d %s", st, out)
		}
	})
}

// checkSnakeCase fails t for every object key in v that is not lower
// snake_case, except inside a policy statement's "text".
func checkSnakeCase(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k != strings.ToLower(k) || strings.ContainsAny(k, "- ") {
				t.Errorf("%s: key %q is not snake_case", path, k)
			}
			if k != "text" {
				checkSnakeCase(t, path+"."+k, x)
			}
		}
	case []any:
		for _, x := range v {
			checkSnakeCase(t, path+"[]", x)
		}
	}
}

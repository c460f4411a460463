package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/aksk"
)

// DoAs sends a request signed with ak/sk (no security token) and returns
// the response and its body.
func (s *Server) DoAs(t testing.TB, ak, sk, method, path string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	aksk.Sign(req, ak, sk, body, time.Now())
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// CreatePolicy creates a custom policy with the root keys and returns its id.
func (s *Server) CreatePolicy(t testing.TB, name string, document string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"policy_name": name, "policy_document": json.RawMessage(document)})
	resp, out := s.Do(t, "POST", "/v1/iic/policies", body, nil, true)
	var res struct {
		Policy struct {
			PolicyID string `json:"policy_id"`
		} `json:"policy"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(out, &res) != nil || res.Policy.PolicyID == "" {
		t.Fatalf("create policy %s: %d %s", name, resp.StatusCode, out)
	}
	return res.Policy.PolicyID
}

// CreateKey creates a scoped access key bound to policyIDs with the root
// keys and returns its access and secret keys.
func (s *Server) CreateKey(t testing.TB, policyIDs ...string) (ak, sk string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"policy_ids": policyIDs, "description": "test key"})
	resp, out := s.Do(t, "POST", "/v1/iic/access-keys", body, nil, true)
	var res struct {
		Credential struct {
			AccessKey string `json:"access_key"`
			SecretKey string `json:"secret_key"`
		} `json:"credential"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(out, &res) != nil || res.Credential.SecretKey == "" {
		t.Fatalf("create key: %d %s", resp.StatusCode, out)
	}
	return res.Credential.AccessKey, res.Credential.SecretKey
}

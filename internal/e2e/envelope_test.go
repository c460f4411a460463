package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/testenv"
)

// Bad input of every kind gets the error envelope with X-Request-Id, never
// a redirect, a stack trace or a 500.
func TestErrorEnvelope(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	cases := []struct {
		name         string
		method, path string
		body         []byte
		sign         bool
		status       int
		code         string
	}{
		{"unknown route", "GET", "/v1/nothing-here", nil, false, 404, "IIC.404"},
		{"unknown method on a known path", "PATCH", "/v1/instances", nil, true, 404, "IIC.404"},
		{"double slash is not redirected", "GET", "/v3/OS-FEDERATION/identity_providers//protocols", nil, true, 404, "IIC.404"},
		{"dot segment", "GET", "/v1/./instances", nil, true, 404, "IIC.404"},
		{"malformed JSON", "POST", "/v1/register-regions", []byte(`{"region_id":`), true, 400, "IIC.400"},
		{"wrong JSON type", "POST", "/v1/register-regions", []byte(`{"region_id":42}`), true, 400, "IIC.400"},
		{"empty body", "POST", "/v1/register-regions", nil, true, 400, "IIC.400"},
		{"trailing data", "POST", "/v1/register-regions", []byte(`{"region_id":"cn-north-4"} {}`), true, 400, "IIC.400"},
		{"oversized body", "POST", "/v1/register-regions", bytes.Repeat([]byte(" "), 1<<20+1), true, 400, "IIC.400"},
		{"missing region", "POST", "/v1/register-regions", []byte(`{}`), true, 400, "IIC.400"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := srv.Do(t, c.method, c.path, c.body, nil, c.sign)
			e := wantEnvelope(t, resp, body, c.status, c.code)
			if strings.Contains(e.ErrorMsg, "goroutine") || strings.Contains(e.ErrorMsg, ".go:") {
				t.Fatalf("internals leaked: %q", e.ErrorMsg)
			}
		})
	}
	t.Run("success responses carry X-Request-Id too", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
			resp, _ := srv.Do(t, "GET", p, nil, nil, false)
			if resp.StatusCode != 200 || resp.Header.Get("X-Request-Id") == "" {
				t.Fatalf("%s: %d, X-Request-Id %q", p, resp.StatusCode, resp.Header.Get("X-Request-Id"))
			}
		}
	})
	t.Run("metrics count routes", func(t *testing.T) {
		_, body := srv.Do(t, "GET", "/metrics", nil, nil, false)
		for _, want := range []string{`iic_http_requests_total{route="POST /v1/register-regions",status="400"}`, `iic_http_request_duration_seconds_bucket{route="unmatched",status="404",le="+Inf"}`} {
			if !strings.Contains(string(body), want) {
				t.Fatalf("metrics lack %s:\n%s", want, body)
			}
		}
	})
}

package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestExposition(t *testing.T) {
	r := New()
	r.Observe("GET /v1/instances", 200, 3*time.Millisecond)
	r.Observe("GET /v1/instances", 200, 30*time.Millisecond)
	r.Observe("GET /v1/instances", 401, time.Millisecond)
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`iic_http_requests_total{route="GET /v1/instances",status="200"} 2`,
		`iic_http_requests_total{route="GET /v1/instances",status="401"} 1`,
		`iic_http_request_duration_seconds_bucket{route="GET /v1/instances",status="200",le="0.005"} 1`,
		`iic_http_request_duration_seconds_bucket{route="GET /v1/instances",status="200",le="0.05"} 2`,
		`iic_http_request_duration_seconds_bucket{route="GET /v1/instances",status="200",le="+Inf"} 2`,
		`iic_http_request_duration_seconds_count{route="GET /v1/instances",status="401"} 1`,
		"# TYPE iic_http_request_duration_seconds histogram",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

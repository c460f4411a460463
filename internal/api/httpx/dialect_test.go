package httpx

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/metrics"
)

// testDialect answers "dialect <kind> <too-large>" with status 418, so that
// a test sees which writer answered.
func testDialect(w http.ResponseWriter, r *http.Request, err error) {
	line := "dialect " + apierr.KindOf(err).String()
	if errors.Is(err, ErrBodyTooLarge) {
		line += " too-large"
	}
	w.WriteHeader(http.StatusTeapot)
	io.WriteString(w, line)
}

func TestDialectAnswersEveryErrorOfItsRequests(t *testing.T) {
	rt := NewRouter()
	rt.Handle("GET /v1/things", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, apierr.IIC1312.New())
	}))
	rt.Handle("POST /{tenant}/scim/v2/Users", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("panic") != "" {
			panic("boom")
		}
		WriteError(w, r, apierr.IIC1310.New())
	}))
	d := &Dialects{}
	d.Claim(SegmentsMatch("/{}/scim/v2"), testDialect)
	mw := &Middleware{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New(), Dialects: d}
	h := mw.Wrap(rt)
	do := func(method, target string, body io.Reader) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, target, body))
		return rec.Code, rec.Body.String()
	}
	for _, c := range []struct {
		name, method, target string
		body                 io.Reader
		want                 string
	}{
		{"handler error", "POST", "/t1/scim/v2/Users", strings.NewReader("{}"), "dialect Conflict"},
		{"unknown path under the prefix", "GET", "/t1/scim/v2/Nope", nil, "dialect NotFound"},
		{"wrong method on a known path", "DELETE", "/t1/scim/v2/Users", nil, "dialect NotFound"},
		{"the prefix itself", "GET", "/t1/scim/v2", nil, "dialect NotFound"},
		{"non-canonical path", "GET", "/t1/scim/v2/a/../Users", nil, "dialect NotFound"},
		{"NUL in the query", "GET", "/t1/scim/v2/Users?filter=%00", nil, "dialect Invalid"},
		{"body too large", "POST", "/t1/scim/v2/Users", strings.NewReader(strings.Repeat("x", MaxBody+1)), "dialect Invalid too-large"},
		{"panic", "POST", "/t1/scim/v2/Users?panic=1", strings.NewReader("{}"), "dialect Internal"},
	} {
		code, body := do(c.method, c.target, c.body)
		if code != http.StatusTeapot || body != c.want {
			t.Errorf("%s: %d %q, want 418 %q", c.name, code, body, c.want)
		}
	}
	// Requests nobody claims keep the product's envelope.
	for _, target := range []string{"/v1/things", "/v1/unknown", "/t1/scimx/v2/Users", "/scim/v2/Users"} {
		code, body := do("GET", target, nil)
		if code == http.StatusTeapot || !strings.Contains(body, `"error_code"`) {
			t.Errorf("GET %s: %d %q, want the envelope", target, code, body)
		}
	}
}

func TestSegmentsMatch(t *testing.T) {
	m := SegmentsMatch("/{}/scim/v2")
	for path, want := range map[string]bool{
		"/t/scim/v2": true, "/t/scim/v2/": true, "/t/scim/v2/Users/1": true,
		"/t/scim/v2x": false, "/scim/v2": false, "//scim/v2": false, "/t/scim": false, "/": false,
	} {
		r := httptest.NewRequest("GET", "http://x"+path, nil)
		if got := m(r); got != want {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
}

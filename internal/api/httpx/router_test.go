package httpx

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/metrics"
)

// Patterns ServeMux refuses side by side (they overlap and neither is more
// specific) are each served: the request goes to the route that matches it.
func TestRouterServesConflictingPatterns(t *testing.T) {
	rt := NewRouter()
	hit := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(name + ":" + r.PathValue("instance_id") + r.PathValue("resource_id") + "/" + r.PathValue("permission_set_id")))
		})
	}
	rt.Handle("GET /v1/instances/{instance_id}/permission-sets/{permission_set_id}", hit("describe"))
	rt.Handle("GET /v1/instances/identitycenter:permissionset/{resource_id}/tags", hit("tags"))
	rt.Handle("PUT /v1/instances/{instance_id}/permission-sets/{permission_set_id}", hit("update"))
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/v1/instances/ins-1/permission-sets/ps-1", "describe:ins-1/ps-1"},
		{"GET", "/v1/instances/identitycenter:permissionset/ps-1/tags", "tags:ps-1/"},
		{"PUT", "/v1/instances/ins-1/permission-sets/ps-1", "update:ins-1/ps-1"},
		// Matches both: the first-registered route wins.
		{"GET", "/v1/instances/identitycenter:permissionset/permission-sets/tags", "describe:identitycenter:permissionset/tags"},
	} {
		rec, _, _ := serve(t, rt, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != 200 || rec.Body.String() != c.want {
			t.Errorf("%s %s = %d %q, want %q", c.method, c.path, rec.Code, rec.Body.String(), c.want)
		}
	}
	rec, body, _ := serve(t, rt, httptest.NewRequest("GET", "/v1/instances/identitycenter:permissionset/ps-1/nope", nil))
	if rec.Code != 404 || body["error_code"] != "IIC.404" {
		t.Errorf("unknown route = %d %v", rec.Code, body)
	}
	rec, _, _ = serve(t, rt, httptest.NewRequest("DELETE", "/v1/instances/ins-1/permission-sets/ps-1", nil))
	if rec.Code != 405 && rec.Code != 404 {
		t.Errorf("wrong method = %d", rec.Code)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a pattern twice did not panic")
		}
	}()
	rt.Handle("GET /v1/instances/identitycenter:permissionset/{resource_id}/tags", hit("again"))
}

// Whatever the method and path, the Router answers with a route or with
// the envelope: never a redirect, never ServeMux's text 404 or 405.
func FuzzRouterAnswersRouteOrEnvelope(f *testing.F) {
	for _, s := range []string{"GET /v1/things/x", "DELETE /v1/things/x", "GET /v1/subtree", "GET /v1/a/tree",
		"POST /v1/a/tree/b", "GET /v1//things", "GET /v1/things/x/", "PUT /v1/instances/identitycenter:permissionset/p/tags",
		"GET /v1/%2e%2e/things", "OPTIONS /", "GET /v1/things/%00"} {
		f.Add(s)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	rt := NewRouter()
	for _, p := range []string{"GET /v1/things/{id}", "POST /v1/things", "/v1/subtree/", "GET /v1/{kind}/tree/{rest...}",
		"GET /v1/instances/{instance_id}/permission-sets/{permission_set_id}",
		"GET /v1/instances/identitycenter:permissionset/{resource_id}/tags"} {
		rt.Handle(p, ok)
	}
	mw := &Middleware{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New()}
	h := mw.Wrap(rt)
	f.Fuzz(func(t *testing.T, line string) {
		method, target, _ := strings.Cut(line, " ")
		if !validMethod(method) {
			return
		}
		req, err := http.NewRequest(method, "http://x"+target, nil)
		if err != nil || req.URL.Host != "x" {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusNoContent {
			return
		}
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error_code"] == "" ||
			(rec.Code != 404 && rec.Code != 400) || rec.Header().Get("Location") != "" || rec.Header().Get("Allow") != "" {
			t.Fatalf("%s %s: %d %q (Location %q, Allow %q)", method, target, rec.Code, rec.Body.String(),
				rec.Header().Get("Location"), rec.Header().Get("Allow"))
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
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

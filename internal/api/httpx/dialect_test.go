package httpx

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/metrics"
)

// testDialect is an example ErrorWriter, the shape a surface with its own
// wire format (SCIM, OAuth) gives one: it renders the error's kind and the
// markers httpx puts inside its errors, with status 418, so that a test
// sees which writer answered. A real dialect maps the kind to its status
// (NotFound → 404, a MethodNotAllowedError → 405 with Allow, ...).
func testDialect(w http.ResponseWriter, r *http.Request, err error) {
	line := "dialect " + apierr.KindOf(err).String()
	for _, m := range []struct {
		err  error
		name string
	}{{ErrBodyTooLarge, "too-large"}, {ErrBodyTimeout, "timeout"}, {ErrBodyBudget, "budget"}} {
		if errors.Is(err, m.err) {
			line += " " + m.name
		}
	}
	var mna *MethodNotAllowedError
	if errors.As(err, &mna) {
		w.Header().Set("Allow", strings.Join(mna.Allow, ", "))
		line += " allow " + strings.Join(mna.Allow, ",")
	}
	w.WriteHeader(http.StatusTeapot)
	io.WriteString(w, line)
}

// dialectServer is a Router behind the Middleware with testDialect claiming
// /{}/scim/v2/..., and routes both for the claimed and the envelope's paths.
func dialectServer(mw *Middleware) http.Handler {
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
	rt.Handle("GET /{tenant}/scim/v2/Users/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, apierr.IIC1312.New())
	}))
	rt.Handle("/{tenant}/scim/v2/Me/{rest...}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, apierr.IIC1615.New())
	}))
	// Conflicts with GET /{tenant}/scim/v2/Users/{id} (neither is more
	// specific), so it lives in the Router's second layer.
	rt.Handle("GET /t1/scim/v2/{resource}/.schema", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, apierr.IIC1312.New())
	}))
	if len(rt.layers) < 2 {
		panic("dialectServer: the .schema route must open a second layer")
	}
	d := &Dialects{}
	d.Claim(SegmentsMatch("/{}/scim/v2"), testDialect)
	mw.Dialects = d
	if mw.Log == nil {
		mw.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	mw.Metrics = metrics.New()
	return mw.Wrap(rt)
}

func TestDialectAnswersEveryErrorOfItsRequests(t *testing.T) {
	h := dialectServer(&Middleware{})
	do := func(method, target string, body io.Reader) (int, string, http.Header) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, target, body))
		return rec.Code, rec.Body.String(), rec.Header()
	}
	for _, c := range []struct {
		name, method, target string
		body                 io.Reader
		want                 string
	}{
		{"handler error", "POST", "/t1/scim/v2/Users", strings.NewReader("{}"), "dialect Conflict"},
		{"handler error, second layer", "GET", "/t1/scim/v2/Users/.schema", nil, "dialect NotFound"},
		{"catch-all route's error", "GET", "/t1/scim/v2/Me/x", nil, "dialect NotImplemented"},
		{"unknown path under the prefix", "GET", "/t1/scim/v2/Nope", nil, "dialect NotFound"},
		{"the prefix itself", "GET", "/t1/scim/v2", nil, "dialect NotFound"},
		{"wrong method on a known path", "DELETE", "/t1/scim/v2/Users", nil, "dialect NotFound allow POST"},
		{"wrong method, GET route", "PUT", "/t2/scim/v2/Users/u1", nil, "dialect NotFound allow GET,HEAD"},
		{"wrong method, a route in each layer", "POST", "/t1/scim/v2/Users/.schema", nil, "dialect NotFound allow GET,HEAD"},
		{"OPTIONS", "OPTIONS", "/t1/scim/v2/Users", nil, "dialect NotFound allow POST"},
		{"CONNECT", "CONNECT", "/t1/scim/v2/Users", nil, "dialect NotFound allow POST"},
		{"a path only a trailing slash would match", "GET", "/t1/scim/v2/Me", nil, "dialect NotFound"},
		{"non-canonical path", "GET", "/t1/scim/v2/a/../Users", nil, "dialect NotFound"},
		{"empty segment", "GET", "/t1/scim/v2//Users", nil, "dialect NotFound"},
		{"escaped slash in the tenant", "GET", "/t%2F1/scim/v2/Nope", nil, "dialect NotFound"},
		{"escaped letters in the prefix", "GET", "/t1/%73cim/v2/Nope", nil, "dialect NotFound"},
		{"NUL in the path", "GET", "/t1/scim/v2/Users/a%00b", nil, "dialect Invalid"},
		{"invalid UTF-8 in the path", "GET", "/t1/scim/v2/Users/%ff", nil, "dialect Invalid"},
		{"NUL in the query", "GET", "/t1/scim/v2/Users?filter=%00", nil, "dialect Invalid"},
		{"NUL in a query key", "GET", "/t1/scim/v2/Users?a%00=1", nil, "dialect Invalid"},
		{"body too large", "POST", "/t1/scim/v2/Users", strings.NewReader(strings.Repeat("x", MaxBody+1)), "dialect Invalid too-large"},
		{"panic", "POST", "/t1/scim/v2/Users?panic=1", strings.NewReader("{}"), "dialect Internal"},
	} {
		code, body, hdr := do(c.method, c.target, c.body)
		if code != http.StatusTeapot || body != c.want {
			t.Errorf("%s: %s %s = %d %q, want 418 %q", c.name, c.method, c.target, code, body, c.want)
		}
		if loc := hdr.Get("Location"); loc != "" {
			t.Errorf("%s: redirected to %s", c.name, loc)
		}
	}
	// Requests nobody claims keep the product's envelope, 404 for a wrong
	// method too (the error table has no 405 row).
	for _, c := range []struct{ method, target string }{
		{"GET", "/v1/things"}, {"GET", "/v1/unknown"}, {"DELETE", "/v1/things"}, {"GET", "/v1//things"},
		{"GET", "/t1/scimx/v2/Users"}, {"GET", "/scim/v2/Users"}, {"GET", "/t1/scim%2Fv2/Users"}, {"GET", "/v1/things?x=%00"},
	} {
		code, body, hdr := do(c.method, c.target, nil)
		if code == http.StatusTeapot || !strings.Contains(body, `"error_code"`) || hdr.Get("Allow") != "" {
			t.Errorf("%s %s: %d %q (Allow %q), want the envelope", c.method, c.target, code, body, hdr.Get("Allow"))
		}
	}
	if code, body, _ := do("DELETE", "/v1/things", nil); code != 404 || !strings.Contains(body, `"IIC.404"`) {
		t.Errorf("wrong method without a dialect: %d %s", code, body)
	}
}

// A body over the shared budget is refused by the middleware before any
// handler runs: in the claiming surface's dialect.
func TestDialectAnswersBodyBudgetRefusals(t *testing.T) {
	h := dialectServer(&Middleware{BodyBudget: 2 << 10, BodyTimeout: time.Second})
	for target, want := range map[string]string{
		"/t1/scim/v2/Users": "dialect Internal budget",
		"/v1/things":        `"error_code":"IIC.1260"`,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", target, strings.NewReader(strings.Repeat("x", 8<<10))))
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("POST %s: %d %q, want %q", target, rec.Code, rec.Body.String(), want)
		}
	}
}

// A client that stops sending its body is cut at the body deadline and
// answered in the claiming surface's dialect.
func TestDialectAnswersSlowBodies(t *testing.T) {
	srv := httptest.NewServer(dialectServer(&Middleware{BodyTimeout: 200 * time.Millisecond}))
	defer srv.Close()
	for target, want := range map[string]string{
		"/t1/scim/v2/Users": "dialect Invalid timeout",
		"/v1/things":        `"error_code":"IIC.400"`,
	} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(conn, "POST "+target+" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("POST %s: %v", target, err)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		if !strings.Contains(string(body), want) {
			t.Errorf("POST %s: %d %q, want %q", target, resp.StatusCode, body, want)
		}
	}
}

func TestSegmentsMatch(t *testing.T) {
	m := SegmentsMatch("/{}/scim/v2")
	for path, want := range map[string]bool{
		"/t/scim/v2": true, "/t/scim/v2/": true, "/t/scim/v2/Users/1": true,
		"/t%2Fx/scim/v2/Users": true, "/t/%73cim/v2": true,
		"/t/scim/v2x": false, "/scim/v2": false, "//scim/v2": false, "/t/scim": false, "/": false,
		"/t/scim%2Fv2/Users": false, "/t/scim/v2%2FUsers": false,
	} {
		r := httptest.NewRequest("GET", "http://x"+path, nil)
		if got := m(r); got != want {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
}

// SegmentsMatch claims exactly the canonical paths that ServeMux routes to
// the surface's patterns, however the path is escaped.
func FuzzSegmentsMatchAgreesWithServeMux(f *testing.F) {
	for _, s := range []string{"/t/scim/v2", "/t/scim/v2/Users", "/t%2F1/scim/v2/Users", "/t/%73cim/v2/x",
		"/t/scim%2Fv2/Users", "/t/scim/v2%2F", "/scim/v2", "/t/scim/v2x", "/%2F/scim/v2", "/t/scim/v%32/a%00"} {
		f.Add(s)
	}
	surface := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("/{tenant}/scim/v2", surface)
	mux.Handle("/{tenant}/scim/v2/{rest...}", surface)
	mux.Handle("/", http.NotFoundHandler())
	claims := SegmentsMatch("/{}/scim/v2")
	f.Fuzz(func(t *testing.T, target string) {
		r, err := http.NewRequest("GET", "http://x"+target, nil)
		if err != nil || r.URL.Path == "" || r.URL.Path[0] != '/' || r.URL.Host != "x" {
			return
		}
		// The Router refuses non-canonical paths before routing them.
		if p := r.URL.Path; cleanPath(p) != p || cleanPath(r.URL.EscapedPath()) != r.URL.EscapedPath() {
			return
		}
		_, pattern := mux.Handler(r)
		routed := strings.HasPrefix(pattern, "/{tenant}/")
		if got := claims(r); got != routed {
			t.Fatalf("%q (escaped %q): claimed %v, ServeMux routes it to %q", target, r.URL.EscapedPath(), got, pattern)
		}
	})
}

package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/metrics"
)

func serve(t *testing.T, rt *Router, req *http.Request) (*httptest.ResponseRecorder, map[string]string, string) {
	t.Helper()
	var logs bytes.Buffer
	mw := &Middleware{Log: slog.New(slog.NewTextHandler(&logs, nil)), Metrics: metrics.New()}
	rec := httptest.NewRecorder()
	mw.Wrap(rt).ServeHTTP(rec, req)
	var body map[string]string
	json.Unmarshal(rec.Body.Bytes(), &body)
	return rec, body, logs.String()
}

func TestPanicBecomesEnvelope(t *testing.T) {
	rt := NewRouter()
	rt.Handle("GET /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret-detail") }))
	rec, body, logs := serve(t, rt, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 || body["error_code"] != "IIC.1260" || body["request_id"] != rec.Header().Get("X-Request-Id") {
		t.Fatalf("panic answered %d %v", rec.Code, body)
	}
	if strings.Contains(rec.Body.String(), "secret-detail") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Fatalf("panic details leaked to the client: %s", rec.Body)
	}
	if !strings.Contains(logs, "secret-detail") || !strings.Contains(logs, "stack") {
		t.Fatalf("panic not logged with its stack: %s", logs)
	}
}

func TestUnknownErrorsAreHidden(t *testing.T) {
	rt := NewRouter()
	rt.Handle("GET /err", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, io.ErrUnexpectedEOF)
	}))
	rec, body, _ := serve(t, rt, httptest.NewRequest("GET", "/err", nil))
	if rec.Code != 500 || body["error_code"] != "IIC.1260" || strings.Contains(body["error_msg"], "EOF") {
		t.Fatalf("internal error answered %d %v", rec.Code, body)
	}
}

// A 5xx from the table keeps its cause in the log, never in the answer.
func TestServerErrorCauseIsLogged(t *testing.T) {
	rt := NewRouter()
	rt.Handle("GET /mail", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, fmt.Errorf("%w (%w)", apierr.IIC1516_500.New("the e-mail could not be sent"), errors.New("554 relay access denied")))
	}))
	rec, body, logs := serve(t, rt, httptest.NewRequest("GET", "/mail", nil))
	if rec.Code != 500 || body["error_code"] != "IIC.1516" || strings.Contains(rec.Body.String(), "relay") {
		t.Fatalf("answered %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs, "554 relay access denied") || !strings.Contains(logs, "IIC.1516") {
		t.Fatalf("cause not logged: %s", logs)
	}
}

func TestNoRedirects(t *testing.T) {
	rt := NewRouter()
	rt.Handle("GET /v1/things/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	for _, p := range []string{"/v1//things/x", "/v1/things/../things/x", "/v1/things/x/", "/v1/./things/x"} {
		rec, body, _ := serve(t, rt, httptest.NewRequest("GET", p, nil))
		if rec.Code != 404 || body["error_code"] != "IIC.404" || rec.Header().Get("Location") != "" {
			t.Errorf("%s answered %d %v (Location %q)", p, rec.Code, body, rec.Header().Get("Location"))
		}
	}
	if rec, _, _ := serve(t, rt, httptest.NewRequest("GET", "/v1/things/x", nil)); rec.Code != 204 {
		t.Fatalf("clean path answered %d", rec.Code)
	}
	// ServeMux redirects /a to /a/ when only a pattern ending in a slash
	// (or {rest...}) takes it; the Router answers 404 instead, from any layer.
	rt.Handle("/v1/subtree/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	rt.Handle("GET /v1/{kind}/tree/{rest...}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	rt.Handle("GET /v1/things/{id}/tree/{rest...}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	for _, p := range []string{"/v1/subtree", "/v1/x/tree", "/v1/things/x/tree"} {
		rec, body, _ := serve(t, rt, httptest.NewRequest("GET", p, nil))
		if rec.Code != 404 || body["error_code"] != "IIC.404" || rec.Header().Get("Location") != "" {
			t.Errorf("%s answered %d %v (Location %q)", p, rec.Code, body, rec.Header().Get("Location"))
		}
		if rec, _, _ := serve(t, rt, httptest.NewRequest("GET", p+"/", nil)); rec.Code != 204 {
			t.Errorf("%s/ answered %d", p, rec.Code)
		}
	}
}

func TestDecodeMessages(t *testing.T) {
	type in struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	cases := map[string]string{
		``:                          "a JSON request body is required",
		`{"name":`:                  "unexpected end of input",
		`{"name":1}`:                "field name must be a string",
		`{"count":"x"}`:             "field count must be a number",
		`{"name":"a"} x`:            "unexpected data after the JSON body",
		`[1]`:                       "must be an object",
		"{\"name\":\"a\"}\n":        "",
		`{"name":"a","extra":true}`: "",
		`{"name":"a\u0000b"}`:       "NUL",
		`{"n\u0000":"a"}`:           "NUL",
		`{"x":["\u0000"]}`:          "NUL",
		`{"name":"a\\u0000b"}`:      "", // an escaped backslash, then text
		`{"name":"a\\\u0000b"}`:     "NUL",
		"{\"name\":\"a\xffb\"}":     "UTF-8",
		`{"name":"\ud800"}`:         "surrogate",
		`{"name":"\udc00x"}`:        "surrogate",
		`{"name":"\ud800\u0041"}`:   "surrogate",
		`{"name":"\ud83d\ude00"}`:   "", // a pair: one emoji
		`{"name":"a\\ud800"}`:       "", // an escaped backslash, then text
	}
	for body, want := range cases {
		rt := NewRouter()
		var got error
		rt.Handle("POST /x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var v in
			got = Decode(r, &v)
		}))
		serve(t, rt, httptest.NewRequest("POST", "/x", strings.NewReader(body)))
		switch {
		case want == "" && got != nil:
			t.Errorf("Decode(%q) = %v, want success", body, got)
		case want != "" && (got == nil || !strings.Contains(got.Error(), want)):
			t.Errorf("Decode(%q) = %v, want it to mention %q", body, got, want)
		}
	}
}

// NUL or invalid UTF-8 in the path or query is refused before routing.
func TestPathAndQueryMustBeText(t *testing.T) {
	rt := NewRouter()
	rt.Handle("GET /users/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { WriteJSON(w, 200, map[string]string{}) }))
	for _, target := range []string{"/users/a%00b", "/users/a%ffb", "/users/a?name=x%00", "/users/a?n%00=x", "/users/a?name=%c3"} {
		rec, body, _ := serve(t, rt, httptest.NewRequest("GET", target, nil))
		if rec.Code != 400 || body["error_code"] != "IIC.400" {
			t.Errorf("GET %s = %d %v, want 400 IIC.400", target, rec.Code, body)
		}
	}
	if rec, _, _ := serve(t, rt, httptest.NewRequest("GET", "/users/%C3%A9l%C3%A8ve?name=%E2%9C%93", nil)); rec.Code != 200 {
		t.Errorf("valid UTF-8 refused: %d", rec.Code)
	}
}

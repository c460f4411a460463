package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// rawPoster reads answers with a Content-Length, chunked ones and those
// that close the connection, sends the body intact, reuses its connection,
// and reports a status other than the wanted one with the answer's start.
func TestRawPoster(t *testing.T) {
	var conns int
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(400)
			return
		}
		switch string(b) {
		case "chunked":
			w.Write([]byte(`{"a":`))
			w.(http.Flusher).Flush()
			w.Write([]byte(`"chunked"}`))
		case "close":
			w.Header().Set("Connection", "close")
			w.Write([]byte(`{"a":"close"}`))
		case "fail":
			w.WriteHeader(409)
			w.Write([]byte(`{"error":"nope"}`))
		default:
			w.Write([]byte(`{"a":"` + string(b) + `"}`))
		}
	}))
	var mu sync.Mutex
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	defer srv.Close()
	p := newRawPoster(srv.URL+"/v1/x", "application/json")
	for _, body := range []string{"one", "chunked", "two", "close", "three"} {
		ok, b, err := p.post([]byte(body), 200)
		if !ok || err != nil || jsonString(b, "a") != body {
			t.Fatalf("post %q = %v %q %v", body, ok, b, err)
		}
	}
	ok, _, err := p.post([]byte("fail"), 200)
	if !ok || err == nil || !strings.Contains(err.Error(), `409 {"error":"nope"}`) {
		t.Fatalf("a 409: %v %v", ok, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if conns != 2 { // one until the server closed it, then one more
		t.Fatalf("%d connections, want 2", conns)
	}
}

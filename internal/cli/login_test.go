package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOIDC answers RegisterClient, StartDeviceAuthorization and CreateToken
// from a script of token answers (an OAuth error name, or "" for tokens).
type fakeOIDC struct {
	mu         sync.Mutex
	script     []string
	polls      int
	registered int
	refreshes  []string
}

func (f *fakeOIDC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/v1/clients":
		f.registered++
		json.NewEncoder(w).Encode(map[string]any{"client_info": map[string]any{
			"client_id": "cid", "client_secret": "secret", "client_secret_expires_at": time.Now().Add(90 * 24 * time.Hour).Unix()}})
	case "/v1/device/authorize":
		json.NewEncoder(w).Encode(Device{DeviceCode: "dc", UserCode: "BCDF-GHJK", VerificationURI: "http://x/start/device",
			VerificationURIComplete: "http://x/start/device?user_code=BCDF-GHJK", ExpiresIn: 600, Interval: 5})
	case "/v1/tokens":
		if body["grant_type"] == GrantRefreshToken {
			f.refreshes = append(f.refreshes, body["refresh_token"].(string))
			json.NewEncoder(w).Encode(map[string]any{"token_info": map[string]any{"access_token": "at2", "refresh_token": "rt2", "expires_in": 3600}})
			return
		}
		next := ""
		if f.polls < len(f.script) {
			next = f.script[f.polls]
		}
		f.polls++
		status := map[string]int{"authorization_pending": 400, "slow_down": 400, "expired_token": 401, "access_denied": 404}[next]
		if next != "" {
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]string{"error_code": "IIC.16xx", "error_msg": "m", "error": next})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"token_info": map[string]any{"access_token": "at", "refresh_token": "rt", "expires_in": 3600}})
	case "/v1/assigned-accounts":
		if r.Header.Get("access-token") != "at2" {
			w.WriteHeader(401)
			json.NewEncoder(w).Encode(map[string]string{"error_code": "IIC.1604", "error_msg": "Invalid token."})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"account_list": []Account{}, "page_info": map[string]any{"next_marker": nil}})
	default:
		http.NotFound(w, r)
	}
}

func TestLoginPolling(t *testing.T) {
	cases := []struct {
		name   string
		script []string
		sleeps []time.Duration
		err    error
	}{
		{name: "pending, slow_down, success", script: []string{"authorization_pending", "slow_down", "authorization_pending"},
			sleeps: []time.Duration{5 * time.Second, 5 * time.Second, 10 * time.Second, 10 * time.Second}},
		{name: "expired", script: []string{"authorization_pending", "expired_token"},
			sleeps: []time.Duration{5 * time.Second, 5 * time.Second}, err: ErrLoginExpired},
		{name: "denied", script: []string{"access_denied"}, sleeps: []time.Duration{5 * time.Second}, err: ErrLoginDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeOIDC{script: tc.script}
			srv := httptest.NewServer(f)
			defer srv.Close()
			var sleeps []time.Duration
			s := &Session{Store: Store{Dir: t.TempDir()}, Profile: "default", URL: srv.URL,
				Sleep: func(ctx context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }}
			var out bytes.Buffer
			var opened string
			err := s.Login(context.Background(), LoginOptions{Out: &out, Open: func(u string) error { opened = u; return nil }})
			if !errors.Is(err, tc.err) {
				t.Fatalf("Login = %v, want %v", err, tc.err)
			}
			if !reflect.DeepEqual(sleeps, tc.sleeps) {
				t.Errorf("waits %v, want %v", sleeps, tc.sleeps)
			}
			if !strings.Contains(out.String(), "BCDF-GHJK") || !strings.Contains(out.String(), "http://x/start/device?user_code=BCDF-GHJK") {
				t.Errorf("output %q lacks the code or the URL", out.String())
			}
			if opened != "http://x/start/device?user_code=BCDF-GHJK" {
				t.Errorf("opened %q", opened)
			}
			p, lerr := s.Store.Load("default")
			if lerr != nil {
				t.Fatal(lerr)
			}
			if p.Client == nil || p.Client.ID != "cid" {
				t.Errorf("client not kept: %+v", p.Client)
			}
			if tc.err == nil && (p.Token == nil || p.Token.AccessToken != "at" || p.Token.RefreshToken != "rt") {
				t.Errorf("tokens not stored: %+v", p.Token)
			}
			if tc.err != nil && p.Token != nil {
				t.Errorf("tokens stored after %v", tc.err)
			}
		})
	}
}

// A second login reuses the registration; one whose secret is about to
// expire is replaced. An expired access token is refreshed and the
// rotated refresh token stored.
func TestLoginReuseAndRefresh(t *testing.T) {
	f := &fakeOIDC{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	now := time.Now()
	s := &Session{Store: Store{Dir: t.TempDir()}, Profile: "p", URL: srv.URL, Now: func() time.Time { return now },
		Sleep: func(context.Context, time.Duration) error { return nil }}
	for range 2 {
		if err := s.Login(context.Background(), LoginOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if f.registered != 1 {
		t.Errorf("registered %d clients for two logins, want 1", f.registered)
	}
	now = now.Add(90*24*time.Hour - 30*time.Minute)
	if err := s.Login(context.Background(), LoginOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.registered != 2 {
		t.Errorf("a client 30 minutes from its expiry was reused")
	}

	tok, _, err := s.AccessToken(context.Background())
	if err != nil || tok != "at" || len(f.refreshes) != 0 {
		t.Fatalf("AccessToken of a fresh token = %q, %v (refreshes %v)", tok, err, f.refreshes)
	}
	now = now.Add(time.Hour)
	tok, _, err = s.AccessToken(context.Background())
	if err != nil || tok != "at2" || !reflect.DeepEqual(f.refreshes, []string{"rt"}) {
		t.Fatalf("AccessToken of an expired token = %q, %v (refreshes %v)", tok, err, f.refreshes)
	}
	p, _ := s.Store.Load("p")
	if p.Token.RefreshToken != "rt2" || p.Token.AccessToken != "at2" {
		t.Errorf("rotated tokens not stored: %+v", p.Token)
	}
}

// An access token the server refuses before its expiry (revoked) is
// refreshed once and the call repeated.
func TestRefusedTokenIsRefreshed(t *testing.T) {
	f := &fakeOIDC{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	s := &Session{Store: Store{Dir: t.TempDir()}, Profile: "p", URL: srv.URL, Sleep: func(context.Context, time.Duration) error { return nil }}
	if err := s.Login(context.Background(), LoginOptions{}); err != nil {
		t.Fatal(err)
	}
	as, err := s.Assignments(context.Background())
	if err != nil || len(as) != 0 || !reflect.DeepEqual(f.refreshes, []string{"rt"}) {
		t.Fatalf("Assignments = %v, %v (refreshes %v)", as, err, f.refreshes)
	}
	if p, _ := s.Store.Load("p"); p.Token.AccessToken != "at2" {
		t.Errorf("stored token %+v", p.Token)
	}
}

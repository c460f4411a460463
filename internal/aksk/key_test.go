package aksk

import (
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// One Key verifies many signatures at once (Sign makes them through
// CanonicalRequest and Signature, the reference path) and refuses those
// made with another secret.
func TestKeyConcurrentUse(t *testing.T) {
	key := NewKey([]byte("the-secret"))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				sk := "the-secret"
				if j%7 == 3 {
					sk = "another-secret"
				}
				r := httptest.NewRequest("GET", fmt.Sprintf("/v1/items/%d?page=%d&a=b", i, j), nil)
				r.Header.Set("X-Domain-Id", "acct")
				Sign(r, "AK", sk, nil, time.Now())
				a, err := ParseAuthorization(r.Header.Get("Authorization"))
				if err != nil {
					t.Error(err)
					return
				}
				ok, err := VerifyKey(r, a, nil, r.Header.Get(DateHeader), key, false)
				want := sk == "the-secret"
				if err != nil || ok != want {
					t.Errorf("request %d/%d signed with %s: VerifyKey = %v, %v; want %v", i, j, sk, ok, err, want)
				}
			}
		}()
	}
	wg.Wait()
}

// Two Keys used in turn each accept only their own secret's signatures
// (each keeps its own reusable HMAC).
func TestKeysKeepTheirOwnState(t *testing.T) {
	keys := map[string]*Key{"secret-a": NewKey([]byte("secret-a")), "secret-b": NewKey([]byte("secret-b"))}
	for i := range 20 {
		sk := []string{"secret-a", "secret-b"}[i%2]
		r := httptest.NewRequest("POST", fmt.Sprintf("/v1/items/%d", i), nil)
		Sign(r, "AK", sk, []byte("{}"), time.Now())
		a, err := ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			t.Fatal(err)
		}
		for name, key := range keys {
			ok, err := VerifyKey(r, a, []byte("{}"), r.Header.Get(DateHeader), key, false)
			if err != nil || ok != (name == sk) {
				t.Fatalf("request %d signed with %s: VerifyKey with %s = %v, %v", i, sk, name, ok, err)
			}
		}
	}
}

// Verifying a signature allocates once, the parsed SignedHeaders list (and
// once more per query key or value with %-escapes, decoded into a new
// string): the canonical request, the payload hash, the query, the HMAC and
// the signature use buffers on the stack, pooled, or kept by the Key.
func TestVerifyAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool items at random")
	}
	key := NewKey([]byte(exSK))
	for _, tc := range []struct {
		name, method, target string
		body                 []byte
		allocs               float64
	}{
		{"list with a query", "GET", "/v1/identity-stores/d-1234567890/users?limit=100&marker=AAAAAAAA&b=2&b=1", nil, 1},
		{"list with an escaped query", "GET", "/v1/identity-stores/d-1234567890/users?limit=100&marker=m%201%2F%C3%A9", nil, 2},
		{"write with a body", "POST", "/v1/instances/ins-0123456789abcdef/permission-sets", []byte(`{"name":"ReadOnly"}`), 1},
	} {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		r.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
		r.Header.Set("X-Domain-Id", "0123456789abcdef0123456789abcdef")
		r.Header.Set(SecurityTokenHeader, "EXAMPLE-SECURITY-TOKEN")
		Sign(r, exAK, exSK, tc.body, time.Now())
		auth, date := r.Header.Get("Authorization"), r.Header.Get(DateHeader)
		verify := func() {
			a, err := ParseAuthorization(auth)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := VerifyKey(r, a, tc.body, date, key, false); !ok || err != nil {
				t.Fatalf("%s: VerifyKey = %v, %v", tc.name, ok, err)
			}
		}
		verify()
		if n := testing.AllocsPerRun(100, verify); n != tc.allocs {
			t.Errorf("%s: ParseAuthorization + VerifyKey allocate %v times, want %v", tc.name, n, tc.allocs)
		}
	}
}

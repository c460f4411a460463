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

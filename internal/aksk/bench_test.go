package aksk

import (
	"net/http/httptest"
	"testing"
	"time"
)

func BenchmarkVerify(b *testing.B) {
	r := httptest.NewRequest("GET", "/v1/identity-stores/d-1234567890/users?limit=100&marker=AAAAAAAAAAAAAAAAAAAAAAAA", nil)
	r.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0; go1.26")
	r.Header.Set("X-Project-Id", "fedcba9876543210fedcba9876543210")
	Sign(r, exAK, exSK, nil, time.Now())
	a, _ := ParseAuthorization(r.Header.Get("Authorization"))
	date := r.Header.Get(DateHeader)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, err := ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			b.Fatal(err)
		}
		if ok, _ := Verify(r, a, nil, date, []byte(exSK), false); !ok {
			b.Fatal("rejected")
		}
	}
	_ = a
}

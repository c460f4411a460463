package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

func claim(t *testing.T, s store.Store, sig []byte, now, expires time.Time) time.Time {
	t.Helper()
	first, err := s.Signatures().Claim(ctx, sig, now, expires)
	if err != nil {
		t.Fatalf("claim %q: %v", sig, err)
	}
	return first
}

func wantFirst(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s: first used %v, want %v", what, got, want)
	}
}

func testSignatures(t *testing.T, s store.Store) {
	sigs := s.Signatures()
	a, b := []byte("signature-a-32-bytes-long-......"), []byte("signature-b-32-bytes-long-......")
	wantFirst(t, "first claim", claim(t, s, a, t0, t0.Add(time.Minute)), t0)
	wantFirst(t, "second claim", claim(t, s, a, t0.Add(time.Second), t0.Add(2*time.Minute)), t0)
	wantFirst(t, "other signature", claim(t, s, b, t0.Add(time.Second), t0.Add(time.Minute)), t0.Add(time.Second))
	// Released: a new record.
	if err := sigs.Release(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := sigs.Release(ctx, a); err != nil {
		t.Fatalf("releasing twice: %v", err)
	}
	wantFirst(t, "claim after release", claim(t, s, a, t0.Add(2*time.Second), t0.Add(time.Minute)), t0.Add(2*time.Second))
	// Expired: taken over by a new claim.
	t1 := t0.Add(time.Minute + time.Second)
	wantFirst(t, "claim over an expired record", claim(t, s, b, t1, t1.Add(time.Minute)), t1)
	wantFirst(t, "claim of the renewed record", claim(t, s, b, t1.Add(time.Second), t1.Add(time.Minute)), t1)
	// Sweep removes only expired records, at most limit at a time.
	for i := 0; i < 5; i++ {
		claim(t, s, []byte{byte(i)}, t0, t0.Add(time.Duration(i)*time.Second))
	}
	n, err := sigs.Sweep(ctx, t0.Add(10*time.Second), 3)
	if err != nil || n != 3 {
		t.Fatalf("sweep = %d, %v; want 3", n, err)
	}
	n, err = sigs.Sweep(ctx, t0.Add(10*time.Second), 100)
	if err != nil || n != 2 {
		t.Fatalf("second sweep = %d, %v; want 2", n, err)
	}
	wantFirst(t, "a survives the sweep", claim(t, s, a, t0.Add(10*time.Second), t0.Add(time.Minute)), t0.Add(2*time.Second))
}

// Of many concurrent claims of one new signature exactly one creates the
// record; every claim reports the same first use.
func testSignaturesConcurrent(t *testing.T, s store.Store) {
	var fresh atomic.Int32
	var wg sync.WaitGroup
	sig := []byte("concurrent")
	firsts := make([]time.Time, 16)
	for i := range firsts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			now := t0.Add(time.Duration(i) * time.Millisecond)
			first, err := s.Signatures().Claim(ctx, sig, now, t0.Add(time.Minute))
			if err != nil {
				t.Errorf("claim: %v", err)
				return
			}
			if first.Equal(now) {
				fresh.Add(1)
			}
			firsts[i] = first
		}()
	}
	wg.Wait()
	if fresh.Load() != 1 {
		t.Fatalf("%d claims created the record, want 1", fresh.Load())
	}
	for _, f := range firsts {
		if !f.Equal(firsts[0]) {
			t.Fatalf("claims disagree on the first use: %v", firsts)
		}
	}
}

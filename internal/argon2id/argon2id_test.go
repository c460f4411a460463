package argon2id

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"runtime"
	"testing"

	"golang.org/x/crypto/argon2"
)

// blockFunctions runs fn with the SSE4.1 block function (where the CPU has
// it) and with the generic one.
func blockFunctions(t *testing.T, fn func(t *testing.T)) {
	defer func(sse4 bool) { useSSE4 = sse4 }(useSSE4)
	if useSSE4 {
		t.Run("sse4", fn)
	}
	useSSE4 = false
	t.Run("generic", fn)
}

// dirty fills the pooled work memory with non-zero bytes, so a test that
// follows would see it if earlier contents reached a result.
func dirty(n uint32) {
	b := getBlocks(n)
	for i := range b {
		for j := range b[i] {
			b[i][j] = 0x5555555555555555 ^ uint64(i*blockLength+j)
		}
	}
	putBlocks(b)
}

// RFC 9106 section 5.3: Argon2id, version 0x13, m = 32, t = 3, p = 4, with
// a secret and associated data.
func TestRFC9106Vector(t *testing.T) {
	blockFunctions(t, func(t *testing.T) {
		want, _ := hex.DecodeString("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")
		for range 2 { // fresh, then reused memory
			got := deriveKey(bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 16), bytes.Repeat([]byte{3}, 8),
				bytes.Repeat([]byte{4}, 12), 3, 32, 4, 32)
			if !bytes.Equal(got, want) {
				t.Fatalf("tag = %x, want %x", got, want)
			}
			dirty(32)
		}
	})
}

// x/crypto/argon2's Argon2id vectors (password "password", salt
// "somesalt"), each computed on memory dirtied by the one before.
func TestVectors(t *testing.T) {
	vectors := []struct {
		time, memory uint32
		threads      uint8
		hash         string
	}{
		{1, 64, 1, "655ad15eac652dc59f7170a7332bf49b8469be1fdb9c28bb"},
		{2, 64, 1, "068d62b26455936aa6ebe60060b0a65870dbfa3ddf8d41f7"},
		{2, 64, 2, "350ac37222f436ccb5c0972f1ebd3bf6b958bf2071841362"},
		{3, 256, 2, "4668d30ac4187e6878eedeacf0fd83c5a0a30db2cc16ef0b"},
		{4, 4096, 4, "145db9733a9f4ee43edf33c509be96b934d505a4efb33c5a"},
		{4, 1024, 8, "8dafa8e004f8ea96bf7c0f93eecf67a6047476143d15577f"},
		{2, 64, 3, "4a15b31aec7c2590b87d1f520be7d96f56658172deaa3079"},
		{3, 1024, 6, "1640b932f4b60e272f5d2207b9a9c626ffa1bd88d2349016"},
	}
	blockFunctions(t, func(t *testing.T) {
		dirty(4096)
		for _, v := range vectors {
			want, _ := hex.DecodeString(v.hash)
			if got := Key([]byte("password"), []byte("somesalt"), v.time, v.memory, v.threads, uint32(len(want))); !bytes.Equal(got, want) {
				t.Errorf("t=%d m=%d p=%d: %x, want %x", v.time, v.memory, v.threads, got, want)
			}
		}
	})
}

// TestMatchesXCrypto compares Key with x/crypto's IDKey over random
// parameters, in an order that reuses larger memory for smaller hashes
// and the other way round, and at the server's default parameters.
func TestMatchesXCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	blockFunctions(t, func(t *testing.T) {
		for range 40 {
			pw, salt := make([]byte, r.IntN(40)), make([]byte, 8+r.IntN(24))
			for i := range pw {
				pw[i] = byte(r.Uint32())
			}
			for i := range salt {
				salt[i] = byte(r.Uint32())
			}
			tm, m, p, n := uint32(1+r.IntN(4)), uint32(8+r.IntN(2048)), uint8(1+r.IntN(4)), uint32(4+r.IntN(100))
			want := argon2.IDKey(pw, salt, tm, m, p, n)
			if got := Key(pw, salt, tm, m, p, n); !bytes.Equal(got, want) {
				t.Fatalf("t=%d m=%d p=%d len=%d: %x, want %x", tm, m, p, n, got, want)
			}
		}
	})
	for range 2 {
		want := argon2.IDKey([]byte("Correct-Horse-7"), []byte("0123456789abcdef"), 2, 19*1024, 1, 32)
		if got := Key([]byte("Correct-Horse-7"), []byte("0123456789abcdef"), 2, 19*1024, 1, 32); !bytes.Equal(got, want) {
			t.Fatalf("default parameters: %x, want %x", got, want)
		}
	}
}

// TestReusesMemory checks that a hash after the first allocates (almost)
// nothing: the point of this package.
func TestReusesMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool items at random")
	}
	Key([]byte("pw"), []byte("saltsalt"), 1, 1024, 1, 32)
	allocs := testing.AllocsPerRun(20, func() { Key([]byte("pw"), []byte("saltsalt"), 1, 1024, 1, 32) })
	// The key, the BLAKE2b states, the pool's *[]block: a few small
	// allocations, never the 1 MiB (a GC may empty the pool: at most one
	// run in 20 allocates it).
	if allocs > 20 {
		t.Fatalf("%v allocations per hash", allocs)
	}
	var ms1, ms2 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	for range 20 {
		Key([]byte("pw"), []byte("saltsalt"), 1, 1024, 1, 32)
	}
	runtime.ReadMemStats(&ms2)
	if d := ms2.TotalAlloc - ms1.TotalAlloc; d > 4<<20 {
		t.Fatalf("20 hashes of 1 MiB allocated %d bytes", d)
	}
}

func TestPanics(t *testing.T) {
	for _, c := range []struct {
		time    uint32
		threads uint8
	}{{0, 1}, {1, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("t=%d p=%d: no panic", c.time, c.threads)
				}
			}()
			Key([]byte("pw"), []byte("saltsalt"), c.time, 64, c.threads, 32)
		}()
	}
}

// FuzzKey compares Key with x/crypto's IDKey (small memory, so that the
// fuzzer runs many), on memory every earlier input left behind.
func FuzzKey(f *testing.F) {
	f.Add([]byte("password"), []byte("somesalt"), uint8(2), uint16(64), uint8(1), uint8(32))
	f.Add([]byte(""), []byte("saltsalt"), uint8(1), uint16(8), uint8(2), uint8(4))
	f.Add([]byte("pw"), []byte("s"), uint8(3), uint16(300), uint8(3), uint8(65))
	f.Fuzz(func(t *testing.T, pw, salt []byte, tm uint8, m uint16, p uint8, n uint8) {
		time, memory, threads, keyLen := uint32(tm%4)+1, uint32(m%2048), p%8+1, uint32(n)+1
		want := argon2.IDKey(pw, salt, time, memory, threads, keyLen)
		if got := Key(pw, salt, time, memory, threads, keyLen); !bytes.Equal(got, want) {
			t.Fatalf("t=%d m=%d p=%d len=%d: %x, want %x", time, memory, threads, keyLen, got, want)
		}
	})
}

// BenchmarkKey is one hash at the server's default parameters (19 MiB,
// t=2, p=1) beside x/crypto's IDKey.
//
//	go test -run '^$' -bench Key -cpu 1 ./internal/argon2id
func BenchmarkKey(b *testing.B) {
	pw, salt := []byte("Bench-Passw0rd-2026!"), []byte("0123456789abcdef")
	b.Run("pooled", func(b *testing.B) {
		for b.Loop() {
			Key(pw, salt, 2, 19*1024, 1, 32)
		}
	})
	b.Run("x-crypto", func(b *testing.B) {
		for b.Loop() {
			argon2.IDKey(pw, salt, 2, 19*1024, 1, 32)
		}
	})
}

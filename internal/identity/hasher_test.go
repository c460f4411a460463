package identity

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/iic-project/iic/internal/cputime"
)

// Cheap parameters: these tests are about which hash is accepted and when a
// re-hash is asked for, not about cost.
var (
	cheapA = Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	cheapB = Argon2Params{MemoryKiB: 128, Iterations: 2, Parallelism: 1}
)

func TestArgon2VerifyAndRehash(t *testing.T) {
	a, b := NewArgon2(cheapA), NewArgon2(cheapB)
	h, err := a.Hash("Secret1!")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("Hash = %q, %v", h, err)
	}
	if ok, rehash := a.Verify(h, "Secret1!"); !ok || rehash {
		t.Fatalf("same parameters: ok=%v rehash=%v; want true, false", ok, rehash)
	}
	if ok, rehash := a.Verify(h, "Secret1?"); ok || rehash {
		t.Fatalf("wrong password: ok=%v rehash=%v", ok, rehash)
	}
	// Other parameters: the old hash still verifies and asks to be replaced.
	if ok, rehash := b.Verify(h, "Secret1!"); !ok || !rehash {
		t.Fatalf("changed parameters: ok=%v rehash=%v; want true, true", ok, rehash)
	}
	if ok, rehash := b.Verify(h, "nope"); ok || rehash {
		t.Fatalf("changed parameters, wrong password: ok=%v rehash=%v", ok, rehash)
	}
	// The default hashes of earlier builds verify under the defaults.
	old := phc("Old-pass1", []byte("0123456789abcdef"), 19*1024, 2, 1, 32)
	if ok, rehash := NewArgon2(DefaultArgon2).Verify(old, "Old-pass1"); !ok || rehash {
		t.Fatalf("an earlier build's hash under the defaults: ok=%v rehash=%v", ok, rehash)
	}
	// Imported bcrypt moves to Argon2id; a one-time password's SHA-256 is
	// replaced by the user, not re-hashed.
	bc, _ := bcrypt.GenerateFromPassword([]byte("Imported1!"), bcrypt.MinCost)
	if ok, rehash := a.Verify(string(bc), "Imported1!"); !ok || !rehash {
		t.Fatalf("bcrypt: ok=%v rehash=%v", ok, rehash)
	}
	otp, _ := hashGenerated("One-time-1")
	if ok, rehash := a.Verify(otp, "One-time-1"); !ok || rehash {
		t.Fatalf("one-time: ok=%v rehash=%v", ok, rehash)
	}
	for _, none := range []string{"", "garbage", "$argon2id$v=19$m=64,t=1,p=1$$"} {
		if ok, _ := a.Verify(none, ""); ok {
			t.Fatalf("Verify(%q, \"\") matched", none)
		}
	}
}

func TestArgon2ParamsValidate(t *testing.T) {
	good := []Argon2Params{DefaultArgon2, {47104, 1, 1}, {12288, 3, 1}, {7168, 5, 1}, {65536, 3, 4}}
	for _, p := range good {
		if err := p.Validate(); err != nil {
			t.Errorf("%v: %v", p, err)
		}
	}
	bad := []Argon2Params{{19456, 1, 1}, {4096, 16, 1}, {0, 2, 1}, {19456, 0, 1}, {19456, 2, 0}, {2 << 20, 2, 1}, {19456, 17, 1}, {19456, 2, 17}}
	for _, p := range bad {
		if err := p.Validate(); err == nil {
			t.Errorf("%v accepted", p)
		}
	}
}

// FuzzParseArgon2: the PHC parser never panics, accepts only what it can
// print back unchanged, and never accepts parameters beyond the bounds.
func FuzzParseArgon2(f *testing.F) {
	f.Add(phc("pw", []byte("0123456789abcdef"), 64, 1, 1, 32))
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=019456,t=2,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1,x=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2i$v=19$m=1,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		ph, ok := parseArgon2(s)
		if !ok {
			return
		}
		p := ph.params
		if p.MemoryKiB == 0 || p.MemoryKiB > maxArgonMemoryKiB || p.Iterations == 0 || p.Iterations > maxArgonIterations ||
			p.Parallelism == 0 || p.Parallelism > maxArgonParallelism || len(ph.key) < 16 || len(ph.key) > 128 {
			t.Fatalf("accepted %q with %+v", s, ph)
		}
		if !strings.Contains(s, "$"+p.String()+"$") {
			t.Fatalf("parameters of %q read as %v", s, p)
		}
	})
}

// BenchmarkArgon2Default is one password check at the default parameters:
// the ceiling of sign-ins per second per core (-cpu 1).
func BenchmarkArgon2Default(b *testing.B) {
	h := NewArgon2(DefaultArgon2)
	hash, err := h.Hash("Correct-horse1")
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cputime.Process()
	for b.Loop() {
		h.Verify(hash, "Correct-horse1")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
	// CPU time per check: what other load on the machine disturbs least.
	b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N), "cpu-µs/check")
}

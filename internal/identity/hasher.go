package identity

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"strings"
)

// Argon2Params are the Argon2id cost parameters of new password hashes.
// Every stored hash carries its own parameters, so a hash made under other
// parameters keeps verifying (and is replaced at its owner's next sign-in:
// Hasher.Verify reports it).
type Argon2Params struct {
	MemoryKiB   uint32 // m, in KiB
	Iterations  uint32 // t, passes over the memory
	Parallelism uint8  // p, lanes
}

// DefaultArgon2 is OWASP's first recommended Argon2id configuration
// (m = 19 MiB, t = 2, p = 1). It is also what every earlier build hashed
// with, so upgrading re-hashes nothing.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1}

// Bounds of configurable and stored parameters. The floor is OWASP's
// weakest listed equivalent (m = 7 MiB with t = 5): memory × passes of at
// least 35,840 KiB and at least 7 MiB of memory.
const (
	minArgonMemoryKiB   = 7 * 1024
	minArgonWork        = 7 * 1024 * 5 // KiB × passes
	maxArgonMemoryKiB   = 1 << 20      // 1 GiB
	maxArgonIterations  = 16
	maxArgonParallelism = 16
)

// Validate refuses parameters weaker than OWASP's recommendations or beyond
// what a stored hash may ask for.
func (p Argon2Params) Validate() error {
	switch {
	case p.MemoryKiB < minArgonMemoryKiB || p.MemoryKiB > maxArgonMemoryKiB:
		return fmt.Errorf("argon2 memory %d KiB: want %d to %d KiB", p.MemoryKiB, minArgonMemoryKiB, maxArgonMemoryKiB)
	case p.Iterations < 1 || p.Iterations > maxArgonIterations:
		return fmt.Errorf("argon2 iterations %d: want 1 to %d", p.Iterations, maxArgonIterations)
	case p.Parallelism < 1 || p.Parallelism > maxArgonParallelism:
		return fmt.Errorf("argon2 parallelism %d: want 1 to %d", p.Parallelism, maxArgonParallelism)
	case uint64(p.MemoryKiB)*uint64(p.Iterations) < minArgonWork:
		return fmt.Errorf("argon2 memory × iterations = %d KiB: OWASP's recommendations need at least %d (e.g. 19456 KiB × 2, 12288 × 3, 7168 × 5)",
			uint64(p.MemoryKiB)*uint64(p.Iterations), minArgonWork)
	}
	return nil
}

func (p Argon2Params) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.MemoryKiB, p.Iterations, p.Parallelism)
}

// Hasher hashes and verifies passwords people choose. The sign-in service
// takes one so that tests can count what a sign-in computes.
type Hasher interface {
	// Hash returns the PHC string of password under the current
	// parameters.
	Hash(password string) (string, error)
	// Verify reports whether password matches hash and whether hash should
	// be replaced by Hash(password) (it is not an Argon2id hash of the
	// current parameters). Every call costs at least one Argon2id of the
	// current parameters, whatever hash is: "" (no such user, or no
	// password) and hashes that are not Argon2id (a generated one-time
	// password's SHA-256, an imported bcrypt hash) are answered at that
	// cost too, so the time of an answer does not tell them apart.
	Verify(hash, password string) (ok, rehash bool)
}

// Argon2 is the Hasher of the server: Argon2id with Params. At most
// GOMAXPROCS hashes run at once (the others wait their turn): a burst of
// sign-ins holds at most that many times MemoryKiB of work memory (which
// internal/argon2id reuses from hash to hash), and hashes do not share a
// core with each other. More at once would not finish sooner — a hash is
// all CPU — but would cost more CPU each: more memory in use than the
// caches hold, and more page faults.
type Argon2 struct {
	Params Argon2Params
	slots  chan struct{}
	dummy  string // a hash of the current parameters that nothing matches
}

// NewArgon2 returns the hasher of p (which the caller validated).
func NewArgon2(p Argon2Params) *Argon2 {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand does not fail
	}
	return &Argon2{Params: p, slots: make(chan struct{}, runtime.GOMAXPROCS(0)), dummy: phc("", salt, p.MemoryKiB, p.Iterations, p.Parallelism, argonKeyLen)}
}

func (h *Argon2) acquire() func() {
	h.slots <- struct{}{}
	return func() { <-h.slots }
}

// Hash implements Hasher.
func (h *Argon2) Hash(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	defer h.acquire()()
	return phc(password, salt, h.Params.MemoryKiB, h.Params.Iterations, h.Params.Parallelism, argonKeyLen), nil
}

// Verify implements Hasher.
func (h *Argon2) Verify(hash, password string) (ok, rehash bool) {
	defer h.acquire()()
	ph, isArgon := parseArgon2(hash)
	if !isArgon {
		// A one-time password's SHA-256 or an imported bcrypt hash (or
		// nothing): checked as it is, plus one Argon2id of the current
		// parameters. Imported hashes move to Argon2id; one-time
		// passwords are replaced by the user at sign-in anyway.
		ok = hash != "" && CheckPasswordHash(hash, password)
		CheckPasswordHash(h.dummy, password)
		return ok, ok && strings.HasPrefix(hash, "$2")
	}
	ok = CheckPasswordHash(hash, password)
	return ok, ok && (ph.params != h.Params || len(ph.key) != argonKeyLen)
}

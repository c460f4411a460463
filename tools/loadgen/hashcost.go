package main

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"sort"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/iic-project/iic/internal/argon2id"
	"github.com/iic-project/iic/internal/cputime"
	"github.com/iic-project/iic/internal/identity"
)

// hashCost times the password hash a peer's sign-in runs, one at a time
// for about d, once the load is over: iic's Argon2id at its default
// parameters (internal/argon2id, the code the server runs, which reuses its
// work memory from hash to hash), Dex's bcrypt at the bench users' cost 10.
// It prints the median CPU time of one hash (the process's: with more than
// one lane argon2 runs them on goroutines of their own; other load on the
// machine changes CPU time little) and the ceiling it sets on sign-ins per
// second on this machine's cores (GOMAXPROCS / the median), for the run's
// figure to be compared with.
func hashCost(peer string, d time.Duration) {
	var name string
	var hash func()
	switch peer {
	case PeerIIC:
		p := identity.DefaultArgon2
		salt := make([]byte, 16)
		rand.Read(salt)
		name = fmt.Sprintf("argon2id m=%dKiB t=%d p=%d", p.MemoryKiB, p.Iterations, p.Parallelism)
		hash = func() { argon2id.Key([]byte(benchPassword), salt, p.Iterations, p.MemoryKiB, p.Parallelism, 32) }
	case PeerDex:
		h, err := bcrypt.GenerateFromPassword([]byte("password"), 10)
		if err != nil {
			fail(err.Error())
		}
		name = "bcrypt cost=10"
		hash = func() { bcrypt.CompareHashAndPassword(h, []byte("password")) }
	default:
		return
	}
	var times []time.Duration
	for start := time.Now(); time.Since(start) < d || len(times) < 5; {
		t0 := cputime.Process()
		hash()
		times = append(times, cputime.Process()-t0)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	med := times[len(times)/2]
	cores := runtime.GOMAXPROCS(0)
	fmt.Printf("hash: %s median-cpu=%s hash-us=%d ceiling=%.1f/s (%d cores)\n", name, med.Round(10*time.Microsecond),
		med.Microseconds(), float64(cores)/med.Seconds(), cores)
}

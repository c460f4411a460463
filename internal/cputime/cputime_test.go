package cputime

import (
	"crypto/sha256"
	"testing"
)

// Work done by the process shows as CPU time, and the clock never runs
// back.
func TestProcessCountsWork(t *testing.T) {
	before := Process()
	if before <= 0 {
		t.Fatalf("Process() = %v before any work, want > 0", before)
	}
	sum := sha256.Sum256(nil)
	for range 200000 {
		sum = sha256.Sum256(sum[:])
	}
	if after := Process(); after <= before {
		t.Fatalf("Process() went %v -> %v across 200,000 hashes", before, after)
	}
}

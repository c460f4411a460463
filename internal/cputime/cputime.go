// Package cputime reads the CPU time the process has used, for the
// benchmarks and load programs that report CPU per operation (the figure
// other load on a shared machine disturbs least).
package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time (user + system) the process has used so far, or
// 0 when the system does not say.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

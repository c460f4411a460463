package testenv

import "sync"

// Operation coverage: every in-process server records, when it stops, which
// mounted operations answered a request with a 2xx status. A test binary's
// TestMain can then check that its tests exercised each operation at least
// once (see e2e's TestMain).
var (
	coverMu sync.Mutex
	covered = map[string]bool{}
)

func (s *Server) recordCoverage() {
	coverMu.Lock()
	defer coverMu.Unlock()
	for _, op := range s.App.Ops() {
		if s.App.Metrics.Count(op.Pattern, 200, 299) > 0 {
			covered[op.Pattern] = true
		}
	}
}

// Covered reports whether any server stopped so far served the operation
// with route pattern pattern successfully.
func Covered(pattern string) bool {
	coverMu.Lock()
	defer coverMu.Unlock()
	return covered[pattern]
}

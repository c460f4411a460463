//go:build race

package aksk

// raceEnabled: the race detector makes sync.Pool drop items at random.
const raceEnabled = true

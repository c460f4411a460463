//go:build race

package argon2id

// raceEnabled: the race detector makes sync.Pool drop items at random.
const raceEnabled = true

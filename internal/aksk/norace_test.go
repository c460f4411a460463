//go:build !race

package aksk

const raceEnabled = false

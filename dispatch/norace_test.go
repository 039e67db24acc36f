//go:build !race

package dispatch

// raceEnabled: the test binary runs with the race detector.
const raceEnabled = false

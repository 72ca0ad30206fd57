//go:build !race

package osproxy

// raceEnabled reports whether the race detector is on; see race_test.go.
const raceEnabled = false

//go:build race

package osproxy

// raceEnabled reports whether the race detector is on. Under it sync.Pool drops a
// quarter of what is put back, so pooled state is sometimes rebuilt.
const raceEnabled = true

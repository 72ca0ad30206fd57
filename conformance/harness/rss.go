package harness

import (
	"time"

	"github.com/osproxy/osproxy/internal/proc"
)

// RSS returns the resident set size of process pid in bytes (proc.RSS: the
// one reader the suite and the benchmarks share).
func RSS(pid int) (uint64, error) { return proc.RSS(pid) }

// PeakRSSDuring is proc.PeakRSSDuring: the largest resident set of pid seen,
// sampling every interval, while work runs.
func PeakRSSDuring(pid int, every time.Duration, work func()) (uint64, error) {
	return proc.PeakRSSDuring(pid, every, work)
}

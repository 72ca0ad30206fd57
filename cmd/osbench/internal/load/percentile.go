package load

import (
	"math"
	"slices"
)

// Percentile returns the nearest-rank percentile p (0 < p <= 100) of sorted
// samples: the smallest sample with at least p% of the samples at or below
// it. Nearest rank never interpolates, so the value is always one that was
// measured, and the rank rule is the one every leg shares.
func Percentile(sorted []int64, p float64) int64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// The epsilon keeps float error (99.9% of 1000 = 999.0000001) from
	// pushing the rank one sample up.
	rank := int(math.Ceil(p*float64(n)/100 - 1e-9))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// Summary is the usual set of latency percentiles, in nanoseconds.
type Summary struct {
	Count               int
	P50, P90, P99, P999 int64
	Max                 int64
}

// Summarize sorts samples in place and reduces them.
func Summarize(samples []int64) Summary {
	slices.Sort(samples)
	s := Summary{Count: len(samples)}
	if len(samples) == 0 {
		return s
	}
	s.P50 = Percentile(samples, 50)
	s.P90 = Percentile(samples, 90)
	s.P99 = Percentile(samples, 99)
	s.P999 = Percentile(samples, 99.9)
	s.Max = samples[len(samples)-1]
	return s
}

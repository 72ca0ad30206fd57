package observe

import (
	"sync/atomic"
	"time"
)

// latencyBounds are the upper bounds of the latency histograms' buckets, in
// seconds: from a loopback round trip to the default upstream timeout.
var latencyBounds = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// latencyBoundsNS are latencyBounds in nanoseconds, for comparison without
// floating point on the request path.
var latencyBoundsNS = func() []int64 {
	out := make([]int64, len(latencyBounds))
	for i, b := range latencyBounds {
		out[i] = int64(b * float64(time.Second))
	}
	return out
}()

// histogram counts observations per bucket; the exposition makes them
// cumulative. The zero value is ready to use.
type histogram struct {
	buckets [16]atomic.Uint64 // len(latencyBounds)+1: the last is +Inf
	sumNS   atomic.Int64
	count   atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	ns := int64(d)
	i := 0
	for i < len(latencyBoundsNS) && ns > latencyBoundsNS[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sumNS.Add(ns)
	h.count.Add(1)
}

// snapshot returns the cumulative bucket counts, the sum in seconds and the count.
func (h *histogram) snapshot() (cumulative []uint64, sum float64, count uint64) {
	cumulative = make([]uint64, len(latencyBounds)+1)
	var run uint64
	for i := range cumulative {
		run += h.buckets[i].Load()
		cumulative[i] = run
	}
	return cumulative, float64(h.sumNS.Load()) / float64(time.Second), run
}

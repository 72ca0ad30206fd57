package proc

import (
	"fmt"
	"sync"
	"time"
)

// RSS returns the resident set size of process pid in bytes.
func RSS(pid int) (uint64, error) {
	m, err := ReadMemory(pid)
	if err != nil {
		return 0, err
	}
	if m.RSS <= 0 {
		return 0, fmt.Errorf("reading memory of %d: no VmRSS (a zombie?)", pid)
	}
	return uint64(m.RSS), nil
}

// PeakRSSDuring samples the resident set size of pid every interval while
// work runs, plus once before and once after, and returns the largest value
// seen. Sampling is a lower bound on the true peak: a spike shorter than the
// interval can be missed, so memory specs assert generous bounds on sustained
// load rather than on single allocations.
//
// The first sampling error is returned with the peak seen so far; work always
// runs to completion.
func PeakRSSDuring(pid int, every time.Duration, work func()) (peak uint64, err error) {
	return peakDuring(func() (uint64, error) { return RSS(pid) }, every, work)
}

// peakDuring holds PeakRSSDuring's logic with the sampler injected, so the
// maximum-tracking can be tested without depending on the kernel's timing.
func peakDuring(sample func() (uint64, error), every time.Duration, work func()) (uint64, error) {
	var (
		mu       sync.Mutex
		peak     uint64
		firstErr error
	)
	record := func() {
		v, err := sample()
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return
		}
		peak = max(peak, v)
	}
	record()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				record()
			}
		}
	})
	func() {
		// Stop the sampler even if work fails a spec by panicking.
		defer func() { close(stop); wg.Wait() }()
		work()
	}()
	record()
	mu.Lock()
	defer mu.Unlock()
	return peak, firstErr
}

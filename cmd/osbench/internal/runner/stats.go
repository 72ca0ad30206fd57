package runner

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/osproxy/osproxy/internal/proc"
)

// mockStats is the mock's /__stats document.
type mockStats struct {
	Opened   int64 `json:"conns_opened"`
	Active   int64 `json:"conns_active"`
	Requests int64 `json:"requests"`
	BodyIn   int64 `json:"body_bytes_in"`
}

// statsClient keeps one connection to the mock; the mock leaves /__stats
// out of its counts, so reading them does not disturb them.
var statsClient = &http.Client{Timeout: 5 * time.Second}

func (r *runner) stats() (mockStats, error) {
	var s mockStats
	resp, err := statsClient.Get("http://" + r.mock.Addr + "/__stats")
	if err != nil {
		return s, fmt.Errorf("reading mock stats: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("decoding mock stats: %w", err)
	}
	return s, nil
}

// window snapshots the counters that are differenced over a timed window:
// the proxy's CPU, the mock's CPU, the mock's request counters, and the
// CPU time of each side next to what the benchmark's own processes used.
type window struct {
	at                time.Time
	proxyCPU, mockCPU time.Duration
	mock              mockStats
	// side[0] is the generator's CPU, side[1] the proxies'; ours is what
	// the run's processes used on it, sys what the CPU did in total.
	ours, sys, steal [2]time.Duration
}

func (r *runner) snapshot(l *leg) window {
	w := window{at: time.Now()}
	if l.proc != nil {
		w.proxyCPU, _ = l.proc.CPU()
	}
	w.mockCPU, _ = r.mock.CPU()
	w.mock, _ = r.stats()
	self, _ := proc.CPUTime(os.Getpid())
	w.ours[0] = w.mockCPU + self
	for _, other := range r.legs {
		if other.proc != nil {
			t, _ := other.proc.CPU()
			w.ours[1] += t
		}
	}
	if cpus, err := proc.SystemCPU(); err == nil && len(cpus) >= 2 {
		for i, c := range cpus {
			side := min(i, 1)
			if r.cpu.proxy == "" {
				side = 0 // unpinned: one pool of CPUs
			}
			w.sys[side] += c.Busy
			w.steal[side] += c.Steal
		}
	}
	return w
}

// foreign is the share of each side's CPU that other processes (or the
// hypervisor) took during the window; unpinned, both sides are the whole box.
func foreign(before, after window, ncpu int) (side0, side1, steal float64) {
	wall := after.at.Sub(before.at).Seconds()
	if wall <= 0 {
		return 0, 0, 0
	}
	share := func(i int, cpus float64) float64 {
		d := (after.sys[i] - before.sys[i]) - (after.ours[i] - before.ours[i])
		return max(d.Seconds()/wall/cpus, 0)
	}
	st := (after.steal[0] + after.steal[1] - before.steal[0] - before.steal[1]).Seconds() / wall / float64(max(ncpu, 1))
	if after.sys[1] == 0 && before.sys[1] == 0 {
		all := float64(max(ncpu, 1))
		d := (after.sys[0] - before.sys[0]) - (after.ours[0] + after.ours[1] - before.ours[0] - before.ours[1])
		v := max(d.Seconds()/wall/all, 0)
		return v, v, st
	}
	return share(0, 1), share(1, float64(max(ncpu-1, 1))), st
}

package runner

import (
	"strconv"
	"time"

	"github.com/osproxy/osproxy/cmd/osbench/internal/load"
	"github.com/osproxy/osproxy/cmd/osbench/internal/report"
	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
	"github.com/osproxy/osproxy/internal/proc"
)

// closedCell measures one (workload, concurrency, leg) in a closed loop.
func (r *runner) closedCell(w workload.Workload, conc int, l *leg, round int) (report.Cell, error) {
	req, err := w.Request(l.id, l.addr)
	if err != nil {
		return report.Cell{}, err
	}
	r.resetPeak(l)
	var before, after window
	res, err := load.RunClosed(load.Spec{
		Addr: l.addr, Requests: [][]byte{req}, Conns: conc,
		Warmup: r.prof.warmup, Duration: r.prof.cell, MaxDuration: r.prof.maxCell,
		MinRequests: r.prof.minReqs, MaxRequests: r.prof.maxReqs,
		OnMeasure: r.windowHook(l, &before, &after),
	})
	if err != nil {
		return report.Cell{}, err
	}
	c := r.cellFrom(w.Name(), conc, l, round, res, before, after)
	c.Mode = "closed"
	return c, nil
}

// openCell measures one leg on a fixed schedule of rate requests/s.
func (r *runner) openCell(w workload.Workload, conns int, rate float64, l *leg, round int) (report.Cell, error) {
	req, err := w.Request(l.id, l.addr)
	if err != nil {
		return report.Cell{}, err
	}
	r.resetPeak(l)
	var before, after window
	res, err := load.RunOpen(load.OpenSpec{
		Addr: l.addr, Requests: [][]byte{req}, Conns: conns, Rate: rate,
		Warmup: r.prof.warmup + 100*time.Millisecond, Duration: r.prof.openTime,
		OnMeasure: r.windowHook(l, &before, &after),
	})
	if err != nil {
		return report.Cell{}, err
	}
	c := r.cellFrom(w.Name(), conns, l, round, res, before, after)
	c.Mode, c.Rate = "open", rate
	return c, nil
}

// windowHook snapshots the leg's counters as the timed window opens and closes.
func (r *runner) windowHook(l *leg, before, after *window) func(start bool) {
	return func(start bool) {
		if start {
			*before = r.snapshot(l)
		} else {
			*after = r.snapshot(l)
		}
	}
}

func (r *runner) resetPeak(l *leg) {
	if l.proc != nil {
		_ = proc.ResetPeak(l.proc.MemPID())
	}
}

// cellFrom turns a load result and the counter snapshots around its window
// into a report cell.
func (r *runner) cellFrom(name string, conc int, l *leg, round int, res load.Result, before, after window) report.Cell {
	c := report.Cell{
		Workload: name, Conc: conc, Leg: string(l.id), Round: round,
		Requests: res.Requests, Errors: res.Errors, NonOK: res.NonOK, FirstError: res.FirstError,
		ElapsedS: res.Elapsed.Seconds(), RPS: res.RPS(),
		P50: millis(res.Latency.P50), P90: millis(res.Latency.P90), P99: millis(res.Latency.P99),
		P999: millis(res.Latency.P999), Max: millis(res.Latency.Max),
		UpOpened:   after.mock.Opened - before.mock.Opened,
		UpRequests: after.mock.Requests - before.mock.Requests,
		Statuses:   map[string]int{},
	}
	for code, n := range res.Statuses {
		c.Statuses[strconv.Itoa(code)] = n
	}
	if res.Requests > 0 {
		perReq := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(res.Requests) }
		if l.proc != nil {
			c.CPUPerReq = perReq(after.proxyCPU - before.proxyCPU)
		}
		c.MockCPUPerReq = perReq(after.mockCPU - before.mockCPU)
	}
	if c.UpRequests > 0 {
		c.UpBodyPerReq = float64(after.mock.BodyIn-before.mock.BodyIn) / float64(c.UpRequests)
	}
	if l.proc != nil {
		if m, err := l.proc.Memory(); err == nil {
			c.PeakRSS = m.HWM
		}
	}
	c.ForeignGen, c.ForeignProxy, c.Steal = foreign(before, after, numCPU())
	return c
}

func millis(ns int64) float64 { return float64(ns) / 1e6 }

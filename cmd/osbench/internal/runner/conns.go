package runner

import (
	"time"

	"github.com/osproxy/osproxy/cmd/osbench/internal/load"
	"github.com/osproxy/osproxy/cmd/osbench/internal/report"
	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
)

// connRequest is the small request a leg is known to accept: the 256 B
// write, or for T the small search while T has no document writes yet.
func (r *runner) connRequest(l *leg) []byte {
	w := write256
	if l.id.Tenant() && r.unsupported[string(l.id)+"/"+write256.Name()] {
		w = search10
	}
	req, _ := w.Request(l.id, l.addr)
	return req
}

// idleConns measures the memory of idle keep-alive connections: n clients
// each send one request and then sit idle while RSS is read. It runs
// before any load, while the heap has no free spans to hide the growth in.
func (r *runner) idleConns() {
	n := r.prof.idleConns
	for _, id := range []workload.Leg{"N", "O", "P", "T", "R"} {
		l, ok := r.legs[id]
		if !ok {
			continue
		}
		r.log("idle keep-alive memory: %s, %d connections", id, n)
		before, err := l.proc.Memory()
		if err != nil {
			continue
		}
		res, closeAll := load.HoldIdle(l.addr, r.connRequest(l), n, 30*time.Second)
		// Let the proxy finish its per-connection work (idle pools, timers).
		time.Sleep(500 * time.Millisecond)
		after, err := l.proc.Memory()
		closeAll()
		if err != nil {
			continue
		}
		r.res.IdleConns = append(r.res.IdleConns, report.IdleConnCell{
			Leg: string(id), Conns: n, Errors: res.Errors + res.NonOK,
			RSSBefore: before.RSS, RSSAfter: after.RSS,
			PerConn: float64(after.RSS-before.RSS) / float64(n),
		})
		time.Sleep(200 * time.Millisecond)
	}
}

// connections runs the connection cells on N, O, P and T: a warm
// single connection, sequential fresh connections, a connect storm, and
// many concurrent clients. D runs them too: its figures are the floor the
// generator and mock set on this box, which the proxies' are read against.
func (r *runner) connections() {
	for _, id := range []workload.Leg{"D", "N", "O", "P", "T"} {
		l, ok := r.legs[id]
		if !ok || (l.proc != nil && !l.proc.Alive()) || r.overBudget("connections") {
			continue
		}
		r.log("connections: %s", id)
		req := r.connRequest(l)
		r.connTest(l, "warm", 1, 2000, func() load.ConnResult {
			return load.Sequential(l.addr, req, 2000, false, 30*time.Second)
		})
		r.connTest(l, "fresh", 1000, 1, func() load.ConnResult {
			return load.Sequential(l.addr, req, 1000, true, 30*time.Second)
		})
		n := r.prof.stormConns
		r.connTest(l, "storm", n, 1, func() load.ConnResult { return load.Storm(l.addr, req, n, 30*time.Second) })
		r.connTest(l, "concurrent", 1000, 10, func() load.ConnResult {
			return load.Concurrent(l.addr, req, 1000, 10, 60*time.Second)
		})
		if r.prof.bigConcurrent && (id == "P" || id == "T") {
			r.connTest(l, "concurrent", 5000, 10, func() load.ConnResult {
				return load.Concurrent(l.addr, req, 5000, 10, 120*time.Second)
			})
		}
	}
}

// connTest runs one connection test between reads of the mock's counters,
// after a pause that lets the previous test's connections close.
func (r *runner) connTest(l *leg, test string, conns, per int, run func() load.ConnResult) {
	time.Sleep(300 * time.Millisecond)
	before, _ := r.stats()
	res := run()
	after, _ := r.stats()
	c := report.ConnCell{Leg: string(l.id), Test: test, Conns: conns, PerConn: per,
		Attempts: res.Attempts, Errors: res.Errors, NonOK: res.NonOK, FirstErr: res.FirstError,
		P50: millis(res.Latency.P50), P99: millis(res.Latency.P99), Max: millis(res.Latency.Max),
		UpOpened: after.Opened - before.Opened, UpRequests: after.Requests - before.Requests}
	r.log("  %-2s %-10s %5d×%-4d p50 %.3f p99 %.3f ms failed %d/%d", l.id, test, conns, per, c.P50, c.P99,
		c.Errors+c.NonOK, c.Attempts)
	r.res.Conns = append(r.res.Conns, c)
}

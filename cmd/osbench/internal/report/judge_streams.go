package report

import (
	"fmt"
	"math"
)

// streamRSS is the per-kind growth bound (gate, stretch) in MiB; the hard
// bound of 16 MiB (STR-1..3) applies to all of them.
var streamRSS = []struct {
	kind, leg, label string
	gate, stretch    float64
}{
	{"stream-request", "P", "request", 4, 2},
	{"stream-response", "P", "response", 4, 2},
	{"stream-aggs", "T", "search aggregations", 6, 3},
	{"stream-bulk", "T", "bulk", 10, 6},
}

func (j *judge) stream(kind, leg string) *StreamCell {
	for i := range j.r.Streams {
		if s := &j.r.Streams[i]; s.Kind == kind && s.Leg == leg && len(s.MBps) > 0 {
			return s
		}
	}
	return nil
}

func (j *judge) streamRows() []Target {
	var out []Target
	for _, k := range streamRSS {
		metric := "64 MiB streaming RSS growth: " + k.label + " (" + k.leg + ")"
		gate := fmt.Sprintf("≤ %.0f MiB (hard bound 16 MiB)", k.gate)
		stretch := fmt.Sprintf("≤ %.0f MiB", k.stretch)
		s := j.stream(k.kind, k.leg)
		if s == nil || s.PeakRSS == 0 {
			out = append(out, unmeasured(metric, gate, stretch, j.absent(k.leg, k.kind)))
			continue
		}
		g := float64(s.PeakRSS - s.BaseRSS)
		m := fmt.Sprintf("%s (%s → peak %s, %d samples at 5 ms)", mib(g), mib(float64(s.BaseRSS)),
			mib(float64(s.PeakRSS)), s.Samples)
		out = append(out, row(metric, m, gate, stretch,
			[]check{le(g, k.gate*(1<<20)), le(float64(len(s.Errors)), 0)}, []check{le(g, k.stretch*(1<<20))}))
	}
	for _, k := range streamRSS[:3] {
		out = append(out, j.streamRate(k.kind, k.leg, k.label))
	}
	return out
}

func (j *judge) streamRate(kind, leg, label string) Target {
	metric := "64 MiB streaming throughput: " + label + " (" + leg + ")"
	const gate, stretch = "≥ 0.9× N, ≥ 0.7× D", "≥ 1.0× N"
	s, n, d := j.stream(kind, leg), j.stream(kind, "N"), j.stream(kind, "D")
	if leg == "T" {
		d = j.stream(kind, "DT")
	}
	if s == nil || n == nil || d == nil {
		return unmeasured(metric, gate, stretch, j.absent(leg, kind))
	}
	sv, nv, dv := Median(s.MBps), Median(n.MBps), Median(d.MBps)
	xn, xd := ratio(sv, nv), ratio(sv, dv)
	m := fmt.Sprintf("%.0f MB/s; N %.0f, D %.0f (%s N, %s D)", sv, nv, dv, times(xn), times(xd))
	return row(metric, m, gate, stretch, []check{ge(xn, 0.9), ge(xd, 0.7)}, []check{ge(xn, 1.0)})
}

// reuseRow takes the worst closed-loop P or T cell of any round.
func (j *judge) reuseRow() Target {
	const metric = "upstream reuse in steady state (1 − opened ÷ dispatched), P and T"
	const gate, stretch = "≥ 0.99", "≥ 0.999"
	worst, cells := math.Inf(1), 0
	where := ""
	for _, c := range j.r.Cells {
		if (c.Leg != "P" && c.Leg != "T") || c.Mode != "closed" || c.UpRequests == 0 {
			continue
		}
		cells++
		if r := c.Reuse(); r < worst {
			worst, where = r, fmt.Sprintf("%s %s c=%d: %d opened / %d", c.Leg, c.Workload, c.Conc, c.UpOpened, c.UpRequests)
		}
	}
	if cells == 0 {
		return unmeasured(metric, gate, stretch, NotRun+" (no P or T cells ran)")
	}
	m := fmt.Sprintf("worst %.4f over %d cells (%s)", worst, cells, where)
	return row(metric, m, gate, stretch, []check{ge(worst, 0.99)}, []check{ge(worst, 0.999)})
}

func (j *judge) conn(leg, test string, conns int) *ConnCell {
	for i := range j.r.Conns {
		if c := &j.r.Conns[i]; c.Leg == leg && c.Test == test && (conns == 0 || c.Conns == conns) {
			return c
		}
	}
	return nil
}

func (j *judge) connRows() []Target {
	var out []Target
	for _, leg := range []string{"P", "T"} {
		out = append(out, j.concurrentRow(leg), j.freshRow(leg), j.warmRow(leg), j.stormRow(leg))
	}
	return out
}

func (j *judge) concurrentRow(leg string) Target {
	metric := "concurrent connections, zero errors (" + leg + ")"
	const gate, stretch = "1,000 × 10", "5,000 × 10"
	c := j.conn(leg, "concurrent", 1000)
	if c == nil {
		return unmeasured(metric, gate, stretch, j.absent(leg, "connections"))
	}
	bad := float64(c.Errors + c.NonOK)
	m := fmt.Sprintf("1,000 × 10: %d/%d failed", c.Errors+c.NonOK, c.Attempts)
	st := []check{le(1, 0)}
	if big := j.conn(leg, "concurrent", 5000); big != nil {
		m += fmt.Sprintf("; 5,000 × 10: %d/%d failed", big.Errors+big.NonOK, big.Attempts)
		st = []check{le(float64(big.Errors+big.NonOK), 0)}
	}
	if c.FirstErr != "" {
		m += "; first error: " + c.FirstErr
	}
	return row(metric, m, gate, stretch, []check{le(bad, 0)}, st)
}

func (j *judge) freshRow(leg string) Target {
	metric := "fresh-connection cost (fresh p50 − warm p50, " + leg + ")"
	const gate, stretch = "≤ 0.15 ms", "≤ 0.08 ms"
	f, w := j.conn(leg, "fresh", 0), j.conn(leg, "warm", 0)
	if f == nil || w == nil {
		return unmeasured(metric, gate, stretch, j.absent(leg, "connections"))
	}
	d := f.P50 - w.P50
	m := fmt.Sprintf("%s (fresh %s, warm %s; %d errors)", ms(d), ms(f.P50), ms(w.P50), f.Errors+f.NonOK)
	if df, dw := j.conn("D", "fresh", 0), j.conn("D", "warm", 0); df != nil && dw != nil {
		m += fmt.Sprintf("; D %s", ms(df.P50-dw.P50))
	}
	if nf, nw := j.conn("N", "fresh", 0), j.conn("N", "warm", 0); nf != nil && nw != nil {
		m += fmt.Sprintf(", N %s", ms(nf.P50-nw.P50))
	}
	return row(metric, m, gate, stretch, []check{le(d, 0.15), le(float64(f.Errors+f.NonOK), 0)},
		[]check{le(d, 0.08)})
}

func (j *judge) warmRow(leg string) Target {
	metric := "warm single-connection round trip through the proxy, p50 (" + leg + ")"
	const gate, stretch = "≤ 0.25 ms", "≤ 0.18 ms"
	w := j.conn(leg, "warm", 0)
	if w == nil {
		return unmeasured(metric, gate, stretch, j.absent(leg, "connections"))
	}
	m := fmt.Sprintf("%s over %d requests", ms(w.P50), w.Attempts)
	m += j.floor("warm", func(c *ConnCell) float64 { return c.P50 })
	return row(metric, m, gate, stretch, []check{le(w.P50, 0.25)}, []check{le(w.P50, 0.18)})
}

func (j *judge) stormRow(leg string) Target {
	metric := "connect storm of 1,000, cold p99 (" + leg + ")"
	const gate, stretch = "≤ 200 ms", "≤ 50 ms"
	s := j.conn(leg, "storm", 0)
	if s == nil {
		return unmeasured(metric, gate, stretch, j.absent(leg, "connections"))
	}
	m := fmt.Sprintf("%s (max %s; %d/%d failed)", ms(s.P99), ms(s.Max), s.Errors+s.NonOK, s.Attempts)
	m += j.floor("storm", func(c *ConnCell) float64 { return c.P99 })
	return row(metric, m, gate, stretch, []check{le(s.P99, 200), le(float64(s.Errors+s.NonOK), 0)},
		[]check{le(s.P99, 50)})
}

// floor quotes the same connection test on D (the harness's own floor on
// this box) and N, so a proxy's figure can be read against both.
func (j *judge) floor(test string, f func(*ConnCell) float64) string {
	out := ""
	for _, leg := range []string{"D", "N"} {
		if c := j.conn(leg, test, 0); c != nil {
			out += fmt.Sprintf("; %s %s", leg, ms(f(c)))
		}
	}
	return out
}

package report

import "fmt"

func (j *judge) cpuRows() []Target {
	out := []Target{
		j.cpuVs("proxy CPU µs/req, c=64, P 256 B", w256, "P", "N", 1.6, 1.25),
		j.cpuVs("proxy CPU µs/req, c=64, P 64 KiB", w64k, "P", "N", 1.6, 1.25),
		j.cpuVs("T CPU µs/req, small search", search, "T", "P", 2.0, 1.5),
		j.cpuVs("T CPU µs/req, 100-doc bulk", bulk100, "T", "P", 4.0, 3.0),
	}
	return out
}

func (j *judge) cpuVs(metric, w, leg, ref string, gx, sx float64) Target {
	gate, stretch := "≤ "+factor(gx)+" "+ref, "≤ "+factor(sx)+" "+ref
	s, r := j.ix.Closed(w, 64, leg), j.ix.Closed(w, 64, ref)
	switch {
	case s == nil:
		return unmeasured(metric, gate, stretch, j.absent(leg, w))
	case r == nil:
		return unmeasured(metric, gate, stretch, j.absent(ref, w))
	}
	x := ratio(s.CPUPerReq, r.CPUPerReq)
	m := fmt.Sprintf("%.1f µs vs %s %.1f µs (%s)", s.CPUPerReq, ref, r.CPUPerReq, times(x))
	return row(metric, m, gate, stretch, []check{le(x, gx)}, []check{le(x, sx)})
}

func (j *judge) throughputRows() []Target {
	return []Target{
		j.rpsVs("throughput, c=64 pinned: P ÷ N, 256 B", w256, "P", 0.80, 0.95),
		j.rpsVs("throughput, c=64 pinned: P ÷ N, 64 KiB", w64k, "P", 0.80, 0.95),
		j.rpsVs("throughput: T ingest ÷ N, 256 B", w256, "T", 0.70, 0.85),
		j.rpsVs("throughput: T ingest ÷ N, 64 KiB", w64k, "T", 0.70, 0.85),
	}
}

func (j *judge) rpsVs(metric, w, leg string, g, st float64) Target {
	gate, stretch := fmt.Sprintf("≥ %.2f", g), fmt.Sprintf("≥ %.2f", st)
	s, n := j.ix.Closed(w, 64, leg), j.ix.Closed(w, 64, "N")
	switch {
	case s == nil:
		return unmeasured(metric, gate, stretch, j.absent(leg, w))
	case n == nil:
		return unmeasured(metric, gate, stretch, j.absent("N", w))
	}
	x := ratio(s.RPS, n.RPS)
	m := fmt.Sprintf("%.2f (%.0f vs %.0f rps)", x, s.RPS, n.RPS)
	return row(metric, m, gate, stretch, []check{ge(x, g)}, []check{ge(x, st)})
}

// scalabilityRows: scaling is rps at c=64 over rps at c=1. Tail
// amplification is how much the p99/p50 spread widens from c=1 to c=64; the
// absolute p99 at c=64 is queueing by Little's law on a saturated core and
// says nothing about the proxy, so the spread is what is compared.
func (j *judge) scalabilityRows() []Target {
	const gate, stretch = "scaling ≥ 2×, tail amplification ≤ 3×", "scaling ≥ 4×, amplification ≤ 2×"
	var out []Target
	for _, c := range []struct{ leg, w string }{{"P", w256}, {"T", w256}, {"T", search}} {
		metric := fmt.Sprintf("scalability c=1→64 (%s, %s)", c.leg, c.w)
		lo, hi := j.ix.Closed(c.w, 1, c.leg), j.ix.Closed(c.w, 64, c.leg)
		if lo == nil || hi == nil || lo.P50 == 0 || hi.P50 == 0 {
			out = append(out, unmeasured(metric, gate, stretch, j.absent(c.leg, c.w)))
			continue
		}
		scale := ratio(hi.RPS, lo.RPS)
		amp := ratio(hi.P99/hi.P50, lo.P99/lo.P50)
		m := fmt.Sprintf("scaling %s (%.0f→%.0f rps), amplification %s", times(scale), lo.RPS, hi.RPS, times(amp))
		out = append(out, row(metric, m, gate, stretch,
			[]check{ge(scale, 2), le(amp, 3)}, []check{ge(scale, 4), le(amp, 2)}))
	}
	return out
}

func (j *judge) memoryRows() []Target {
	var out []Target
	for _, leg := range []string{"P", "T"} {
		metric := "idle RSS, " + leg + " binary, 2 s after start"
		l, ok := j.legs[leg]
		if !ok || !l.Available || l.IdleRSS == 0 {
			out = append(out, unmeasured(metric, "≤ 12 MiB", "≤ 8 MiB", NotRun+" (leg "+leg+" not available)"))
			continue
		}
		v := float64(l.IdleRSS)
		out = append(out, row(metric, mib(v), "≤ 12 MiB", "≤ 8 MiB",
			[]check{le(v, 12<<20)}, []check{le(v, 8<<20)}))
	}
	out = append(out, j.peakRSSRow())
	for _, leg := range []string{"P", "T"} {
		out = append(out, j.idleConnRow(leg))
	}
	out = append(out, j.soakRows()...)
	return out
}

func (j *judge) peakRSSRow() Target {
	const metric, gate, stretch = "peak RSS, c=256 × 64 KiB (P)", "≤ 64 MiB", "≤ 32 MiB"
	s := j.ix.Closed(w64k, 256, "P")
	if s == nil || s.PeakRSS == 0 {
		return unmeasured(metric, gate, stretch, j.absent("P", "write-64KiB c=256"))
	}
	v := float64(s.PeakRSS)
	return row(metric, mib(v), gate, stretch, []check{le(v, 64<<20)}, []check{le(v, 32<<20)})
}

func (j *judge) idleConnRow(leg string) Target {
	metric := "memory per idle keep-alive connection (" + leg + ")"
	const gate, stretch = "≤ 32 KiB", "≤ 16 KiB"
	for _, c := range j.r.IdleConns {
		if c.Leg == leg {
			m := fmt.Sprintf("%.1f KiB (%d connections, %d errors)", c.PerConn/1024, c.Conns, c.Errors)
			g := []check{le(c.PerConn, 32<<10), le(float64(c.Errors), 0)}
			return row(metric, m, gate, stretch, g, []check{le(c.PerConn, 16<<10)})
		}
	}
	return unmeasured(metric, gate, stretch, j.absent(leg, "idle"))
}

func (j *judge) soakRows() []Target {
	const gate, stretch = "≤ 8 MiB; FDs back to baseline ±2%", "≤ 4 MiB"
	var out []Target
	for _, leg := range []string{"P", "T"} {
		metric := "soak RSS growth after warm-up (" + leg + ")"
		var sk *Soak
		for i := range j.r.Soaks {
			if j.r.Soaks[i].Leg == leg {
				sk = &j.r.Soaks[i]
			}
		}
		if sk == nil || len(sk.RSS) < 4 {
			out = append(out, unmeasured(metric, gate, stretch, NotRun+" (the soak runs in the full profile)"))
			continue
		}
		growth, fdDrift := soakGrowth(sk)
		m := fmt.Sprintf("%s over %d requests in %.0f s; FD drift %.1f%%; %d errors",
			mib(growth), sk.Requests, sk.DurationS, fdDrift*100, sk.Errors+sk.NonOK)
		g := []check{le(growth, 8<<20), le(fdDrift, 0.02), le(float64(sk.Errors+sk.NonOK), 0)}
		out = append(out, row(metric, m, gate, stretch, g, []check{le(growth, 4<<20)}))
	}
	return out
}

// soakGrowth compares the mean RSS of the last tenth of the soak with that
// of the second tenth (the first is warm-up), and the last FD count with the
// second tenth's.
func soakGrowth(s *Soak) (growth, fdDrift float64) {
	n := len(s.RSS)
	tenth := max(n/10, 1)
	mean := func(v []int64) float64 {
		t := 0.0
		for _, x := range v {
			t += float64(x)
		}
		return t / float64(len(v))
	}
	growth = mean(s.RSS[n-tenth:]) - mean(s.RSS[tenth:2*tenth])
	if len(s.FDs) > 2*tenth && s.FDs[tenth] > 0 {
		d := float64(s.FDs[len(s.FDs)-1]-s.FDs[tenth]) / float64(s.FDs[tenth])
		fdDrift = max(d, -d)
	}
	return growth, fdDrift
}

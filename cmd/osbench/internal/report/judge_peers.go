package report

import "fmt"

// JudgePeers evaluates the targets that set osproxy's data path beside its
// peers measured in the same run: nginx (N), the reference reverse proxy, and
// the original Rust osproxy (O in passthrough, OT in tenancy). Only ratios
// within the run are judged, so a busy box moves every leg alike.
func JudgePeers(r *Results) []Target {
	j := &judge{r: r, ix: NewIndex(Summarize(r.Cells)), legs: map[string]LegInfo{}}
	for _, l := range r.Legs {
		j.legs[l.Leg] = l
	}
	out := []Target{
		j.cpuVs("P CPU µs/req vs N, 256 B write, c=64", w256, "P", "N", 1.25, 1.0),
		j.cpuVs("P CPU µs/req vs N, 64 KiB write, c=64", w64k, "P", "N", 1.0, 1.0),
		j.cpuVs("P CPU µs/req vs N, 100-doc bulk bytes, c=64", bulk100, "P", "N", 1.0, 1.0),
		j.rpsVs("P throughput ÷ N, 256 B write, c=64", w256, "P", 0.9, 1.0),
		j.rpsVs("P throughput ÷ N, 64 KiB write, c=64", w64k, "P", 0.9, 1.0),
		j.rpsVs("P throughput ÷ N, 100-doc bulk bytes, c=64", bulk100, "P", 0.9, 1.0),
		j.addedVsN(w256, "P added p50 ÷ N's, 256 B write, c=1"),
		j.addedVsN(w64k, "P added p50 ÷ N's, 64 KiB write, c=1"),
		j.belowOriginal("P", "O"),
		j.belowOriginal("T", "OT"),
		j.cpuVs("T CPU µs/req vs P, 256 B write, c=64", w256, "T", "P", 1.5, 1.25),
		j.cpuVs("T CPU µs/req vs P, 10-hit search, c=64", search, "T", "P", 2.0, 1.5),
	}
	out = append(out, j.openLoopRows()...)
	out = append(out, j.aggsVsOriginal(), j.aggsGrowth())
	out = append(out, j.peerMemoryRows()...)
	for _, leg := range []string{"P", "T"} {
		out = append(out, j.stormVsN(leg))
	}
	return out
}

// addedVsN judges P's added p50 at c=1 against nginx's in the same workload.
func (j *judge) addedVsN(w, metric string) Target {
	const gate, stretch = "≤ 1.3× N's", "≤ 1.0× N's"
	p, n, why := j.addedPair(w)
	if why != "" {
		return unmeasured(metric, gate, stretch, why)
	}
	x := ratio(p.AddedP50, n.AddedP50)
	m := fmt.Sprintf("%s vs N %s (%s)", ms(p.AddedP50), ms(n.AddedP50), times(x))
	return row(metric, m, gate, stretch, []check{le(x, 1.3)}, []check{le(x, 1.0)})
}

// belowOriginal takes every closed-loop cell both leg and its original peer
// ran and judges the worst ratio of CPU per request.
func (j *judge) belowOriginal(leg, peer string) Target {
	metric := fmt.Sprintf("every %s cell at or below %s's CPU µs/req", leg, peer)
	const gate, stretch = "≤ 1.0× in every cell", "≤ 0.8×"
	worst, cells, where := 0.0, 0, ""
	for _, s := range Summarize(j.r.Cells) {
		if s.Leg != leg || s.Mode != "closed" || s.CPUPerReq == 0 {
			continue
		}
		o := j.ix.Closed(s.Workload, s.Conc, peer)
		if o == nil || o.CPUPerReq == 0 {
			continue
		}
		cells++
		if x := s.CPUPerReq / o.CPUPerReq; x > worst {
			worst, where = x, fmt.Sprintf("%s c=%d: %.1f vs %.1f µs", s.Workload, s.Conc, s.CPUPerReq, o.CPUPerReq)
		}
	}
	if cells == 0 {
		return unmeasured(metric, gate, stretch, j.absent(peer, "any"))
	}
	m := fmt.Sprintf("worst %s over %d cells (%s)", times(worst), cells, where)
	return row(metric, m, gate, stretch, []check{le(worst, 1.0)}, []check{le(worst, 0.8)})
}

func (j *judge) aggsVsOriginal() Target {
	const metric, gate, stretch = "64 MiB aggregations response: T MB/s ÷ OT's", "≥ 1.0×", "≥ 1.2×"
	t, o := j.stream("stream-aggs", "T"), j.stream("stream-aggs", "OT")
	switch {
	case t == nil:
		return unmeasured(metric, gate, stretch, j.absent("T", "stream-aggs"))
	case o == nil:
		return unmeasured(metric, gate, stretch, j.absent("OT", "stream-aggs"))
	}
	tv, ov := Median(t.MBps), Median(o.MBps)
	x := ratio(tv, ov)
	m := fmt.Sprintf("%.0f vs %.0f MB/s (%s)", tv, ov, times(x))
	return row(metric, m, gate, stretch, []check{ge(x, 1.0)}, []check{ge(x, 1.2)})
}

func (j *judge) aggsGrowth() Target {
	return j.growth("stream-aggs", "T", "64 MiB aggregations response: RSS growth (T)")
}

// growth judges one stream's RSS growth against 2 MiB.
func (j *judge) growth(kind, leg, metric string) Target {
	const gate, stretch = "≤ 2 MiB", "≤ 1 MiB"
	s := j.stream(kind, leg)
	if s == nil || s.PeakRSS == 0 {
		return unmeasured(metric, gate, stretch, j.absent(leg, kind))
	}
	g := float64(s.PeakRSS - s.BaseRSS)
	return row(metric, mib(g), gate, stretch, []check{le(g, 2<<20)}, []check{le(g, 1<<20)})
}

func (j *judge) peerMemoryRows() []Target {
	var out []Target
	for _, leg := range []string{"P", "T"} {
		metric := "idle RSS (" + leg + ")"
		l, ok := j.legs[leg]
		if !ok || !l.Available || l.IdleRSS == 0 {
			out = append(out, unmeasured(metric, "≤ 8 MiB", "≤ 6 MiB", NotRun+" (leg "+leg+" not available)"))
			continue
		}
		v := float64(l.IdleRSS)
		m := mib(v)
		if o, ok := j.legs["O"]; ok && o.IdleRSS > 0 {
			m += fmt.Sprintf(" (O %s)", mib(float64(o.IdleRSS)))
		}
		out = append(out, row(metric, m, "≤ 8 MiB", "≤ 6 MiB", []check{le(v, 8<<20)}, []check{le(v, 6<<20)}))
	}
	for _, leg := range []string{"P", "T"} {
		metric := "memory per idle connection (" + leg + ")"
		var c, o *IdleConnCell
		for i := range j.r.IdleConns {
			switch j.r.IdleConns[i].Leg {
			case leg:
				c = &j.r.IdleConns[i]
			case "O":
				o = &j.r.IdleConns[i]
			}
		}
		if c == nil {
			out = append(out, unmeasured(metric, "≤ 16 KiB", "≤ 8 KiB", j.absent(leg, "idle")))
			continue
		}
		m := fmt.Sprintf("%.1f KiB", c.PerConn/1024)
		if o != nil {
			m += fmt.Sprintf(" (O %.1f KiB)", o.PerConn/1024)
		}
		out = append(out, row(metric, m, "≤ 16 KiB", "≤ 8 KiB",
			[]check{le(c.PerConn, 16<<10), le(float64(c.Errors), 0)}, []check{le(c.PerConn, 8<<10)}))
	}
	out = append(out, j.growth("stream-request", "P", "seed stream: 64 MiB request, RSS growth (P)"),
		j.growth("stream-response", "P", "seed stream: 64 MiB response, RSS growth (P)"),
		j.growth("stream-aggs", "T", "seed stream: 64 MiB aggregations, RSS growth (T)"))
	return out
}

// stormVsN judges the cold p99 of a 1,000-connection storm against nginx's.
func (j *judge) stormVsN(leg string) Target {
	metric := "connect storm of 1,000, cold p99 ÷ N's (" + leg + ")"
	const gate, stretch = "≤ 1.5× N's", "≤ 1.0× N's"
	s, n := j.conn(leg, "storm", 0), j.conn("N", "storm", 0)
	switch {
	case s == nil:
		return unmeasured(metric, gate, stretch, j.absent(leg, "connections"))
	case n == nil:
		return unmeasured(metric, gate, stretch, j.absent("N", "connections"))
	}
	x := ratio(s.P99, n.P99)
	m := fmt.Sprintf("%s vs N %s (%s); %d/%d failed", ms(s.P99), ms(n.P99), times(x), s.Errors+s.NonOK, s.Attempts)
	return row(metric, m, gate, stretch, []check{le(x, 1.5), le(float64(s.Errors+s.NonOK), 0)}, []check{le(x, 1.0)})
}

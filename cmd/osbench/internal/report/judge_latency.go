package report

import "fmt"

// Workload names the judge looks up; they match workload.Workload.Name.
const (
	w256    = "write-256B"
	w4k     = "write-4KiB"
	w64k    = "write-64KiB"
	search  = "search-10hits"
	search1 = "search-1000hits"
	bulk100 = "bulk-100x256B"
	bulk1k  = "bulk-1000x1KiB"
)

func (j *judge) latencyRows() []Target {
	out := []Target{
		j.passAdded(w256, "P added p50, 256 B, c=1", 0.12, 1.4, 0.10, 1.2),
		j.passAdded(w64k, "P added p50, 64 KiB, c=1", 0.20, 1.5, 0.15, 1.25),
		j.tenantAdded(w256, "T single-doc ingest added p50, 256 B", 0.15, 0.03, 0.12),
		j.tenantAdded(w64k, "T single-doc ingest added p50, 64 KiB", 0.22, 0.03, 0.18),
		j.tenantAdded(search, "T small search added p50 (wrap + strip 10 hits)", 0.18, 0.05, 0.14),
		j.tenantAdded(bulk100, "T 100-doc bulk added p50", 0.35, -1, 0.25),
		j.addedP99C8(),
	}
	return out
}

func (j *judge) passAdded(w, metric string, gms, gx, sms, sx float64) Target {
	gate := fmt.Sprintf("≤ %.2f ms and ≤ %.1f× N", gms, gx)
	stretch := fmt.Sprintf("≤ %.2f ms, ≤ %.2f× N", sms, sx)
	p, n, why := j.addedPair(w)
	if why != "" {
		return unmeasured(metric, gate, stretch, why)
	}
	x := ratio(p.AddedP50, n.AddedP50)
	m := fmt.Sprintf("%s (N %s; %s N)", ms(p.AddedP50), ms(n.AddedP50), times(x))
	return row(metric, m, gate, stretch,
		[]check{le(p.AddedP50, gms), le(x, gx)}, []check{le(p.AddedP50, sms), le(x, sx)})
}

// addedPair returns P's and N's c=1 cells of w with their added latency, or
// why one of them is missing.
func (j *judge) addedPair(w string) (p, n *Summary, why string) {
	p, n = j.ix.Closed(w, 1, "P"), j.ix.Closed(w, 1, "N")
	switch {
	case p == nil || !p.HasAdded:
		return nil, nil, j.absent("P", w)
	case n == nil || !n.HasAdded:
		return nil, nil, j.absent("N", w)
	}
	return p, n, ""
}

// tenantAdded judges T's added p50 at c=1; overP < 0 means the row has no
// "≤ P + x" condition.
func (j *judge) tenantAdded(w, metric string, gms, overP, sms float64) Target {
	gate := fmt.Sprintf("≤ %.2f ms", gms)
	if overP >= 0 {
		gate += fmt.Sprintf(" and ≤ P + %.2f ms", overP)
	}
	stretch := fmt.Sprintf("≤ %.2f ms", sms)
	t := j.ix.Closed(w, 1, "T")
	if t == nil || !t.HasAdded {
		return unmeasured(metric, gate, stretch, j.absent("T", w))
	}
	g := []check{le(t.AddedP50, gms)}
	m := ms(t.AddedP50)
	if overP >= 0 {
		p := j.ix.Closed(w, 1, "P")
		if p == nil || !p.HasAdded {
			return unmeasured(metric, gate, stretch, j.absent("P", w))
		}
		g = append(g, le(t.AddedP50, p.AddedP50+overP))
		m += fmt.Sprintf(" (P %s)", ms(p.AddedP50))
	}
	return row(metric, m, gate, stretch, g, []check{le(t.AddedP50, sms)})
}

// addedP99C8 takes the worst P/T cell at c=8, both in absolute added p99
// and as a ratio to N's added p99 in the same workload.
func (j *judge) addedP99C8() Target {
	const metric = "added p99, c=8, all P/T cells"
	gate, stretch := "≤ 1.0 ms and ≤ 1.5× N's added p99", "≤ 0.5 ms, ≤ 1.1× N"
	worst, worstX := -1.0, 0.0
	var where, whereX string
	for _, w := range []string{w256, w4k, w64k, search, search1, bulk100, bulk1k} {
		n := j.ix.Closed(w, 8, "N")
		for _, leg := range []string{"P", "T"} {
			s := j.ix.Closed(w, 8, leg)
			if s == nil || !s.HasAdded {
				continue
			}
			if s.AddedP99 > worst {
				worst, where = s.AddedP99, leg+" "+w
			}
			if n != nil && n.HasAdded && n.AddedP99 > 0 {
				if x := s.AddedP99 / n.AddedP99; x > worstX {
					worstX, whereX = x, leg+" "+w
				}
			}
		}
	}
	if worst < 0 {
		return unmeasured(metric, gate, stretch, NotRun+" (c=8 cells run in the full profile)")
	}
	m := fmt.Sprintf("worst %s (%s); worst ratio %s N (%s)", ms(worst), where, times(worstX), whereX)
	return row(metric, m, gate, stretch,
		[]check{le(worst, 1.0), le(worstX, 1.5)}, []check{le(worst, 0.5), le(worstX, 1.1)})
}

// sustained is the share of the scheduled rate a leg must complete for its
// open-loop tail to mean anything: below it the leg was simply overloaded.
const sustained = 0.95

func (j *judge) openLoopRows() []Target {
	const gate, stretch = "≤ 2× N", "≤ 1.2× N"
	var out []Target
	for _, leg := range []string{"P", "T"} {
		metric := "open-loop p99.9 at 70% of N's saturation rate (" + leg + ", 256 B write, c=64)"
		s, n := j.ix.Open(w256, 64, leg), j.ix.Open(w256, 64, "N")
		if s == nil || n == nil {
			out = append(out, unmeasured(metric, gate, stretch, j.absent(leg, w256)))
			continue
		}
		rate := j.openRate()
		m := fmt.Sprintf("%s vs N %s; scheduled %.0f rps, done: %s %.0f, N %.0f", ms(s.P999), ms(n.P999), rate, leg, s.RPS, n.RPS)
		if n.RPS < sustained*rate {
			out = append(out, unmeasured(metric, gate, stretch,
				NotRun+" (N itself did not sustain the rate, so the box was overloaded: "+m+")"))
			continue
		}
		x := ratio(s.P999, n.P999)
		m += fmt.Sprintf(" (%s N)", times(x))
		g := []check{le(x, 2), ge(s.RPS, sustained*rate)}
		out = append(out, row(metric, m, gate, stretch, g, []check{le(x, 1.2)}))
	}
	return out
}

// openRate is the scheduled rate of the open-loop cells.
func (j *judge) openRate() float64 {
	for _, c := range j.r.Cells {
		if c.Mode == "open" && c.Rate > 0 {
			return c.Rate
		}
	}
	return 0
}

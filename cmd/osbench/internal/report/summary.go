package report

import (
	"slices"
	"sort"
)

// Key identifies a cell across rounds.
type Key struct {
	Workload string
	Conc     int
	Leg      string
	Mode     string
}

// Summary is a cell reduced over its rounds: the median of each metric, and
// for latency differentials the median of each round's own difference, so
// drift between rounds cancels.
type Summary struct {
	Key
	Rounds                   int
	Requests, Errors, NonOK  int
	RPS, P50, P90, P99, P999 float64
	CPUPerReq, MockCPUPerReq float64
	ReuseMin                 float64
	UpBodyPerReq             float64
	PeakRSS                  int64
	ForeignGen, ForeignProxy float64
	// Added* are leg minus its direct baseline (D, or DT for T), in ms.
	HasAdded                      bool
	AddedP50, AddedP99, AddedP999 float64
}

// baseline is the direct leg a leg is compared with.
func baseline(leg string) string {
	if leg == "T" || leg == "OT" {
		return "DT"
	}
	return "D"
}

// Summarize reduces cells to one summary per key, in first-seen order.
func Summarize(cells []Cell) []*Summary {
	byKey := map[Key][]Cell{}
	var order []Key
	for _, c := range cells {
		k := Key{c.Workload, c.Conc, c.Leg, c.Mode}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], c)
	}
	out := make([]*Summary, 0, len(order))
	for _, k := range order {
		out = append(out, summarizeKey(k, byKey[k], byKey))
	}
	return out
}

func summarizeKey(k Key, cs []Cell, byKey map[Key][]Cell) *Summary {
	s := &Summary{Key: k, Rounds: len(cs), ReuseMin: 1}
	pick := func(f func(Cell) float64) float64 {
		v := make([]float64, len(cs))
		for i, c := range cs {
			v[i] = f(c)
		}
		return Median(v)
	}
	for _, c := range cs {
		s.Requests += c.Requests
		s.Errors += c.Errors
		s.NonOK += c.NonOK
		s.PeakRSS = max(s.PeakRSS, c.PeakRSS)
		if c.UpRequests > 0 {
			s.ReuseMin = min(s.ReuseMin, c.Reuse())
		}
	}
	s.RPS = pick(func(c Cell) float64 { return c.RPS })
	s.P50 = pick(func(c Cell) float64 { return c.P50 })
	s.P90 = pick(func(c Cell) float64 { return c.P90 })
	s.P99 = pick(func(c Cell) float64 { return c.P99 })
	s.P999 = pick(func(c Cell) float64 { return c.P999 })
	s.CPUPerReq = pick(func(c Cell) float64 { return c.CPUPerReq })
	s.MockCPUPerReq = pick(func(c Cell) float64 { return c.MockCPUPerReq })
	s.UpBodyPerReq = pick(func(c Cell) float64 { return c.UpBodyPerReq })
	s.ForeignGen = pick(func(c Cell) float64 { return c.ForeignGen })
	s.ForeignProxy = pick(func(c Cell) float64 { return c.ForeignProxy })
	base := byKey[Key{k.Workload, k.Conc, baseline(k.Leg), k.Mode}]
	if k.Leg == "D" || k.Leg == "DT" || len(base) == 0 {
		return s
	}
	var d50, d99, d999 []float64
	for _, c := range cs {
		for _, b := range base {
			if b.Round == c.Round {
				d50 = append(d50, c.P50-b.P50)
				d99 = append(d99, c.P99-b.P99)
				d999 = append(d999, c.P999-b.P999)
			}
		}
	}
	if len(d50) > 0 {
		s.HasAdded = true
		s.AddedP50, s.AddedP99, s.AddedP999 = Median(d50), Median(d99), Median(d999)
	}
	return s
}

// Median of v (the mean of the middle two for an even count).
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	w := slices.Clone(v)
	sort.Float64s(w)
	n := len(w)
	if n%2 == 1 {
		return w[n/2]
	}
	return (w[n/2-1] + w[n/2]) / 2
}

// Index finds summaries by key.
type Index map[Key]*Summary

// NewIndex indexes summaries.
func NewIndex(ss []*Summary) Index {
	ix := Index{}
	for _, s := range ss {
		ix[s.Key] = s
	}
	return ix
}

// Closed returns the closed-loop summary of a cell, or nil.
func (ix Index) Closed(workload string, conc int, leg string) *Summary {
	return ix[Key{workload, conc, leg, "closed"}]
}

// Open returns the open-loop summary of a cell, or nil.
func (ix Index) Open(workload string, conc int, leg string) *Summary {
	return ix[Key{workload, conc, leg, "open"}]
}

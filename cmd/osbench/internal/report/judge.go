package report

import (
	"fmt"
	"strconv"
	"strings"
)

// Results of a judged row. A row is MET when every gate condition holds,
// MET+stretch when the stretch conditions hold too.
const (
	Met        = "MET"
	MetStretch = "MET+stretch"
	Missed     = "MISSED"
	NA         = "n/a (not implemented)"
	NotRun     = "not measured"
)

// check is one condition of a gate or stretch: value <= bound (le) or
// value >= bound.
type check struct {
	v, bound float64
	le       bool
}

func le(v, bound float64) check { return check{v, bound, true} }
func ge(v, bound float64) check { return check{v, bound, false} }

func holds(cs []check) bool {
	for _, c := range cs {
		if (c.le && c.v > c.bound) || (!c.le && c.v < c.bound) {
			return false
		}
	}
	return true
}

func verdict(gate, stretch []check) string {
	switch {
	case !holds(gate):
		return Missed
	case len(stretch) > 0 && holds(stretch):
		return MetStretch
	}
	return Met
}

// judge carries what every target row needs.
type judge struct {
	r    *Results
	ix   Index
	legs map[string]LegInfo
}

// Judge evaluates every benchmark target a run can measure from
// outside the proxy. Rows whose cells did not run say why.
func Judge(r *Results) []Target {
	j := &judge{r: r, ix: NewIndex(Summarize(r.Cells)), legs: map[string]LegInfo{}}
	for _, l := range r.Legs {
		j.legs[l.Leg] = l
	}
	var out []Target
	out = append(out, j.latencyRows()...)
	out = append(out, j.openLoopRows()...)
	out = append(out, j.cpuRows()...)
	out = append(out, j.throughputRows()...)
	out = append(out, j.scalabilityRows()...)
	out = append(out, j.memoryRows()...)
	out = append(out, j.streamRows()...)
	out = append(out, j.reuseRow())
	out = append(out, j.connRows()...)
	return out
}

// absent explains why a cell is missing: not implemented by the binary, a
// leg that could not start, or a cell outside this profile.
func (j *judge) absent(leg, workload string) string {
	if _, ok := j.r.Unsupported[leg+"/"+workload]; ok {
		return NA
	}
	if l, ok := j.legs[leg]; ok && !l.Available {
		return NotRun + " (leg " + leg + " not available)"
	}
	if _, ok := j.legs[leg]; !ok && leg != "D" && leg != "DT" {
		return NotRun + " (leg " + leg + " not run)"
	}
	return NotRun + " (not in the " + j.r.Profile + " profile)"
}

// row builds a judged target.
func row(metric, measured, gate, stretch string, g, s []check) Target {
	return Target{Metric: metric, Measured: measured, Gate: gate, Stretch: stretch, Result: verdict(g, s)}
}

// unmeasured builds a row that could not be judged.
func unmeasured(metric, gate, stretch, why string) Target {
	res, detail := why, ""
	if strings.HasPrefix(why, NotRun+" (") {
		res, detail = NotRun, strings.TrimSuffix(strings.TrimPrefix(why, NotRun+" ("), ")")
	}
	return Target{Metric: metric, Measured: detail, Gate: gate, Stretch: stretch, Result: res}
}

func ms(v float64) string { return fmt.Sprintf("%.3f ms", v) }

func times(v float64) string { return fmt.Sprintf("%.2f×", v) }

// factor writes a bound as short as it is: 1.25×, 1.5×, 2×.
func factor(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "×" }

func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

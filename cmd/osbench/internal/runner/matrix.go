package runner

import (
	"fmt"

	"github.com/osproxy/osproxy/cmd/osbench/internal/report"
	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
)

// matrix runs every closed-loop cell, rounds outermost so that each round
// visits every cell once and the legs of a cell run back to back (D N P T R,
// D N P T R, ...): drift on the box hits every leg of a cell alike.
func (r *runner) matrix() {
	for round := 1; round <= r.prof.rounds; round++ {
		r.log("matrix round %d/%d", round, r.prof.rounds)
		for _, def := range r.prof.matrix {
			if len(r.opts.Only) > 0 && !r.opts.Only[def.w.Name()] {
				continue
			}
			for _, conc := range def.concs {
				for _, id := range def.legs {
					r.runClosed(def.w, conc, id, round)
				}
			}
		}
	}
}

func (r *runner) runClosed(w workload.Workload, conc int, id workload.Leg, round int) {
	l, ok := r.usable(id, w.Name())
	if !ok || r.overBudget("matrix") {
		return
	}
	c, err := r.closedCell(w, conc, l, round)
	if err != nil {
		r.note("%s %s c=%d round %d: %v", id, w.Name(), conc, round, err)
		return
	}
	r.log("  %-2s %-16s c=%-3d %7.0f rps  p50 %.3f  p99 %.3f ms  cpu %.1f µs/req  err %d",
		id, w.Name(), conc, c.RPS, c.P50, c.P99, c.CPUPerReq, c.Errors+c.NonOK)
	r.res.Cells = append(r.res.Cells, c)
}

// usable returns the leg when it runs and supports the workload. DT follows
// T: without T there is nothing for the tenant baseline to compare with.
func (r *runner) usable(id workload.Leg, name string) (*leg, bool) {
	l, ok := r.legs[id]
	if !ok {
		return nil, false
	}
	if id == "DT" {
		if _, ok := r.legs["T"]; !ok || r.unsupported["T/"+name] {
			return nil, false
		}
	}
	if r.unsupported[string(id)+"/"+name] {
		return nil, false
	}
	if l.proc != nil && !l.proc.Alive() {
		r.markUnsupported(id, name, fmt.Sprintf("leg %s exited during the run", id))
		return nil, false
	}
	return l, true
}

func (r *runner) markUnsupported(id workload.Leg, name, why string) {
	key := string(id) + "/" + name
	if !r.unsupported[key] {
		r.unsupported[key] = true
		r.res.Unsupported[key] = why
	}
}

// openLoop runs the open-loop cells at 70% of nginx's closed-loop
// saturation rate for the 256 B write at c=64.
func (r *runner) openLoop() {
	var rounds []float64
	for _, c := range r.res.Cells {
		if c.Leg == "N" && c.Workload == write256.Name() && c.Conc == 64 && c.Mode == "closed" {
			rounds = append(rounds, c.RPS)
		}
	}
	sat := report.Median(rounds)
	if sat == 0 {
		r.note("open loop skipped: no nginx saturation figure to set its rate from")
		return
	}
	rate := 0.7 * sat
	for round := 1; round <= r.prof.rounds && !r.overBudget("open loop"); round++ {
		r.log("open loop round %d/%d at %.0f rps", round, r.prof.rounds, rate)
		for _, id := range []workload.Leg{"N", "O", "P", "T", "R"} {
			l, ok := r.usable(id, write256.Name())
			if !ok {
				continue
			}
			c, err := r.openCell(write256, 64, rate, l, round)
			if err != nil {
				r.note("open loop %s: %v", id, err)
				continue
			}
			r.log("  %-2s open %7.0f rps  p50 %.3f  p99.9 %.3f ms", id, c.RPS, c.P50, c.P999)
			r.res.Cells = append(r.res.Cells, c)
		}
	}
}

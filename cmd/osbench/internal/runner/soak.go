package runner

import (
	"time"

	"github.com/osproxy/osproxy/cmd/osbench/internal/load"
	"github.com/osproxy/osproxy/cmd/osbench/internal/report"
	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
	"github.com/osproxy/osproxy/internal/proc"
)

// soaks runs the long open-loop mix on P and T at 70% of P's
// saturation rate, sampling RSS, FDs and threads every second.
func (r *runner) soaks() {
	if r.prof.soak <= 0 {
		return
	}
	var rounds []float64
	for _, c := range r.res.Cells {
		if c.Leg == "P" && c.Workload == write256.Name() && c.Conc == 64 && c.Mode == "closed" {
			rounds = append(rounds, c.RPS)
		}
	}
	rate := 0.7 * report.Median(rounds)
	if rate == 0 {
		r.note("soak skipped: no P saturation figure to set its rate from")
		return
	}
	for _, id := range []workload.Leg{"P", "T"} {
		if _, ok := r.usable(id, search10.Name()); !ok || r.overBudget("soak") {
			continue
		}
		// A process of its own: the connection storms before the soak leave
		// a grown heap whose slow return to the OS would read as shrinkage.
		l, stop, err := r.freshLeg(id)
		if err != nil {
			r.note("soak %s: %v", id, err)
			continue
		}
		r.soak(l, rate)
		stop()
	}
}

// soakMix is 60% search, 20% bulk, 15% single documents and 5% of the
// rest (plain writes), in a rotation of 20. Endpoints T does not implement
// yet are replaced by the search.
func (r *runner) soakMix(l *leg) [][]byte {
	pick := func(w workload.Workload) []byte {
		if r.unsupported[string(l.id)+"/"+w.Name()] {
			w = search10
		}
		req, _ := w.Request(l.id, l.addr)
		return req
	}
	var mix [][]byte
	for i := 0; i < 20; i++ {
		switch {
		case i%5 == 1: // 4 of 20
			mix = append(mix, pick(bulk100))
		case i == 3 || i == 8 || i == 13: // 3 of 20
			mix = append(mix, pick(write256))
		case i == 18: // 1 of 20
			mix = append(mix, pick(write4k))
		default: // 12 of 20
			mix = append(mix, pick(search10))
		}
	}
	return mix
}

func (r *runner) soak(l *leg, rate float64) {
	r.log("soak: %s for %s at %.0f rps", l.id, r.prof.soak, rate)
	s := report.Soak{Leg: string(l.id), Rate: rate}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			m, err1 := l.proc.Memory()
			fds, err2 := proc.FDCount(l.proc.MemPID())
			if err1 == nil && err2 == nil {
				s.RSS, s.FDs, s.Threads = append(s.RSS, m.RSS), append(s.FDs, fds), append(s.Threads, m.Threads)
			}
		}
	}()
	res, err := load.RunOpen(load.OpenSpec{Addr: l.addr, Requests: r.soakMix(l), Conns: 64, Rate: rate,
		Warmup: 5 * time.Second, Duration: r.prof.soak})
	close(stop)
	<-done
	if err != nil {
		r.note("soak %s: %v", l.id, err)
		return
	}
	s.Requests, s.Errors, s.NonOK = res.Requests, res.Errors, res.NonOK
	s.DurationS = res.Elapsed.Seconds()
	s.P99, s.P999 = millis(res.Latency.P99), millis(res.Latency.P999)
	r.res.Soaks = append(r.res.Soaks, s)
}

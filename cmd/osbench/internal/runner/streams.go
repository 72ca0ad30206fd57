package runner

import (
	"fmt"
	"time"

	"github.com/osproxy/osproxy/cmd/osbench/internal/load"
	"github.com/osproxy/osproxy/cmd/osbench/internal/report"
	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
	"github.com/osproxy/osproxy/internal/proc"
)

const streamBytes = 64 << 20

// streams runs the 64 MiB cells (STR-1..3 and a 64 MiB bulk). The
// osproxy leg of each kind is a process started for that kind alone, so
// its RSS growth is measured from a small heap, as the seed's invariant
// is, and not hidden in memory an earlier cell already grew.
func (r *runner) streams() {
	r.streamKind(workload.StreamUp, "P", []workload.Leg{"D", "N", "O", "P"})
	r.streamKind(workload.StreamDown, "P", []workload.Leg{"D", "N", "O", "P"})
	r.streamKind(workload.StreamAgg, "T", []workload.Leg{"D", "DT", "N", "OT", "T"})
	if r.prof.streamBulk && !r.unsupported["T/"+bulk100.Name()] {
		r.streamKind(workload.StreamBulk, "T", []workload.Leg{"DT", "T"})
	}
}

func (r *runner) streamKind(kind workload.Kind, fresh workload.Leg, ids []workload.Leg) {
	if r.overBudget("streams") {
		return
	}
	r.log("streams: %s", kind)
	route := map[workload.Leg]*leg{}
	for _, id := range ids {
		if l, ok := r.legs[id]; ok && id != fresh {
			route[id] = l
		}
	}
	var sampler *proc.Sampler
	var base int64
	if _, ok := r.legs[fresh]; ok {
		l, stop, err := r.freshLeg(fresh)
		if err != nil {
			r.note("streams %s: fresh %s leg: %v", kind, fresh, err)
		} else {
			defer stop()
			route[fresh] = l
			base = r.settle(l)
			sampler = proc.StartSampler(l.proc.MemPID(), 5*time.Millisecond, 10*time.Minute)
		}
	}
	cells := map[workload.Leg]*report.StreamCell{}
	for i := 0; i < r.prof.transfers; i++ {
		for _, id := range ids {
			if l, ok := route[id]; ok {
				r.transfer(kind, l, cells)
			}
		}
	}
	var peak int64
	var samples int
	if sampler != nil {
		peak, samples = sampler.Stop()
	}
	for _, id := range ids {
		c, ok := cells[id]
		if !ok {
			continue
		}
		if id == fresh && sampler != nil {
			c.BaseRSS, c.PeakRSS, c.Samples = base, peak, samples
		}
		r.res.Streams = append(r.res.Streams, *c)
	}
}

// freshLeg starts a new osproxy process of the given mode for one kind.
func (r *runner) freshLeg(id workload.Leg) (*leg, func(), error) {
	off := offFreshPass
	if id == "T" {
		off = offFreshTenant
	}
	p, err := r.startOsproxy(id, off)
	if err != nil {
		return nil, nil, err
	}
	return &leg{id: id, name: "fresh " + string(id), addr: p.Addr, proc: p}, p.Stop, nil
}

// settle sends one small request, waits a second and returns the RSS:
// STR's idle figure "one second after the proxy answered".
func (r *runner) settle(l *leg) int64 {
	_, _, _ = load.Fetch(l.addr, r.connRequest(l), 10*time.Second)
	time.Sleep(time.Second)
	m, err := l.proc.Memory()
	if err != nil {
		return 0
	}
	return m.RSS
}

func (r *runner) transfer(kind workload.Kind, l *leg, cells map[workload.Leg]*report.StreamCell) {
	c, ok := cells[l.id]
	if !ok {
		c = &report.StreamCell{Kind: string(kind), Leg: string(l.id)}
		cells[l.id] = c
	}
	var t load.Transfer
	var err error
	switch kind {
	case workload.StreamUp, workload.StreamBulk:
		var up workload.Upload
		if up, err = workload.UploadFor(kind, l.id, l.addr, streamBytes); err == nil {
			t, err = load.Upload(l.addr, up.Head, up.Piece, up.Size, 2*time.Minute)
		}
	default:
		var req []byte
		if req, err = (workload.Workload{Kind: kind}).Request(l.id, l.addr); err == nil {
			t, err = load.Download(l.addr, req, 2*time.Minute)
		}
	}
	c.Statuses = append(c.Statuses, t.Status)
	switch {
	case err != nil:
		c.Errors = append(c.Errors, err.Error())
	case t.Status < 200 || t.Status > 299:
		c.Errors = append(c.Errors, fmt.Sprintf("HTTP %d", t.Status))
	default:
		c.MBps = append(c.MBps, t.MBps())
		c.Bytes = t.Bytes
	}
	r.log("  %-2s %-16s %6.0f MB/s status %d err %v", l.id, kind, t.MBps(), t.Status, err)
}

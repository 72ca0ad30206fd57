package runner

import (
	"bytes"
	"fmt"
	"time"

	"github.com/osproxy/osproxy/cmd/osbench/internal/load"
	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
)

// probe sends each workload once through each leg before anything is
// timed. T answering 400, 404, 405 or 501 means the binary does not
// implement that endpoint yet (TEN-11): the cell is reported "n/a (not
// implemented)" instead of failing the run. Any other failure also keeps
// the cell out of the numbers, with the reason in the report.
func (r *runner) probe() {
	for _, def := range r.prof.matrix {
		for _, id := range def.legs {
			if id == "DT" {
				continue // checked through T: DT runs only where T does
			}
			r.probeOne(def.w, id)
		}
	}
}

func (r *runner) probeOne(w workload.Workload, id workload.Leg) {
	l, ok := r.usable(id, w.Name())
	if !ok {
		return
	}
	req, err := w.Request(id, l.addr)
	if err != nil {
		r.markUnsupported(id, w.Name(), err.Error())
		return
	}
	status, body, err := load.Fetch(l.addr, req, 10*time.Second)
	switch {
	case err != nil:
		r.markUnsupported(id, w.Name(), "probe failed: "+err.Error())
	case id.Tenant() && (status == 400 || status == 404 || status == 405 || status == 501):
		r.markUnsupported(id, w.Name(), fmt.Sprintf("HTTP %d %s", status, clip(body)))
	case status < 200 || status > 299:
		r.markUnsupported(id, w.Name(), fmt.Sprintf("probe answered HTTP %d %s", status, clip(body)))
	case id.Tenant() && w.Kind == workload.Search:
		r.checkShaped(id, w, body)
	}
}

// checkShaped flags a T search answer that still shows the physical layout:
// then the hit transform did not run and T's numbers would flatter it.
func (r *runner) checkShaped(id workload.Leg, w workload.Workload, body []byte) {
	for _, leak := range []string{workload.IDPrefix, `"_tenant"`, `"_routing"`, `"` + workload.Physical + `"`} {
		if bytes.Contains(body, []byte(leak)) {
			r.note("%s %s: the response still contains %s; hits may not be shaped (SRCH-9)", id, w.Name(), leak)
			return
		}
	}
}

func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 160 {
		b = append(b[:160:160], "…"...)
	}
	return string(b)
}

package observe

import (
	"io"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
)

// ContentType is the media type of WriteText's output: the Prometheus text
// exposition format, version 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Emit writes one sample of a family: its label pairs (name, value, name,
// value...) and its value.
type Emit func(value float64, labels ...string)

// family is a metric family whose samples a callback reports at exposition.
type family struct {
	name, help, typ string
	collect         func(Emit)
}

// Func registers a family (typ "counter" or "gauge") whose samples collect
// reports at each exposition, after the request metrics, in registration order.
func (m *Metrics) Func(name, help, typ string, collect func(Emit)) {
	m.mu.Lock()
	m.families = append(m.families, family{name: name, help: help, typ: typ, collect: collect})
	m.mu.Unlock()
}

// WriteText writes every metric in the Prometheus text format.
func (m *Metrics) WriteText(w io.Writer) error {
	var t text
	m.writeRequests(&t)
	m.writeUpstreams(&t)
	m.mu.Lock()
	fams := append([]family(nil), m.families...)
	m.mu.Unlock()
	for _, f := range fams {
		t.header(f.name, f.help, f.typ)
		f.collect(func(v float64, labels ...string) { t.sample(f.name, v, labels...) })
	}
	_, err := w.Write(t.b)
	return err
}

func (m *Metrics) writeRequests(t *text) {
	t.header("osproxy_requests_total", "Requests answered, by mode, endpoint class and status (499: the client left first).", "counter")
	for mode := Mode(0); mode < modeCount; mode++ {
		for c := 0; c < m.classes; c++ {
			for s := 0; s < statusSlots; s++ {
				if v := m.requests[(int(mode)*m.classes+c)*statusSlots+s].Load(); v > 0 {
					t.sample("osproxy_requests_total", float64(v), "mode", mode.String(), "class", m.opts.Classes[c], "status", statusLabel(s))
				}
			}
		}
	}
	t.header("osproxy_request_duration_seconds", "Time from a request's head to the end of the proxy's answer, by mode and endpoint class.", "histogram")
	for mode := Mode(0); mode < modeCount; mode++ {
		for c := 0; c < m.classes; c++ {
			t.histogram("osproxy_request_duration_seconds", &m.latency[int(mode)*m.classes+c], "mode", mode.String(), "class", m.opts.Classes[c])
		}
	}
	t.header("osproxy_requests_in_flight", "Requests being served.", "gauge")
	t.sample("osproxy_requests_in_flight", float64(m.inflight.Load()))
	perMode := func(name, help string, v *[modeCount]atomic.Uint64) {
		t.header(name, help, "counter")
		for mode := Mode(0); mode < modeCount; mode++ {
			t.sample(name, float64(v[mode].Load()), "mode", mode.String())
		}
	}
	perMode("osproxy_request_bytes_total", "Request body bytes received from clients.", &m.bytesIn)
	perMode("osproxy_response_bytes_total", "Response body bytes sent to clients.", &m.bytesOut)
	perMode("osproxy_client_aborts_total", "Requests whose client went away before the answer was complete.", &m.aborts)
	t.header("osproxy_rejections_total", "Requests the proxy answered with an error of its own, by error code.", "counter")
	for i := range m.rejections {
		if v := m.rejections[i].Load(); v > 0 {
			code := "other"
			if i < len(m.opts.Codes) {
				code = m.opts.Codes[i]
			}
			t.sample("osproxy_rejections_total", float64(v), "code", code)
		}
	}
}

func (m *Metrics) writeUpstreams(t *text) {
	t.header("osproxy_upstream_responses_total", "Upstream response heads received, by cluster and status class.", "counter")
	for i := range m.upstream {
		for s := range m.upstream[i].statuses {
			if v := m.upstream[i].statuses[s].Load(); v > 0 {
				label := strconv.Itoa(s+1) + "xx"
				if s == 5 {
					label = "other"
				}
				t.sample("osproxy_upstream_responses_total", float64(v), "cluster", m.opts.Clusters[i], "status_class", label)
			}
		}
	}
	t.header("osproxy_upstream_failures_total", "Upstream exchanges that failed, by cluster and reason (client aborts are not failures).", "counter")
	for i := range m.upstream {
		for f := Failure(1); f < failureCount; f++ {
			t.sample("osproxy_upstream_failures_total", float64(m.upstream[i].failures[f].Load()), "cluster", m.opts.Clusters[i], "reason", f.String())
		}
	}
	t.header("osproxy_upstream_head_duration_seconds", "Time from sending a request upstream to its response head, by cluster.", "histogram")
	for i := range m.upstream {
		t.histogram("osproxy_upstream_head_duration_seconds", &m.upstream[i].head, "cluster", m.opts.Clusters[i])
	}
}

// text accumulates an exposition.
type text struct{ b []byte }

func (t *text) header(name, help, typ string) {
	t.b = append(t.b, "# HELP "...)
	t.b = append(t.b, name...)
	t.b = append(t.b, ' ')
	t.b = append(t.b, strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(help)...)
	t.b = append(t.b, "\n# TYPE "...)
	t.b = append(t.b, name...)
	t.b = append(t.b, ' ')
	t.b = append(t.b, typ...)
	t.b = append(t.b, '\n')
}

func (t *text) sample(name string, v float64, labels ...string) {
	t.b = append(t.b, name...)
	if len(labels) > 0 {
		t.b = append(t.b, '{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				t.b = append(t.b, ',')
			}
			t.b = append(t.b, labels[i]...)
			t.b = append(t.b, `="`...)
			t.b = appendLabelValue(t.b, labels[i+1])
			t.b = append(t.b, '"')
		}
		t.b = append(t.b, '}')
	}
	t.b = append(t.b, ' ')
	t.b = appendFloat(t.b, v)
	t.b = append(t.b, '\n')
}

// histogram writes a histogram's series, or nothing when it has no observation.
func (t *text) histogram(name string, h *histogram, labels ...string) {
	cum, sum, count := h.snapshot()
	if count == 0 {
		return
	}
	withLE := append(append([]string(nil), labels...), "le", "")
	for i, c := range cum {
		le := "+Inf"
		if i < len(latencyBounds) {
			le = strconv.FormatFloat(latencyBounds[i], 'g', -1, 64)
		}
		withLE[len(withLE)-1] = le
		t.sample(name+"_bucket", float64(c), withLE...)
	}
	t.sample(name+"_sum", sum, labels...)
	t.sample(name+"_count", float64(count), labels...)
}

func appendLabelValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

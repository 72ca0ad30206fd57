package observe

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Options names what a Metrics counts by. The slices are fixed at New: a
// Record refers to their entries by index.
type Options struct {
	// Classes names the endpoint classes; Record.Class indexes it.
	Classes []string
	// Codes names the error codes a request can be refused with; a code not
	// listed is counted as "other".
	Codes []string
	// Clusters names the upstream clusters; Record.Cluster indexes it.
	Clusters []string
	// ExplainSize is how many recent requests Explain can find: 4096 when zero.
	ExplainSize int
	// AccessLog receives one line per request; nil logs none.
	AccessLog slog.Handler
	// Now is the clock: time.Now when nil.
	Now func() time.Time
}

// Metrics counts requests and keeps the recent ones. It is safe for
// concurrent use.
type Metrics struct {
	opts    Options
	now     func() time.Time
	since   func(time.Time) time.Duration
	classes int
	codeIdx map[string]int

	requests   []atomic.Uint64 // [mode][class][status slot]
	latency    []histogram     // [mode][class]
	bytesIn    [modeCount]atomic.Uint64
	bytesOut   [modeCount]atomic.Uint64
	aborts     [modeCount]atomic.Uint64 // by the client
	inflight   atomic.Int64
	rejections []atomic.Uint64 // [code], the last is "other"
	upstream   []clusterCounters

	ring    *ring
	log     slog.Handler
	records sync.Pool

	mu       sync.Mutex
	families []family // registered with Func, in exposition order
}

// clusterCounters are one cluster's upstream figures.
type clusterCounters struct {
	head     histogram
	statuses [6]atomic.Uint64 // by class: 1xx..5xx, then other
	failures [failureCount]atomic.Uint64
}

// New builds a Metrics.
func New(o Options) *Metrics {
	if o.ExplainSize <= 0 {
		o.ExplainSize = 4096
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if len(o.Classes) == 0 {
		o.Classes = []string{"other"}
	}
	m := &Metrics{opts: o, now: now, since: time.Since, classes: len(o.Classes), codeIdx: map[string]int{}, log: o.AccessLog}
	if o.Now != nil {
		m.since = func(t time.Time) time.Duration { return o.Now().Sub(t) }
	}
	for i, c := range o.Codes {
		m.codeIdx[c] = i
	}
	m.requests = make([]atomic.Uint64, int(modeCount)*m.classes*statusSlots)
	m.latency = make([]histogram, int(modeCount)*m.classes)
	m.rejections = make([]atomic.Uint64, len(o.Codes)+1)
	m.upstream = make([]clusterCounters, len(o.Clusters))
	m.ring = newRing(o.ExplainSize)
	m.records.New = func() any { return new(Record) }
	return m
}

// Begin starts the record of a request and counts it in flight. The caller
// fills the record as the request goes and hands it to End exactly once.
func (m *Metrics) Begin(mode Mode, class int, method, id string) *Record {
	r := m.records.Get().(*Record)
	*r = Record{ID: id, Method: MethodName(method), Mode: mode, Class: m.class(class), Cluster: -1,
		Start: m.now(), inflight: true}
	m.inflight.Add(1)
	return r
}

func (m *Metrics) class(c int) int {
	if c < 0 || c >= m.classes {
		return 0
	}
	return c
}

// End counts a finished request, keeps it for Explain, writes its access-log
// line and recycles the record: the caller must not touch it afterwards.
func (m *Metrics) End(r *Record) {
	r.Duration = m.since(r.Start) // the monotonic clock alone: cheaper than a second time.Now
	if r.inflight {
		m.inflight.Add(-1)
		r.inflight = false
	}
	r.Class = m.class(r.Class)
	mode := min(r.Mode, modeCount-1)
	m.requests[(int(mode)*m.classes+r.Class)*statusSlots+statusSlot(r.Status)].Add(1)
	m.latency[int(mode)*m.classes+r.Class].observe(r.Duration)
	m.bytesIn[mode].Add(uint64(max(r.BytesIn, 0)))
	m.bytesOut[mode].Add(uint64(max(r.BytesOut, 0)))
	if r.Abort == ClientAbort || r.Status == ClientClosed {
		m.aborts[mode].Add(1)
	}
	if r.Code != "" {
		i, ok := m.codeIdx[r.Code]
		if !ok {
			i = len(m.rejections) - 1
		}
		m.rejections[i].Add(1)
	}
	m.ring.put(r)
	if m.log != nil {
		m.logRecord(r)
	}
	m.records.Put(r)
}

// Upstream counts one exchange with cluster: its status or its failure, and
// the wait for its head. The caller records it in the request's Record too.
func (m *Metrics) Upstream(cluster int, x UpstreamExchange) {
	if cluster < 0 || cluster >= len(m.upstream) {
		return
	}
	c := &m.upstream[cluster]
	if x.Failure != NoFailure {
		c.failures[min(x.Failure, failureCount-1)].Add(1)
	}
	if x.Status > 0 {
		c.statuses[min(max(x.Status/100-1, 0), 5)].Add(1)
	}
	if x.Sent && (x.Status > 0 || x.Failure == FailTimeout) {
		c.head.observe(x.Head)
	}
}

// Failed counts a failure that happened after an exchange's head (a body that
// broke off or stalled).
func (m *Metrics) Failed(cluster int, f Failure) {
	if cluster >= 0 && cluster < len(m.upstream) && f != NoFailure {
		m.upstream[cluster].failures[min(f, failureCount-1)].Add(1)
	}
}

// Elapsed is the time since r began, on the monotonic clock.
func (m *Metrics) Elapsed(r *Record) time.Duration { return m.since(r.Start) }

// InFlight is the number of requests begun and not yet ended.
func (m *Metrics) InFlight() int64 { return m.inflight.Load() }

// Explain returns the most recent request with id among the last
// Options.ExplainSize, and whether there was one.
func (m *Metrics) Explain(id string) (Record, bool) { return m.ring.find(id) }

// ClassName is the name of class c.
func (m *Metrics) ClassName(c int) string { return m.opts.Classes[m.class(c)] }

// ClusterName is the name of cluster c, "" for none.
func (m *Metrics) ClusterName(c int) string {
	if c < 0 || c >= len(m.opts.Clusters) {
		return ""
	}
	return m.opts.Clusters[c]
}

package osproxy

import (
	"net/http"
	"slices"

	"github.com/osproxy/osproxy/osproxy/h1"
	"github.com/osproxy/osproxy/osproxy/observe"
	"github.com/osproxy/osproxy/osproxy/route"
	"github.com/osproxy/osproxy/osproxy/upstream"
)

// tenancyClusterName names the tenancy cluster in metrics and logs: the key
// that configures it. The passthrough cluster goes by passthrough_cluster.
const tenancyClusterName = "upstream"

// observe builds the metrics of everything New set up: the endpoint classes,
// every error code, each cluster by name with its connections and breaker, and
// the buffer budget (spec/16-operations.md).
func (p *Proxy) observe() {
	codes := make([]string, 0, len(statusOf))
	for c := range statusOf {
		codes = append(codes, string(c))
	}
	slices.Sort(codes)
	list := p.clusterList()
	names := make([]string, len(list))
	for i, cl := range list {
		cl.index = i
		cl.breaker = &upstream.Breaker{Failures: p.cfg.BreakerFailures, Cooldown: p.cfg.BreakerCooldown}
		names[i] = cl.name
	}
	p.obs = observe.New(observe.Options{Classes: p.classes.names, Codes: codes, Clusters: names, AccessLog: p.accessLog})
	p.obs.Func("osproxy_upstream_connections_opened_total", "Connections opened to each cluster.", "counter", func(emit observe.Emit) {
		p.eachEndpoint(func(name string, e *upstream.Endpoint) {
			opened, _ := e.Stats()
			emit(float64(opened), "cluster", name)
		})
	})
	p.obs.Func("osproxy_upstream_connections_reused_total", "Upstream requests sent on a kept-alive connection.", "counter", func(emit observe.Emit) {
		p.eachEndpoint(func(name string, e *upstream.Endpoint) {
			_, reused := e.Stats()
			emit(float64(reused), "cluster", name)
		})
	})
	p.obs.Func("osproxy_breaker_state", "Each cluster's circuit breaker: 0 closed, 1 half-open, 2 open.", "gauge", func(emit observe.Emit) {
		for _, cl := range p.clusterList() {
			st, _ := cl.breaker.State()
			emit(float64(st), "cluster", cl.name)
		}
	})
	p.obs.Func("osproxy_breaker_opened_total", "Times each cluster's circuit breaker opened.", "counter", func(emit observe.Emit) {
		for _, cl := range p.clusterList() {
			_, opened := cl.breaker.State()
			emit(float64(opened), "cluster", cl.name)
		}
	})
	p.obs.Func("osproxy_buffered_bytes", "Request-body bytes held in memory now, across requests.", "gauge", func(emit observe.Emit) {
		emit(float64(p.budget.used.Load()))
	})
	p.obs.Func("osproxy_buffered_bytes_limit", "The cap on request-body bytes held at once (max_buffered_bytes; 0: none).", "gauge", func(emit observe.Emit) {
		emit(float64(p.budget.limit))
	})
	p.obs.Func("osproxy_ready", "1 when readiness answers 200, 0 while draining.", "gauge", func(emit observe.Emit) {
		v := 1.0
		if p.ready.draining.Load() {
			v = 0
		}
		emit(v)
	})
}

// Metrics is the proxy's metrics, for the wiring to add its own (client
// connections, log lines dropped, process figures).
func (p *Proxy) Metrics() *observe.Metrics { return p.obs }

// eachEndpoint calls f with each cluster's pooled client; a cluster reached
// through WithTransport has none.
func (p *Proxy) eachEndpoint(f func(name string, e *upstream.Endpoint)) {
	for _, cl := range p.clusterList() {
		if e, ok := cl.do.(endpointDoer); ok {
			f(cl.name, e.Endpoint)
		}
	}
}

// rewrite names what the proxy does to a request of kind sent to cl.
func (cl *cluster) rewrite(kind route.Kind) string {
	if cl.passthrough {
		return "verbatim"
	}
	return rewriteOf(kind)
}

// requestID is the id of a request being tracked, "" otherwise.
func requestID(r *http.Request) string {
	if t := trackedOf(r); t != nil {
		return t.rec.ID
	}
	return ""
}

// refuseAdmin answers a request for the proxy's own endpoints on the main
// listener when they are served on admin_bind: refused, never forwarded (OPS-1).
func (p *Proxy) refuseAdmin(w http.ResponseWriter, r *http.Request) {
	t, r := p.track(w, r, p.defaultMode(), p.classes.admin+classAdminOther, 0)
	defer p.finish(t, false)
	writeError(t, r, fail(CodeUnsupportedEndpoint, "the proxy's own endpoints are served on its admin listener"))
}

// defaultMode is the mode of a request refused before it could be told apart.
func (p *Proxy) defaultMode() observe.Mode {
	if p.pass != nil && len(p.cfg.PassthroughIndices) == 0 {
		return observe.Passthrough
	}
	return observe.Tenancy
}

// Refuse answers a request the HTTP/1.1 parser refused with an
// OpenSearch-shaped error (HTTP-11), so clients raise their usual exception,
// and records it like any other refusal (OPS-3).
func (p *Proxy) Refuse(w http.ResponseWriter, r *http.Request, e *h1.Error) {
	t, r := p.track(w, r, p.defaultMode(), p.classes.of(route.Unsupported), route.Unsupported)
	defer p.finish(t, false)
	writeError(t, r, fail(Code(e.Code), e.Reason))
}

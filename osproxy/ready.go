package osproxy

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/upstream"
)

// readyCache and readyProbeTimeout bound what readiness costs the clusters: one
// GET / each per second at most, however often a load balancer asks.
const (
	readyCache        = time.Second
	readyProbeTimeout = 2 * time.Second
)

// readiness is whether the proxy should be sent traffic (OPS-4).
type readiness struct {
	draining atomic.Bool

	mu        sync.Mutex
	checkedAt time.Time
	states    []string // per cluster: "ok" or why not
}

// Drain makes readiness report "draining" from now on, so a load balancer
// stops sending traffic before the listener closes (OPS-9).
func (p *Proxy) Drain() { p.ready.draining.Store(true) }

// serveReady answers 200 when the proxy is not draining and every cluster
// answers, 503 otherwise, with each cluster's state.
func (p *Proxy) serveReady(w http.ResponseWriter, r *http.Request) {
	if p.ready.draining.Load() {
		writeAdminJSON(w, r, http.StatusServiceUnavailable, []byte(`{"status":"draining"}`))
		return
	}
	states := p.clusterStates(r.Context())
	ok := true
	for _, s := range states {
		ok = ok && s == "ok"
	}
	b := []byte(`{"status":"ready","clusters":{`)
	status := http.StatusOK
	if !ok {
		b, status = []byte(`{"status":"not_ready","clusters":{`), http.StatusServiceUnavailable
	}
	for i, cl := range p.clusterList() {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstream.AppendString(b, cl.name)
		b = jsonstream.AppendString(append(b, ':'), states[i])
	}
	writeAdminJSON(w, r, status, append(b, "}}"...))
}

// clusterList is the configured clusters, the tenancy upstream first.
func (p *Proxy) clusterList() []*cluster {
	out := []*cluster{&p.clusters.upstream}
	if p.pass != nil {
		out = append(out, &p.clusters.passthrough)
	}
	return out
}

// clusterStates probes each cluster, or returns the states found less than
// readyCache ago.
func (p *Proxy) clusterStates(ctx context.Context) []string {
	rd := &p.ready
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.states != nil && time.Since(rd.checkedAt) < readyCache {
		return rd.states
	}
	list := p.clusterList()
	states := make([]string, len(list))
	var wg sync.WaitGroup
	for i, cl := range list {
		wg.Go(func() { states[i] = probeReady(ctx, cl) })
	}
	wg.Wait()
	rd.states, rd.checkedAt = states, time.Now()
	return states
}

// probeReady is "ok" when cl answers GET / with a status below 500, else why not.
func probeReady(ctx context.Context, cl *cluster) string {
	if st, _ := cl.breaker.State(); st == upstream.Open {
		return "breaker_open"
	}
	ctx, cancel := context.WithTimeout(ctx, readyProbeTimeout)
	defer cancel()
	resp, err := send(cl.do, upstream.Request{Method: http.MethodGet, Target: "/", Ctx: ctx})
	if err != nil {
		return "not usable: " + upstreamError(err).Reason
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.Status >= 500 {
		return "answered " + http.StatusText(resp.Status)
	}
	return "ok"
}

package osproxy

import (
	"net/http"

	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// count serves GET|POST /{index}/_count (READ-9, READ-10) and /{index}/_validate/query
// (READ-12): the body may hold only a query, which is judged and wrapped like a
// search's; the answer (a count, or whether the query is valid) and its _shards are
// shaped for the view.
func (p *Proxy) count(w http.ResponseWriter, r *http.Request, tr tenancyRequest, e query.Endpoint) {
	params, body, err := p.readRequest(w, r, e)
	if err != nil {
		writeError(w, r, err)
		return
	}
	pol := p.policy(tr)
	out, jerr := query.JudgeCount(make([]byte, 0, len(body)+256), body, params, &pol)
	if err := judged(jerr, "body"); err != nil {
		writeError(w, r, err)
		return
	}
	target := p.target(tr, "_count", params.Forward)
	if e == query.EndpointValidate {
		// OpenSearch's validation takes no routing; the wrapped query keeps it to the view.
		target = p.upstreamAt("/"+p.cfg.Index+"/_validate/query", params.Forward)
	}
	p.relayShaped(w, r, tr, target, out, false)
}

// relayShaped sends a judged body and streams a success through the view's shaping: a
// search-shaped answer (count, validation: only _shards to shape), or a by-query one;
// an error is relayed sanitized.
func (p *Proxy) relayShaped(w http.ResponseWriter, r *http.Request, tr tenancyRequest, target string, body []byte, byQuery bool) {
	resp, sh := p.send(w, r, tr, http.MethodPost, target, body)
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	if !byQuery {
		p.streamPlan(w, resp.Body, sh, tenant.CountRoot, sh.Capture, "")
		return
	}
	rs := &tenant.ReadShaping{Shaping: *sh}
	p.streamPlan(w, resp.Body, rs, tenant.ByQueryRoot, rs.Capture, "")
}

package osproxy

import (
	"net/http"
	"net/url"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/route"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// serveWrites dispatches the endpoints of spec/15-writes.md.
func (p *Proxy) serveWrites(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	switch tr.route.Kind {
	case route.Bulk:
		p.bulk(w, r, tr)
	case route.Update:
		p.update(w, r, tr)
	case route.Source:
		p.readOrDelete(w, r, tr, "_source")
	case route.Mget:
		p.mget(w, r, tr)
	case route.IndexHead, route.IndexGet:
		p.indexExists(w, r, tr)
	case route.IndexCreate:
		p.indexCreate(w, r, tr)
	case route.IndexDelete:
		p.indexDelete(w, r, tr)
	case route.Refresh:
		p.refresh(w, r, tr)
	default:
		writeError(w, r, fail(CodeUnsupportedEndpoint, "tenancy mode does not support "+r.Method+" on this path"))
	}
}

// updateParams are those of WR-34.
var updateParams = paramSet("refresh", "timeout", "wait_for_active_shards", "retry_on_conflict", "if_seq_no",
	"if_primary_term", "require_alias", "_source", "_source_includes", "_source_excludes", "filter_path",
	"pretty", "human", "error_trace")

// update serves POST /{index}/_update/{id} (WR-33..35).
func (p *Proxy) update(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	forward, _, e := p.writeQuery(r.URL.RawQuery, updateParams)
	if e != nil {
		writeError(w, r, e)
		return
	}
	id, e := documentID(tr.route.ID, tr)
	if e != nil {
		writeError(w, r, e)
		return
	}
	body, e := p.readJSONBody(w, r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	var tree jsonstream.Tree
	judged, e := judgeUpdate(make([]byte, 0, len(body)+128), body, tr.tenant, tr.index, &tree)
	if e != nil {
		writeError(w, r, e)
		return
	}
	// filter_path passes through here: the answer is one object, shaped whatever it keeps.
	if q := r.URL.Query(); q.Has("filter_path") {
		forward = joinQuery(forward, "filter_path="+url.QueryEscape(q.Get("filter_path")))
	}
	p.byID(w, r, tr, http.MethodPost, "_update", id, forward, judged)
}

// byID sends one by-id request on the physical index ({endpoint} is _doc, _update or
// _source) and shapes the answer: a success streams through the document plan
// (ISO-18), anything else is sanitized whole (ISO-16, ISO-17).
func (p *Proxy) byID(w http.ResponseWriter, r *http.Request, tr tenancyRequest, method, endpoint, id, params string, body []byte) {
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/" + endpoint + "/" +
		url.PathEscape(tenant.PhysicalID(tr.tenant, tr.index, id)) + // DOC-3: one segment
		"?routing=" + url.QueryEscape(tr.tenant) // TEN-10
	if params != "" {
		target += "&" + params
	}
	resp, e := p.roundTrip(r, method, target, body)
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	if r.Method == http.MethodHead {
		w.WriteHeader(resp.StatusCode)
		return
	}
	if resp.Header.Get("Location") != "" {
		resp.Header.Set("Location", "/"+tr.index+"/_doc/"+url.PathEscape(id)) // ISO-17
	}
	if resp.StatusCode >= 400 {
		p.relayUpstreamError(w, r, resp, tr)
		return
	}
	sh := p.shaping(tr)
	copyTenantHeaders(w.Header(), resp.Header, sh.Errors)
	w.WriteHeader(resp.StatusCode)
	root := tenant.DocumentRoot
	if endpoint == "_source" {
		root = tenant.SourceRoot
	}
	p.streamPlan(w, resp.Body, sh, root, sh.Capture, "")
}

// joinQuery joins two raw query strings, either of which may be empty.
func joinQuery(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "&" + b
}

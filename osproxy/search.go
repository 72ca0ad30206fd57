package osproxy

import (
	"io"
	"net/http"
	"strconv"

	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// search serves GET|POST /{index}/_search (spec/04-search.md, spec/10-isolation.md) and
// the searches of spec/14-reads.md (several indices or none, q, source, a scroll to open,
// a point in time): judge the body against the allow-list with the URL's parameters
// folded in, send the canonical re-emission with the query wrapped in the tenant filter,
// then stream the response through the shaper.
func (p *Proxy) search(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, body, e := p.readRequest(w, r, query.EndpointSearch)
	if e != nil {
		writeError(w, r, e)
		return
	}
	pol := p.policy(tr)
	if tr, e = p.openPIT(tr, body, &pol); e != nil { // READ-26
		writeError(w, r, e)
		return
	}
	judged, e := p.judgeSearch(body, params, &pol)
	if e != nil {
		writeError(w, r, e)
		return
	}
	target := p.target(tr, "_search", params.Forward) // SRCH-1
	if pol.PIT != nil {
		// No index and no routing, which OpenSearch refuses beside a point in time: the
		// point in time names both (READ-26).
		target = p.upstreamAt("/_search", params.Forward)
	}
	resp, sh := p.send(w, r, tr, http.MethodPost, target, judged.Body)
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	sh.Shaper.SortIDs, sh.HitAggs = judged.SortIDs, judged.HitAggs
	switch {
	case params.Scroll():
		p.streamCursorPage(w, resp.Body, sh, p.wrapper(scrollCursor, tr, judged.SortIDs)) // READ-24
	case pol.PIT != nil:
		p.streamCursorPage(w, resp.Body, sh, p.wrapper(pitCursor, tr, 0)) // READ-26
	default:
		p.streamPlan(w, resp.Body, sh, tenant.SearchRoot, sh.Capture, "")
	}
}

// judgeSearch judges a search body for a view (ISO-1..13).
func (p *Proxy) judgeSearch(body []byte, params *query.Params, pol *query.Policy) (query.Search, *Error) {
	s, err := query.JudgeSearch(make([]byte, 0, len(body)+256), body, params, pol)
	return s, judged(err, "search body")
}

// policy is what judging a request of tr depends on: its view and the script setting.
func (p *Proxy) policy(tr tenancyRequest) query.Policy {
	return query.Policy{Filter: filterOf(tr), AllowScripts: p.cfg.AllowInlineScripts}
}

// shaping returns the response shaping of tr's view.
func (p *Proxy) shaping(tr tenancyRequest) *tenant.Shaping {
	if tr.view != nil { // READ-4: each hit named by its own id
		return &tenant.Shaping{
			Shaper: tenant.NewMultiShaper(tr.tenant, tr.view.indices),
			Errors: tenant.NewMultiSanitizer(p.cfg.Index, tr.tenant, tr.view.indices),
		}
	}
	return &tenant.Shaping{
		Shaper: tenant.NewShaper(tr.tenant, tr.index),
		Errors: tenant.NewSanitizer(p.cfg.Index, tr.tenant, tr.index),
	}
}

// root relays the cluster's name and version (TEN-12): clients read
// version.number and version.distribution to pick their API level.
func (p *Proxy) root(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		if _, e := filterParams(r.URL.RawQuery, rootParams); e != nil {
			writeError(w, r, e)
			return
		}
	}
	target := p.cfg.Upstream + "/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	resp, e := p.roundTrip(r, r.Method, target, nil)
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	copyResponseHeaders(w.Header(), resp.Header)
	if resp.ContentLength >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, io.LimitReader(resp.Body, maxRelayedBytes))
	}
}

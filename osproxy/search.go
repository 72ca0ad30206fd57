package osproxy

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// search serves GET|POST /{index}/_search (spec/04-search.md, spec/10-isolation.md):
// judge the body against the allow-list with the URL's parameters folded in, send the
// canonical re-emission with the query wrapped in the tenant filter, then stream the
// response through the shaper.
func (p *Proxy) search(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, err := query.ParseParams(r.URL.RawQuery)
	if err != nil {
		code := CodeUnsupportedParameter
		if pe, ok := err.(*query.ParamError); ok && pe.Malformed {
			code = CodeMalformedRequest // ISO-22
		}
		writeError(w, r, fail(code, err.Error()))
		return
	}
	body, e := p.readBody(w, r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	judged, e := p.judgeSearch(body, params, tr)
	if e != nil {
		writeError(w, r, e)
		return
	}
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/_search?routing=" + url.QueryEscape(tr.tenant) // SRCH-1
	if params.Forward != "" {
		target += "&" + params.Forward
	}
	resp, e := p.roundTrip(r, http.MethodPost, target, judged.Body)
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		p.relayUpstreamError(w, r, resp, tr)
		return
	}
	sh := p.shaping(tr)
	copyTenantHeaders(w.Header(), resp.Header, sh.Errors)
	w.WriteHeader(resp.StatusCode)
	sh.Shaper.SortIDs, sh.HitAggs = judged.SortIDs, judged.HitAggs
	p.streamPlan(w, resp.Body, sh, tenant.SearchRoot, sh.Capture, "")
}

// judgeSearch judges a search body for tr's view (ISO-1..13).
func (p *Proxy) judgeSearch(body []byte, params *query.Params, tr tenancyRequest) (query.Search, *Error) {
	pol := query.Policy{
		Filter: query.Filter{TenantField: tenant.FieldTenant, IndexField: tenant.FieldIndex,
			Tenant: tr.tenant, Index: tr.index},
		AllowScripts: p.cfg.AllowInlineScripts,
	}
	judged, err := query.JudgeSearch(make([]byte, 0, len(body)+256), body, params, &pol)
	var ref *query.Refusal
	switch {
	case errors.As(err, &ref):
		return judged, fail(CodeUnsupportedQuery, ref.Error())
	case err != nil:
		return judged, fail(CodeMalformedBody, "the search body is not one JSON object: "+err.Error())
	}
	return judged, nil
}

// shaping returns the response shaping of tr's view.
func (p *Proxy) shaping(tr tenancyRequest) *tenant.Shaping {
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

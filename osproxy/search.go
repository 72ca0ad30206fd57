package osproxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// search serves GET|POST /{index}/_search (spec/04-search.md): wrap the query in
// the tenant filter, then stream the response through the hit transform.
func (p *Proxy) search(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, e := filterParams(r.URL.RawQuery, searchParams)
	if e != nil {
		writeError(w, r, e)
		return
	}
	body, e := readJSONBody(r, p.cfg.MaxBodyBytes)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if err := query.Screen(body); err != nil {
		var ref *query.Refusal
		if errors.As(err, &ref) {
			writeError(w, r, fail(CodeUnsupportedQuery, ref.Error()))
			return
		}
		writeError(w, r, fail(CodeMalformedBody, "the search body could not be read"))
		return
	}
	wrapped, err := query.Wrap(make([]byte, 0, len(body)+192), body, query.Filter{
		TenantField: tenant.FieldTenant, IndexField: tenant.FieldIndex, Tenant: tr.tenant, Index: tr.index,
	})
	if err != nil {
		writeError(w, r, fail(CodeMalformedBody, "the search body could not be read"))
		return
	}
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/_search?routing=" + url.QueryEscape(tr.tenant) // SRCH-1
	if params != "" {
		target += "&" + params
	}
	resp, e := p.roundTrip(r, http.MethodPost, target, wrapped)
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		p.relayUpstreamError(w, r, resp, tr)
		return
	}
	copyResponseHeaders(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	p.streamHits(w, resp.Body, tenant.NewShaper(tr.tenant, tr.index))
}

// streamHits shapes the body after the head is sent. From here no error body
// is possible: any failure, a contained panic included, aborts the connection
// so the client never takes a cut or corrupted body for a complete one (ERR-3).
func (p *Proxy) streamHits(w http.ResponseWriter, body io.Reader, shaper *tenant.Shaper) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v != http.ErrAbortHandler {
			p.errorLog.Printf("contained a panic while streaming a search response: %v", v)
		}
		panic(http.ErrAbortHandler)
	}()
	if _, err := jsonstream.TransformHits(w, body, shaper.Hit, jsonstream.Options{}); err != nil {
		panic(http.ErrAbortHandler)
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

// roundTrip sends a request the proxy built, with the relayed client headers.
func (p *Proxy) roundTrip(r *http.Request, method, target string, body []byte) (*http.Response, *Error) {
	req, err := http.NewRequestWithContext(r.Context(), method, target, bytes.NewReader(body))
	if err != nil {
		return nil, fail(CodeInternal, "the upstream request could not be built")
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	copyRelayed(req.Header, r.Header)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.transport.RoundTrip(req)
	if err != nil {
		return nil, upstreamError(err)
	}
	return resp, nil
}

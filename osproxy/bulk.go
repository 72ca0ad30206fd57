package osproxy

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/ndjson"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// bulkParams are the parameters of WR-31; filter_path is the proxy's to apply.
var bulkParams = paramSet("refresh", "timeout", "wait_for_active_shards", "require_alias", "_source",
	"_source_includes", "_source_excludes", "pipeline", "filter_path", "pretty", "human", "error_trace")

// bulk serves POST|PUT /_bulk and /{index}/_bulk (spec/15-writes.md): the body is
// transformed as the upstream reads it, and the answer streams back with the items the
// proxy refused put in their places.
func (p *Proxy) bulk(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	forward, filter, e := p.writeQuery(r.URL.RawQuery, bulkParams)
	if e != nil {
		writeError(w, r, e)
		return
	}
	src, closeBody, e := p.openBody(w, r, true)
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer closeBody()
	b := &bulkReader{p: p, lines: ndjson.NewReader(src, int(p.cfg.MaxBodyBytes)), tenant: tr.tenant, pathIndex: tr.index}
	b.prime()
	if b.err != nil {
		writeError(w, r, bulkFailure(w, b.err))
		return
	}
	if b.sent == 0 {
		writeLocalBulk(w, b.refused, filter) // nothing to execute: every item was refused
		return
	}
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/_bulk"
	if forward != "" {
		target += "?" + forward
	}
	resp, e := p.roundTripBody(r, http.MethodPost, target, "application/x-ndjson", b)
	if b.err != nil {
		// The upstream never got a complete body, so it executed nothing.
		if resp != nil {
			resp.Body.Close()
		}
		writeError(w, r, bulkFailure(w, b.err))
		return
	}
	if e != nil {
		writeError(w, r, e)
		return
	}
	items := tenant.NewItems(tr.tenant, p.cfg.Index, tr.index)
	p.streamList(w, r, resp, tr, &listAnswer{list: "items", shape: items.AppendBulkItem,
		positional: positional{refused: b.refused, sent: b.sent, render: appendRefusedItem}}, filter)
}

// streamList relays a list answer (WR-25..28, WR-39): a 200 streams through ans,
// anything else is sanitized whole.
func (p *Proxy) streamList(w http.ResponseWriter, r *http.Request, resp *http.Response, tr tenancyRequest, ans *listAnswer, filter string) {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		p.relayUpstreamError(w, r, resp, tr)
		return
	}
	copyTenantHeaders(w.Header(), resp.Header, tenant.NewSanitizer(p.cfg.Index, tr.tenant, tr.index))
	w.WriteHeader(resp.StatusCode)
	p.streamPlan(w, resp.Body, ans, bRoot, ans.capture, filter)
}

// bulkFailure maps what stopped a bulk body to its error (WR-1..6).
func bulkFailure(w http.ResponseWriter, err error) *Error {
	var fe *errFraming
	var e *Error
	var ne net.Error
	switch {
	case errors.As(err, &fe):
		return fail(CodeMalformedBody, fe.reason)
	case errors.As(err, &e):
		return e
	case errors.As(err, &ne) && ne.Timeout():
		return bodyTimeout(w)
	}
	return fail(CodeMalformedBody, "the request body could not be read")
}

// writeQuery checks a write's parameters against allowed and splits off filter_path,
// which the proxy applies itself (WR-32); pipeline is allowed only when the operator
// lists it, require_alias only as false.
func (p *Proxy) writeQuery(raw string, allowed map[string]bool) (forward, filter string, e *Error) {
	if _, e = filterParams(raw, allowed); e != nil {
		return "", "", e
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", "", fail(CodeUnsupportedParameter, "the query string could not be read")
	}
	if pl := q.Get("pipeline"); q.Has("pipeline") && !p.pipelineAllowed(pl) {
		return "", "", fail(CodeUnsupportedParameter, "the pipeline is not one the operator lets tenants use (ingest_pipelines)")
	}
	if q.Has("require_alias") && q.Get("require_alias") != "false" {
		return "", "", fail(CodeUnsupportedParameter, "require_alias may only be false: a logical index is not an alias")
	}
	filter = q.Get("filter_path")
	if _, err := jsonstream.NewFilterPlan(filter); q.Has("filter_path") && err != nil {
		return "", "", fail(CodeUnsupportedParameter, "filter_path: only inclusion paths are supported here")
	}
	q.Del("filter_path")
	return q.Encode(), filter, nil
}

// listAnswer streams an answer whose top-level array lists one result per thing the
// client asked for (a bulk's items, an mget's docs): each is shaped, the ones the proxy
// refused are put back in their places, and a bulk's errors is made exact (WR-25..28,
// WR-39).
type listAnswer struct {
	list  string // the array's member name
	shape func(dst, v []byte) ([]byte, error)
	positional
}

// positional puts the items the proxy refused back among the upstream's, in the
// client's order (WR-27, WR-39).
type positional struct {
	refused []refusedItem
	render  func(dst []byte, it refusedItem) []byte
	sent    int // items the upstream received
	seen    int // upstream items written so far
	next    int // position in the client's numbering of the next item to write
	r       int // refused items written so far
}

// around writes the refused items placed before the next upstream one (each followed
// by its comma), the upstream item shaped, and after the last one the rest (each after
// its comma).
func (m *positional) around(dst, v []byte, shape func(dst, v []byte) ([]byte, error)) ([]byte, error) {
	for m.r < len(m.refused) && m.refused[m.r].pos == m.next {
		dst = append(m.render(dst, m.refused[m.r]), ',')
		m.r, m.next = m.r+1, m.next+1
	}
	dst, err := shape(dst, v)
	m.seen, m.next = m.seen+1, m.next+1
	if m.seen == m.sent {
		for ; m.r < len(m.refused); m.r++ {
			dst = m.render(append(dst, ','), m.refused[m.r])
		}
	}
	return dst, err
}

const (
	bRoot uint8 = iota
	bItems
	bItem
	bErrors
)

func (a *listAnswer) Member(state uint8, key []byte, c byte) (jsonstream.Action, uint8) {
	switch {
	case state == bRoot && jsonstream.KeyIs(key, a.list) && c == '[':
		return jsonstream.Walk, bItems
	case state == bRoot && jsonstream.KeyIs(key, "errors"):
		return jsonstream.Capture, bErrors
	}
	return jsonstream.Copy, 0
}

func (a *listAnswer) Drops(uint8) bool { return false }

func (a *listAnswer) Element(state uint8, _ byte) (jsonstream.Action, uint8) {
	if state == bItems {
		return jsonstream.Capture, bItem
	}
	return jsonstream.Copy, 0
}

func (a *listAnswer) capture(dst []byte, state uint8, v []byte) ([]byte, error) {
	if state == bErrors {
		if len(a.refused) > 0 {
			return append(dst, "true"...), nil
		}
		return append(dst, v...), nil
	}
	return a.around(dst, v, a.shape)
}

// complete reports whether every upstream item and every refused one was written.
func (m *positional) complete() error {
	if m.seen != m.sent || m.r != len(m.refused) {
		return errors.New("the upstream answered a different number of items than it was sent")
	}
	return nil
}

// appendRefusedItem writes a refused item as OpenSearch writes a failed one.
func appendRefusedItem(dst []byte, it refusedItem) []byte {
	dst = append(dst, `{"`...)
	dst = append(dst, it.verb...)
	dst = append(dst, `":{"_index":`...)
	dst = jsonstream.AppendString(dst, it.index)
	dst = append(dst, `,"_id":`...)
	if !it.idGiven {
		dst = append(dst, "null"...)
	} else {
		dst = jsonstream.AppendString(dst, it.id)
	}
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, int64(it.status), 10)
	dst = append(dst, `,"error":{"type":`...)
	dst = jsonstream.AppendString(dst, string(it.code))
	dst = append(dst, `,"reason":`...)
	dst = jsonstream.AppendString(dst, it.reason)
	return append(dst, "}}}"...)
}

// writeLocalBulk answers a bulk whose every item the proxy refused.
func writeLocalBulk(w http.ResponseWriter, refused []refusedItem, filter string) {
	body := []byte(`{"took":0,"errors":true,"items":[`)
	for i, it := range refused {
		if i > 0 {
			body = append(body, ',')
		}
		body = appendRefusedItem(body, it)
	}
	body = append(body, "]}"...)
	if filter != "" {
		body = jsonstream.FilterBytes(body, filter) // a filter judged by writeQuery
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

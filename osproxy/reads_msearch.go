package osproxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/ndjson"
	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// multiSearch serves GET|POST /_msearch and /{index}/_msearch (READ-13..17): each
// header judged and its indices resolved, each body judged and wrapped for its own
// view, all sent as one _msearch to the physical index; each item of the answer is
// shaped for its view. An item the proxy refuses never reaches the cluster: a
// placeholder that matches nothing holds its place, and the refusal is written there.
func (p *Proxy) multiSearch(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, e := parseReadParams(r, query.EndpointMultiSearch)
	if e != nil {
		writeError(w, r, e)
		return
	}
	body, e := p.readBodyOf(w, r, true) // JSON or NDJSON (READ-13)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if body == nil {
		writeError(w, r, fail(CodeMalformedBody, "a multi-search body of header and body lines is required"))
		return
	}
	upstream, items, sent, e := p.multiItems(body, tr)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if sent == 0 {
		p.answerRefused(w, items)
		return
	}
	resp, sh := p.send(w, r, tr, http.MethodPost, p.upstreamAt("/_msearch", params.Forward), upstream)
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	rs := &tenant.ReadShaping{Shaping: *sh, Items: items}
	p.streamPlan(w, resp.Body, rs, tenant.MultiRoot, rs.Capture, "")
}

// multiItems frames a multi-search body (strict NDJSON: READ-13) and judges each item,
// returning the upstream body, the items' views or refusals, and how many were sent.
func (p *Proxy) multiItems(body []byte, tr tenancyRequest) ([]byte, []tenant.Item, int, *Error) {
	rd := ndjson.NewReader(bytes.NewReader(body), int(p.cfg.MaxBodyBytes))
	out := make([]byte, 0, len(body)+256)
	var items []tenant.Item
	sent := 0
	var e *Error
	for {
		header, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, 0, framingError(rd.Line(), err)
		}
		header = append([]byte(nil), header...) // the next call reuses the reader's buffer
		search, err := rd.Next()
		if err == io.EOF {
			return nil, nil, 0, fail(CodeMalformedBody, "line "+strconv.Itoa(rd.Line()+1)+": a multi-search header has no body line")
		}
		if err != nil {
			return nil, nil, 0, framingError(rd.Line(), err)
		}
		var item tenant.Item
		if out, item, e = p.multiItem(out, header, search, tr); e != nil {
			return nil, nil, 0, fail(e.Code, "the item on lines "+strconv.Itoa(rd.Line()-1)+"-"+strconv.Itoa(rd.Line())+": "+e.Reason)
		}
		if item.Refusal == nil {
			sent++
		}
		items = append(items, item)
	}
	if len(items) == 0 {
		return nil, nil, 0, fail(CodeMalformedBody, "a multi-search body of header and body lines is required")
	}
	return out, items, sent, nil
}

func framingError(line int, err error) *Error {
	reason := "the body is not newline-delimited JSON"
	switch {
	case errors.Is(err, ndjson.ErrBlankLine):
		reason = "a blank line"
	case errors.Is(err, ndjson.ErrNoFinalNewline):
		reason = "the body must end with a newline"
	case errors.Is(err, ndjson.ErrLineTooLong):
		reason = "the line is longer than max_body_bytes"
	}
	return fail(CodeMalformedBody, "line "+strconv.Itoa(line)+": "+reason)
}

// multiItem judges one item and appends its upstream lines to out: the judged item, or
// for a refused one a placeholder that matches nothing (READ-16). A line that is not
// JSON refuses the whole request, as in OpenSearch: the pairing of the lines after it
// cannot be trusted (READ-13).
func (p *Proxy) multiItem(out, header, search []byte, tr tenancyRequest) ([]byte, tenant.Item, *Error) {
	h, err := query.JudgeHeader(header)
	e := judged(err, "multi-search header")
	if e != nil && e.Code == CodeMalformedBody {
		return nil, tenant.Item{}, e
	}
	itemTr := tr
	if e == nil && h.Indices != nil {
		var names []string
		names, e = p.logicalIndices(joinNames(h.Indices))
		itemTr = viewOf(tr, names)
	}
	var s query.Search
	if e == nil {
		pol := p.policy(itemTr)
		if s, e = p.judgeSearch(search, nil, &pol); e != nil && e.Code == CodeMalformedBody {
			return nil, tenant.Item{}, e
		}
	}
	out = append(out, `{"index":`...)
	out = jsonstream.AppendString(out, p.cfg.Index)
	out = append(out, `,"routing":`...)
	out = jsonstream.AppendString(out, tr.tenant)
	if e != nil {
		out = append(out, "}\n"+`{"size":0,"track_total_hits":false,"query":{"match_none":{}}}`+"\n"...)
		return out, tenant.Item{Refusal: appendErrorBody(nil, e, e.Status())}, nil
	}
	out = append(append(out, h.Rest...), "}\n"...)
	out = append(append(out, s.Body...), '\n')
	sh := p.shaping(itemTr)
	sh.Shaper.SortIDs, sh.HitAggs = s.SortIDs, s.HitAggs
	return out, tenant.Item{Shaping: sh}, nil
}

// joinNames writes a header's names as a path segment's comma list, each escaped so
// that logicalIndices decodes it back to exactly the text the header holds: a header
// is JSON, not a URL, and is not percent-decoded.
func joinNames(names []string) string {
	var b bytes.Buffer
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(url.PathEscape(n))
	}
	return b.String()
}

// answerRefused answers a multi-search whose every item the proxy refused, without
// contacting the cluster.
func (p *Proxy) answerRefused(w http.ResponseWriter, items []tenant.Item) {
	out := append([]byte(nil), `{"took":0,"responses":[`...)
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it.Refusal...)
	}
	writeJSON(w, http.StatusOK, append(out, ']', '}'))
}

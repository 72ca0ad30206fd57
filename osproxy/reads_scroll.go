package osproxy

import (
	"io"
	"net/http"
	"net/url"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// wrapper returns the function that seals each cursor a page carries for tr's view
// (READ-23): the next page is served with the same view and the same sort positions.
func (p *Proxy) wrapper(kind cursorKind, tr tenancyRequest, sortIDs uint64) func(dst, raw []byte) []byte {
	var indices []string
	if tr.view != nil {
		indices = tr.view.indices
	} else {
		indices = []string{tr.index}
	}
	return func(dst, raw []byte) []byte {
		return p.cursors.seal(dst, &cursor{kind: kind, tenant: tr.tenant, indices: indices, sortIDs: sortIDs, raw: raw})
	}
}

// streamCursorPage streams a page that carries a cursor through the shaping of its
// view, the cursor sealed (READ-24, READ-25, READ-27).
func (p *Proxy) streamCursorPage(w http.ResponseWriter, body io.Reader, sh *tenant.Shaping, wrap func(dst, raw []byte) []byte) {
	rs := &tenant.ReadShaping{Shaping: *sh, Wrap: wrap}
	p.streamPlan(w, body, rs, tenant.CursorRoot, rs.Capture, "")
}

// openCursor opens a cursor the client presented, for tr's tenant (READ-30): nothing
// reaches the cluster for a cursor that does not open.
func (p *Proxy) openCursor(text []byte, kind cursorKind, tr tenancyRequest) (*cursor, *Error) {
	if string(text) == "_all" {
		return nil, fail(CodeInvalidCursor, "_all names every tenant's cursors; name your own")
	}
	c, err := p.cursors.open(text, kind, tr.tenant)
	if err != nil {
		return nil, fail(CodeInvalidCursor, "the cursor is not one this proxy issued to this tenant, or it was altered")
	}
	return c, nil
}

// scrollNext serves a scroll's next page: GET|POST /_search/scroll[/{id}], the id in the
// body, the path or the scroll_id parameter, the body's winning as in OpenSearch
// (READ-25). The page is shaped as the first was.
func (p *Proxy) scrollNext(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, cb, ids, e := p.scrollRequest(w, r, tr, true)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if len(ids) != 1 {
		writeError(w, r, fail(CodeInvalidCursor, "a scroll continues from exactly one scroll_id"))
		return
	}
	c, e := p.openCursor(ids[0], scrollCursor, tr)
	if e != nil {
		writeError(w, r, e)
		return
	}
	body := append([]byte(nil), '{')
	if cb.KeepAlive != nil {
		body = append(append(body, `"scroll":`...), cb.KeepAlive...)
		body = append(body, ',')
	}
	body = jsonstream.AppendBytes(append(body, `"scroll_id":`...), c.raw)
	target := p.upstreamAt("/_search/scroll", params.Forward)
	p.cursorPage(w, r, viewOf(tr, c.indices), target, append(body, '}'), scrollCursor, c.sortIDs)
}

// cursorPage sends a cursor request and streams its page through tr's view.
func (p *Proxy) cursorPage(w http.ResponseWriter, r *http.Request, tr tenancyRequest, target string, body []byte, kind cursorKind, sortIDs uint64) {
	resp, sh := p.send(w, r, tr, http.MethodPost, target, body)
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	sh.Shaper.SortIDs = sortIDs
	p.streamCursorPage(w, resp.Body, sh, p.wrapper(kind, tr, sortIDs))
}

// clearScroll serves DELETE /_search/scroll[/{ids}]: every cursor must open for the
// tenant before any is cleared; _all is refused (READ-28).
func (p *Proxy) clearScroll(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, _, ids, e := p.scrollRequest(w, r, tr, false)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if len(ids) == 0 {
		writeError(w, r, fail(CodeInvalidCursor, "name the scroll_id to clear"))
		return
	}
	body := append([]byte(nil), `{"scroll_id":[`...)
	for i, id := range ids {
		c, e := p.openCursor(id, scrollCursor, tr)
		if e != nil {
			writeError(w, r, e)
			return
		}
		if i > 0 {
			body = append(body, ',')
		}
		body = jsonstream.AppendBytes(body, c.raw)
	}
	resp, e := p.roundTrip(r, http.MethodDelete, p.upstreamAt("/_search/scroll", params.Forward), append(body, ']', '}'))
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	p.relayUpstreamError(w, r, resp, viewOf(tr, nil)) // a small answer: succeeded, num_freed
}

// scrollRequest reads a scroll request, next page or clearing: its parameters, its
// judged body (with a keep-alive for a next page) and the cursors it presents.
func (p *Proxy) scrollRequest(w http.ResponseWriter, r *http.Request, tr tenancyRequest, keepAlive bool) (*query.Params, query.CursorBody, [][]byte, *Error) {
	params, e := parseReadParams(r, query.EndpointScroll)
	if e != nil {
		return nil, query.CursorBody{}, nil, e
	}
	cb, e := p.cursorBody(w, r, "scroll_id", keepAlive)
	if e != nil {
		return nil, query.CursorBody{}, nil, e
	}
	ids, e := presentedCursors(cb.IDs, tr.route.ID, params.ScrollID)
	return params, cb, ids, e
}

// cursorBody reads and judges the body of a cursor request.
func (p *Proxy) cursorBody(w http.ResponseWriter, r *http.Request, idMember string, keepAlive bool) (query.CursorBody, *Error) {
	body, e := p.readBody(w, r)
	if e != nil {
		return query.CursorBody{}, e
	}
	cb, err := query.JudgeCursorBody(body, idMember, keepAlive)
	return cb, judged(err, "body")
}

// presentedCursors are the cursors of a request: the body's when it names any (as in
// OpenSearch, the body wins), else the path's comma list, else the parameter's.
func presentedCursors(body [][]byte, pathIDs string, param []byte) ([][]byte, *Error) {
	if len(body) > 0 {
		return body, nil
	}
	list := string(param)
	if pathIDs != "" {
		decoded, err := url.PathUnescape(pathIDs)
		if err != nil {
			return nil, fail(CodeInvalidCursor, "the cursor in the path is not validly encoded")
		}
		list = decoded
	}
	var out [][]byte
	for _, id := range cursorIDs(list) {
		out = append(out, []byte(id))
	}
	return out, nil
}

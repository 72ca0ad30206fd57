package osproxy

import (
	"bytes"
	"net/http"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/route"
)

// createPIT serves POST /{index}/_search/point_in_time: a point in time on the
// physical index, on the tenant's shards only, whose id comes back sealed for the
// tenant and the view the path names (READ-27).
func (p *Proxy) createPIT(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, e := parseReadParams(r, query.EndpointCreatePIT)
	if e != nil {
		writeError(w, r, e)
		return
	}
	body, e := p.readBody(w, r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if body != nil && !isEmptyObject(body) {
		writeError(w, r, fail(CodeUnsupportedQuery, "`(body)`: creating a point in time takes no body"))
		return
	}
	p.cursorPage(w, r, tr, p.target(tr, "_search/point_in_time", params.Forward), nil, pitCursor, 0)
}

// isEmptyObject reports whether body is {} with any white space.
func isEmptyObject(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) >= 2 && b[0] == '{' && b[len(b)-1] == '}' && len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}

// openPIT opens the point in time a search with no index names (READ-26): the search
// covers the view the point in time was created for, and the cluster reads its own id.
// A search that names no point in time, or names an index, is left to the judge, which
// refuses a pit there.
func (p *Proxy) openPIT(tr tenancyRequest, body []byte, pol *query.Policy) (tenancyRequest, *Error) {
	if tr.route.Kind != route.SearchNoIndex {
		return tr, nil
	}
	id, ok := query.PITID(body)
	if !ok {
		return tr, nil
	}
	c, e := p.openCursor(id, pitCursor, tr)
	if e != nil {
		return tr, e
	}
	tr = viewOf(tr, c.indices)
	pol.Filter, pol.PIT = filterOf(tr), c.raw
	return tr, nil
}

// deletePIT serves DELETE /_search/point_in_time: every id must open for the tenant
// before any is deleted (READ-29). The cluster's answer names its own ids, which may
// differ from those it issued, so each is deleted alone and answered with the id the
// client gave.
func (p *Proxy) deletePIT(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, e := parseReadParams(r, query.EndpointFormatOnly)
	if e != nil {
		writeError(w, r, e)
		return
	}
	cb, e := p.cursorBody(w, r, "pit_id", false)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if len(cb.IDs) == 0 {
		writeError(w, r, fail(CodeInvalidCursor, "name the pit_id to delete"))
		return
	}
	raws := make([][]byte, len(cb.IDs))
	for i, id := range cb.IDs {
		c, e := p.openCursor(id, pitCursor, tr)
		if e != nil {
			writeError(w, r, e)
			return
		}
		raws[i] = c.raw
	}
	out := append([]byte(nil), `{"pits":[`...)
	status := http.StatusOK
	for i, raw := range raws {
		ok, code, e := p.deleteOnePIT(r, raw, params.Forward)
		if e != nil {
			writeError(w, r, e)
			return
		}
		if code >= 400 && status == http.StatusOK {
			status = code
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"successful":`...)
		out = append(out, boolText(ok)...)
		out = jsonstream.AppendBytes(append(out, `,"pit_id":`...), cb.IDs[i])
		out = append(out, '}')
	}
	writeJSON(w, status, append(out, ']', '}'))
}

// deleteOnePIT deletes one point in time and reports whether the cluster says it
// succeeded, with its status.
func (p *Proxy) deleteOnePIT(r *http.Request, raw []byte, forward string) (bool, int, *Error) {
	body := jsonstream.AppendBytes(append([]byte(nil), `{"pit_id":[`...), raw)
	resp, e := p.roundTrip(r, http.MethodDelete, p.upstreamAt("/_search/point_in_time", forward), append(body, ']', '}'))
	if e != nil {
		return false, 0, e
	}
	defer resp.Body.Close()
	answer, e := readRelayed(resp)
	if e != nil {
		return false, 0, e
	}
	return resp.StatusCode < 400 && pitDeleted(answer), resp.StatusCode, nil
}

// pitDeleted reads the cluster's answer to deleting one point in time.
func pitDeleted(answer []byte) bool {
	var t jsonstream.Tree
	if t.Parse(answer, maxJSONDepth) != nil || t.Root().Kind() != '{' {
		return false
	}
	pits := t.Root().Member("pits")
	if !pits.Valid() || pits.Kind() != '[' || pits.Len() != 1 {
		return false
	}
	ok := pits.First().Member("successful")
	return ok.Valid() && ok.Kind() == 't'
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

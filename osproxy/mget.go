package osproxy

import (
	"net/http"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// mgetParams are those of WR-37.
var mgetParams = paramSet("_source", "_source_includes", "_source_excludes", "stored_fields", "realtime",
	"refresh", "preference", "pretty", "human", "error_trace")

// mget serves GET|POST /_mget and /{index}/_mget (WR-37..39): each document is read by its
// physical id; the ones the proxy refuses get an error entry in their places.
func (p *Proxy) mget(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, e := filterParams(r.URL.RawQuery, mgetParams)
	if e != nil {
		writeError(w, r, e)
		return
	}
	var tree jsonstream.Tree
	if !p.requiredJSONTree(w, r, "an _mget body with docs or ids is required", &tree) {
		return
	}
	docs, e := p.mgetDocs(tree.Root(), tr)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if docs.sent == 0 {
		out := []byte(`{"docs":[`)
		for i, it := range docs.refused {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendRefusedDoc(out, it)
		}
		writeJSON(w, http.StatusOK, append(out, "]}"...))
		return
	}
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/_mget"
	if params != "" {
		target += "?" + params
	}
	resp, e := p.roundTrip(r, http.MethodPost, target, docs.upstream)
	if e != nil {
		writeError(w, r, e)
		return
	}
	items := tenant.NewItems(tr.tenant, p.cfg.Index, tr.index)
	p.streamList(w, r, resp, tr, &listAnswer{list: "docs", shape: items.AppendResult,
		positional: positional{refused: docs.refused, sent: docs.sent, render: appendRefusedDoc}}, "")
}

// mgetRequest is an _mget body made physical.
type mgetRequest struct {
	upstream []byte
	refused  []refusedItem
	sent     int
}

// mgetDocs judges {"docs":[…]} or {"ids":[…]} and builds the upstream body.
func (p *Proxy) mgetDocs(root jsonstream.Value, tr tenancyRequest) (mgetRequest, *Error) {
	var m mgetRequest
	if root.Kind() != '{' || root.Len() != 1 {
		return m, fail(CodeMalformedBody, "the _mget body must be {\"docs\":[…]} or {\"ids\":[…]}")
	}
	list := root.First()
	ids := jsonstream.KeyIs(list.Key(), "ids")
	if list.Kind() != '[' || !ids && !jsonstream.KeyIs(list.Key(), "docs") {
		return m, fail(CodeMalformedBody, "the _mget body must be {\"docs\":[…]} or {\"ids\":[…]}")
	}
	if ids && tr.index == "" {
		return m, fail(CodeInvalidIndexName, "an _mget by ids needs a logical index in the path")
	}
	b := &bulkReader{p: p, tenant: tr.tenant, pathIndex: tr.index}
	m.upstream = []byte(`{"docs":[`)
	pos := 0
	for d := list.First(); d.Valid(); d, pos = d.Next(), pos+1 {
		doc, e := b.mgetDoc(d, ids)
		if e != nil {
			index, id := tr.index, ""
			if !ids {
				if s, ok := metaString(d, "_index"); ok {
					index = s
				}
				id, _ = metaID(d)
			} else {
				id, _ = idOf(d)
			}
			m.refused = append(m.refused, refusedItem{pos: pos, index: index, id: id, idGiven: true, status: e.Status(), code: e.Code, reason: e.Reason})
			continue
		}
		if m.sent > 0 {
			m.upstream = append(m.upstream, ',')
		}
		m.upstream = append(m.upstream, doc...)
		m.sent++
	}
	m.upstream = append(m.upstream, "]}"...)
	return m, nil
}

// mgetDoc judges one requested document and returns its physical form.
func (b *bulkReader) mgetDoc(d jsonstream.Value, byID bool) ([]byte, *Error) {
	var id string
	index := b.pathIndex
	if byID {
		s, ok := idOf(d)
		if !ok {
			return nil, fail(CodeInvalidDocumentID, "an id must be a string")
		}
		id = s
	} else {
		if d.Kind() != '{' {
			return nil, fail(CodeMalformedBody, "a doc must be an object")
		}
		var e *Error
		if index, e = b.logicalOf(d); e != nil {
			return nil, e
		}
		s, ok := metaID(d)
		if !ok {
			return nil, fail(CodeInvalidDocumentID, "a doc needs an _id")
		}
		id = s
	}
	if id == "" || len(tenantPhysical(b.tenant, index, id)) > maxPhysicalID {
		return nil, fail(CodeInvalidDocumentID, "the document id is empty or too long for OpenSearch's 512-byte limit")
	}
	out := []byte(`{"_id":`)
	out = jsonstream.AppendString(out, tenantPhysical(b.tenant, index, id))
	out = append(out, `,"routing":`...)
	out = jsonstream.AppendString(out, b.tenant)
	if !byID {
		for m := d.First(); m.Valid(); m = m.Next() {
			switch k := m.Key(); {
			case jsonstream.KeyIs(k, "_index"), jsonstream.KeyIs(k, "_id"):
			case jsonstream.KeyIs(k, "_source"), jsonstream.KeyIs(k, "stored_fields"):
				out = append(append(append(append(out, ',', '"'), k...), '"', ':'), m.Raw()...)
			case jsonstream.KeyIs(k, "routing"):
				return nil, fail(CodeUnsupportedParameter, "the proxy owns routing; a doc may not set it")
			default:
				return nil, fail(CodeUnsupportedParameter, "the doc member is not supported in tenancy mode")
			}
		}
	}
	return append(out, '}'), nil
}

func tenantPhysical(tenantID, index, id string) string { return tenant.PhysicalID(tenantID, index, id) }

// idOf reads an id value: a string or a number's text.
func idOf(v jsonstream.Value) (string, bool) {
	switch v.Kind() {
	case '0':
		return string(v.Raw()), true
	case '"':
		s, err := jsonstream.Unquote(v.Raw())
		return s, err == nil
	}
	return "", false
}

// appendRefusedDoc writes a refused doc as OpenSearch writes a failed one.
func appendRefusedDoc(dst []byte, it refusedItem) []byte {
	dst = append(dst, `{"_index":`...)
	dst = jsonstream.AppendString(dst, it.index)
	dst = append(dst, `,"_id":`...)
	dst = jsonstream.AppendString(dst, it.id)
	dst = append(dst, `,"error":{"type":`...)
	dst = jsonstream.AppendString(dst, string(it.code))
	dst = append(dst, `,"reason":`...)
	dst = jsonstream.AppendString(dst, it.reason)
	return append(dst, "}}"...)
}

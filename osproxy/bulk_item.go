package osproxy

import (
	"strconv"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// item writes one upstream item, action line and source line, into b.out, or refuses
// it (WR-10..23).
func (b *bulkReader) item(verb string, meta jsonstream.Value, source []byte) *Error {
	index, e := b.logicalOf(meta)
	if e != nil {
		return e
	}
	id, given := metaID(meta)
	switch {
	case !given && meta.Member("_id").Valid():
		return fail(CodeInvalidDocumentID, "_id must be a string")
	case !given && (verb == "update" || verb == "delete"):
		return fail(CodeInvalidDocumentID, "an "+verb+" action needs an _id")
	case !given:
		id = b.p.newID() // DOC-2
	case id == "":
		return fail(CodeInvalidDocumentID, "the document id is empty; use 1-512 bytes")
	}
	physical := tenant.PhysicalID(b.tenant, index, id)
	if len(physical) > maxPhysicalID {
		return fail(CodeInvalidDocumentID, "the document id is too long: with the tenant and index it would exceed "+
			strconv.Itoa(maxPhysicalID)+" bytes, OpenSearch's limit")
	}
	b.out = append(b.out, `{"`...)
	b.out = append(b.out, verb...)
	b.out = append(b.out, `":{"_id":`...)
	b.out = jsonstream.AppendString(b.out, physical)
	b.out = append(b.out, `,"routing":`...)
	b.out = jsonstream.AppendString(b.out, b.tenant) // TEN-10: the proxy owns routing
	if e := b.meta(verb, meta); e != nil {
		return e
	}
	b.out = append(b.out, "}}\n"...)
	if verb == "delete" {
		return nil
	}
	var err *Error
	if verb == "update" {
		b.out, err = judgeUpdate(b.out, source, b.tenant, index, &b.srcTree)
	} else {
		// Inject's one pass checks the grammar (WR-21) and the top-level names (WR-19);
		// what else a source holds (a repeated name, invalid UTF-8) is the cluster's
		// to refuse, item by item, as it would without the proxy.
		b.out, err = injectSource(b.out, source, b.tenant, index)
	}
	if err != nil {
		return err
	}
	b.out = append(b.out, '\n')
	return nil
}

// meta judges and writes the action metadata a tenant may set (WR-15..18).
func (b *bulkReader) meta(verb string, meta jsonstream.Value) *Error {
	for m := meta.First(); m.Valid(); m = m.Next() {
		key := m.Key()
		switch {
		case jsonstream.KeyIs(key, "_index"), jsonstream.KeyIs(key, "_id"):
			continue // judged by item
		case jsonstream.KeyIs(key, "if_seq_no"), jsonstream.KeyIs(key, "if_primary_term"), jsonstream.KeyIs(key, "version"),
			verb == "update" && jsonstream.KeyIs(key, "retry_on_conflict"):
			n, ok := wholeNumber(m)
			if !ok {
				return fail(CodeUnsupportedParameter, "the action's "+string(key)+" must be a whole number")
			}
			b.member(key, strconv.AppendInt(nil, n, 10))
		case jsonstream.KeyIs(key, "version_type"):
			s, _ := jsonstream.Unquote(m.Raw())
			if s != "internal" && s != "external" && s != "external_gte" {
				return fail(CodeUnsupportedParameter, "the action's version_type must be internal, external or external_gte")
			}
			b.member(key, m.Raw())
		case jsonstream.KeyIs(key, "require_alias"):
			if m.Kind() != 'f' && string(m.Raw()) != `"false"` {
				return fail(CodeUnsupportedParameter, "require_alias may only be false: a logical index is not an alias")
			}
		case verb == "update" && jsonstream.KeyIs(key, "_source") && (m.Kind() == 't' || m.Kind() == 'f'):
			b.member(key, m.Raw())
		case verb != "delete" && jsonstream.KeyIs(key, "pipeline"):
			s, err := jsonstream.Unquote(m.Raw())
			if err != nil || !b.p.pipelineAllowed(s) {
				return fail(CodeUnsupportedParameter, "the pipeline is not one the operator lets tenants use (ingest_pipelines)")
			}
			b.member(key, m.Raw())
		case jsonstream.KeyIs(key, "routing"):
			return fail(CodeUnsupportedParameter, "the proxy owns routing; an action may not set it")
		default:
			return fail(CodeUnsupportedParameter, "the action member is not supported in tenancy mode")
		}
	}
	return nil
}

func (b *bulkReader) member(key, value []byte) {
	b.out = append(b.out, ',', '"')
	b.out = append(b.out, key...)
	b.out = append(b.out, '"', ':')
	b.out = append(b.out, value...)
}

// wholeNumber reads an integer as OpenSearch reads version and sequence numbers: a JSON
// integer or a string of one; a fraction or any other spelling is refused.
func wholeNumber(v jsonstream.Value) (int64, bool) {
	raw := v.Raw()
	if v.Kind() == '"' {
		raw = raw[1 : len(raw)-1]
	} else if v.Kind() != '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

// injectSource writes a document with the reserved fields injected (TEN-8), refusing
// one that is not a JSON object or sets a reserved field (TEN-9).
func injectSource(dst, source []byte, tenantID, index string) ([]byte, *Error) {
	out, err := tenant.Inject(dst, source, tenantID, index)
	if e := topError(err); e != nil {
		return dst, e
	}
	if err != nil {
		return dst, fail(CodeMalformedBody, "the document must be a JSON object")
	}
	return out, nil
}

// topError is the refusal of a document whose top-level names tenant.CheckTopName
// refused (TEN-9, WR-19); nil for any other error.
func topError(err error) *Error {
	if err == tenant.ErrReservedField {
		return fail(CodeReservedField, "the document sets a field name the proxy reserves for its layout")
	}
	return nil
}

// judgeUpdate writes an update body: doc and upsert judged and injected, so that an
// update can neither read nor change the reserved fields and an upsert lands in the
// layout; scripts refused (WR-22, WR-23).
func judgeUpdate(dst, source []byte, tenantID, index string, tree *jsonstream.Tree) ([]byte, *Error) {
	if tree.Parse(source, maxJSONDepth) != nil || tree.Root().Kind() != '{' {
		return dst, fail(CodeMalformedBody, "the update body must be one JSON object")
	}
	start := len(dst)
	dst = append(dst, '{')
	n := 0
	for m := tree.Root().First(); m.Valid(); m = m.Next() {
		key := m.Key()
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(append(append(dst, '"'), key...), '"', ':')
		var e *Error
		switch {
		case jsonstream.KeyIs(key, "doc"), jsonstream.KeyIs(key, "upsert"):
			dst, e = injectSource(dst, m.Raw(), tenantID, index)
		case jsonstream.KeyIs(key, "doc_as_upsert"), jsonstream.KeyIs(key, "detect_noop"), jsonstream.KeyIs(key, "_source"):
			if m.Kind() == '{' {
				e = fail(CodeUnsupportedQuery, "`"+string(key)+"`: expected a boolean, a field or a list of fields")
			}
			dst = append(dst, m.Raw()...)
		case jsonstream.KeyIs(key, "script"), jsonstream.KeyIs(key, "scripted_upsert"):
			e = fail(CodeUnsupportedQuery, "`"+string(key)+"`: scripted updates are not allowed: an update script reads and writes ctx._source, the reserved fields included")
		default:
			e = fail(CodeUnsupportedQuery, "`"+string(key)+"`: unknown member of an update body")
		}
		if e != nil {
			return dst[:start], e
		}
	}
	return append(dst, '}'), nil
}

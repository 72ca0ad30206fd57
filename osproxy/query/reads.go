package query

import (
	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// The judgements of this file serve the reads beyond a plain search (spec/14-reads.md):
// q folded into the query, a point in time's id, and the bodies of _count,
// _validate/query and the by-query endpoints.

// appendFoldedQuery writes the wrapped query of a body that has none: the URL's q as
// a query_string, judged like any other (ISO-11), or match_all (READ-7). OpenSearch
// builds the same query_string from q and its companions, so the cluster runs what
// it would have run for q, inside the tenant filter rather than in its place.
func (j *judge) appendFoldedQuery(ps *Params) error {
	if !ps.HasQ() {
		return j.appendWrapped(jsonstream.Value{})
	}
	doc := append([]byte(nil), `{"query_string":{"query":`...)
	doc = jsonstream.AppendString(doc, ps.single["q"])
	for _, m := range [...][2]string{{"df", "default_field"}, {"default_operator", "default_operator"}, {"analyzer", "analyzer"},
		{"analyze_wildcard", "analyze_wildcard"}, {"lenient", "lenient"}} {
		if v, ok := ps.single[m[0]]; ok {
			doc = append(doc, ',')
			doc = jsonstream.AppendString(doc, m[1])
			doc = append(doc, ':')
			doc = jsonstream.AppendString(doc, v)
		}
	}
	q, err := j.parseEmbedded(append(doc, '}', '}'))
	if err != nil {
		return &Refusal{Path: "q", Reason: "the parameter could not be read"}
	}
	j.enter([]byte("q"))
	defer j.leave()
	return j.appendWrapped(q)
}

// pitKind is a search's pit: the id is a cursor the proxy issued, which the caller has
// opened into the cluster's id (Policy.PIT); it is sent in the cluster's form. Without
// one, pit is refused: only /_search with no index carries a point in time (READ-26).
var pitKind = &kind{"`{id, keep_alive}`: a point in time the proxy issued, on `/_search` with no index (READ-26)", func(j *judge, v jsonstream.Value) error {
	if j.pol.PIT == nil {
		return j.refuse("a point in time is searched with POST /_search, no index, and an id the proxy issued")
	}
	return pitObject.judge(j, v)
}}

var pitObject = obj(p("id", &kind{"cursor", func(j *judge, v jsonstream.Value) error {
	if v.Kind() != '"' {
		return j.refuse("expected the point in time's id")
	}
	j.appendText(j.pol.PIT)
	return nil
}}), p("keep_alive", timeKind))

// PITID returns the id of a search body's pit, when the body has one: the caller must
// open it before judging the body with it (Policy.PIT). It reports false for a body
// without a pit or that is not an object, leaving the judge to say what is wrong.
func PITID(body []byte) ([]byte, bool) {
	var t jsonstream.Tree
	if len(trimSpace(body)) == 0 || t.Parse(body, maxDepth) != nil || t.Root().Kind() != '{' {
		return nil, false
	}
	id := t.Root().Member("pit")
	if !id.Valid() || id.Kind() != '{' {
		return nil, false
	}
	s, ok := stringText(id.Member("id"))
	if !ok {
		return nil, false
	}
	return append([]byte(nil), s...), true
}

// countMembers is the body of _count and _validate/query: OpenSearch reads only a query
// there (READ-9, READ-12).
var countMembers = obj(p("query", queryKind))

// byQueryMembers are the body of _delete_by_query; _update_by_query adds a script,
// judged like every script (ISO-12, ISO-13) (READ-19).
var (
	byQueryMembers  = obj(p("query", queryKind), p("max_docs", posInt), p("conflicts", conflictsKind))
	updateByMembers = byQueryMembers.with(p("script", scriptKind))
)

// JudgeCount judges the body of a _count or _validate/query (nil means {}) and appends
// {"query": wrapped} to dst. q replaces the body's query, as for a search; OpenSearch
// refuses q beside a count body, and so does the judge (READ-7, READ-9).
func JudgeCount(dst, body []byte, params *Params, pol *Policy) ([]byte, error) {
	if params.HasQ() && len(trimSpace(body)) > 0 {
		return nil, &ParamError{Name: "q", Reason: "OpenSearch reads either q or a body, not both"}
	}
	return judgeWrappedBody(dst, body, params, pol, countMembers)
}

// JudgeByQuery judges the body of a _delete_by_query (update false) or
// _update_by_query (update true) and appends its canonical form, query wrapped, to dst
// (READ-19).
func JudgeByQuery(dst, body []byte, params *Params, pol *Policy, update bool) ([]byte, error) {
	members := byQueryMembers
	if update {
		members = updateByMembers
	}
	return judgeWrappedBody(dst, body, params, pol, members)
}

// judgeWrappedBody judges a body of the listed members whose query is wrapped in the
// tenant filter (and replaced by q when the URL has one), emitting the members in the
// client's order and the query last when the body had none.
func judgeWrappedBody(dst, body []byte, params *Params, pol *Policy, members *object) ([]byte, error) {
	st := states.Get().(*state)
	defer st.release()
	j := &st.j
	*j = judge{out: dst, pol: pol, path: j.path[:0]}
	root, err := st.parse(body)
	if err != nil {
		return nil, err
	}
	j.out = append(j.out, '{')
	n, query := 0, false
	for m := firstMember(root); m.Valid(); m = m.Next() {
		j.enter(m.Key())
		name, k := members.lookup(m.Key())
		if k == nil {
			return nil, j.refuse("unknown member; the allow-list of this body does not list it")
		}
		if name == "query" && params.replaces("query") {
			j.leave()
			continue
		}
		j.comma(n)
		n++
		j.writeKey(name)
		var err error
		if name == "query" {
			query = true
			err = j.appendWrapped(m)
		} else {
			err = k.judge(j, m)
		}
		if err != nil {
			return nil, err
		}
		j.leave()
	}
	if !query {
		j.comma(n)
		j.writeKey("query")
		if err := j.appendFoldedQuery(params); err != nil {
			return nil, err
		}
	}
	return append(j.out, '}'), nil
}

// CursorBody is a judged body of a cursor request: a scroll's next page or clearing,
// or deleting points in time.
type CursorBody struct {
	IDs       [][]byte // the cursors, as the client gave them
	KeepAlive []byte   // the canonical keep-alive (a JSON string or number), nil when absent
}

// JudgeCursorBody judges such a body: idMember (scroll_id or pit_id) as a string or an
// array of strings, and, when keepAlive, a scroll member judged as a duration. Any other
// member is refused, as OpenSearch refuses it.
func JudgeCursorBody(body []byte, idMember string, keepAlive bool) (CursorBody, error) {
	var cb CursorBody
	st := states.Get().(*state)
	defer st.release()
	j := &st.j
	*j = judge{pol: &noPolicy, path: j.path[:0]}
	root, err := st.parse(body)
	if err != nil || !root.Valid() {
		return cb, err
	}
	for m := root.First(); m.Valid(); m = m.Next() {
		j.enter(m.Key())
		switch {
		case jsonstream.KeyIs(m.Key(), idMember):
			ids, err := cursorStrings(j, m)
			if err != nil {
				return cb, err
			}
			cb.IDs = append(cb.IDs, ids...)
		case keepAlive && jsonstream.KeyIs(m.Key(), "scroll"):
			if err := timeKind.judge(j, m); err != nil {
				return cb, err
			}
			cb.KeepAlive = append([]byte(nil), j.out...)
		default:
			return cb, j.refuse("unknown member; this body holds " + idMember + kaNote(keepAlive))
		}
		j.leave()
	}
	return cb, nil
}

// noPolicy is the policy of bodies that hold no query: nothing in them reads it.
var noPolicy Policy

func kaNote(keepAlive bool) string {
	if keepAlive {
		return " and scroll"
	}
	return ""
}

func cursorStrings(j *judge, v jsonstream.Value) ([][]byte, error) {
	one := func(e jsonstream.Value) ([]byte, error) {
		s, ok := stringText(e)
		if !ok {
			return nil, j.refuse("expected a cursor the proxy issued")
		}
		return append([]byte(nil), s...), nil
	}
	if v.Kind() != '[' {
		s, err := one(v)
		return [][]byte{s}, err
	}
	var out [][]byte
	for e := v.First(); e.Valid(); e = e.Next() {
		s, err := one(e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

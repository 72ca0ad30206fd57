package query

import (
	"sync"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Search is a judged search: the body to send and what the response shaper must know.
type Search struct {
	Body    []byte
	SortIDs uint64 // bit k set: the k-th top-level sort value of each hit is an _id (ISO-9)
	HitAggs bool   // an aggregation returns hits, which the shaper must find (ISO-14)
}

// searchMembers is the allow-list of a search body's top-level members. query, sort,
// docvalue_fields and search_after are judged specially (wrapping, folding, ids).
var searchMembers *object

func init() {
	searchMembers = obj(p("query", queryKind), p("post_filter", queryKind), p("aggs", aggsKind), p("aggregations", aggsKind),
		p("size", nonNegInt), p("from", nonNegInt), p("timeout", timeKind), p("terminate_after", nonNegInt),
		p("track_total_hits", trackTotalHits), p("track_scores", boolKind), p("min_score", anyFloat),
		p("_source", sourceKind), p("fields", fetchFieldsKind), p("docvalue_fields", docvalueFields),
		p("stored_fields", storedFields), p("sort", sortKind), p("search_after", &kind{"array of sort values (ids at `_id` positions)", nil}),
		p("highlight", highlightKind), p("collapse", collapseKind), p("rescore", rescoreKind), p("version", boolKind),
		p("seq_no_primary_term", boolKind), p("explain", falseKind), p("profile", falseKind),
		p("script_fields", scriptFieldsKind), p("include_named_queries_score", boolKind), p("pit", pitKind))
}

// refusedMembers explains top-level members that are known and refused (ISO-5, ISO-6).
var refusedMembers = map[string]string{
	"suggest":          "suggesters read the terms of the whole shared index, outside the tenant filter",
	"search_pipeline":  "a search pipeline in the body would run processors on the query and the response; it is not allowed",
	"ext":              "ext hands the request to plugins the proxy cannot judge",
	"indices_boost":    "indices_boost names indices; a tenant names only its logical index",
	"knn":              "knn runs outside the query the tenant filter wraps",
	"slice":            "sliced scrolls are not supported",
	"runtime_mappings": "runtime fields are not supported",
	"derived":          "derived fields are not supported",
	"stats":            "stats groups are not supported",
	"query_string":     "unknown member; did you mean query?",
}

// JudgeSearch judges a search body (nil or empty means {}) with the query-string
// parameters folded in, and appends its canonical form, query wrapped in the tenant
// filter, to dst (ISO-1..7, SRCH-2). A refusal is a *Refusal; a body that is not one
// JSON object is a *jsonstream.SyntaxError.
func JudgeSearch(dst, body []byte, params *Params, pol *Policy) (Search, error) {
	st := states.Get().(*state)
	defer st.release()
	j := &st.j
	*j = judge{out: dst, pol: pol, path: j.path[:0]}
	root, err := st.parse(body)
	if err != nil {
		return Search{}, err
	}
	if err := j.searchBody(root, params); err != nil {
		return Search{}, err
	}
	return Search{Body: j.out, SortIDs: j.sortIDs, HitAggs: j.hitAggs}, nil
}

// state is what one judgement needs besides its output, pooled so that judging a
// body allocates nothing once the pool is warm.
type state struct {
	j    judge
	tree jsonstream.Tree
}

var states = sync.Pool{New: func() any { return new(state) }}

// parse parses a body that must be one object, or nothing (an invalid root).
func (st *state) parse(body []byte) (jsonstream.Value, error) {
	if len(trimSpace(body)) == 0 {
		return jsonstream.Value{}, nil
	}
	if err := st.tree.Parse(body, maxDepth); err != nil {
		return jsonstream.Value{}, err
	}
	if root := st.tree.Root(); root.Kind() == '{' {
		return root, nil
	}
	return jsonstream.Value{}, &jsonstream.SyntaxError{Msg: "value is not an object"}
}

// release returns st to the pool without the references a judgement left in it.
func (st *state) release() {
	st.j = judge{path: st.j.path[:0]}
	states.Put(st)
}

// searchBody emits the top level in the client's order: the query wrapped in place,
// sort and docvalue_fields in place with the URL's entries appended, members the URL
// replaces left out. Then what the body lacked (a match_all query, the URL's sort and
// docvalue fields), the URL's other members, and search_after last, since it needs the
// whole sort (ISO-3).
func (j *judge) searchBody(root jsonstream.Value, params *Params) error {
	j.out = append(j.out, '{')
	n := 0
	var after jsonstream.Value
	var query, sort, docvalues bool
	for m := firstMember(root); m.Valid(); m = m.Next() {
		name, k := searchMembers.lookup(m.Key())
		var err error
		switch {
		case k == nil:
			j.enter(m.Key())
			if reason, ok := refusedMembers[keyText(m.Key())]; ok {
				return j.refuse(reason)
			}
			return j.refuse("unknown member; the allow-list of a search body does not list it")
		case name == "search_after":
			after = m
			continue
		case params.replaces(name):
			continue
		}
		j.comma(n)
		n++
		j.enter(m.Key())
		switch name {
		case "query":
			query = true
			j.writeKey(name)
			err = j.appendWrapped(m)
		case "sort":
			sort = true
			err = j.combined(name, m, params.list("sort"), true)
		case "docvalue_fields":
			docvalues = true
			err = j.combined(name, m, params.list("dvf"), false)
		default:
			j.writeKey(name)
			err = k.judge(j, m)
		}
		if err != nil {
			return err
		}
		j.leave()
	}
	if !query {
		j.comma(n)
		n++
		j.writeKey("query")
		if err := j.appendFoldedQuery(params); err != nil {
			return err
		}
	}
	if err := j.folded(params, !sort, !docvalues); err != nil {
		return err
	}
	if after.Valid() {
		j.out = append(j.out, `,"search_after":`...)
		j.enter(after.Key())
		if err := j.searchAfter(after); err != nil {
			return err
		}
		j.leave()
	}
	j.out = append(j.out, '}')
	return nil
}

// firstMember returns the first member of an object, or an invalid value for none.
func firstMember(root jsonstream.Value) jsonstream.Value {
	if !root.Valid() {
		return root
	}
	return root.First()
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

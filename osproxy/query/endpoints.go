package query

import (
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Endpoint is a tenancy read whose query-string parameters the judge knows
// (spec/14-reads.md). Each has its own table: a parameter is folded into the judged
// body, judged and forwarded in its canonical form, forwarded as it came (it only
// changes how the response is produced or formatted), or refused.
type Endpoint uint8

const (
	EndpointSearch        Endpoint = iota // GET|POST /{index}/_search
	EndpointCount                         // /{index}/_count
	EndpointMultiSearch                   // /_msearch, /{index}/_msearch
	EndpointValidate                      // /{index}/_validate/query
	EndpointDeleteByQuery                 // /{index}/_delete_by_query
	EndpointUpdateByQuery                 // /{index}/_update_by_query
	EndpointScroll                        // /_search/scroll: a scroll's next page
	EndpointCreatePIT                     // /{index}/_search/point_in_time
	EndpointFormatOnly                    // clearing a scroll, deleting a point in time
	endpointCount
)

// how a parameter is treated.
const (
	fold     uint8 = iota + 1 // into the judged body (ISO-4)
	forward                   // as it came: it changes only how the response is produced
	judged                    // judged by its kind and forwarded canonically
	queryQ                    // q and its companions: folded into the query as a query_string
	refused                   // known, and refused for the stated reason
	special                   // read by the caller: source, scroll_id
	accepted                  // accepted, never forwarded
)

// paramRule is one row of an endpoint's parameter table.
type paramRule struct {
	name string
	how  uint8
	kind *kind  // judged: the value's kind
	note string // refused: why; otherwise what the spec says of it
}

// qParams are q and the parameters that only mean something with it; OpenSearch builds
// a query_string of them, and so does the judge.
var qParams = []string{"q", "df", "default_operator", "analyzer", "analyze_wildcard", "lenient"}

// formatting are the parameters every endpoint forwards: they shape the response text.
// error_trace is accepted and not forwarded: a stack trace shows the cluster's internals.
var formatting = []string{"filter_path", "pretty", "human"}

var (
	trueOnly = &kind{"`true` only", func(j *judge, v jsonstream.Value) error {
		if b, ok := boolean(v); !ok || !b {
			return j.refuse("only true is allowed: a background task outlives the request and the task APIs are not tenant-scoped")
		}
		j.out = append(j.out, "true"...)
		return nil
	}}
	slicesKind = &kind{"integer ≥ 1 or `auto`", func(j *judge, v jsonstream.Value) error {
		if s, ok := stringText(v); ok && strings.EqualFold(string(s), "auto") {
			j.out = append(j.out, `"auto"`...)
			return nil
		}
		return posInt.judge(j, v)
	}}
	activeShards = &kind{"integer ≥ 1 or `all`", func(j *judge, v jsonstream.Value) error {
		if s, ok := stringText(v); ok && strings.EqualFold(string(s), "all") {
			j.out = append(j.out, `"all"`...)
			return nil
		}
		return posInt.judge(j, v)
	}}
	throttleKind = &kind{"number > 0, or -1 for none", func(j *judge, v jsonstream.Value) error {
		s, ok := numeral(v)
		if ok && string(s) == "-1" {
			j.out = append(j.out, "-1"...)
			return nil
		}
		return floatKind(true).judge(j, v)
	}}
	conflictsKind = enumKind("abort", "proceed")
)

// paramTables are the parameter tables by endpoint, in the order the spec lists them.
var paramTables [endpointCount][]paramRule

func init() {
	fmt := func(rs ...paramRule) []paramRule {
		for _, n := range formatting {
			rs = append(rs, paramRule{name: n, how: forward})
		}
		return append(rs, paramRule{name: "error_trace", how: accepted, note: "a stack trace shows the cluster's internals"})
	}
	q := func(rs ...paramRule) []paramRule {
		for _, n := range qParams {
			rs = append(rs, paramRule{name: n, how: queryQ})
		}
		return rs
	}
	src := func(rs ...paramRule) []paramRule {
		return append(rs, paramRule{name: "source", how: special, note: "the body, when the request has none (READ-8)"},
			paramRule{name: "source_content_type", how: special, note: "`application/json` only, with `source`"})
	}
	routing := paramRule{name: "routing", how: refused, note: "the proxy owns routing (TEN-10)"}
	searchType := paramRule{name: "search_type", how: refused, note: "dfs_query_then_fetch reads term statistics of every tenant"}
	var search []paramRule
	for _, n := range []string{"size", "from", "timeout", "terminate_after", "track_total_hits", "track_scores", "version",
		"seq_no_primary_term", "explain", "_source", "_source_includes", "_source_excludes", "stored_fields", "sort", "docvalue_fields"} {
		search = append(search, paramRule{name: n, how: fold})
	}
	for _, n := range []string{"typed_keys", "rest_total_hits_as_int", "allow_partial_search_results", "batched_reduce_size",
		"max_concurrent_shard_requests", "pre_filter_shard_size", "request_cache", "preference", "cancel_after_time_interval", "phase_took"} {
		search = append(search, paramRule{name: n, how: forward})
	}
	search = append(src(q(search...)...), paramRule{name: "scroll", how: judged, kind: timeKind, note: "opens a scroll (READ-24)"},
		routing, searchType, paramRule{name: "search_pipeline", how: refused, note: "a pipeline runs processors on the query and the response"})
	paramTables[EndpointSearch] = fmt(search...)
	paramTables[EndpointCount] = fmt(src(q(paramRule{name: "terminate_after", how: judged, kind: nonNegInt},
		paramRule{name: "min_score", how: judged, kind: anyFloat}, paramRule{name: "preference", how: forward}, routing)...)...)
	paramTables[EndpointValidate] = fmt(src(q(paramRule{name: "explain", how: refused, note: "the explanation shows the tenant filter, the proxy's layout"},
		paramRule{name: "rewrite", how: refused, note: "the rewritten query shows the tenant filter, the proxy's layout"},
		paramRule{name: "all_shards", how: refused, note: "only with rewrite, which is refused"})...)...)
	byQuery := src(q(paramRule{name: "conflicts", how: judged, kind: conflictsKind}, paramRule{name: "refresh", how: judged, kind: boolKind},
		paramRule{name: "slices", how: judged, kind: slicesKind}, paramRule{name: "max_docs", how: judged, kind: posInt},
		paramRule{name: "wait_for_completion", how: judged, kind: trueOnly}, paramRule{name: "requests_per_second", how: judged, kind: throttleKind},
		paramRule{name: "scroll_size", how: judged, kind: posInt}, paramRule{name: "timeout", how: judged, kind: timeKind},
		paramRule{name: "wait_for_active_shards", how: judged, kind: activeShards}, paramRule{name: "scroll", how: judged, kind: timeKind},
		routing, paramRule{name: "pipeline", how: refused, note: "an ingest pipeline could rewrite the reserved fields"})...)
	paramTables[EndpointDeleteByQuery] = fmt(byQuery...)
	paramTables[EndpointUpdateByQuery] = fmt(byQuery...)
	paramTables[EndpointMultiSearch] = fmt(paramRule{name: "max_concurrent_searches", how: judged, kind: posInt},
		paramRule{name: "typed_keys", how: forward}, paramRule{name: "rest_total_hits_as_int", how: forward},
		paramRule{name: "pre_filter_shard_size", how: forward}, paramRule{name: "max_concurrent_shard_requests", how: forward}, searchType,
		paramRule{name: "ccs_minimize_roundtrips", how: refused, note: "cross-cluster search names other clusters"})
	paramTables[EndpointScroll] = fmt(paramRule{name: "scroll", how: judged, kind: timeKind},
		paramRule{name: "scroll_id", how: special, note: "a cursor the proxy issued (READ-25)"}, paramRule{name: "rest_total_hits_as_int", how: forward})
	paramTables[EndpointCreatePIT] = fmt(paramRule{name: "keep_alive", how: judged, kind: timeKind},
		paramRule{name: "allow_partial_pit_creation", how: judged, kind: boolKind}, paramRule{name: "preference", how: forward}, routing,
		paramRule{name: "expand_wildcards", how: refused, note: "the proxy names the physical index itself"})
	paramTables[EndpointFormatOnly] = fmt()
}

// rule finds a parameter's row in an endpoint's table.
func (e Endpoint) rule(name string) (paramRule, bool) {
	for _, r := range paramTables[e] {
		if r.name == name {
			return r, true
		}
	}
	return paramRule{}, false
}

// judgeParam judges a parameter's value as a value of kind k and returns its canonical
// text for the URL. The value is read as OpenSearch reads a parameter: a string whose
// text may spell a number or a boolean (ISO-2).
func judgeParam(name, value string, k *kind) (string, error) {
	t := new(jsonstream.Tree)
	if err := t.Parse(jsonstream.AppendString(nil, value), maxDepth); err != nil {
		return "", &ParamError{Name: name, Reason: "its value could not be read"}
	}
	j := &judge{pol: &Policy{}}
	j.enter([]byte(name))
	if err := k.judge(j, t.Root()); err != nil {
		return "", &ParamError{Name: name, Reason: err.(*Refusal).Reason}
	}
	out := j.out
	if len(out) > 0 && out[0] == '"' {
		s, err := jsonstream.Unquote(out)
		if err != nil {
			return "", &ParamError{Name: name, Reason: "its value could not be read"}
		}
		return s, nil
	}
	return string(out), nil
}

// Param rows for the spec (spec/11-query-language.md renders them).
func paramRows(e Endpoint) [][2]string {
	var rows [][2]string
	for _, r := range paramTables[e] {
		what := ""
		switch r.how {
		case fold:
			what = "folded into the judged body (ISO-4)"
		case forward:
			what = "forwarded as it is"
		case judged:
			what = "judged as " + r.kind.doc + ", forwarded canonically"
		case queryQ:
			what = "folded into the judged query as a `query_string` (READ-7)"
		case refused:
			what = "refused: " + r.note
		case special:
			what = r.note
		case accepted:
			what = "accepted, never forwarded: " + r.note
		}
		if r.how != refused && r.how != special && r.how != accepted && r.note != "" {
			what += "; " + r.note
		}
		rows = append(rows, [2]string{r.name, what})
	}
	return rows
}

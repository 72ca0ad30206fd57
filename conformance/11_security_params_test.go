package conformance_test

import . "github.com/onsi/ginkgo/v2"

// URL parameters: those that change what a search runs are folded into the judged body
// and never forwarded, those that only format the response are forwarded, and any
// other is refused (ISO-4, SRCH-7); a parameter name is read as OpenSearch reads it,
// percent-decoded. `q` is folded as a judged query_string and `source` read as the body
// (READ-7, READ-8), so both are judged like any body. Document endpoints forward only
// DOC-7's parameters.

var unsupportedParam = refused(400, "unsupported_parameter")

// param is a search whose target carries the query string qs.
func param(rule, name, qs, body string, want outcome) attack {
	return attack{rule: rule, name: name, method: "POST", target: "/orders/_search?" + qs, body: body, want: want}
}

// paramCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
func paramCases() []attack {
	eitherRefusal := refused(400, "unsupported_parameter", "unsupported_query")
	return securityCases(Label("profile:security"), []attack{
		param("rule:ISO-4", "q=*", "q=*", `{"query":{"match":{"msg":"acme"}}}`, served()),
		param("rule:ISO-4", "q naming _tenant", "q=_tenant:globex", "", unsupported),
		param("rule:ISO-4", "q on a victim field", "q=globexsecretfield:*", "", served()),
		param("rule:ISO-4", "q empty", "q=", "", served().or(relayed(400))),
		param("rule:ISO-4", "q with a percent-encoded name", "%71=*", "", served()),
		param("rule:ISO-4", "Q in upper case", "Q=*", "", unsupportedParam),
		param("rule:ISO-4", "q with a df and analyze_wildcard", "q=gx*&df=msg&analyze_wildcard=true", "", served()),
		param("rule:ISO-4", "source with source_content_type", `source=%7B%22query%22%3A%7B%22match_all%22%3A%7B%7D%7D%7D&source_content_type=application/json`, "", served()),
		param("rule:ISO-4", "routing=globex", "routing=globex", "", unsupportedParam),
		param("rule:ISO-4", "routing to both tenants", "routing=acme,globex", "", unsupportedParam),
		param("rule:ISO-4", "_routing=globex", "_routing=globex", "", unsupportedParam),
		param("rule:ISO-4", "search_pipeline", "search_pipeline=evil", "", unsupportedParam),
		param("rule:ISO-4", "search_type dfs", "search_type=dfs_query_then_fetch", `{"explain":false}`, unsupportedParam),
		param("rule:ISO-4", "search_type dfs in upper case", "search_type=DFS_QUERY_THEN_FETCH", "", unsupportedParam),
		param("rule:ISO-4", "scroll", "scroll=1m", "", served()),
		param("rule:ISO-4", "expand_wildcards and ignore_unavailable", "expand_wildcards=all&ignore_unavailable=true&allow_no_indices=true", "", unsupportedParam),
		param("rule:ISO-4", "an index parameter", "index={phys}", "", unsupportedParam),
		param("rule:ISO-4", "ccs_minimize_roundtrips", "ccs_minimize_roundtrips=false", "", unsupportedParam),
		param("rule:ISO-4", "stats groups", "stats=globex", "", unsupportedParam),
		param("rule:ISO-4", "a suggester built from URL parameters", "suggest_field=globexsecretfield&suggest_text=gx&suggest_mode=always&suggest_size=100", "", unsupportedParam),
		param("rule:ISO-4", "the singular _source_include naming a reserved field", "_source_include=_tenant", "", unsupportedParam),
		param("rule:ISO-4", "df naming a reserved field without q", "df=_tenant&default_operator=OR&lenient=false", "", unsupportedParam),
		param("rule:ISO-4", "the legacy fields parameter", "fields=_routing", "", unsupportedParam),
		param("rule:ISO-4", "include_named_queries_score", "include_named_queries_score=true&size=50", "", served().or(unsupportedParam)),
		param("rule:ISO-2", "explain=TRUE in upper case", "explain=TRUE", "", unsupported.or(unsupportedParam)),
		param("rule:ISO-2", "size in hexadecimal", "size=0x10", "", unsupported.or(unsupportedParam)),
		param("rule:ISO-2", "size as a fraction", "size=5.9", "", served().or(unsupported)),
		param("rule:ISO-8", "sort=_tenant", "sort=_tenant", "", unsupported),
		param("rule:ISO-8", "sort=_tenant:asc after a plain field", "sort=n:asc,_tenant:desc", "", unsupported),
		param("rule:ISO-8", "sort=_routing", "sort=_routing", "", unsupported),
		param("rule:ISO-8", "sort=_index:desc", "sort=_index:desc", "", unsupported),
		param("rule:ISO-8", "sort with a percent-encoded reserved name", "sort=%5Ftenant", "", unsupported),
		param("rule:ISO-9", "sort=_id:asc comes back logical", "sort=_id:asc&size=50", "", served()),
		param("rule:ISO-14", "docvalue_fields=_id comes back logical", "docvalue_fields=_id,n&size=50", "", served()),
		param("rule:ISO-8", "docvalue_fields=_tenant", "docvalue_fields=_tenant", "", unsupported),
		param("rule:ISO-10", "docvalue_fields with a pattern", "docvalue_fields=glob*", "", unsupported),
		param("rule:ISO-8", "stored_fields=_routing", "stored_fields=_routing", "", unsupported),
		param("rule:ISO-10", "stored_fields=* with _source", "stored_fields=*&_source=true&size=50", "", served()),
		param("rule:ISO-8", "_source=_tenant", "_source=_tenant", "", unsupported),
		param("rule:ISO-8", "_source_includes=_logical_index", "_source_includes=msg,_logical_index", "", unsupported),
		param("rule:ISO-10", "_source_includes with a pattern of the reserved fields", "_source_includes=_*&size=50", "", served().or(unsupported)),
		param("rule:ISO-10", "_source_excludes leaves the reserved fields stripped", "_source_excludes=msg&size=50", "", served()),
		param("rule:ISO-4", "explain=true", "explain=true", "", unsupported),
		param("rule:ISO-4", "explain=true overriding the body's false", "explain=true", `{"explain":false}`, unsupported),
		param("rule:ISO-4", "explain=false is accepted", "explain=false&size=50", "", served()),
		param("rule:ISO-4", "version and seq_no_primary_term", "version=true&seq_no_primary_term=true&size=50", "", served()),
		param("rule:ISO-4", "size=-1", "size=-1", "", unsupported),
		param("rule:ISO-4", "from as text", "from=abc", "", unsupported),
		param("rule:ISO-4", "size overriding the body's", "size=50", `{"size":1}`, served()),
		param("rule:ISO-4", "terminate_after and timeout", "terminate_after=100&timeout=10s&track_total_hits=true&track_scores=true", "", served()),
		param("rule:ISO-4", "preference naming a shard", "preference=_shards:0&size=50", "", served()),
		param("rule:ISO-4", "preference naming the primary", "preference=_primary&size=50", "", served().or(relayed(400))),
		param("rule:ISO-4", "request_cache, typed_keys and phase_took", "request_cache=true&typed_keys=true&phase_took=true&size=50", `{"aggs":{"h":{"top_hits":{"size":50}}}}`, served()),
		param("rule:ISO-4", "pretty responses are shaped", "pretty=true&human=true&size=50", `{"docvalue_fields":["_id"]}`, served()),
		param("rule:ISO-4", "filter_path keeping only ids", "filter_path=hits.hits._id&size=50", "", served()),
		param("rule:ISO-4", "filter_path keeping only routing and index", "filter_path=hits.hits._routing,hits.hits._index&size=50", "", served()),
		param("rule:ISO-4", "filter_path dropping _index", "filter_path=-hits.hits._index&size=50", "", served()),
		param("rule:ISO-4", "filter_path on fields of top_hits", "filter_path=aggregations.**._id,aggregations.**._routing", `{"size":0,"aggs":{"h":{"top_hits":{"size":50}}}}`, served()),
		param("rule:ISO-4", "error_trace on a failing query", "error_trace=true", `{"query":{"term":{"n":"notanumber"}}}`, relayed(400)),
		param("rule:ISO-4", "rest_total_hits_as_int and batched_reduce_size", "rest_total_hits_as_int=true&batched_reduce_size=2&max_concurrent_shard_requests=1&pre_filter_shard_size=1&size=50", "", served()),
		param("rule:ISO-4", "allow_partial_search_results and cancel_after_time_interval", "allow_partial_search_results=false&cancel_after_time_interval=10s&size=50", "", served()),
		param("rule:ISO-4", "q given twice", "q=*&q=_tenant:globex", "", unsupported),
		param("rule:ISO-4", "routing given twice", "routing=acme&routing=globex", "", unsupportedParam),
		param("rule:ISO-4", "sort given twice, the second reserved", "sort=n&sort=_tenant", "", unsupported.or(unsupportedParam)),
		param("rule:ISO-4", "size given twice", "size=1&size=50", "", served().or(eitherRefusal)),
		param("rule:ISO-4", "explain given twice", "explain=false&explain=true", "", eitherRefusal),
		param("rule:ISO-4", "a percent-encoded sort name", "%73ort=_tenant", "", eitherRefusal),
		param("rule:ISO-4", "a percent-encoded explain name", "expl%61in=true", "", eitherRefusal),
		param("rule:ISO-4", "a percent-encoded routing name", "r%6Futing=globex", "", unsupportedParam),
		param("rule:ISO-4", "an encoded ampersand smuggling routing", "preference=x%26routing%3Dglobex&size=50", "", served().or(unsupportedParam)),
		param("rule:ISO-4", "a parameter name with a NUL", "routing%00=globex", "", unsupportedParam.or(refused(400, "malformed_request"))),
		param("rule:ISO-4", "a semicolon separator", "size=50;routing=globex", "", eitherRefusal.or(served())),
		param("rule:ISO-4", "a parameter without a value", "routing", "", unsupportedParam),
		{rule: "rule:ISO-4", name: "GET with q and no body", method: "GET", target: "/orders/_search?q=_tenant:globex", want: unsupported},
		{rule: "rule:ISO-4", name: "GET with source carrying a body", method: "GET", target: `/orders/_search?source={"query":{"term":{"_tenant":"globex"}}}&source_content_type=application/json`, want: unsupported},
		{rule: "rule:ISO-4", name: "document read with routing=globex", method: "GET", target: "/orders/_doc/victim-id-k9q1?routing=globex", want: unsupportedParam},
		{rule: "rule:ISO-25", name: "document write with routing=globex", method: "PUT", target: "/orders/_doc/victim-id-k9q1?routing=globex", body: `{"msg":"pwned"}`, want: unsupportedParam},
		{rule: "rule:ISO-25", name: "document write with a pipeline", method: "PUT", target: "/orders/_doc/p1?pipeline=set-index", body: `{"msg":"x"}`, want: unsupportedParam},
		{rule: "rule:ISO-25", name: "document write with op_type", method: "PUT", target: "/orders/_doc/p2?op_type=index", body: `{"msg":"x"}`, want: unsupportedParam},
		{rule: "rule:ISO-25", name: "document delete with routing=globex", method: "DELETE", target: "/orders/_doc/1?routing=globex", want: unsupportedParam},
		{rule: "rule:ISO-24", name: "document read with _source_includes of a reserved field", method: "GET", target: "/orders/_doc/1?_source_includes=_tenant,msg", want: served().or(unsupportedParam).or(unsupported)},
		{rule: "rule:ISO-24", name: "document read with stored_fields _routing", method: "GET", target: "/orders/_doc/1?stored_fields=_routing,_tenant", want: served().or(unsupportedParam).or(unsupported).or(relayed(400))},
		{rule: "rule:ISO-24", name: "document read with realtime, preference and version", method: "GET", target: "/orders/_doc/1?realtime=true&preference=_local&version=1", want: served().or(relayed(409))},
		{rule: "rule:ISO-24", name: "document read with a percent-encoded routing name", method: "GET", target: "/orders/_doc/victim-id-k9q1?%72outing=globex", want: unsupportedParam},
	}...)
}

var _ = attackFamily("params", paramCases())

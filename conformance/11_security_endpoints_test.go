package conformance_test

import . "github.com/onsi/ginkgo/v2"

// Endpoints tenancy mode does not serve: refused with unsupported_endpoint (TEN-11), or
// invalid_index_name where no logical index is named (TEN-6). An endpoint implemented
// since is held to the invariant instead: whatever it answers shows acme's documents
// only and leaks nothing (ISO-24), and the victim's documents stay as they were (ISO-25).

// notServed is TEN-11's refusal, or, for an endpoint implemented since, an answer that
// shows only acme's documents or a relayed error.
func notServed() outcome {
	return refused(400, "unsupported_endpoint", "invalid_index_name").or(served()).or(relayed(400, 403, 404, 405, 409))
}

// endpoint is a request to an endpoint tenancy mode may not serve.
func endpoint(rule, name, method, target, body string) attack {
	return attack{rule: rule, name: name, method: method, target: target, body: body, want: notServed()}
}

// ndjson joins lines into an NDJSON body.
func ndjson(lines ...string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

// endpointCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
// Reads that count or list acme's documents run in the reads family
// (14_reads_security_test.go), where no case writes: acme's own writes here would be counted.
func endpointCases() []attack {
	nd := []string{"Content-Type", "application/x-ndjson"}
	bulk := func(name, target, body string) attack {
		a := securityCase(Label("profile:security"), endpoint("rule:ISO-25", name, "POST", target, body))
		a.header = nd
		return a
	}
	return securityCases(Label("profile:security"), []attack{
		bulk("bulk indexing into the physical index with the victim's id", "/orders/_bulk", ndjson(`{"index":{"_index":"{phys}","_id":"globex:orders:victim-id-k9q1"}}`, `{"_tenant":"globex","msg":"pwned"}`)),
		bulk("bulk deleting a raw physical id", "/orders/_bulk", ndjson(`{"delete":{"_id":"globex:orders:victim-id-k9q1"}}`)),
		bulk("bulk updating the tenant by script", "/orders/_bulk", ndjson(`{"update":{"_id":"1"}}`, `{"script":{"source":"ctx._source._tenant='globex'"}}`)),
		bulk("bulk with routing and pipeline per item", "/orders/_bulk", ndjson(`{"index":{"_id":"1","routing":"globex","pipeline":"evil"}}`, `{}`)),
		bulk("bulk with a desynchronised frame", "/orders/_bulk", ndjson(`{"delete":{"_id":"1"}}`, `{"index":{"_index":"{phys}","_id":"globex:orders:1"}}`, `{"msg":"pwned"}`)),
		bulk("bulk without an index", "/_bulk", ndjson(`{"index":{"_index":"{phys}","_id":"globex:orders:2"}}`, `{"_tenant":"globex","msg":"pwned"}`)),
		bulk("msearch with a header naming the physical index", "/orders/_msearch", ndjson(`{"index":"{phys}"}`, `{"query":{"match_all":{}}}`)),
		bulk("msearch without an index", "/_msearch", ndjson(`{}`, `{"query":{"match_all":{}}}`)),
		bulk("msearch with a blank line", "/orders/_msearch", ndjson(`{"index":"orders"}`, ``, `{"query":{"match_all":{}}}`, `{"index":"{phys}"}`, `{"query":{"match_all":{}}}`)),
		bulk("msearch template", "/_msearch/template", ndjson(`{"index":"orders"}`, `{"source":"{\"query\":{\"match_all\":{}}}"}`)),
		bulk("bulk with a reserved field under an escaped name", "/orders/_bulk", ndjson(`{"index":{"_id":"b1"}}`, `{"\u005ftenant":"globex","msg":"x"}`)),
		bulk("bulk updating a document with a reserved field", "/orders/_bulk", ndjson(`{"update":{"_id":"1"}}`, `{"doc":{"_tenant":"globex"},"doc_as_upsert":true}`)),
		bulk("bulk creating under the victim's physical id", "/orders/_bulk", ndjson(`{"create":{"_id":"globex:orders:victim-id-k9q1"}}`, `{"msg":"x"}`)),
		bulk("bulk deleting the victim's logical ids", "/orders/_bulk", ndjson(`{"delete":{"_id":"victim-id-k9q1"}}`, `{"delete":{"_id":"1","routing":"globex"}}`)),
		bulk("bulk indexing into another logical index", "/orders/_bulk", ndjson(`{"index":{"_index":"secrets","_id":"victim-id-s1x"}}`, `{"msg":"x"}`)),
		bulk("bulk with an id too long once physical", "/orders/_bulk", ndjson(`{"index":{"_id":"`+stringOf('x', 501)+`"}}`, `{"msg":"x"}`)),
		bulk("bulk with carriage returns and no final newline", "/orders/_bulk", "{\"index\":{\"_id\":\"b2\"}}\r\n{\"_tenant\":\"globex\"}"),
		bulk("bulk with the action name escaped", "/orders/_bulk", ndjson(`{"\u0069ndex":{"_index":"{phys}","_id":"globex:orders:1"}}`, `{"msg":"pwned"}`)),
		bulk("bulk with the index repeated in an action", "/orders/_bulk", ndjson(`{"index":{"_index":"orders","_index":"{phys}","_id":"b3"}}`, `{"msg":"pwned"}`)),
		bulk("bulk with the index under an escaped key", "/orders/_bulk", ndjson(`{"index":{"\u005findex":"{phys}","_id":"b4"}}`, `{"msg":"pwned"}`)),
		bulk("bulk with an upsert holding a reserved field", "/orders/_bulk", ndjson(`{"update":{"_id":"victim-id-k9q2"}}`, `{"doc":{"msg":"x"},"upsert":{"_tenant":"globex","msg":"x"}}`)),
		bulk("bulk with a conditional delete of the victim's sequence", "/orders/_bulk", ndjson(`{"delete":{"_id":"victim-id-k9q3","if_seq_no":0,"if_primary_term":1}}`)),
		bulk("bulk with a forced version", "/orders/_bulk", ndjson(`{"index":{"_id":"1","version":99,"version_type":"force"}}`, `{"msg":"x"}`)),
		bulk("bulk routed to the victim in the URL", "/orders/_bulk?routing=globex", ndjson(`{"index":{"_id":"b5"}}`, `{"msg":"x"}`)),
		bulk("bulk with a pipeline in the URL", "/orders/_bulk?pipeline=evil", ndjson(`{"index":{"_id":"b6"}}`, `{"msg":"x"}`)),
		bulk("bulk with an action line that is an array", "/orders/_bulk", ndjson(`[{"index":{"_index":"{phys}"}}]`, `{"msg":"x"}`)),
		bulk("bulk with a source line that is not an object", "/orders/_bulk", ndjson(`{"index":{"_id":"b7"}}`, `"_tenant"`)),
		bulk("msearch with a reserved field in a body", "/orders/_msearch", ndjson(`{}`, `{"query":{"term":{"_tenant":"globex"}}}`)),
		bulk("msearch with routing and search_type in a header", "/orders/_msearch", ndjson(`{"routing":"globex","search_type":"dfs_query_then_fetch"}`, `{"size":50}`)),
		bulk("msearch with a global aggregation", "/orders/_msearch", ndjson(`{"index":"orders"}`, `{"size":0,"aggs":{"g":{"global":{},"aggs":{"h":{"top_hits":{"size":50}}}}}}`)),
		bulk("msearch with an escaped index key in a header", "/orders/_msearch", ndjson(`{"\u0069ndex":"{phys}"}`, `{"size":50}`)),
		endpoint("rule:ISO-24", "count with a reserved field", "POST", "/orders/_count", `{"query":{"term":{"_tenant":"globex"}}}`),
		endpoint("rule:ISO-24", "mget of the victim's physical id", "POST", "/orders/_mget", `{"docs":[{"_index":"{phys}","_id":"globex:orders:victim-id-k9q1"}]}`),
		endpoint("rule:ISO-24", "mget with routing and source includes", "POST", "/orders/_mget", `{"docs":[{"_id":"victim-id-k9q1","routing":"globex","_source":{"includes":["*"]}}]}`),
		endpoint("rule:ISO-24", "mget without an index", "GET", "/_mget", `{"ids":["globex:orders:1"]}`),
		endpoint("rule:ISO-24", "mget of the victim's ids", "POST", "/orders/_mget", `{"ids":["victim-id-k9q1","globex:orders:victim-id-k9q2","victim-id-s1x"]}`),
		endpoint("rule:ISO-24", "mget into the victim's other index", "POST", "/orders/_mget", `{"docs":[{"_index":"secrets","_id":"victim-id-s1x"},{"_index":"secrets","_id":"victim-id-s1x","routing":"globex"}]}`),
		endpoint("rule:ISO-24", "mget of reserved fields", "POST", "/orders/_mget", `{"docs":[{"_id":"1","_source":["_tenant","msg"],"stored_fields":["_routing"]}]}`),
		endpoint("rule:ISO-24", "mget routed to the victim in the URL", "POST", "/orders/_mget?routing=globex", `{"ids":["1"]}`),
		endpoint("rule:ISO-24", "mget with an escaped index key", "POST", "/orders/_mget", `{"docs":[{"\u005findex":"{phys}","_id":"globex:orders:1"}]}`),
		endpoint("rule:ISO-24", "count", "POST", "/orders/_count", `{"query":{"match_all":{}}}`),
		endpoint("rule:ISO-24", "count with q", "GET", "/orders/_count?q=*", ""),
		endpoint("rule:ISO-24", "scroll continuation", "POST", "/_search/scroll", `{"scroll":"1m","scroll_id":"DXF1ZXJ5QW5kRmV0Y2gBAAAAAAAAAAEWZ2xvYmV4"}`),
		endpoint("rule:ISO-24", "scroll in the path", "GET", "/_search/scroll/DXF1ZXJ5QW5kRmV0Y2gBAAAAAAAAAAEWZ2xvYmV4", ""),
		endpoint("rule:ISO-25", "clearing every scroll", "DELETE", "/_search/scroll/_all", ""),
		endpoint("rule:ISO-24", "opening a point in time", "POST", "/orders/_search/point_in_time?keep_alive=1m", ""),
		endpoint("rule:ISO-24", "listing every point in time", "GET", "/_search/point_in_time/_all", ""),
		endpoint("rule:ISO-25", "deleting every point in time", "DELETE", "/_search/point_in_time/_all", ""),
		endpoint("rule:ISO-24", "a PIT search without an index", "POST", "/_search", `{"pit":{"id":"x"},"query":{"match_all":{}}}`),
		endpoint("rule:ISO-25", "delete_by_query of everything", "POST", "/orders/_delete_by_query", `{"query":{"match_all":{}}}`),
		endpoint("rule:ISO-25", "delete_by_query with q", "POST", "/orders/_delete_by_query?q=*", ""),
		endpoint("rule:ISO-25", "delete_by_query on the physical index", "POST", "/{phys}/_delete_by_query", `{"query":{"match_all":{}}}`),
		endpoint("rule:ISO-25", "update_by_query re-homing documents", "POST", "/orders/_update_by_query", `{"script":{"source":"ctx._source._tenant='globex'"}}`),
		endpoint("rule:ISO-25", "update of the victim's id with a reserved field", "POST", "/orders/_update/victim-id-k9q1", `{"doc":{"_tenant":"globex","msg":"pwned"}}`),
		endpoint("rule:ISO-25", "update by script", "POST", "/orders/_update/1", `{"script":{"source":"ctx._source._tenant='globex'"}}`),
		endpoint("rule:ISO-25", "update with an upsert into the victim", "POST", "/orders/_update/victim-id-k9q2", `{"doc":{"msg":"x"},"upsert":{"_tenant":"globex"}}`),
		endpoint("rule:ISO-25", "the legacy update path", "POST", "/orders/_doc/1/_update", `{"doc":{"_tenant":"globex"}}`),
		endpoint("rule:ISO-24", "SQL over the physical index", "POST", "/_plugins/_sql", `{"query":"SELECT * FROM {phys}"}`),
		endpoint("rule:ISO-24", "PPL over the physical index", "POST", "/_plugins/_ppl", `{"query":"source={phys}"}`),
		endpoint("rule:ISO-24", "the legacy SQL path", "POST", "/_opendistro/_sql", `{"query":"SELECT * FROM {phys}"}`),
		endpoint("rule:ISO-24", "tasks in detail", "GET", "/_tasks?detailed=true", ""),
		endpoint("rule:ISO-25", "cancelling tasks", "POST", "/_tasks/_cancel", ""),
		endpoint("rule:ISO-24", "cat indices", "GET", "/_cat/indices?v", ""),
		endpoint("rule:ISO-24", "cat aliases", "GET", "/_cat/aliases", ""),
		endpoint("rule:ISO-24", "cat shards", "GET", "/_cat/shards", ""),
		endpoint("rule:ISO-24", "cat count of the logical index", "GET", "/_cat/count/orders", ""),
		endpoint("rule:ISO-24", "cluster state", "GET", "/_cluster/state", ""),
		endpoint("rule:ISO-24", "cluster health", "GET", "/_cluster/health", ""),
		endpoint("rule:ISO-24", "index stats", "GET", "/_stats", ""),
		endpoint("rule:ISO-24", "node stats", "GET", "/_nodes/stats", ""),
		endpoint("rule:ISO-24", "node addresses for sniffing", "GET", "/_nodes/http", ""),
		endpoint("rule:ISO-24", "resolving every index", "GET", "/_resolve/index/*", ""),
		endpoint("rule:ISO-24", "listing aliases", "GET", "/_alias", ""),
		endpoint("rule:ISO-25", "minting an alias on the victim", "POST", "/_aliases", `{"actions":[{"add":{"index":"{phys}","alias":"acme-view","filter":{"term":{"_tenant":"globex"}}}}]}`),
		endpoint("rule:ISO-24", "the logical index's mapping", "GET", "/orders/_mapping", ""),
		endpoint("rule:ISO-24", "every mapping", "GET", "/_mapping", ""),
		endpoint("rule:ISO-25", "changing the mapping", "PUT", "/orders/_mapping", `{"properties":{"globexsecretnum":{"type":"keyword"}}}`),
		endpoint("rule:ISO-24", "field capabilities of every field", "GET", "/orders/_field_caps?fields=*", ""),
		endpoint("rule:ISO-24", "field capabilities without an index", "GET", "/_field_caps?fields=glob*", ""),
		endpoint("rule:ISO-24", "validate with explain and rewrite", "GET", "/orders/_validate/query?explain=true&rewrite=true", `{"query":{"match_all":{}}}`),
		endpoint("rule:ISO-24", "explain of the victim's physical id", "GET", "/orders/_explain/globex:orders:victim-id-k9q1", `{"query":{"match_all":{}}}`),
		endpoint("rule:ISO-24", "explain of the victim's logical id", "POST", "/orders/_explain/victim-id-k9q1", `{"query":{"match_all":{}}}`),
		endpoint("rule:ISO-24", "a search template", "POST", "/orders/_search/template", `{"source":"{\"query\":{\"match_all\":{}}}"}`),
		endpoint("rule:ISO-24", "a stored search template", "POST", "/orders/_search/template", `{"id":"globex_tpl"}`),
		endpoint("rule:ISO-24", "rendering a template", "POST", "/_render/template", `{"source":{"query":{"term":{"_tenant":"{{t}}"}}},"params":{"t":"globex"}}`),
		endpoint("rule:ISO-25", "storing a script", "PUT", "/_scripts/globex-script", `{"script":{"lang":"painless","source":"1"}}`),
		endpoint("rule:ISO-24", "reading a stored script", "GET", "/_scripts/globex-script", ""),
		endpoint("rule:ISO-25", "an index template", "PUT", "/_index_template/acme", `{"index_patterns":["{phys}*"],"template":{"settings":{"number_of_replicas":0}}}`),
		endpoint("rule:ISO-25", "a legacy template", "PUT", "/_template/acme", `{"index_patterns":["*"]}`),
		endpoint("rule:ISO-25", "reindex out of the physical index", "POST", "/_reindex", `{"source":{"index":"{phys}"},"dest":{"index":"acme-copy"}}`),
		endpoint("rule:ISO-24", "term vectors of the victim's document", "GET", "/orders/_termvectors/victim-id-k9q1", ""),
		endpoint("rule:ISO-24", "multi term vectors", "POST", "/orders/_mtermvectors", `{"ids":["victim-id-k9q1"]}`),
		endpoint("rule:ISO-24", "the source endpoint", "GET", "/orders/_source/victim-id-k9q1", ""),
		endpoint("rule:ISO-24", "an asynchronous search", "POST", "/_plugins/_asynchronous_search?index={phys}", `{"query":{"match_all":{}}}`),
		endpoint("rule:ISO-24", "an asynchronous search result", "GET", "/_plugins/_asynchronous_search/abc", ""),
		endpoint("rule:ISO-24", "rank evaluation", "POST", "/orders/_rank_eval", `{"requests":[],"metric":{"precision":{}}}`),
		endpoint("rule:ISO-24", "index settings", "GET", "/orders/_settings", ""),
		endpoint("rule:ISO-24", "search shards", "GET", "/orders/_search_shards?routing=globex", ""),
		endpoint("rule:ISO-24", "analyze", "POST", "/orders/_analyze", `{"field":"globexsecretfield","text":"x"}`),
		endpoint("rule:ISO-24", "the index itself", "GET", "/orders", ""),
		{rule: "rule:ISO-24", name: "HEAD on the index", method: "HEAD", target: "/orders", want: outcome{{what: "a bodiless answer", statuses: []int{200, 400, 404, 405}}}},
		endpoint("rule:ISO-25", "deleting the index", "DELETE", "/orders", ""),
		endpoint("rule:ISO-25", "creating the index", "PUT", "/orders", `{"settings":{"number_of_shards":1}}`),
		endpoint("rule:ISO-25", "closing the index", "POST", "/orders/_close", ""),
		endpoint("rule:ISO-25", "making the index read-only", "PUT", "/orders/_settings", `{"index.blocks.read_only":true}`),
		endpoint("rule:ISO-25", "refreshing", "POST", "/orders/_refresh", ""),
		endpoint("rule:ISO-25", "force merge", "POST", "/orders/_forcemerge?only_expunge_deletes=true", ""),
		endpoint("rule:ISO-24", "the security plugin's account", "GET", "/_plugins/_security/api/account", ""),
		endpoint("rule:ISO-24", "snapshots", "GET", "/_snapshot/_all", ""),
	}...)
}

var _ = attackFamily("endpoints", endpointCases())

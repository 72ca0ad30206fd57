package conformance_test

import . "github.com/onsi/ginkgo/v2"

// The reads of spec/14 under the security profile: attacks on count, msearch, scroll,
// point in time, by-query, several indices, no index, and the cluster-wide endpoints.
// They run in a family of their own in which no case adds a document, so that a count
// or a listing holds the seed alone: 4 acme documents in orders and 1 in users, 5 of
// globex's in orders and 1 in secrets. Each case is one request; the round trips of a
// cursor across pages and tenants are in 14_reads_real_cursor_rules_test.go.

// readAttackCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
func readAttackCases() []attack {
	nd := []string{"Content-Type", "application/x-ndjson"}
	msearch := func(rule, name, target, body string, want outcome) attack {
		return attack{rule: rule, name: name, method: "POST", target: target, body: body, header: nd, want: want}
	}
	req := func(rule, name, method, target, body string, want outcome) attack {
		return attack{rule: rule, name: name, method: method, target: target, body: body, want: want}
	}
	badCursor := refused(400, "invalid_cursor")
	badIndex := refused(400, "invalid_index_name")
	return securityCases(Label("profile:security"), []attack{
		req("rule:ISO-24", "count negating acme", "POST", "/orders/_count", `{"query":{"bool":{"must_not":[{"match":{"msg":"acme"}}]}}}`, servedHolding("count", "0")),
		req("rule:ISO-24", "count without an index counts acme's documents only", "POST", "/_count", `{"query":{"match_all":{}}}`, servedHolding("count", "5")),
		req("rule:ISO-24", "count of the victim's logical index", "GET", "/secrets/_count", "", servedHolding("count", "0")),
		req("rule:ISO-24", "count over every index by a wildcard", "GET", "/*/_count", "", badIndex.or(servedHolding("count", "5"))),
		req("rule:ISO-24", "count with q on a victim field", "GET", "/orders/_count?q=globexsecretfield:*", "", servedHolding("count", "0")),
		req("rule:ISO-8", "count with q naming _tenant", "GET", "/orders/_count?q=_tenant:globex", "", unsupported),
		req("rule:ISO-8", "count with df naming _tenant", "GET", "/orders/_count?q=globex&df=_tenant", "", unsupported),
		req("rule:ISO-24", "count with the physical index in a list", "POST", "/orders,{phys}/_count", `{"query":{"match_all":{}}}`, badIndex),
		req("rule:ISO-24", "count with a source parameter naming _tenant", "GET", `/orders/_count?source={"query":{"term":{"_tenant":"globex"}}}&source_content_type=application/json`, "", unsupported),
		req("rule:ISO-24", "a search over two indices, one the victim's", "POST", "/orders,secrets/_search", `{"size":50}`, servedHolding("hits.total.value", "4")),
		req("rule:ISO-24", "a search without an index", "POST", "/_search", `{"size":50,"query":{"bool":{"must_not":[{"match":{"msg":"acme"}}]}}}`, servedHolding("hits.total.value", "0")),
		req("rule:ISO-24", "a search without an index aggregating by logical index", "POST", "/_search", `{"size":0,"aggs":{"i":{"terms":{"field":"_logical_index"}}}}`, unsupported),
		req("rule:ISO-9", "an _id query over two indices", "POST", "/orders,users/_search", `{"query":{"ids":{"values":["victim-id-k9q1"]}}}`, unsupported),
		msearch("rule:ISO-25", "msearch with a wrapper in a body", "/orders/_msearch", ndjson(`{}`, `{"query":`+wrapper(`{"bool":{"must_not":[{"match":{"msg":"acme"}}]}}`)+`,"size":50}`), served()),
		msearch("rule:ISO-24", "msearch with the victim's index in a header", "/_msearch", ndjson(`{"index":"secrets"}`, `{"size":50}`), served()),
		msearch("rule:ISO-24", "msearch with an index list in a header", "/_msearch", ndjson(`{"index":["orders","{phys}"]}`, `{"size":50}`), served()),
		msearch("rule:ISO-24", "msearch with q-like members in a header", "/orders/_msearch", ndjson(`{"q":"_tenant:globex","preference":"_local"}`, `{"size":50}`), served()),
		msearch("rule:ISO-24", "msearch with a PIT in a body", "/_msearch", ndjson(`{}`, `{"pit":{"id":"x"},"size":50}`), served()),
		msearch("rule:ISO-24", "msearch counting the victim's documents by a header without index", "/_msearch", ndjson(`{}`, `{"size":0,"track_total_hits":true}`), served()),
		req("rule:ISO-24", "a scroll id in OpenSearch's own form", "POST", "/_search/scroll", `{"scroll":"1m","scroll_id":"DXF1ZXJ5QW5kRmV0Y2gBAAAAAAAAAAEWZ2xvYmV4"}`, badCursor),
		req("rule:ISO-24", "a scroll id in the path", "GET", "/_search/scroll/DXF1ZXJ5QW5kRmV0Y2gBAAAAAAAAAAEWZ2xvYmV4", "", badCursor),
		req("rule:ISO-24", "a scroll id that is not base64", "POST", "/_search/scroll", `{"scroll_id":"%%%"}`, badCursor),
		req("rule:ISO-25", "clearing every scroll", "DELETE", "/_search/scroll/_all", "", refused(400, "invalid_cursor", "unsupported_endpoint")),
		req("rule:ISO-25", "clearing a scroll of OpenSearch's own form", "DELETE", "/_search/scroll", `{"scroll_id":["DXF1ZXJ5QW5kRmV0Y2gBAAAAAAAAAAEWZ2xvYmV4"]}`, badCursor),
		req("rule:ISO-24", "a point in time on the physical index", "POST", "/{phys}/_search/point_in_time?keep_alive=1m", "", badIndex),
		req("rule:ISO-24", "a PIT search with a forged id", "POST", "/_search", `{"pit":{"id":"eyJmb28iOiJiYXIifQ==","keep_alive":"1m"},"size":50}`, badCursor),
		req("rule:ISO-24", "a PIT search naming an index", "POST", "/orders/_search", `{"pit":{"id":"x"},"size":50}`, refused(400, "invalid_cursor", "unsupported_query")),
		req("rule:ISO-25", "deleting every point in time", "DELETE", "/_search/point_in_time/_all", "", refused(400, "invalid_cursor", "unsupported_endpoint")),
		req("rule:ISO-24", "listing every point in time", "GET", "/_search/point_in_time/_all", "", refused(400, "unsupported_endpoint")),
		req("rule:ISO-25", "delete_by_query on the victim's logical index", "POST", "/secrets/_delete_by_query", `{"query":{"match_all":{}}}`, servedHolding("deleted", "0")),
		req("rule:ISO-25", "delete_by_query naming the victim's ids", "POST", "/orders/_delete_by_query", `{"query":{"ids":{"values":["victim-id-k9q1","globex:orders:victim-id-k9q2"]}}}`, servedHolding("deleted", "0")),
		req("rule:ISO-25", "delete_by_query with q naming _tenant", "POST", "/orders/_delete_by_query?q=_tenant:globex", "", unsupported),
		req("rule:ISO-25", "delete_by_query sliced and routed", "POST", "/orders/_delete_by_query?slices=5&routing=globex", `{"query":{"match_all":{}}}`, unsupportedParam),
		req("rule:ISO-25", "delete_by_query as a task", "POST", "/orders/_delete_by_query?wait_for_completion=false", `{"query":{"match_all":{}}}`, unsupportedParam),
		req("rule:ISO-25", "update_by_query re-homing documents", "POST", "/orders/_update_by_query", `{"script":{"source":"ctx._source._tenant='globex'"}}`, unsupported),
		req("rule:ISO-25", "update_by_query on the physical index", "POST", "/{phys}/_update_by_query", `{"query":{"match_all":{}}}`, badIndex),
		req("rule:ISO-24", "validate with explain and rewrite", "POST", "/orders/_validate/query?explain=true&rewrite=true", `{"query":{"match":{"msg":"gx"}}}`, unsupportedParam.or(served())),
		req("rule:ISO-24", "validate of a query naming _tenant", "POST", "/orders/_validate/query", `{"query":{"term":{"_tenant":"globex"}}}`, unsupported),
		req("rule:ISO-24", "field capabilities of every index", "GET", "/_field_caps?fields=*", "", refused(400, "unsupported_endpoint")),
		req("rule:ISO-24", "field capabilities of orders", "GET", "/orders/_field_caps?fields=*", "", refused(400, "unsupported_endpoint")),
		req("rule:ISO-24", "the nodes' HTTP addresses", "GET", "/_nodes/http", "", served()),
		req("rule:ISO-24", "the nodes' HTTP addresses through _all and filter_path", "GET", "/_nodes/_all/http?filter_path=nodes.*.http", "", served()),
		req("rule:ISO-24", "the nodes' stats", "GET", "/_nodes/stats", "", refused(400, "unsupported_endpoint")),
		req("rule:ISO-24", "cluster health", "GET", "/_cluster/health", "", served()),
		req("rule:ISO-24", "cluster health per index", "GET", "/_cluster/health?level=indices", "", unsupportedParam),
		req("rule:ISO-24", "cluster health of the physical index", "GET", "/_cluster/health/{phys}", "", refused(400, "unsupported_endpoint")),
	}...)
}

var _ = attackFamily("reads", readAttackCases())

package conformance_test

import (
	"encoding/base64"
	"strings"

	. "github.com/onsi/ginkgo/v2"
)

// Every place a query can sit in a search body, each holding every kind of escape:
// a reserved field named plainly, a construct that fetches documents by id, an
// encoded query, field names inside query text, the victim's ids, and a negation
// that would match only the victim's documents if the tenant filter were missing.
// A refused construct is refused wherever it sits (ISO-1, ISO-6, ISO-8); an accepted
// one shows acme's documents only, at any depth of the response (SRCH-11, ISO-14).

// queryPlaces maps a place's name to a search body holding the query Q there.
var queryPlaces = []struct{ name, body string }{
	{"query", `{"query":Q,"size":50}`},
	{"post_filter", `{"post_filter":Q,"size":50}`},
	{"a bool three levels deep", `{"query":{"bool":{"must":[{"bool":{"filter":[{"bool":{"should":[Q]}}]}}]}},"size":50}`},
	{"bool.must_not", `{"query":{"bool":{"must_not":[Q]}},"size":50}`},
	{"constant_score.filter", `{"query":{"constant_score":{"filter":Q}},"size":50}`},
	{"dis_max.queries", `{"query":{"dis_max":{"queries":[{"match_none":{}},Q]}},"size":50}`},
	{"boosting.negative", `{"query":{"boosting":{"positive":{"match_all":{}},"negative":Q,"negative_boost":0.5}},"size":50}`},
	{"function_score.query", `{"query":{"function_score":{"query":Q,"boost_mode":"sum"}},"size":50}`},
	{"function_score.functions.filter", `{"query":{"function_score":{"functions":[{"filter":Q,"weight":2}]}},"size":50}`},
	{"nested.query with inner_hits", `{"query":{"nested":{"path":"items","query":Q,"inner_hits":{"size":10}}},"size":50}`},
	{"a filter aggregation with top_hits", `{"size":0,"aggs":{"f":{"filter":Q,"aggs":{"h":{"top_hits":{"size":50}}}}}}`},
	{"a keyed filters aggregation", `{"size":0,"aggs":{"f":{"filters":{"filters":{"x":Q}},"aggs":{"h":{"top_hits":{"size":50}}}}}}`},
	{"an anonymous filters aggregation", `{"size":0,"aggs":{"f":{"filters":{"filters":[Q],"other_bucket":true},"aggs":{"s":{"sum":{"field":"n"}}}}}}`},
	{"adjacency_matrix", `{"size":0,"aggs":{"m":{"adjacency_matrix":{"filters":{"a":Q,"b":{"match_all":{}}}}}}}`},
	{"a filter under a nested aggregation", `{"size":0,"aggs":{"n":{"nested":{"path":"items"},"aggs":{"f":{"filter":Q,"aggs":{"q":{"sum":{"field":"items.qty"}}}}}}}}`},
	{"highlight.highlight_query", `{"query":{"match":{"msg":"acme"}},"highlight":{"fields":{"msg":{}},"highlight_query":Q},"size":50}`},
	{"a field's highlight_query", `{"query":{"match":{"msg":"acme"}},"highlight":{"fields":{"msg":{"highlight_query":Q}}},"size":50}`},
	{"rescore.rescore_query", `{"rescore":{"window_size":50,"query":{"rescore_query":Q}},"size":50}`},
	{"an array of rescores", `{"rescore":[{"window_size":50,"query":{"rescore_query":{"match_all":{}}}},{"query":{"rescore_query":Q,"score_mode":"max"}}],"size":50}`},
	{"query with collapse.inner_hits", `{"query":Q,"collapse":{"field":"color.keyword","inner_hits":{"name":"c","size":50}},"size":50}`},
	{"query with top_hits under terms", `{"query":Q,"size":0,"aggs":{"c":{"terms":{"field":"color.keyword"},"aggs":{"h":{"top_hits":{"size":50}}}}}}`},
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// queryEscapes are the queries put in every place.
var queryEscapes = []struct {
	labels      Labels
	name, query string
	want        outcome
}{
	{Label("rule:ISO-8", "profile:security"), "a term on _tenant", `{"term":{"_tenant":"globex"}}`, refused(400, "unsupported_query")},
	{Label("rule:ISO-8", "profile:security"), "terms on _tenant.keyword beside match_all", `{"bool":{"should":[{"match_all":{}},{"terms":{"_tenant.keyword":["globex","acme"]}}]}}`, refused(400, "unsupported_query")},
	{Label("rule:ISO-6", "profile:security"), "percolate fetching the victim's document", `{"percolate":{"field":"q","index":"{phys}","id":"globex:orders:victim-id-k9q1"}}`, refused(400, "unsupported_query")},
	{Label("rule:ISO-6", "profile:security"), "a terms lookup on the victim's document", `{"terms":{"color.keyword":{"index":"{phys}","id":"globex:orders:victim-id-k9q1","path":"color","routing":"globex"}}}`, refused(400, "unsupported_query")},
	{Label("rule:ISO-6", "profile:security"), "more_like_this naming the victim's document", `{"more_like_this":{"fields":["msg"],"like":[{"_index":"{phys}","_id":"globex:orders:victim-id-k9q1"}],"min_term_freq":1,"min_doc_freq":1}}`, refused(400, "unsupported_query")},
	{Label("rule:ISO-5", "profile:security"), "a wrapper holding a _tenant term", `{"wrapper":{"query":"` + b64(`{"term":{"_tenant":"globex"}}`) + `"}}`, refused(400, "unsupported_query")},
	{Label("rule:ISO-11", "profile:security"), "query_string naming _tenant in its text", `{"query_string":{"query":"msg:acme OR _tenant:globex"}}`, refused(400, "unsupported_query")},
	{Label("rule:ISO-6", "profile:security"), "has_child", `{"has_child":{"type":"x","query":{"match_all":{}}}}`, refused(400, "unsupported_query")},
	{Label("rule:ISO-9", "profile:security"), "ids naming the victim's logical and physical ids", `{"ids":{"values":["victim-id-k9q1","globex:orders:victim-id-k9q2","1"]}}`, served()},
	{Label("rule:ISO-24", "profile:security"), "must_not of every acme document", `{"bool":{"must_not":[{"ids":{"values":["1","2","3","acme-a"]}},{"match":{"msg":"acme"}}]}}`, served()},
	{Label("rule:ISO-24", "profile:security"), "a match on the victim's values", `{"bool":{"should":[{"match":{"msg":"gxcanarymsgk1"}},{"terms":{"color.keyword":["gxcanarycolork2"]}},{"term":{"tags":"gxcanarytagc1"}}]}}`, served()},
}

func searchPlaceCases() []attack {
	var out []attack
	for _, p := range queryPlaces {
		for _, e := range queryEscapes {
			out = append(out, attack{
				rule: ruleOf(e.labels), labels: e.labels, name: "in " + p.name + ": " + e.name,
				method: "POST", target: "/orders/_search",
				body: strings.Replace(p.body, "Q", e.query, 1), want: e.want,
			})
		}
	}
	return out
}

var _ = attackFamily("places", searchPlaceCases())

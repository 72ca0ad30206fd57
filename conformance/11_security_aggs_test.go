package conformance_test

import . "github.com/onsi/ginkgo/v2"

// Aggregations: none may read beyond the documents the filter keeps (ISO-6), none may
// group or count by the layout (ISO-8, ISO-9), and every hit an aggregation returns is
// shaped like a top-level hit (ISO-14).

// agg is a search of one aggregation named a, with no hits.
func agg(rule, name, body string, want outcome) attack {
	return search(rule, name, `{"size":0,"aggs":{"a":`+body+`}}`, want)
}

// aggCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
func aggCases() []attack {
	// The integ-test distribution the suite provisions has no geo module: its cluster
	// answers geo aggregations with a parsing error, relayed.
	geoAgg := served().or(relayed(400))
	return securityCases(Label("profile:security"), []attack{
		agg("rule:ISO-6", "global", `{"global":{},"aggs":{"c":{"terms":{"field":"color.keyword","size":100}}}}`, unsupported),
		agg("rule:ISO-6", "global under a terms aggregation", `{"terms":{"field":"tags"},"aggs":{"g":{"global":{},"aggs":{"h":{"top_hits":{"size":100}}}}}}`, unsupported),
		agg("rule:ISO-6", "global under a filter under a nested aggregation", `{"nested":{"path":"items"},"aggs":{"f":{"filter":{"match_all":{}},"aggs":{"g":{"global":{}}}}}}`, unsupported),
		agg("rule:ISO-6", "global named by the aggregations alias", `{"terms":{"field":"tags"},"aggregations":{"g":{"global":{}}}}`, unsupported),
		agg("rule:ISO-6", "significant_terms", `{"significant_terms":{"field":"tags"}}`, unsupported),
		agg("rule:ISO-6", "significant_terms with a background filter", `{"significant_terms":{"field":"tags","background_filter":{"match_all":{}}}}`, unsupported),
		agg("rule:ISO-6", "significant_text", `{"significant_text":{"field":"msg"}}`, unsupported),
		agg("rule:ISO-6", "significant_terms deep in a filters aggregation", `{"filters":{"filters":{"x":{"match_all":{}}}},"aggs":{"s":{"significant_terms":{"field":"color.keyword"}}}}`, unsupported),
		agg("rule:ISO-6", "children", `{"children":{"type":"answer"}}`, unsupported),
		agg("rule:ISO-6", "parent", `{"parent":{"type":"answer"}}`, unsupported),
		agg("rule:ISO-6", "scripted_metric", `{"scripted_metric":{"init_script":"state.x=[]","map_script":"state.x.add(1)","combine_script":"return state.x","reduce_script":"return states"}}`, unsupported),
		agg("rule:ISO-6", "matrix_stats", `{"matrix_stats":{"fields":["n","globexsecretnum"]}}`, unsupported),
		agg("rule:ISO-6", "terms with min_doc_count 0 and a large size", `{"terms":{"field":"color.keyword","min_doc_count":0,"size":10000}}`, unsupported),
		agg("rule:ISO-6", "terms on tags with min_doc_count 0 under a filter", `{"filter":{"term":{"msg":"acme"}},"aggs":{"t":{"terms":{"field":"tags","min_doc_count":0}}}}`, unsupported),
		agg("rule:ISO-6", "multi_terms with min_doc_count 0", `{"multi_terms":{"terms":[{"field":"color.keyword"},{"field":"tags"}],"min_doc_count":0}}`, unsupported),
		agg("rule:ISO-6", "terms in a composite source with missing buckets", `{"composite":{"sources":[{"c":{"terms":{"field":"color.keyword","missing_bucket":true}}}]}}`, served().or(unsupported)),
		agg("rule:ISO-6", "histogram with min_doc_count 0 over the tenant's range", `{"histogram":{"field":"n","interval":1,"min_doc_count":0}}`, served()),
		agg("rule:ISO-6", "histogram with min_doc_count 0 and bounds over the victim's values", `{"histogram":{"field":"n","interval":100000000,"min_doc_count":0,"extended_bounds":{"min":0,"max":1000000000}}}`, served()),
		agg("rule:ISO-6", "date_histogram with min_doc_count 0 and wide bounds", `{"date_histogram":{"field":"when","calendar_interval":"year","min_doc_count":0,"extended_bounds":{"min":"1980-01-01","max":"2024-12-31"}}}`, served()),
		agg("rule:ISO-6", "rare_terms over the shared tags", `{"rare_terms":{"field":"tags","max_doc_count":5}}`, served()),
		agg("rule:ISO-6", "terms including a regex of the victim's values", `{"terms":{"field":"color.keyword","include":"gx.*","size":100}}`, served()),
		agg("rule:ISO-6", "terms with a missing value", `{"terms":{"field":"globexsecretfield.keyword","missing":"none","size":100}}`, served()),
		agg("rule:ISO-6", "a cardinality over the shared tags", `{"cardinality":{"field":"tags","precision_threshold":40000}}`, servedHolding("aggregations.a.value", "4")),
		agg("rule:ISO-6", "stats over the victim's numbers", `{"stats":{"field":"globexsecretnum"}}`, servedHolding("aggregations.a.count", "0")),
		agg("rule:ISO-6", "a value count over a shared field", `{"value_count":{"field":"n"}}`, servedHolding("aggregations.a.value", "4", "hits.total.value", "4")),
		agg("rule:ISO-6", "min and max dates", `{"terms":{"field":"tags"},"aggs":{"lo":{"min":{"field":"when"}},"hi":{"max":{"field":"when"}}}}`, served()),
		agg("rule:ISO-6", "geo_bounds over the shared locations", `{"geo_bounds":{"field":"loc"}}`, geoAgg),
		agg("rule:ISO-6", "geo_centroid and geotile_grid", `{"geotile_grid":{"field":"loc","precision":3},"aggs":{"c":{"geo_centroid":{"field":"loc"}}}}`, geoAgg),
		agg("rule:ISO-6", "sampler and diversified_sampler", `{"sampler":{"shard_size":1000},"aggs":{"d":{"diversified_sampler":{"field":"color.keyword"},"aggs":{"t":{"terms":{"field":"tags"}}}}}}`, served()),
		agg("rule:ISO-6", "a nested aggregation over items", `{"nested":{"path":"items"},"aggs":{"names":{"terms":{"field":"items.name.keyword","size":100}},"back":{"reverse_nested":{},"aggs":{"m":{"terms":{"field":"msg.keyword"}}}}}}`, served()),
		agg("rule:ISO-6", "filters with an other bucket", `{"filters":{"filters":{"acme":{"match":{"msg":"acme"}}},"other_bucket":true,"other_bucket_key":"rest"},"aggs":{"h":{"top_hits":{"size":100}}}}`, served()),
		agg("rule:ISO-6", "a missing aggregation on a victim field", `{"missing":{"field":"globexsecretfield.keyword"},"aggs":{"h":{"top_hits":{"size":100}}}}`, served()),
		agg("rule:ISO-6", "auto_date_histogram", `{"auto_date_histogram":{"field":"when","buckets":50}}`, served()),
		agg("rule:ISO-6", "variable_width_histogram", `{"variable_width_histogram":{"field":"n","buckets":10}}`, served()),
		agg("rule:ISO-6", "percentiles and a weighted average", `{"terms":{"field":"tags"},"aggs":{"p":{"percentiles":{"field":"n"}},"w":{"weighted_avg":{"value":{"field":"n"},"weight":{"field":"globexsecretnum","missing":1}}}}}`, served()),
		agg("rule:ISO-8", "terms on _index", `{"terms":{"field":"_index"}}`, unsupported),
		agg("rule:ISO-9", "terms on _id", `{"terms":{"field":"_id","size":100}}`, unsupported),
		agg("rule:ISO-8", "terms on _tenant", `{"terms":{"field":"_tenant"}}`, unsupported),
		agg("rule:ISO-8", "terms on _routing", `{"terms":{"field":"_routing"}}`, unsupported),
		agg("rule:ISO-8", "terms on _logical_index", `{"terms":{"field":"_logical_index","size":100}}`, unsupported),
		agg("rule:ISO-8", "terms on _tenant.keyword", `{"terms":{"field":"_tenant.keyword"}}`, unsupported),
		agg("rule:ISO-8", "terms on _seq_no", `{"terms":{"field":"_seq_no"}}`, unsupported),
		agg("rule:ISO-9", "cardinality on _id", `{"cardinality":{"field":"_id"}}`, unsupported),
		agg("rule:ISO-8", "value_count on _index", `{"value_count":{"field":"_index"}}`, unsupported),
		agg("rule:ISO-8", "multi_terms on _tenant", `{"multi_terms":{"terms":[{"field":"color.keyword"},{"field":"_tenant"}]}}`, unsupported),
		agg("rule:ISO-8", "composite on _logical_index", `{"composite":{"sources":[{"l":{"terms":{"field":"_logical_index"}}}]}}`, unsupported),
		agg("rule:ISO-8", "a missing aggregation on _routing", `{"missing":{"field":"_routing"}}`, unsupported),
		agg("rule:ISO-8", "weighted_avg weighted by _seq_no", `{"weighted_avg":{"value":{"field":"n"},"weight":{"field":"_seq_no"}}}`, unsupported),
		agg("rule:ISO-8", "rare_terms on _tenant", `{"rare_terms":{"field":"_tenant"}}`, unsupported),
		agg("rule:ISO-8", "reverse_nested to path _tenant", `{"nested":{"path":"items"},"aggs":{"r":{"reverse_nested":{"path":"_tenant"}}}}`, unsupported),
		agg("rule:ISO-8", "terms ordered by _tenant", `{"terms":{"field":"tags","order":{"_tenant":"asc"}}}`, unsupported),
		agg("rule:ISO-8", "bucket_sort sorting on _tenant", `{"terms":{"field":"tags"},"aggs":{"s":{"bucket_sort":{"sort":[{"_tenant":"asc"}]}}}}`, unsupported),
		agg("rule:ISO-8", "adjacency_matrix with a filter on _tenant", `{"adjacency_matrix":{"filters":{"a":{"term":{"_tenant":"globex"}},"b":{"match_all":{}}}}}`, unsupported),
		agg("rule:ISO-10", "cardinality on a pattern", `{"cardinality":{"field":"*"}}`, unsupported),
		agg("rule:ISO-14", "top_hits showing ids, index and sources", `{"top_hits":{"size":100,"version":true,"seq_no_primary_term":true,"_source":true}}`, served()),
		agg("rule:ISO-14", "top_hits with docvalue_fields and fields on _id", `{"top_hits":{"size":100,"docvalue_fields":["_id","n"],"fields":["_id","*"]}}`, served()),
		agg("rule:ISO-14", "top_hits with stored_fields * and highlight on every field", `{"top_hits":{"size":100,"stored_fields":["*"],"_source":{"includes":["*"]},"highlight":{"require_field_match":false,"fields":{"*":{}}}}}`, served()),
		agg("rule:ISO-14", "top_hits two aggregations deep", `{"terms":{"field":"tags"},"aggs":{"f":{"filter":{"match_all":{}},"aggs":{"h":{"top_hits":{"size":10,"fields":["_id"]}}}}}}`, served()),
		agg("rule:ISO-14", "top_hits under nested and reverse_nested", `{"nested":{"path":"items"},"aggs":{"h":{"top_hits":{"size":10}},"r":{"reverse_nested":{},"aggs":{"h":{"top_hits":{"size":10}}}}}}`, served()),
		agg("rule:ISO-9", "top_hits sorted on _id", `{"top_hits":{"sort":[{"_id":"asc"}]}}`, unsupported),
		agg("rule:ISO-6", "top_hits with explain", `{"top_hits":{"explain":true}}`, unsupported),
		agg("rule:ISO-12", "terms with a script", `{"terms":{"script":"doc['tags'].value"}}`, unsupported),
		agg("rule:ISO-12", "bucket_script", `{"terms":{"field":"tags"},"aggs":{"s":{"sum":{"field":"n"}},"b":{"bucket_script":{"buckets_path":{"x":"s"},"script":"params.x * 2"}}}}`, unsupported),
		agg("rule:ISO-12", "bucket_selector", `{"terms":{"field":"tags"},"aggs":{"s":{"sum":{"field":"n"}},"b":{"bucket_selector":{"buckets_path":{"x":"s"},"script":"params.x > 0"}}}}`, unsupported),
		agg("rule:ISO-1", "an unknown aggregation type", `{"top_metrics":{"metrics":{"field":"n"},"sort":{"n":"desc"}}}`, unsupported),
		agg("rule:ISO-1", "two types in one aggregation", `{"terms":{"field":"tags"},"global":{}}`, refused(400, "unsupported_query", "malformed_body")),
		search("rule:ISO-6", "aggs and aggregations together holding global", `{"size":0,"aggs":{"a":{"terms":{"field":"tags"}}},"aggregations":{"g":{"global":{}}}}`, unsupported.or(relayed(400))),
	}...)
}

var _ = attackFamily("aggs", aggCases())

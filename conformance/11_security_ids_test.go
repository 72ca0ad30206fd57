package conformance_test

import . "github.com/onsi/ginkgo/v2"

// Ids: a tenant's ids are translated to physical ids where OpenSearch reads ids (ids,
// term, terms and prefix on _id, a top-level sort on _id and its search_after), and
// _id is refused everywhere else (ISO-9). Whatever id an attacker names, logical or
// physical, the victim's or a made-up one, it reaches only the attacker's own
// documents, and ids come back logical in hits, fields and sort values (ISO-14).

func idCases() []attack {
	// OpenSearch 2.x refuses prefix queries on _id; the proxy's translation is then
	// answered with a relayed error, which must still show nothing of the layout.
	prefixOK := served().or(relayed(400))
	q := func(name, query string, want outcome) attack {
		return securityCase(Label("profile:security"), search("rule:ISO-9", name, `{"query":`+query+`,"size":50}`, want))
	}
	return securityCases(Label("profile:security"), []attack{
		q("ids with the victim's logical ids", `{"ids":{"values":["victim-id-k9q1","victim-id-k9q2","victim-id-s1x"]}}`, served()),
		q("ids with the victim's physical ids", `{"ids":{"values":["globex:orders:victim-id-k9q1","globex:orders:1","globex:secrets:victim-id-s1x"]}}`, served()),
		q("ids with acme's physical ids given as logical", `{"ids":{"values":["acme:orders:1","acme:orders:2"]}}`, served()),
		q("ids mixing acme's and the victim's", `{"ids":{"values":["1","2","victim-id-k9q3"]}}`, served()),
		q("ids as numbers", `{"ids":{"values":[1,2,3]}}`, served()),
		q("ids with a colon-separated tenant prefix", `{"ids":{"values":[":globex:orders:1","globex::orders:1","orders:1"]}}`, served()),
		q("ids holding an object", `{"ids":{"values":[{"_id":"globex:orders:1"}]}}`, unsupported),
		q("ids with a legacy type", `{"ids":{"type":"_doc","values":["1"]}}`, unsupported),
		q("term on _id with the victim's physical id", `{"term":{"_id":"globex:orders:victim-id-k9q1"}}`, served()),
		q("term on _id as an object with a value", `{"term":{"_id":{"value":"globex:orders:1","boost":2}}}`, served()),
		q("terms on _id with the victim's ids", `{"terms":{"_id":["victim-id-k9q1","globex:orders:victim-id-k9q2","1"]}}`, served()),
		q("terms on _id by lookup", `{"terms":{"_id":{"index":"{phys}","id":"globex:orders:1","path":"msg"}}}`, unsupported),
		q("prefix on _id with the victim's prefix", `{"prefix":{"_id":"globex:"}}`, prefixOK),
		q("prefix on _id with an empty prefix shows acme's own", `{"prefix":{"_id":""}}`, prefixOK),
		q("prefix on _id of a victim id, case-insensitive", `{"prefix":{"_id":{"value":"VICTIM-ID","case_insensitive":true}}}`, prefixOK),
		q("prefix on _id climbing out of the tenant", `{"prefix":{"_id":{"value":"../globex:"}}}`, prefixOK),
		q("wildcard on _id", `{"wildcard":{"_id":"*"}}`, unsupported),
		q("regexp on _id", `{"regexp":{"_id":"glo.*"}}`, unsupported),
		q("fuzzy on _id", `{"fuzzy":{"_id":"victim-id-k9q0"}}`, unsupported),
		q("match on _id", `{"match":{"_id":"victim-id-k9q1"}}`, unsupported),
		q("range on _id", `{"range":{"_id":{"gte":"globex:","lt":"globex;"}}}`, unsupported),
		q("exists on _id", `{"exists":{"field":"_id"}}`, unsupported),
		q("multi_match over _id", `{"multi_match":{"query":"victim-id-k9q1","fields":["_id"]}}`, unsupported),
		q("simple_query_string over _id", `{"simple_query_string":{"query":"victim-id-k9q1","fields":["_id"]}}`, unsupported),
		q("_id in a nested query", `{"nested":{"path":"items","query":{"term":{"_id":"globex:orders:1"}}}}`, served().or(unsupported)),
		search("rule:ISO-9", "sort on _id shows logical sort values", `{"sort":[{"_id":"asc"}],"size":50}`, served()),
		search("rule:ISO-9", "sort on _id with a search_after in the victim's range", `{"sort":[{"_id":"asc"}],"search_after":["globex:orders:victim-id-k9q1"],"size":50}`, served()),
		search("rule:ISO-9", "sort on _id with a search_after before every id", `{"sort":[{"_id":"asc"}],"search_after":[""],"size":50}`, served()),
		search("rule:ISO-9", "sort on _id then n with a search_after of two values", `{"sort":["_id",{"n":"desc"}],"search_after":["0",0],"size":50}`, served()),
		search("rule:ISO-9", "sort on n then _id with a search_after", `{"sort":[{"n":"asc"},{"_id":"desc"}],"search_after":[0,"zzz"],"size":50}`, served()),
		search("rule:ISO-9", "search_after with a number at the _id position", `{"sort":[{"_id":"asc"}],"search_after":[1],"size":50}`, served().or(unsupported).or(relayed(400))),
		search("rule:ISO-9", "search_after longer than the sort", `{"sort":[{"_id":"asc"}],"search_after":["a","globex:orders:1"],"size":50}`, unsupported.or(relayed(400))),
		search("rule:ISO-9", "sort on _id in nested inner_hits", `{"query":{"nested":{"path":"items","query":{"match_all":{}},"inner_hits":{"sort":["_id"]}}}}`, unsupported),
		search("rule:ISO-9", "sort on _id in collapse inner_hits", `{"collapse":{"field":"color.keyword","inner_hits":{"name":"i","sort":[{"_id":"desc"}]}}}`, unsupported),
		search("rule:ISO-9", "sort on _id with a nested path", `{"sort":[{"_id":{"order":"asc","nested":{"path":"items"}}}],"size":50}`, unsupported.or(served())),
		search("rule:ISO-9", "sort on _id with a missing value", `{"sort":[{"_id":{"order":"asc","missing":"globex:orders:1"}}],"size":50}`, served().or(unsupported)),
		search("rule:ISO-14", "docvalue_fields and fields on _id come back logical", `{"docvalue_fields":["_id"],"fields":["_id"],"size":50}`, served()),
		search("rule:ISO-14", "fields on _id in collapse inner_hits", `{"collapse":{"field":"color.keyword","inner_hits":{"name":"i","size":10,"fields":["_id"],"docvalue_fields":["_id"]}},"size":50}`, served()),
		search("rule:ISO-14", "fields on _id in nested inner_hits", `{"query":{"nested":{"path":"items","query":{"match_all":{}},"inner_hits":{"fields":["_id"],"_source":true}}},"size":50}`, served()),
		search("rule:ISO-9", "named queries echo only their names", `{"query":{"bool":{"should":[{"ids":{"values":["globex:orders:1"],"_name":"q1"}},{"match_all":{"_name":"q2"}}]}},"size":50}`, served()),
	}...)
}

var _ = attackFamily("ids", idCases())

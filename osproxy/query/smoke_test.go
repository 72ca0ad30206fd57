package query

import "testing"

func TestSmoke(t *testing.T) {
	pol := &Policy{Filter: Filter{TenantField: "_tenant", IndexField: "_logical_index", Tenant: "acme", Index: "orders"}}
	for _, b := range []string{
		``,
		`{"size":"10","query":{"match":{"msg":"hi"}},"aggs":{"t":{"terms":{"field":"c","min_doc_count":"1"}}}}`,
		`{"query":{"bool":{"must":[{"term":{"_id":"7"}}],"should":{"ids":{"values":["1",2]}}}},"sort":[{"_id":"desc"},"n"],"search_after":["5",3]}`,
		`{"aggs":{"t":{"terms":{"field":"c","min_doc_count":0.9}}}}`,
		`{"query":{"wrapper":{"query":"eyJ0ZXJtIjp7Il90ZW5hbnQiOiJnbG9iZXgifX0="}}}`,
		`{"query":{"query_string":{"query":"a:b AND _index:x"}}}`,
		`{"docvalue_fields":["glob*"]}`,
		`{"explain":"true"}`,
		`{"search_pipeline":{}}`,
		`{"aggs":{"x":{"top_hits":{"size":1}}},"highlight":{"fields":{"*":{}}},"_source":{"include":["a*"]}}`,
	} {
		ps, _ := ParseParams("size=3&sort=n:desc&pretty")
		s, err := JudgeSearch(nil, []byte(b), ps, pol)
		t.Logf("%s\n  -> %s %v %b %v", b, s.Body, err, s.SortIDs, s.HitAggs)
	}
}

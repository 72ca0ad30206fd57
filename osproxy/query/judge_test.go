package query

import (
	"errors"
	"strings"
	"testing"
)

var acmePolicy = &Policy{Filter: Filter{TenantField: "_tenant", IndexField: "_logical_index", Tenant: "acme", Index: "orders"}}

const wrapped = `"query":{"bool":{"filter":[{"term":{"_tenant":"acme"}},{"term":{"_logical_index":"orders"}}],"must":[`

func judgeString(t *testing.T, body, params string, pol *Policy) (Search, error) {
	t.Helper()
	ps, err := ParseParams(params)
	if err != nil {
		return Search{}, err
	}
	return JudgeSearch(nil, []byte(body), ps, pol)
}

func TestJudgeSearch_AcceptedBodies_CanonicalReEmission(t *testing.T) {
	cases := []struct{ name, body, params, want string }{
		{"empty", ``, ``, `{` + wrapped + `{"match_all":{}}]}}}`},
		{"query in place", `{"size":3,"query":{"match":{"msg":"hi"}},"from":1}`, ``,
			`{"size":3,` + wrapped + `{"match":{"msg":"hi"}}]}},"from":1}`},
		{"numbers as strings and floats", `{"size":"10","from":2.9,"aggs":{"t":{"terms":{"field":"c","min_doc_count":"1","size":1e1}}}}`, ``,
			`{"size":10,"from":2,"aggs":{"t":{"terms":{"field":"c","min_doc_count":1,"size":10}}},` + wrapped + `{"match_all":{}}]}}}`},
		{"booleans as strings", `{"version":"true","track_scores":false}`, ``,
			`{"version":true,"track_scores":false,` + wrapped + `{"match_all":{}}]}}}`},
		{"escaped member names", `{"\u0071uery":{"t\u0065rm":{"color":"red"}}}`, ``,
			`{` + wrapped + `{"term":{"color":"red"}}]}}}`},
		{"enum case", `{"query":{"match":{"msg":{"query":"a b","operator":"AND"}}}}`, ``,
			`{` + wrapped + `{"match":{"msg":{"query":"a b","operator":"and"}}}]}}}`},
		{"ids translated", `{"query":{"ids":{"values":["1",2]}}}`, ``,
			`{` + wrapped + `{"ids":{"values":["acme:orders:1","acme:orders:2"]}}]}}}`},
		{"term and terms on _id translated", `{"query":{"bool":{"should":[{"term":{"_id":"7"}},{"terms":{"_id":["8"]}}]}}}`, ``,
			`{` + wrapped + `{"bool":{"should":[{"term":{"_id":"acme:orders:7"}},{"terms":{"_id":["acme:orders:8"]}}]}}]}}}`},
		{"sort on _id and search_after", `{"search_after":["5",1],"sort":[{"_id":"desc"},"n"]}`, ``,
			`{"sort":[{"_id":"desc"},"n"],` + wrapped + `{"match_all":{}}]}},"search_after":["acme:orders:5",1]}`},
		{"wrapper decoded inline", `{"query":{"wrapper":{"query":"eyJ0ZXJtIjp7ImEiOiJiIn19"}}}`, ``,
			`{` + wrapped + `{"term":{"a":"b"}}]}}}`},
		{"url parameters folded", `{"size":50,"sort":["a"]}`, `size=3&sort=b:desc&pretty&_source_includes=x*`,
			`{"sort":["a",{"b":"desc"}],` + wrapped + `{"match_all":{}}]}},"size":3,"_source":{"includes":["x*"],"excludes":[]}}`},
		{"patterns where hits resolve them", `{"_source":{"include":["a*"]},"fields":["*"],"highlight":{"fields":{"*":{}}},"stored_fields":"_none_"}`, ``,
			`{"_source":{"includes":["a*"]},"fields":["*"],"highlight":{"fields":{"*":{}}},"stored_fields":"_none_",` + wrapped + `{"match_all":{}}]}}}`},
		{"histogram may count zero", `{"aggs":{"h":{"date_histogram":{"field":"d","calendar_interval":"day","min_doc_count":0}}}}`, ``,
			`{"aggs":{"h":{"date_histogram":{"field":"d","calendar_interval":"day","min_doc_count":0}}},` + wrapped + `{"match_all":{}}]}}}`},
		{"query_string with plain fields", `{"query":{"query_string":{"query":"title:(a b) AND body:\"x:y\" AND t:[2020-01-01T00:00 TO *]"}}}`, ``,
			`{` + wrapped + `{"query_string":{"query":"title:(a b) AND body:\"x:y\" AND t:[2020-01-01T00:00 TO *]","lenient":true}}]}}}`},
		{"filter aggregation", `{"aggs":{"f":{"filter":{"term":{"a":1}},"aggs":{"n":{"nested":{"path":"p"},"aggs":{"g":{"filter":{"match_all":{}}}}}}}}}`, ``,
			`{"aggs":{"f":{"filter":{"term":{"a":1}},"aggs":{"n":{"nested":{"path":"p"},"aggs":{"g":{"filter":{"match_all":{}}}}}}}},` + wrapped + `{"match_all":{}}]}}}`},
		{"multi_match with fields is sent as given", `{"query":{"multi_match":{"query":"x","fields":["a"],"lenient":false}}}`, ``,
			`{` + wrapped + `{"multi_match":{"query":"x","fields":["a"],"lenient":false}}]}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := judgeString(t, tc.body, tc.params, acmePolicy)
			if err != nil || string(got.Body) != tc.want {
				t.Fatalf("got  %s, %v\nwant %s", got.Body, err, tc.want)
			}
		})
	}
}

func TestJudgeSearch_RefusedBodies_NameTheirPath(t *testing.T) {
	cases := []struct{ name, body, path string }{
		{"unknown member", `{"sizee":1}`, "sizee"},
		{"suggest", `{"suggest":{}}`, "suggest"},
		{"body search pipeline", `{"search_pipeline":{"request_processors":[]}}`, "search_pipeline"},
		{"explain as a string", `{"explain":"true"}`, "explain"},
		{"profile as true", `{"profile":true}`, "profile"},
		{"unknown clause", `{"query":{"bool":{"must":[{"wrapperx":{}}]}}}`, "query.bool.must[0].wrapperx"},
		{"reserved field", `{"query":{"term":{"_tenant":"globex"}}}`, "query.term._tenant"},
		{"escaped reserved field", `{"query":{"term":{"\u005ftenant":"globex"}}}`, "query.term._tenant"},
		{"reserved sub-field", `{"aggs":{"t":{"terms":{"field":"_tenant.keyword"}}}}`, "aggs.t.terms.field"},
		{"_index", `{"query":{"prefix":{"_index":"os"}}}`, "query.prefix._index"},
		{"_routing in sort", `{"sort":["_routing"]}`, "sort[0]"},
		{"_id in a range", `{"query":{"range":{"_id":{"gte":"a"}}}}`, "query.range._id"},
		{"_id in a prefix (OpenSearch refuses it)", `{"query":{"prefix":{"_id":"a"}}}`, "query.prefix._id"},
		{"_id aggregated", `{"aggs":{"i":{"terms":{"field":"_id"}}}}`, "aggs.i.terms.field"},
		{"_id in a nested sort", `{"aggs":{"t":{"top_hits":{"sort":["_id"]}}}}`, "aggs.t.top_hits.sort[0]"},
		{"min_doc_count 0", `{"aggs":{"t":{"terms":{"field":"c","min_doc_count":0}}}}`, "aggs.t.terms.min_doc_count"},
		{"min_doc_count 0.9", `{"aggs":{"t":{"terms":{"field":"c","min_doc_count":0.9}}}}`, "aggs.t.terms.min_doc_count"},
		{"min_doc_count \"0\"", `{"aggs":{"t":{"terms":{"field":"c","min_doc_count":"-0"}}}}`, "aggs.t.terms.min_doc_count"},
		{"min_doc_count hex", `{"aggs":{"t":{"terms":{"field":"c","min_doc_count":"0x1"}}}}`, "aggs.t.terms.min_doc_count"},
		{"global in a sub-aggregation", `{"aggs":{"a":{"terms":{"field":"c"},"aggs":{"g":{"global":{}}}}}}`, "aggs.a.aggs.g.global"},
		{"significant_terms", `{"aggs":{"s":{"significant_terms":{"field":"c"}}}}`, "aggs.s.significant_terms"},
		{"terms lookup", `{"post_filter":{"terms":{"o":{"index":"x","id":"1","path":"o"}}}}`, "post_filter.terms.o"},
		{"mlt with documents", `{"query":{"more_like_this":{"like":[{"_index":"x","_id":"1"}]}}}`, "query.more_like_this.like[0]"},
		{"percolate", `{"query":{"percolate":{"field":"q"}}}`, "query.percolate"},
		{"indexed shape", `{"query":{"geo_shape":{"l":{"indexed_shape":{"id":"1"}}}}}`, "query.geo_shape.l.indexed_shape"},
		{"script off", `{"query":{"script":{"script":"1"}}}`, "query.script.script"},
		{"pattern in multi_match", `{"query":{"multi_match":{"query":"x","fields":["*"]}}}`, "query.multi_match.fields[0]"},
		{"pattern in docvalue_fields", `{"docvalue_fields":["glob*"]}`, "docvalue_fields[0]"},
		{"pattern with a format", `{"fields":[{"field":"*","format":"epoch_millis"}]}`, "fields[0].field"},
		{"metadata in query_string text", `{"query":{"query_string":{"query":"a AND \\_index:x"}}}`, "query.query_string.query"},
		{"_exists_ of a reserved field", `{"query":{"query_string":{"query":"_exists_:_tenant"}}}`, "query.query_string.query"},
		{"pattern in query_string text", `{"query":{"query_string":{"query":"glob*:x"}}}`, "query.query_string.query"},
		{"lucene unicode escape in query_string text", `{"query":{"query_string":{"query":"\\u005ftenant:globex","default_field":"a"}}}`, "query.query_string.query"},
		{"escaped pattern in query_string text", `{"query":{"query_string":{"query":"glob\\u002a:x","default_field":"a"}}}`, "query.query_string.query"},
		{"all-fields multi_match not lenient", `{"query":{"multi_match":{"query":"gx","type":"phrase_prefix","lenient":false}}}`, "query.multi_match.lenient"},
		{"order by a reserved field", `{"aggs":{"a":{"terms":{"field":"tags","order":{"_tenant":"asc"}}}}}`, "aggs.a.terms.order._tenant"},
		{"wrapper hiding a reserved field", `{"query":{"wrapper":{"query":"eyJ0ZXJtIjp7Il90ZW5hbnQiOiJnbG9iZXgifX0="}}}`, "query.wrapper.term._tenant"},
		{"wrapper not JSON", `{"query":{"wrapper":{"query":"cXVlcnk6IHt9"}}}`, "query.wrapper"},
		{"two clauses", `{"query":{"term":{"a":1},"match_all":{}}}`, "query"},
		{"two fields", `{"query":{"term":{"a":1,"b":2}}}`, "query.term.b"},
		{"has_child", `{"query":{"has_child":{"type":"c","query":{"match_all":{}}}}}`, "query.has_child"},
		{"stored script with scripts on", `{"script_fields":{"s":{"script":{"id":"x"}}}}`, "script_fields.s.script"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pol := acmePolicy
			if strings.Contains(tc.name, "scripts on") {
				pol = &Policy{Filter: acmePolicy.Filter, AllowScripts: true}
			}
			_, err := judgeString(t, tc.body, "", pol)
			var r *Refusal
			if !errors.As(err, &r) || r.Path != tc.path {
				t.Fatalf("got %v, want a refusal at %s", err, tc.path)
			}
		})
	}
}

func TestParseParams_UnknownOrWidening_Refused(t *testing.T) {
	for _, raw := range []string{"df=msg", "source=%7B%7D", "routing=globex", "search_pipeline=p", "scroll=forever",
		"search_type=dfs_query_then_fetch", "%64f=x", "source_content_type=application/json",
		"source=%7B%7D&source_content_type=application/yaml"} {
		if _, err := ParseParams(raw); err == nil {
			t.Errorf("ParseParams(%q) accepted", raw)
		}
	}
	ps, err := ParseParams("pretty&filter_path=hits&typed_keys=true&size=1")
	if err != nil || ps.Forward != "pretty&filter_path=hits&typed_keys=true" {
		t.Fatalf("forwarded %q, %v", ps.Forward, err)
	}
}

func TestJudgeSearch_URLParameters_JudgedAsMembers(t *testing.T) {
	for _, raw := range []string{"sort=_tenant:asc", "docvalue_fields=_id,glob*", "_source=_tenant", "stored_fields=_routing", "explain=true", "size=x"} {
		if _, err := judgeString(t, `{}`, raw, acmePolicy); err == nil {
			t.Errorf("%q accepted", raw)
		}
	}
}

func TestScriptProblem_Sources_Verdict(t *testing.T) {
	cases := map[string]bool{
		`doc['n'].value * 2`:                       true,
		`doc["price"].value + params.factor`:       true,
		`Math.log(2 + doc['n'].value)`:             true,
		`doc['_tenant'].value`:                     false,
		`params._source.x`:                         false,
		`params['_source']`:                        false,
		`params['_sou' + 'rce']`:                   false,
		`def m = params; m.get('x')`:               false,
		`params.get('x')`:                          false,
		`doc[params.f].value`:                      false,
		`doc.keySet()`:                             false,
		`for (def k : doc.keySet()) { return k; }`: false,
		`ctx._source.x = 1`:                        false,
		`doc['a'].value + '_id'`:                   false,
		`'\u005ftenant'`:                           false,
		`field('x').get(0)`:                        false,
		`doc['a.*'].value`:                         false,
		`/* doc */ doc['n'].value // _source`:      true,
	}
	for src, ok := range cases {
		if got := scriptProblem([]byte(src)) == ""; got != ok {
			t.Errorf("scriptProblem(%q) accepted=%v, want %v", src, got, ok)
		}
	}
}

package conformance_test

import (
	"encoding/base64"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// The judging rules of spec/10-isolation.md, seen from the mock: what the proxy refuses
// never reaches the upstream, and what it accepts reaches it re-emitted canonically.
var _ = Describe("10 isolation: judging a search", Label("profile:security", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = startMock()
		mock.Handle("", "/*", mockupstream.SearchEnvelope(nil, 0))
		base = startProxy(tenancyEnv(mock.URL())).URL
	})
	search := func(body string, query ...string) response {
		target := base + "/orders/_search"
		if len(query) > 0 {
			target += "?" + query[0]
		}
		return send("POST", target, body, "x-tenant", "acme")
	}
	// sent returns the body the upstream received for one accepted search.
	sent := func(body string, query ...string) string {
		mock.Reset()
		r := search(body, query...)
		ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
		return string(onlyRequest(mock).BodyPrefix)
	}
	refusedAt := func(body, path string, query ...string) {
		r := search(body, query...)
		expectError(r, 400, "unsupported_query")
		ExpectWithOffset(1, dig(r.JSON(), "error", "reason")).To(HavePrefix("`"+path+"`"), "body %s", body)
	}
	const wrap = `"query":{"bool":{"filter":` + tenantFilter + `,"must":[`

	It("ISO-1: refuses what the allow-list does not list, naming its JSON path, without contacting the upstream", Label("rule:ISO-1"), func() {
		refusedAt(`{"sizee":1}`, "sizee")
		refusedAt(`{"query":{"bool":{"must":[{"match_all":{}},{"wrapperx":{}}]}}}`, "query.bool.must[1].wrapperx")
		refusedAt(`{"aggs":{"a":{"terms":{"field":"x","zzz":1}}}}`, "aggs.a.terms.zzz")
		refusedAt(`{"query":{"match":{"msg":{"query":"x","unknown_param":true}}}}`, "query.match.msg.unknown_param")
		refusedAt(`{"aggs":{"a":{"no_such_agg":{}}}}`, "aggs.a.no_such_agg")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("ISO-2: judges every spelling of a value as OpenSearch reads it", Label("rule:ISO-2"), func() {
		for _, b := range []string{
			`{"aggs":{"t":{"terms":{"field":"c","min_doc_count":"0"}}}}`,
			`{"aggs":{"t":{"terms":{"field":"c","min_doc_count":0.9}}}}`,
			`{"aggs":{"t":{"terms":{"field":"c","min_doc_count":-0.0}}}}`,
			`{"aggs":{"t":{"terms":{"field":"c","min_doc_count":"0e0"}}}}`,
			`{"aggs":{"t":{"terms":{"field":"c","min_doc_count":"0x1"}}}}`,
			`{"explain":"true"}`, `{"profile":"TRUE"}`, `{"explain":1}`, `{"size":"Infinity"}`, `{"size":{"value":1}}`,
		} {
			expectError(search(b), 400, "unsupported_query")
		}
		Expect(sent(`{"size":"7","track_scores":"true","query":{"match":{"m":{"query":"a","operator":"AND"}}}}`)).
			To(Equal(`{"size":7,"track_scores":true,` + wrap + `{"match":{"m":{"query":"a","operator":"and"}}}]}}}`))
	})

	It("ISO-3: sends only its canonical re-emission of the judged body", Label("rule:ISO-3"), func() {
		Expect(sent(`{ "\u0066rom" : 1.7 , "sort" : [ {"n" : "DESC"} ], "search_after":[3], "_source":{"include":"a*"} }`)).
			To(Equal(`{"from":1,"sort":[{"n":"desc"}],"_source":{"includes":"a*"},` + wrap + `{"match_all":{}}]}},"search_after":[3]}`))
	})

	It("ISO-4: folds the parameters that change the search into the body and forwards only the others", Label("rule:ISO-4"), func() {
		mock.Reset()
		r := search(`{"size":50,"sort":["a"]}`, "size=3&sort=b:desc&_source_includes=x&typed_keys=true&pretty")
		Expect(r.Status).To(Equal(200))
		rec := onlyRequest(mock)
		q, err := url.ParseQuery(rec.RawQuery)
		Expect(err).NotTo(HaveOccurred())
		Expect(q).To(Equal(url.Values{"routing": {"acme"}, "typed_keys": {"true"}, "pretty": {""}}))
		Expect(string(rec.BodyPrefix)).To(Equal(`{"sort":["a",{"b":"desc"}],` + wrap + `{"match_all":{}}]}},"size":3,"_source":{"includes":["x"],"excludes":[]}}`))
		for _, p := range []string{"sort=_tenant", "docvalue_fields=_routing", "_source_includes=_tenant", "explain=true", "stored_fields=_index"} {
			expectError(search(`{}`, p), 400, "unsupported_query")
		}
	})

	It("ISO-5: decodes a wrapper query, judges it in place and never sends it encoded; refuses body pipelines", Label("rule:ISO-5"), func() {
		enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
		Expect(sent(`{"query":{"wrapper":{"query":"` + enc(`{"term":{"owner":"x"}}`) + `"}}}`)).
			To(Equal(`{` + wrap + `{"term":{"owner":"x"}}]}}}`))
		inner := enc(`{"bool":{"must":{"wrapper":{"query":"` + enc(`{"match_all":{}}`) + `"}}}}`)
		Expect(sent(`{"query":{"wrapper":{"query":"` + inner + `"}}}`)).To(Equal(`{` + wrap + `{"bool":{"must":{"match_all":{}}}}]}}}`))
		refusedAt(`{"query":{"wrapper":{"query":"`+enc(`{"term":{"_tenant":"globex"}}`)+`"}}}`, "query.wrapper.term._tenant")
		refusedAt(`{"query":{"wrapper":{"query":"`+enc(`query: {match_all: {}}`)+`"}}}`, "query.wrapper")
		for _, m := range []string{"search_pipeline", "ext", "indices_boost", "knn", "suggest", "pit", "slice", "runtime_mappings", "stats"} {
			refusedAt(`{"`+m+`":{}}`, m)
		}
	})

	It("ISO-6: admits no construct that reads beyond the filter", Label("rule:ISO-6"), func() {
		for _, c := range []struct{ path, body string }{
			{"aggs.g.global", `{"aggs":{"g":{"global":{}}}}`},
			{"aggs.s.significant_text", `{"aggs":{"s":{"significant_text":{"field":"t"}}}}`},
			{"aggs.s.scripted_metric", `{"aggs":{"s":{"scripted_metric":{}}}}`},
			{"aggs.c.children", `{"aggs":{"c":{"children":{"type":"x"}}}}`},
			{"aggs.m.multi_terms.min_doc_count", `{"aggs":{"m":{"multi_terms":{"terms":[{"field":"a"}],"min_doc_count":0}}}}`},
			{"query.has_parent", `{"query":{"has_parent":{"parent_type":"p","query":{"match_all":{}}}}}`},
			{"aggs.t.top_hits.explain", `{"aggs":{"t":{"top_hits":{"explain":true}}}}`},
			{"query.nested.inner_hits.explain", `{"query":{"nested":{"path":"p","query":{"match_all":{}},"inner_hits":{"explain":true}}}}`},
		} {
			refusedAt(c.body, c.path)
		}
		Expect(sent(`{"aggs":{"h":{"histogram":{"field":"n","interval":10,"min_doc_count":0}}}}`)).To(ContainSubstring(`"min_doc_count":0`))
	})

	It("ISO-7: refuses a body nested deeper than 256 levels as malformed", Label("rule:ISO-7"), func() {
		deep := strings.Repeat(`{"bool":{"must":`, 150) + `{"match_all":{}}` + strings.Repeat(`}}`, 150)
		expectError(search(`{"query":`+deep+`}`), 400, "malformed_body")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("ISO-8: refuses field references to the layout: reserved fields, routing, the index, metadata", Label("rule:ISO-8"), func() {
		for _, c := range []struct{ path, body string }{
			{"query.term._tenant", `{"query":{"term":{"_tenant":"globex"}}}`},
			{"query.term._tenant", `{"query":{"term":{"\u005f\u0074enant":"globex"}}}`},
			{"aggs.t.terms.field", `{"aggs":{"t":{"terms":{"field":"_logical_index"}}}}`},
			{"aggs.t.terms.field", `{"aggs":{"t":{"terms":{"field":"_tenant.keyword"}}}}`},
			{"query.prefix._index", `{"query":{"prefix":{"_index":"osp"}}}`},
			{"sort[0]", `{"sort":["_routing"]}`},
			{"query.exists.field", `{"query":{"exists":{"field":"_seq_no"}}}`},
			{"collapse.field", `{"collapse":{"field":"_tenant"}}`},
			{"highlight.fields._tenant", `{"highlight":{"fields":{"_tenant":{}}}}`},
			{"_source[0]", `{"_source":["_logical_index"]}`},
			{"docvalue_fields[0]", `{"docvalue_fields":["_index"]}`},
		} {
			refusedAt(c.body, c.path)
		}
		Expect(sent(`{"query":{"function_score":{"random_score":{"seed":1,"field":"_seq_no"}}}}`)).To(ContainSubstring(`"field":"_seq_no"`))
	})

	It("ISO-9: translates the tenant's ids into physical ids in ids, term, terms and search_after", Label("rule:ISO-9"), func() {
		Expect(sent(`{"query":{"bool":{"should":[{"ids":{"values":["1",2]}},{"term":{"_id":{"value":"3"}}},{"terms":{"_id":["4"]}}]}}}`)).
			To(Equal(`{` + wrap + `{"bool":{"should":[{"ids":{"values":["acme:orders:1","acme:orders:2"]}},{"term":{"_id":{"value":"acme:orders:3"}}},` +
				`{"terms":{"_id":["acme:orders:4"]}}]}}]}}}`))
		refusedAt(`{"query":{"prefix":{"_id":"5"}}}`, "query.prefix._id")
		Expect(sent(`{"sort":["n",{"_id":"asc"}],"search_after":[1,"7"]}`)).
			To(Equal(`{"sort":["n",{"_id":"asc"}],` + wrap + `{"match_all":{}}]}},"search_after":[1,"acme:orders:7"]}`))
		refusedAt(`{"query":{"range":{"_id":{"gt":"a"}}}}`, "query.range._id")
		refusedAt(`{"aggs":{"t":{"top_hits":{"sort":[{"_id":"asc"}]}}}}`, "aggs.t.top_hits.sort[0]")
	})

	It("ISO-10: accepts field patterns only where OpenSearch resolves them against each hit", Label("rule:ISO-10"), func() {
		Expect(sent(`{"_source":["a*"],"fields":["*"],"stored_fields":["*"],"highlight":{"fields":{"*":{}}}}`)).To(ContainSubstring(`"fields":["*"]`))
		for _, c := range []struct{ path, body string }{
			{"query.multi_match.fields[0]", `{"query":{"multi_match":{"query":"x","fields":["*"]}}}`},
			{"query.query_string.default_field", `{"query":{"query_string":{"query":"x","default_field":"*"}}}`},
			{"query.simple_query_string.fields[1]", `{"query":{"simple_query_string":{"query":"x","fields":["a","s*^2"]}}}`},
			{"docvalue_fields[0]", `{"docvalue_fields":["glob*"]}`},
			{"query.exists.field", `{"query":{"exists":{"field":"se?ret"}}}`},
			{"fields[0].field", `{"fields":[{"field":"*","format":"epoch_millis"}]}`},
			{"aggs.a.terms.field", `{"aggs":{"a":{"terms":{"field":"x*"}}}}`},
		} {
			refusedAt(c.body, c.path)
		}
	})

	It("ISO-11: judges the field names written inside a query_string text", Label("rule:ISO-11"), func() {
		for _, text := range []string{`_index:x`, `a AND \\_tenant:acme`, `_exists_:_logical_index`, `glob*:x`, `(x OR _id:1)`, `+_routing:acme`} {
			refusedAt(`{"query":{"query_string":{"query":"`+text+`"}}}`, "query.query_string.query")
		}
		Expect(sent(`{"query":{"query_string":{"query":"title:\"a:b\" AND t:[2020-01-01T00:00 TO *] AND _exists_:owner"}}}`)).To(ContainSubstring("_exists_:owner"))
	})

	It("ISO-12: refuses every script while inline scripts are off", Label("rule:ISO-12"), func() {
		for _, c := range []struct{ path, body string }{
			{"query.script.script", `{"query":{"script":{"script":"true"}}}`},
			{"query.script_score.script", `{"query":{"script_score":{"query":{"match_all":{}},"script":{"source":"1"}}}}`},
			{"script_fields.x.script", `{"script_fields":{"x":{"script":"1"}}}`},
			{"sort[0]._script.script", `{"sort":[{"_script":{"type":"number","script":"1"}}]}`},
			{"aggs.a.avg.script", `{"aggs":{"a":{"avg":{"script":"1"}}}}`},
			{"aggs.b.bucket_script.script", `{"aggs":{"b":{"bucket_script":{"buckets_path":{},"script":"1"}}}}`},
			{"query.terms_set.f.minimum_should_match_script", `{"query":{"terms_set":{"f":{"terms":["a"],"minimum_should_match_script":{"source":"1"}}}}}`},
		} {
			refusedAt(c.body, c.path)
		}
	})
})

var _ = Describe("10 isolation: inline scripts allowed", Label("profile:security", "upstream:mock"), func() {
	It("ISO-13: accepts only scripts that read plain fields through doc['literal']", Label("rule:ISO-13"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.SearchEnvelope(nil, 0))
		env := tenancyEnv(mock.URL())
		env["OSPROXY_ALLOW_INLINE_SCRIPTS"] = "true"
		base := startProxy(env).URL
		script := func(src string) response {
			return send("POST", base+"/orders/_search", `{"script_fields":{"s":{"script":{"source":`+jsonString(src)+`}}}}`, "x-tenant", "acme")
		}
		for _, ok := range []string{`doc['n'].value * 2`, `doc["price"].value + params.factor`} {
			Expect(script(ok).Status).To(Equal(200), ok)
		}
		for _, bad := range []string{`doc['_tenant'].value`, `params._source.x`, `params['_sou' + 'rce']`, `doc[params.f].value`,
			`doc.keySet()`, `ctx._source`, `doc['a'].value + '_logical_index'`, `def d = doc; d['_id']`} {
			expectError(script(bad), 400, "unsupported_query")
		}
		expectError(send("POST", base+"/orders/_search", `{"script_fields":{"s":{"script":{"id":"shared"}}}}`, "x-tenant", "acme"), 400, "unsupported_query")
		Expect(mock.Requests()).To(HaveLen(2))
	})
})

func jsonString(s string) string {
	b, err := jsonMarshal(s)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

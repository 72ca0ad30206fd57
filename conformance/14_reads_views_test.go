package conformance_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// Which logical indices a read covers, and how its parameters and body are judged
// (spec/14-reads.md READ-1..8). These specs judge what reached the upstream, so they run
// on the mock and, behind a recording proxy, on a real cluster.
var _ = Describe("14 reads: views and parameters", Label("profile:tenancy-reads"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = searchUpstream()
		base = readsProxy(mock)
	})
	// sentQuery returns the query the upstream received for one request the proxy
	// forwarded (what the upstream answered is other specs' business).
	sentQuery := func(method, target, body string) string {
		mock.Reset()
		r := asAcme(method, base+target, body)
		ExpectWithOffset(1, mock.Requests()).To(HaveLen(1), "%s %s: %d %s", method, target, r.Status, r.Body)
		return rawMember(onlyRequest(mock).BodyPrefix, "query")
	}

	It("READ-1: reads a comma list of logical indices and refuses a list with any name TEN-5 refuses", Label("rule:READ-1"), func() {
		for _, c := range [][3]string{
			{"POST", "/orders,invoices/_search", `{}`}, {"GET", "/orders,invoices/_count", ""},
			{"POST", "/orders,invoices/_validate/query", `{}`}, {"POST", "/orders,invoices/_delete_by_query", `{}`},
			{"POST", "/orders,invoices/_update_by_query", `{}`},
		} {
			sameJSON([]byte(sentQuery(c[0], c[1], c[2])), wrappedIn(twoIndexTerm, matchAllQ))
		}
		sameJSON([]byte(sentQuery("POST", "/orders,orders/_search", `{}`)), wrappedIn(ordersTerm, matchAllQ))
		mock.Reset()
		for _, path := range []string{"/orders,osproxy-shared", "/orders,_all", "/orders,*", "/orders%2Cinvoices", "/orders,",
			"/orders,Invoices", "/orders,.kibana", "/orders,remote:x"} {
			expectError(asAcme("GET", base+path+"/_search", ""), 400, "invalid_index_name")
			expectError(asAcme("GET", base+path+"/_count", ""), 400, "invalid_index_name")
		}
		expectError(asAcme("GET", base+"/orders,invoices/_doc/1", ""), 400, "invalid_index_name")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-2: covers every logical index of the tenant when a read names none", Label("rule:READ-2"), func() {
		for _, c := range [][3]string{{"GET", "/_search", ""}, {"POST", "/_search", `{"size":1}`}, {"GET", "/_count", ""},
			{"POST", "/_validate/query", `{}`}} {
			sameJSON([]byte(sentQuery(c[0], c[1], c[2])), wrappedIn("", matchAllQ))
		}
		mock.Reset()
		asAcme("GET", base+"/_search", "")
		Expect(onlyRequest(mock).RequestURI).To(Equal("/osproxy-shared/_search?routing=acme"))
		expectError(asAcme("GET", base+"/_all/_search", ""), 400, "invalid_index_name")
	})

	It("READ-3: filters a read of several indices on a terms of exactly those names, in the client's order", Label("rule:READ-3"), func() {
		mock.Reset()
		asAcme("POST", base+"/invoices,orders,users/_search", `{"query":{"term":{"s":"x"}}}`)
		Expect(string(onlyRequest(mock).BodyPrefix)).To(Equal(`{"query":{"bool":{"filter":[{"term":{"_tenant":"acme"}},` +
			`{"terms":{"_logical_index":["invoices","orders","users"]}}],"must":[{"term":{"s":"x"}}]}}}`))
	})

	It("READ-5: refuses _id where a logical id could name documents of several indices", Label("rule:READ-5"), func() {
		for _, target := range []string{"/orders,invoices/_search", "/_search"} {
			for _, b := range []string{`{"query":{"ids":{"values":["1"]}}}`, `{"query":{"term":{"_id":"1"}}}`,
				`{"query":{"terms":{"_id":["1"]}}}`, `{"sort":[{"_id":"asc"}]}`, `{"sort":["_id"],"search_after":["1"]}`} {
				expectError(asAcme("POST", base+target, b), 400, "unsupported_query")
			}
		}
		expectError(asAcme("POST", base+"/orders,invoices/_count", `{"query":{"ids":{"values":["1"]}}}`), 400, "unsupported_query")
		Expect(mock.Requests()).To(BeEmpty())
		asAcme("POST", base+"/orders/_search", `{"query":{"ids":{"values":["1"]}}}`)
		Expect(rawMember(onlyRequest(mock).BodyPrefix, "query")).To(Equal(wrappedIn(ordersTerm, `{"ids":{"values":["acme:orders:1"]}}`)))
	})

	It("READ-6: takes each endpoint's listed parameters, canonical where judged, and refuses the rest", Label("rule:READ-6"), func() {
		for _, c := range [][2]string{
			{"GET", "/orders/_count?terminate_after=5.0&min_score=1e0&preference=_local"},
			{"POST", "/orders/_delete_by_query?conflicts=PROCEED&slices=AUTO&refresh=true&scroll_size=1e3"},
		} {
			mock.Reset()
			asAcme(c[0], base+c[1], "")
			q, err := url.ParseQuery(onlyRequest(mock).RawQuery)
			Expect(err).NotTo(HaveOccurred())
			if strings.Contains(c[1], "_count") {
				Expect(q).To(Equal(url.Values{"routing": {"acme"}, "terminate_after": {"5"}, "min_score": {"1"}, "preference": {"_local"}}))
			} else {
				Expect(q).To(Equal(url.Values{"routing": {"acme"}, "conflicts": {"proceed"}, "slices": {"auto"}, "refresh": {"true"},
					"scroll_size": {"1000"}}))
			}
		}
		mock.Reset()
		for _, target := range []string{"/orders/_count?size=1", "/orders/_count?routing=globex", "/orders/_count?terminate_after=-1",
			"/orders/_msearch?search_type=dfs_query_then_fetch", "/orders/_msearch?max_concurrent_searches=0",
			"/orders/_search?scroll=forever", "/orders/_validate/query?explain=true", "/orders/_delete_by_query?pipeline=p",
			"/orders/_delete_by_query?conflicts=ignore", "/orders/_search/point_in_time?keep_alive=soon",
			"/orders/_search/point_in_time?keep_alive=1m&routing=globex", "/_search/scroll?scroll=x", "/orders/_count?q=x&df=_tenant.x&nonsense=1"} {
			method := "POST"
			if strings.Contains(target, "_count") {
				method = "GET"
			}
			expectError(asAcme(method, base+target, ""), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-7: folds q and its companions into the judged query inside the tenant filter", Label("rule:READ-7"), func() {
		Expect(sentQuery("GET", "/orders/_search?q=msg:hi&df=msg&default_operator=AND&analyzer=standard&analyze_wildcard=true&lenient=false", "")).To(Equal(
			wrappedIn(ordersTerm, `{"query_string":{"query":"msg:hi","default_field":"msg","default_operator":"and","analyzer":"standard","analyze_wildcard":true,"lenient":false}}`)))
		Expect(sentQuery("POST", "/orders/_search?q=x", `{"query":{"match_all":{}},"size":1}`)).To(Equal(
			wrappedIn(ordersTerm, `{"query_string":{"query":"x","lenient":true}}`)))
		Expect(sentQuery("GET", "/orders,invoices/_count?q=n:1", "")).To(Equal(wrappedIn(twoIndexTerm, `{"query_string":{"query":"n:1","lenient":true}}`)))
		Expect(sentQuery("POST", "/orders/_delete_by_query?q=n:1", "")).To(Equal(wrappedIn(ordersTerm, `{"query_string":{"query":"n:1","lenient":true}}`)))
		mock.Reset()
		for _, q := range []string{"q=_tenant:globex", "q=_logical_index:x", "q=v*:x", "q=x&df=_routing", "q=x&df=m*", "q=_exists_:_tenant", "q=%22x"} {
			expectError(asAcme("GET", base+"/orders/_search?"+q, ""), 400, "unsupported_query")
		}
		for _, q := range []string{"df=msg", "lenient=true", "default_operator=or", "analyzer=x", "analyze_wildcard=true"} {
			expectError(asAcme("GET", base+"/orders/_search?"+q, ""), 400, "unsupported_parameter")
		}
		expectError(asAcme("POST", base+"/orders/_count?q=x", `{"query":{"match_all":{}}}`), 400, "unsupported_parameter")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-8: judges the source parameter as the body of a request that has none", Label("rule:READ-8"), func() {
		src := url.QueryEscape(`{"size":"2","query":{"term":{"s":"x"}}}`)
		mock.Reset()
		asAcme("GET", base+"/orders/_search?source="+src+"&source_content_type=application/json", "")
		Expect(string(onlyRequest(mock).BodyPrefix)).To(Equal(`{"size":2,"query":` + wrappedIn(ordersTerm, `{"term":{"s":"x"}}`) + `}`))
		mock.Reset()
		asAcme("GET", base+"/orders/_count?source="+url.QueryEscape(`{"query":{"term":{"s":"x"}}}`)+"&source_content_type=application/json", "")
		Expect(string(onlyRequest(mock).BodyPrefix)).To(Equal(`{"query":` + wrappedIn(ordersTerm, `{"term":{"s":"x"}}`) + `}`))
		mock.Reset()
		for _, q := range []string{"source=" + src, "source=" + src + "&source_content_type=application/yaml", "source_content_type=application/json"} {
			expectError(asAcme("GET", base+"/orders/_search?"+q, ""), 400, "unsupported_parameter")
		}
		expectError(asAcme("POST", base+"/orders/_search?source="+src+"&source_content_type=application/json", `{}`), 400, "unsupported_parameter")
		expectError(asAcme("GET", base+"/orders/_search?source="+url.QueryEscape(`{"suggest":{}}`)+"&source_content_type=application/json", ""), 400, "unsupported_query")
		Expect(mock.Requests()).To(BeEmpty())
	})
})

// How the answer to a read of several indices is named, with hits and an error the
// mock scripts (READ-4); a real cluster's are in 14_reads_real_test.go.
var _ = Describe("14 reads: views, scripted answers", Label("profile:tenancy-reads", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = startMock()
		base = readsProxy(mock)
	})

	It("READ-4: names each hit of a read of several indices by its own physical id", Label("rule:READ-4"), func() {
		hit := func(index, id string) string {
			return `{"_index":"osproxy-shared","_id":"acme:` + index + `:` + id + `","_routing":"acme","_source":{"_tenant":"acme","_logical_index":"` +
				index + `","n":1},"fields":{"_id":["acme:` + index + `:` + id + `"],"_index":["osproxy-shared"]}}`
		}
		page := searchPage(``, hit("orders", "1"), hit("invoices", "a:b"))
		page = strings.TrimSuffix(page, "}") + `,"aggregations":{"t":{"hits":{"hits":[` + hit("invoices", "9") + `]}}}}`
		mock.Handle("", "/*", mockupstream.JSON(200, page))
		for _, target := range []string{"/orders,invoices/_search", "/_search"} {
			r := asAcme("POST", base+target, `{"aggs":{"t":{"top_hits":{}}}}`)
			Expect(r.Status).To(Equal(200), "body: %s", r.Body)
			hits := dig(r.JSON(), "hits", "hits").([]any)
			Expect(hits[0]).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "1"), Not(HaveKey("_routing"))))
			Expect(hits[1]).To(And(HaveKeyWithValue("_index", "invoices"), HaveKeyWithValue("_id", "a:b")))
			Expect(dig(hits[1], "fields")).To(Equal(map[string]any{"_id": []any{"a:b"}, "_index": []any{"invoices"}}))
			Expect(dig(hits[1], "_source")).To(Equal(map[string]any{"n": float64(1)}))
			top := dig(r.JSON(), "aggregations", "t", "hits", "hits").([]any)[0]
			Expect(top).To(And(HaveKeyWithValue("_index", "invoices"), HaveKeyWithValue("_id", "9")))
		}
		mock.Handle("", "/*", mockupstream.JSON(400, `{"error":{"type":"x","reason":"no such field [n] in [osproxy-shared]","index":"osproxy-shared","index_uuid":"u"},"status":400}`))
		r := asAcme("POST", base+"/orders,invoices/_search", `{}`)
		Expect(r.Status).To(Equal(400))
		sameJSON(r.Body, `{"error":{"type":"x","reason":"no such field [n] in [orders,invoices]","index":"orders,invoices"},"status":400}`)
		r = asAcme("POST", base+"/_search", `{}`)
		Expect(string(r.Body)).To(And(ContainSubstring(`"index":"_all"`), Not(ContainSubstring("osproxy-shared"))))
	})

})

package conformance_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// decode parses a recorded JSON body.
func decode(b []byte) map[string]any {
	var v map[string]any
	ExpectWithOffset(1, json.Unmarshal(b, &v)).To(Succeed(), "body: %s", b)
	return v
}

// filterTerms digs query.bool.filter out of a wrapped body.
func filterTerms(body map[string]any) any {
	return dig(body, "query", "bool", "filter")
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		ExpectWithOffset(1, ok).To(BeTrue(), "no object at %q", p)
		v = m[p]
	}
	return v
}

const tenantFilter = `[{"term":{"_tenant":"acme"}},{"term":{"_logical_index":"orders"}}]`

// Specs here judge what reached the upstream, so they run on the mock and,
// behind a recording proxy, on a real cluster; those that script the
// upstream's answer carry upstream:mock.
var _ = Describe("04 search", Label("profile:tenancy"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = searchUpstream()
		env := tenancyEnv(mock.URL())
		env["OSPROXY_MAX_BODY_BYTES"] = "4096"
		base = startProxy(env).URL
	})

	It("SRCH-1: sends the search as POST to the physical index routed by tenant", Label("rule:SRCH-1"), func() {
		send("GET", base+"/orders/_search", "", "x-tenant", "acme")
		rec := onlyRequest(mock)
		Expect(rec.Method).To(Equal("POST"))
		Expect(rec.RawPath).To(Equal("/osproxy-shared/_search"))
		Expect(routingOf(rec)).To(Equal([]string{"acme"}))
	})

	It("SRCH-2: wraps the query in the tenant filter in place and re-emits every other member canonically", Label("rule:SRCH-2"), func() {
		client := `{"size":"3","query":{"bool":{"should":[{"term":{"owner":"globex"}}]}},"sort":[ "a" ],"aggs":{"x":{"max":{"field":"n"}}}}`
		send("POST", base+"/orders/_search", client, "x-tenant", "acme")
		Expect(string(onlyRequest(mock).BodyPrefix)).To(Equal(`{"size":3,"query":{"bool":{"filter":` + tenantFilter +
			`,"must":[{"bool":{"should":[{"term":{"owner":"globex"}}]}}]}},"sort":["a"],"aggs":{"x":{"max":{"field":"n"}}}}`))
		mock.Reset()
		send("POST", base+"/orders/_search", `{"size":0}`, "x-tenant", "acme")
		Expect(string(onlyRequest(mock).BodyPrefix)).To(Equal(`{"size":0,"query":{"bool":{"filter":` + tenantFilter + `,"must":[{"match_all":{}}]}}}`))
		mock.Reset()
		send("GET", base+"/orders/_search", "", "x-tenant", "acme")
		Expect(string(onlyRequest(mock).BodyPrefix)).To(Equal(`{"query":{"bool":{"filter":` + tenantFilter + `,"must":[{"match_all":{}}]}}}`))
	})

	It("SRCH-3: refuses a body over max_body_bytes, declared or streamed", Label("rule:SRCH-3"), func() {
		big := `{"size":1,"x":"` + strings.Repeat("a", 5000) + `"}`
		expectError(send("POST", base+"/orders/_search", big, "x-tenant", "acme"), 413, "request_too_large")
		req, _ := http.NewRequest("POST", base+"/orders/_search", struct{ *strings.Reader }{strings.NewReader(big)})
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-tenant", "acme")
		resp, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(413))
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("SRCH-4: refuses malformed JSON, non-objects, repeated keys and non-JSON content types", Label("rule:SRCH-4"), func() {
		for _, b := range []string{`{"query":`, `[1]`, `{"query":{}} x`, `{"query":{},"query":{"match_all":{}}}`,
			`{"query":{"bool":{"must":[],"must":[]}}}`, `{/* c */"size":1}`, `{'size':1}`} {
			expectError(send("POST", base+"/orders/_search", b, "x-tenant", "acme"), 400, "malformed_body")
		}
		for _, ct := range []string{"application/yaml", "application/cbor", "application/smile", "text/plain", "application/x-www-form-urlencoded"} {
			expectError(send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme", "Content-Type", ct), 415, "unsupported_media_type")
		}
		Expect(mock.Requests()).To(BeEmpty())
		send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme", "Content-Type", "application/json; charset=UTF-8")
	})

	It("SRCH-5: decompresses a gzip body before wrapping it, and refuses other encodings", Label("rule:SRCH-5"), func() {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write([]byte(`{"query":{"term":{"owner":"globex"}}}`))
		Expect(zw.Close()).To(Succeed())
		send("POST", base+"/orders/_search", gz.String(), "x-tenant", "acme", "Content-Encoding", "gzip")
		rec := onlyRequest(mock)
		Expect(rec.Header.Get("Content-Encoding")).To(BeEmpty())
		Expect(string(rec.BodyPrefix)).To(Equal(`{"query":{"bool":{"filter":` + tenantFilter + `,"must":[{"term":{"owner":"globex"}}]}}}`))
		expectError(send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme", "Content-Encoding", "br"), 415, "unsupported_media_type")
		var bomb bytes.Buffer
		zw = gzip.NewWriter(&bomb)
		_, _ = zw.Write([]byte(`{"x":"` + strings.Repeat("a", 10000) + `"}`))
		Expect(zw.Close()).To(Succeed())
		expectError(send("POST", base+"/orders/_search", bomb.String(), "x-tenant", "acme", "Content-Encoding", "gzip"), 413, "request_too_large")
		Expect(mock.Requests()).To(HaveLen(1))
	})

	It("SRCH-6: refuses constructs that escape the tenant filter", Label("rule:SRCH-6"), func() {
		for _, b := range []string{
			`{"suggest":{"s":{"prefix":"glo","completion":{"field":"name_suggest"}}}}`,
			`{"profile":true}`, `{"explain":true}`,
			`{"size":0,"aggs":{"all":{"global":{},"aggs":{"t":{"terms":{"field":"_tenant"}}}}}}`,
			`{"aggregations":{"a":{"terms":{"field":"x"},"aggs":{"b":{"global":{}}}}}}`,
			`{"aggs":{"s":{"significant_terms":{"field":"tags"}}}}`, `{"aggs":{"s":{"significant_text":{"field":"t"}}}}`,
			`{"size":0,"aggs":{"n":{"terms":{"field":"customer.keyword","min_doc_count":0,"size":10000}}}}`,
			`{"query":{"terms":{"owner":{"index":"osproxy-shared","id":"globex:orders:42","path":"owner"}}}}`,
			`{"query":{"more_like_this":{"fields":["body"],"like":[{"_index":"osproxy-shared","_id":"globex:orders:42"}]}}}`,
			`{"query":{"percolate":{"field":"q","index":"osproxy-shared","id":"globex:orders:7"}}}`,
			`{"query":{"geo_shape":{"loc":{"indexed_shape":{"index":"osproxy-shared","id":"globex:9","path":"area"}}}}}`,
			`{"query":{"script_score":{"query":{"match_all":{}},"script":{"id":"globex-script"}}}}`,
		} {
			expectError(send("POST", base+"/orders/_search", b, "x-tenant", "acme"), 400, "unsupported_query")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("SRCH-7: folds or forwards the parameters ISO-4 lists and refuses every other", Label("rule:SRCH-7"), func() {
		send("GET", base+"/orders/_search?size=2&from=1&track_total_hits=true&filter_path=hits.hits._id&pretty", "", "x-tenant", "acme")
		rec := onlyRequest(mock)
		Expect(rec.RawPath).To(Equal("/osproxy-shared/_search"))
		q, err := url.ParseQuery(rec.RawQuery)
		Expect(err).NotTo(HaveOccurred())
		Expect(q).To(Equal(url.Values{"routing": {"acme"}, "filter_path": {"hits.hits._id"}, "pretty": {""}}))
		body := decode(rec.BodyPrefix)
		Expect(body).To(And(HaveKeyWithValue("size", BeNumerically("==", 2)), HaveKeyWithValue("from", BeNumerically("==", 1)),
			HaveKeyWithValue("track_total_hits", true)))
		for _, q := range []string{"df=msg", "size=1&analyzer=standard", "source=%7B%7D", "routing=globex",
			"search_pipeline=p", "scroll=forever", "search_type=dfs_query_then_fetch", "%72outing=x", "%64f=msg"} {
			expectError(send("GET", base+"/orders/_search?"+q, "", "x-tenant", "acme"), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(HaveLen(1))
	})

	It("SRCH-8: relays the status and every byte outside the hits", Label("rule:SRCH-8", "upstream:mock"), func() {
		upstream := "{\n  \"took\" : 5,\n  \"timed_out\" : false,\n  \"_shards\" : {\"total\":2},\n  \"hits\" : {\n    \"total\" : {\"value\":1,\"relation\":\"eq\"},\n" +
			"    \"max_score\" : 1.5,\n    \"hits\" : [ {\"_index\":\"osproxy-shared\",\"_id\":\"acme:orders:1\",\"_score\":1.5} ]\n  },\n" +
			"  \"aggregations\" : {\"hits\":{\"hits\":[{\"_id\":\"acme:orders:9\"}]}}\n}\n"
		mock.Handle("", "/*", mockupstream.Canned(201, http.Header{"Content-Type": {"application/json; charset=UTF-8"}, "X-Custom": {"kept"}}, []byte(upstream)))
		r := send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(201))
		Expect(r.Header.Get("X-Custom")).To(Equal("kept"))
		Expect(string(r.Body)).To(Equal(strings.Replace(upstream, `{"_index":"osproxy-shared","_id":"acme:orders:1","_score":1.5}`,
			`{"_index":"orders","_id":"1","_score":1.5}`, 1)))
	})

	It("SRCH-9: shapes every hit to the logical view", Label("rule:SRCH-9", "upstream:mock"), func() {
		hit := `{"_index":"osproxy-shared","_id":"acme:orders:7","_score":1,"_routing":"acme",
		  "_source":{"_tenant":"acme","_logical_index":"orders","msg":"hi","deep":{"_tenant":"client data"}},
		  "fields":{"_tenant":["acme"],"_tenant.keyword":["acme"],"_logical_index":["orders"],"msg":["hi"]},
		  "highlight":{"_tenant":["<em>acme</em>"],"msg":["<em>hi</em>"]},"sort":[1],
		  "inner_hits":{"c":{"hits":{"total":{"value":1},"hits":[{"_index":"osproxy-shared","_id":"acme:orders:8","_routing":"acme","_source":{"_tenant":"acme","x":1}}]}}}}`
		mock.Handle("", "/*", mockupstream.SearchEnvelope([]string{hit, `{"_index":"osproxy-shared","_id":"acme:orders:a\"b"}`}, 0))
		r := send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		hits := dig(r.JSON(), "hits", "hits")
		Expect(json.Marshal(hits)).To(MatchJSON(`[{"_index":"orders","_id":"7","_score":1,
		  "_source":{"msg":"hi","deep":{"_tenant":"client data"}},"fields":{"msg":["hi"]},"highlight":{"msg":["<em>hi</em>"]},"sort":[1],
		  "inner_hits":{"c":{"hits":{"total":{"value":1},"hits":[{"_index":"orders","_id":"8","_source":{"x":1}}]}}}},
		  {"_index":"orders","_id":"a\"b"}]`))
	})

	It("SRCH-10: relays an upstream error without naming the physical index", Label("rule:SRCH-10", "upstream:mock"), func() {
		mock.Handle("", "/*", mockupstream.JSON(400, `{"error":{"root_cause":[{"type":"query_shard_exception","reason":"failed to create query","index":"osproxy-shared"}],"type":"search_phase_execution_exception","reason":"all shards failed","failed_shards":[{"index":"osproxy-shared","shard":0}]},"status":400}`))
		r := send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(400))
		Expect(string(r.Body)).NotTo(ContainSubstring("osproxy-shared"))
		Expect(string(r.Body)).To(Equal(`{"error":{"root_cause":[{"type":"query_shard_exception","reason":"failed to create query","index":"orders"}],"type":"search_phase_execution_exception","reason":"all shards failed","failed_shards":[{"index":"orders","shard":0}]},"status":400}`))
		mock.Handle("", "/*", mockupstream.JSON(503, `{"error":{"type":"unavailable_shards_exception","reason":"[osproxy-shared][0] primary shard is not active"},"status":503}`))
		r = send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(503))
		Expect(string(r.Body)).To(Equal(`{"error":{"type":"unavailable_shards_exception","reason":"[orders][0] primary shard is not active"},"status":503}`))
	})
})

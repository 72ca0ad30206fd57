package conformance_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// lines joins NDJSON lines, each with its newline.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

var ndjsonType = []string{"Content-Type", "application/x-ndjson"}

// A multi-search, item by item (READ-13..16): what reaches the upstream, on the mock and,
// behind a recording proxy, on a real cluster.
var _ = Describe("14 reads: multi-search", Label("profile:tenancy-reads"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	nd := ndjsonType
	BeforeEach(func() {
		mock = searchUpstream()
		base = readsProxy(mock)
	})
	// sentLines returns the upstream body's lines for one multi-search the proxy forwarded.
	sentLines := func(target, body string, headers ...string) []string {
		mock.Reset()
		r := asAcme("POST", base+target, body, headers...)
		ExpectWithOffset(1, mock.Requests()).To(HaveLen(1), "%d %s", r.Status, r.Body)
		rec := onlyRequest(mock)
		ExpectWithOffset(1, rec.Method+" "+rec.RawPath).To(Equal("POST /_msearch"))
		return strings.Split(strings.TrimSuffix(string(rec.BodyPrefix), "\n"), "\n")
	}

	It("READ-13: frames the body strictly and refuses a malformed frame before any upstream call", Label("rule:READ-13"), func() {
		for _, body := range []string{
			"{}\n\n{\"size\":1}\n",   // a blank line
			"{}\n{\"size\":1}\n{}\n", // a header without its body
			"{}\n{\"size\":1}",       // no final newline
			"{}\n{\"size\":1\n",      // a body that is not JSON
			"[]\n{}\n",               // a header that is not an object
			"\n",                     // only a blank line
		} {
			expectError(asAcme("POST", base+"/orders/_msearch", body, nd...), 400, "malformed_body")
		}
		expectError(asAcme("POST", base+"/orders/_msearch", "", nd...), 400, "malformed_body")
		expectError(asAcme("POST", base+"/orders/_msearch", lines(`{}`, `{}`), "Content-Type", "application/yaml"), 415, "unsupported_media_type")
		Expect(mock.Requests()).To(BeEmpty())
		Expect(sentLines("/orders/_msearch", "{}\r\n{}\r\n", "Content-Type", "application/json")).To(HaveLen(2))
	})

	It("READ-14: reads each header's indices, else the path's, else all of the tenant's", Label("rule:READ-14"), func() {
		got := sentLines("/orders/_msearch", lines(`{}`, `{}`, `{"index":"invoices"}`, `{}`, `{"indices":["orders","invoices"],"preference":"p1","request_cache":"true"}`, `{}`), nd...)
		Expect(got[1]).To(Equal(`{"query":` + wrappedIn(ordersTerm, matchAllQ) + `}`))
		Expect(got[3]).To(Equal(`{"query":` + wrappedIn(`{"term":{"_logical_index":"invoices"}}`, matchAllQ) + `}`))
		Expect(got[5]).To(Equal(`{"query":` + wrappedIn(twoIndexTerm, matchAllQ) + `}`))
		got = sentLines("/_msearch", lines(`{}`, `{}`, `{"index":"orders,invoices"}`, `{}`), nd...)
		Expect(got[1]).To(Equal(`{"query":` + wrappedIn("", matchAllQ) + `}`))
		Expect(got[3]).To(Equal(`{"query":` + wrappedIn(twoIndexTerm, matchAllQ) + `}`))
	})

	It("READ-15: sends one _msearch whose headers name the physical index routed by tenant and whose bodies are judged", Label("rule:READ-15"), func() {
		got := sentLines("/orders/_msearch?typed_keys=true&max_concurrent_searches=2.0", lines(
			`{"preference":"_local","allow_partial_search_results":"false","cancel_after_time_interval":"1s","request_cache":true}`,
			`{"size":"3","query":{"match":{"m":{"query":"a","operator":"AND"}}}}`), nd...)
		Expect(got).To(Equal([]string{
			`{"index":"osproxy-shared","routing":"acme","preference":"_local","allow_partial_search_results":false,"cancel_after_time_interval":"1s","request_cache":true}`,
			`{"size":3,"query":` + wrappedIn(ordersTerm, `{"match":{"m":{"query":"a","operator":"and"}}}`) + `}`,
		}))
		Expect(onlyRequest(mock).RawQuery).To(Equal("typed_keys=true&max_concurrent_searches=2"))
	})

	It("READ-16: sends a search that matches nothing in place of a refused item, and nothing when all are refused", Label("rule:READ-16"), func() {
		sent := sentLines("/orders/_msearch", lines(`{}`, `{"size":1}`, `{"routing":"globex"}`, `{}`,
			`{"index":"osproxy-shared"}`, `{}`, `{}`, `{"query":{"term":{"_tenant":"globex"}}}`, `{}`, `{"size":2}`), nd...)
		Expect(sent).To(HaveLen(10))
		Expect(sent[0]).To(Equal(`{"index":"osproxy-shared","routing":"acme"}`))
		for _, i := range []int{3, 5, 7} {
			Expect(sent[i]).To(Equal(`{"size":0,"track_total_hits":false,"query":{"match_none":{}}}`), "item %d", i/2)
		}
		Expect(sent[9]).To(Equal(`{"size":2,"query":` + wrappedIn(ordersTerm, matchAllQ) + `}`))
		Expect(strings.Join(sent, "\n")).NotTo(ContainSubstring("globex"))
		mock.Reset()
		r := asAcme("POST", base+"/orders/_msearch", lines(`{"search_type":"dfs_query_then_fetch"}`, `{}`, `{}`, `{"suggest":{}}`), nd...)
		Expect(r.Status).To(Equal(200))
		Expect(r.JSON()["responses"]).To(HaveLen(2))
		Expect(mock.Requests()).To(BeEmpty())
	})

})

// A multi-search's answer, item by item, with answers the mock scripts (READ-16,
// READ-17); a real cluster's are in 14_reads_real_test.go.
var _ = Describe("14 reads: multi-search, scripted answers", Label("profile:tenancy-reads", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	nd := ndjsonType
	BeforeEach(func() {
		mock = startMock()
		base = readsProxy(mock)
	})

	It("READ-16: answers a refused item with its refusal in its place and serves the others", Label("rule:READ-16"), func() {
		five := strings.Repeat(searchPage(`"status":200`)+",", 5)
		mock.Handle("", "/*", mockupstream.JSON(200, `{"took":1,"responses":[`+strings.TrimSuffix(five, ",")+`]}`))
		r := asAcme("POST", base+"/orders/_msearch", lines(`{}`, `{"size":1}`, `{"routing":"globex"}`, `{}`,
			`{"index":"osproxy-shared"}`, `{}`, `{}`, `{"query":{"term":{"_tenant":"globex"}}}`, `{}`, `{"size":2}`), nd...)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		res := r.JSON()["responses"].([]any)
		Expect(res).To(HaveLen(5))
		for i, code := range map[int]string{1: "unsupported_query", 2: "invalid_index_name", 3: "unsupported_query"} {
			Expect(res[i]).To(HaveKeyWithValue("status", float64(400)))
			Expect(dig(res[i], "error", "type")).To(Equal(code))
			Expect(dig(res[i], "error", "root_cause")).To(HaveLen(1))
		}
		Expect(res[0]).To(HaveKeyWithValue("status", float64(200)))
	})

	It("READ-17: shapes each item of the answer for its own view", Label("rule:READ-17"), func() {
		mock.Handle("", "/*", mockupstream.JSON(200, `{"took":5,"responses":[`+
			searchPage(`"status":200`, physHit("acme", "orders", "1", `"n":1`))+`,`+
			searchPage(`"status":200`, physHit("acme", "invoices", "2", `"n":2`), physHit("acme", "orders", "3", `"n":3`))+`,`+
			`{"error":{"root_cause":[{"type":"q","reason":"bad [osproxy-shared][acme:users:9]","index":"osproxy-shared","index_uuid":"u"}],"type":"q","reason":"x"},"status":400}]}`))
		r := asAcme("POST", base+"/orders/_msearch", lines(`{}`, `{}`, `{"index":["invoices","orders"]}`, `{}`, `{"index":"users"}`, `{}`), nd...)
		Expect(r.Status).To(Equal(200))
		res := r.JSON()["responses"].([]any)
		Expect(dig(res[0], "hits", "hits")).To(Equal([]any{map[string]any{"_index": "orders", "_id": "1", "_score": 1.0, "_source": map[string]any{"n": 1.0}}}))
		two := dig(res[1], "hits", "hits").([]any)
		Expect(two[0]).To(And(HaveKeyWithValue("_index", "invoices"), HaveKeyWithValue("_id", "2"), Not(HaveKey("_routing"))))
		Expect(two[1]).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "3")))
		sameJSON(mustMarshal(res[2]), `{"error":{"root_cause":[{"type":"q","reason":"bad [users][9]","index":"users"}],"type":"q","reason":"x"},"status":400}`)
		Expect(string(r.Body)).NotTo(Or(ContainSubstring("osproxy-shared"), ContainSubstring("_tenant"), ContainSubstring("acme:")))
	})
})

package conformance_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The answers of the reads, shaped, from a real OpenSearch (READ-4, READ-10, READ-16,
// READ-17, READ-41, READ-43): what the mock shows with scripted answers, shown with the
// cluster's own.
var _ = Describe("14 reads: answers from a real OpenSearch", Label("profile:tenancy-reads", "upstream:opensearch"), func() {
	var f *readsFixture
	BeforeEach(func() { f = newReadsFixture() })

	It("READ-4: names each hit of several indices by its own id, and an error by the list", Label("rule:READ-4"), func() {
		r := asAcme("POST", f.base+"/invoices,orders/_search", `{"size":50,"sort":["n"],"docvalue_fields":["_id"],"query":{"range":{"n":{"gte":4}}}}`)
		Expect(pageNames(f, r)).To(Equal([]string{"orders:4", "orders:5", "invoices:1", "invoices:2"}))
		for _, h := range dig(r.JSON(), "hits", "hits").([]any) {
			Expect(dig(h, "fields", "_id")).To(Equal([]any{h.(map[string]any)["_id"]}))
		}
		e := asAcme("POST", f.base+"/invoices,orders/_search", `{"query":{"match":{"n":"not-a-number"}}}`)
		Expect(e.Status).To(Equal(400), "body: %s", e.Body)
		expectNoLeak(e, f.physical)
		Expect(string(e.Body)).To(ContainSubstring(`"index":"invoices,orders"`))
	})

	It("READ-10: relays a count with its _shards, and its error sanitized", Label("rule:READ-10"), func() {
		r := asAcme("POST", f.base+"/orders/_count", `{"query":{"range":{"n":{"lte":2}}}}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		Expect(r.JSON()).To(And(HaveKeyWithValue("count", BeNumerically("==", 2)), HaveKey("_shards")))
		e := asAcme("POST", f.base+"/orders/_count", `{"query":{"match":{"n":"not-a-number"}}}`)
		Expect(e.Status).To(Equal(400), "body: %s", e.Body)
		expectNoLeak(e, f.physical)
		Expect(string(e.Body)).To(ContainSubstring(`"index":"orders"`))
	})

	It("READ-16: answers a refused item in its place and the cluster the others", Label("rule:READ-16"), func() {
		body := lines(`{}`, `{"size":50}`, `{"routing":"globex"}`, `{}`, `{}`, `{"query":{"term":{"_tenant":"globex"}}}`,
			`{"index":"invoices"}`, `{"size":50}`)
		r := asAcme("POST", f.base+"/orders/_msearch", body, ndjsonType...)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, f.physical, body) // a refusal names the client's own member
		res := r.JSON()["responses"].([]any)
		Expect(res).To(HaveLen(4))
		Expect(dig(res[0], "hits", "hits")).To(HaveLen(5))
		Expect(dig(res[1], "error", "type")).To(Equal("unsupported_query"))
		Expect(dig(res[2], "error", "type")).To(Equal("unsupported_query"))
		Expect(dig(res[3], "hits", "hits")).To(HaveLen(2))
	})

	It("READ-17: shapes each item for its own view, hits and errors", Label("rule:READ-17"), func() {
		r := asAcme("POST", f.base+"/_msearch", lines(`{"index":"orders"}`, `{"size":1,"sort":["n"]}`, `{"index":"invoices,orders"}`,
			`{"size":50,"query":{"range":{"n":{"gte":5}}}}`, `{"index":"invoices"}`, `{"query":{"match":{"n":"not-a-number"}}}`), ndjsonType...)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, f.physical)
		res := r.JSON()["responses"].([]any)
		names := func(item any) []string {
			var out []string
			for _, h := range dig(item, "hits", "hits").([]any) {
				out = append(out, h.(map[string]any)["_index"].(string)+":"+h.(map[string]any)["_id"].(string))
			}
			return out
		}
		Expect(names(res[0])).To(Equal([]string{"orders:1"}))
		Expect(names(res[1])).To(ConsistOf("orders:5", "invoices:1", "invoices:2"))
		Expect(res[2]).To(HaveKeyWithValue("status", BeNumerically("==", 400)))
		Expect(mustMarshal(res[2])).To(ContainSubstring(`"index":"invoices"`))
	})

	It("READ-41: relays the cluster's health with cluster-wide figures only", Label("rule:READ-41"), func() {
		r := send("GET", f.base+"/_cluster/health?wait_for_status=yellow&timeout=30s&level=cluster", "")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, f.physical)
		Expect(r.JSON()).To(And(HaveKey("status"), HaveKey("number_of_nodes"), HaveKey("active_shards"), Not(HaveKey("indices"))))
		expectError(send("GET", f.base+"/_cluster/health?level=indices", ""), 400, "unsupported_parameter")
		expectError(send("GET", f.base+"/_cluster/health/"+f.physical, ""), 400, "unsupported_endpoint")
	})

	It("READ-43: relays the cluster's errors to every read sanitized for its view", Label("rule:READ-43"), func() {
		bad := `{"query":{"match":{"n":"not-a-number"}}}`
		for _, c := range [][3]string{{"POST", "/orders/_count", bad}, {"POST", "/orders/_delete_by_query", bad},
			{"POST", "/orders/_update_by_query", bad}, {"POST", "/orders/_search?scroll=1m", bad},
			{"POST", "/orders/_search/point_in_time", ``}} {
			r := asAcme(c[0], f.base+c[1], c[2])
			Expect(r.Status).To(Equal(400), "%s: %s", c[1], r.Body)
			expectNoLeak(r, f.physical)
			Expect(r.JSON()).To(HaveKey("error"))
		}
	})
})

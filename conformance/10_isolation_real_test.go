package conformance_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The isolation rules that a real cluster shows best: ids that work for the tenant,
// every surface shaped, documents of any size read back. Two tenants share the index;
// the victim's documents carry values and a field name found nowhere else.
var _ = Describe("10 isolation against a real OpenSearch", Label("profile:security", "upstream:opensearch"), func() {
	var physical, base string
	BeforeEach(func() {
		physical = newPhysicalIndex()
		for i := 1; i <= 5; i++ {
			storeDirect(physical, "acme", "orders", fmt.Sprintf("a%d", i), fmt.Sprintf(`"msg":"acme-doc","n":%d`, i))
		}
		storeDirect(physical, "globex", "orders", "a1", `"msg":"victim-canary-value","n":99,"victimsecretfield":"victim-canary-value"`)
		refresh(physical)
		base = realProxy(physical)
	})
	search := func(body string) map[string]any {
		r := send("POST", base+"/orders/_search", body, "x-tenant", "acme")
		ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, physical)
		return r.JSON()
	}
	ids := func(res map[string]any) []string {
		var out []string
		for _, h := range dig(res, "hits", "hits").([]any) {
			out = append(out, h.(map[string]any)["_id"].(string))
		}
		return out
	}

	It("ISO-9: lets a tenant use its own ids in ids, term, terms, sort and search_after", Label("rule:ISO-9"), func() {
		Expect(ids(search(`{"query":{"ids":{"values":["a1","a3","globex:orders:a1"]}},"sort":["n"]}`))).To(Equal([]string{"a1", "a3"}))
		Expect(ids(search(`{"query":{"term":{"_id":"a2"}}}`))).To(Equal([]string{"a2"}))
		Expect(ids(search(`{"query":{"terms":{"_id":["a4","a5"]}},"sort":["n"]}`))).To(Equal([]string{"a4", "a5"}))
		page := search(`{"sort":[{"_id":"desc"}],"size":2}`)
		Expect(ids(page)).To(Equal([]string{"a5", "a4"}))
		last := dig(page, "hits", "hits").([]any)[1].(map[string]any)["sort"]
		Expect(last).To(Equal([]any{"a4"}))
		next := search(`{"sort":[{"_id":"desc"}],"size":10,"search_after":["a4"]}`)
		Expect(ids(next)).To(Equal([]string{"a3", "a2", "a1"}))
	})

	It("ISO-10: lists no field name of another tenant through a pattern", Label("rule:ISO-10"), func() {
		for _, b := range []string{`{"docvalue_fields":["victim*"]}`, `{"query":{"multi_match":{"query":"x","fields":["*"]}}}`,
			`{"query":{"query_string":{"query":"v*:x"}}}`, `{"fields":[{"field":"*","format":"epoch_millis"}]}`} {
			r := send("POST", base+"/orders/_search", b, "x-tenant", "acme")
			expectError(r, 400, "unsupported_query")
			expectNoLeak(r, physical)
		}
		res := search(`{"fields":["*"],"_source":["v*","m*"],"highlight":{"fields":{"*":{}}},"query":{"match":{"msg":"acme-doc"}}}`)
		Expect(dig(res, "hits", "hits")).To(HaveLen(5))
	})

	It("ISO-14: shapes the _id of docvalue fields and the hits of top_hits as the tenant's own", Label("rule:ISO-14"), func() {
		res := search(`{"size":1,"sort":["n"],"docvalue_fields":["_id"],"aggs":{"t":{"terms":{"field":"n"},"aggs":{"top":{"top_hits":{"size":1,"docvalue_fields":["_id"]}}}}}}`)
		hit := dig(res, "hits", "hits").([]any)[0]
		Expect(dig(hit, "fields", "_id")).To(Equal([]any{"a1"}))
		for _, b := range dig(res, "aggregations", "t", "buckets").([]any) {
			top := dig(b, "top", "hits", "hits").([]any)[0].(map[string]any)
			Expect(top).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", MatchRegexp(`^a[1-5]$`)), Not(HaveKey("_routing"))))
			Expect(dig(top, "fields", "_id")).To(Equal([]any{top["_id"]}))
		}
	})

	It("ISO-16: relays OpenSearch's errors in the tenant's names", Label("rule:ISO-16"), func() {
		r := send("POST", base+"/orders/_search", `{"query":{"match":{"n":"not-a-number"}}}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(400))
		expectNoLeak(r, physical)
		Expect(string(r.Body)).To(ContainSubstring(`"index":"orders"`))
		r = send("PUT", base+"/orders/_create/a1", `{"msg":"again"}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(409))
		expectNoLeak(r, physical)
		Expect(string(r.Body)).To(ContainSubstring("[a1]"))
	})

	It("ISO-17: names the logical path in Location", Label("rule:ISO-17"), func() {
		r := send("PUT", base+"/orders/_doc/new%2Fone", `{"msg":"x"}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(201), "body: %s", r.Body)
		Expect(r.Header.Get("Location")).To(Equal("/orders/_doc/new%2Fone"))
		r = send("POST", base+"/orders/_doc", `{"msg":"x"}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(201))
		Expect(r.Header.Get("Location")).To(Equal("/orders/_doc/" + r.JSON()["_id"].(string)))
	})

	It("ISO-18: reads back whole a document larger than the relay buffers", Label("rule:ISO-18"), func() {
		big := strings.Repeat("0123456789abcdef", 3<<20/16)
		Expect(send("PUT", base+"/orders/_doc/big", `{"blob":"`+big+`","n":7}`, "x-tenant", "acme").Status).To(Equal(201))
		r := send("GET", base+"/orders/_doc/big", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		res := r.JSON()
		Expect(res).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "big"), Not(HaveKey("_routing"))))
		Expect(res["_source"]).To(Equal(map[string]any{"blob": big, "n": float64(7)}))
	})
})

var _ = Describe("10 isolation: the invariant against a real OpenSearch", Label("profile:security", "upstream:opensearch"), func() {
	var physical, base string
	victim := `{"_tenant":"globex","_logical_index":"orders","msg":"victim-canary-value","n":99,"victimsecretfield":"victim-canary-value"}`
	BeforeEach(func() {
		physical = newPhysicalIndex()
		storeDirect(physical, "acme", "orders", "a1", `"msg":"acme-doc","n":1`)
		storeDirect(physical, "globex", "orders", "a1", `"msg":"victim-canary-value","n":99,"victimsecretfield":"victim-canary-value"`)
		refresh(physical)
		base = realProxy(physical)
	})

	It("ISO-24: shows nothing of another tenant or of the layout, whatever the request", Label("rule:ISO-24"), func() {
		for _, rq := range [][3]string{
			{"POST", "/orders/_search", `{"query":{"match":{"msg":"victim-canary-value"}}}`},
			{"POST", "/orders/_search", `{"size":0,"aggs":{"m":{"terms":{"field":"msg.keyword","min_doc_count":"0"}}}}`},
			{"POST", "/orders/_search?q=victim", ``},
			{"GET", "/orders/_doc/globex:orders:a1", ``},
			{"GET", "/" + physical + "/_search", ``},
			{"GET", "/orders,*/_search", ``},
			{"POST", "/orders/_search", `{"query":{"ids":{"values":["globex:orders:a1"]}}}`},
			{"POST", "/orders/_search", `{"sort":["victimsecretfield.keyword"]}`},
		} {
			r := send(rq[0], base+rq[1], rq[2], "x-tenant", "acme")
			Expect(r.Status).To(BeElementOf(200, 400, 404), "%v: %s", rq, r.Body)
			expectNoLeak(r, physical, rq[1], rq[2])
		}
	})

	It("ISO-25: leaves another tenant's documents unchanged, whatever the request", Label("rule:ISO-25"), func() {
		for _, rq := range [][3]string{
			{"PUT", "/orders/_doc/a1", `{"msg":"overwritten"}`},
			{"PUT", "/orders/_doc/globex:orders:a1", `{"msg":"overwritten"}`},
			{"DELETE", "/orders/_doc/globex:orders:a1", ``},
			{"PUT", "/orders/_doc/a2?routing=globex", `{"msg":"overwritten"}`},
			{"POST", "/orders/_doc", `{"_tenant":"globex","msg":"overwritten"}`},
			{"POST", "/orders/_update/a1", `{"doc":{"msg":"overwritten"}}`},
			{"POST", "/orders/_delete_by_query", `{"query":{"match_all":{}}}`},
		} {
			r := send(rq[0], base+rq[1], rq[2], "x-tenant", "acme")
			expectNoLeak(r, physical, rq[1], rq[2])
		}
		stored := send("GET", fmt.Sprintf("%s/%s/_doc/globex:orders:a1?routing=globex", clusterURL(), physical), "")
		Expect(stored.Status).To(Equal(200))
		sameJSON(mustMarshal(dig(stored.JSON(), "_source")), victim)
	})
})

// expectNoLeak asserts a response shows nothing of the victim and nothing of the layout
// (ISO-24). What the attacker sent itself may come back (an id it chose, echoed).
func expectNoLeak(r response, physical string, sent ...string) {
	text := fmt.Sprint(r.Header) + string(r.Body)
	for _, s := range []string{physical, "victim-canary-value", "victimsecretfield", "globex", "_tenant", "_logical_index", "index_uuid"} {
		if strings.Contains(strings.Join(sent, " "), s) {
			continue
		}
		ExpectWithOffset(1, text).NotTo(ContainSubstring(s))
	}
}

package conformance_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Two tenants' documents in one physical index, written directly in the
// documented layout; then searched and read through the proxy.
var _ = Describe("09 against a real OpenSearch", Label("upstream:opensearch"), func() {
	var (
		physical string
		base     string
	)
	BeforeEach(func() {
		physical = newPhysicalIndex()
		for i := 1; i <= 3; i++ {
			storeDirect(physical, "acme", "orders", fmt.Sprint(i), fmt.Sprintf(`"msg":"acme-doc","n":%d,"color":"red"`, i))
		}
		for i := 1; i <= 4; i++ {
			storeDirect(physical, "globex", "orders", fmt.Sprint(i), fmt.Sprintf(`"msg":"globex-doc","n":%d,"color":"blue"`, 10+i))
		}
		storeDirect(physical, "acme", "users", "1", `"msg":"acme-user","n":100,"color":"green"`)
		refresh(physical)
		base = realProxy(physical)
	})

	search := func(tenant, body string) map[string]any {
		r := send("POST", base+"/orders/_search", body, "x-tenant", tenant)
		ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
		ExpectWithOffset(1, string(r.Body)).NotTo(ContainSubstring(physical))
		ExpectWithOffset(1, string(r.Body)).NotTo(ContainSubstring("_tenant"))
		ExpectWithOffset(1, string(r.Body)).NotTo(ContainSubstring("_logical_index"))
		if tenant != "globex" {
			ExpectWithOffset(1, string(r.Body)).NotTo(ContainSubstring("globex"))
		}
		return r.JSON()
	}
	hitsOf := func(res map[string]any) []map[string]any {
		var out []map[string]any
		for _, h := range dig(res, "hits", "hits").([]any) {
			out = append(out, h.(map[string]any))
		}
		return out
	}

	It("SRCH-11: returns only the tenant's documents of that index, with logical names, whatever the query", Label("rule:SRCH-11", "profile:isolation"), func() {
		for _, q := range []string{
			`{"query":{"match_all":{}},"size":50}`,
			`{"query":{"bool":{"should":[{"match_all":{}},{"match":{"msg":"globex-doc"}}]}},"size":50}`,
			`{"query":{"match":{"msg":"globex-doc"}},"size":50}`,
			`{"query":{"bool":{"must_not":[{"match":{"msg":"acme-doc"}}]}},"size":50}`,
			`{"query":{"ids":{"values":["globex:orders:1","acme:orders:1","1"]}},"size":50}`,
			`{"size":50}`,
		} {
			hits := hitsOf(search("acme", q))
			for _, h := range hits {
				Expect(h["_index"]).To(Equal("orders"))
				Expect(h["_id"]).To(BeElementOf("1", "2", "3"))
				Expect(h).NotTo(HaveKey("_routing"))
				Expect(h["_source"]).To(HaveKeyWithValue("msg", "acme-doc"), "query %s", q)
			}
		}
		Expect(hitsOf(search("acme", `{"size":50}`))).To(HaveLen(3))
		Expect(hitsOf(search("globex", `{"size":50}`))).To(HaveLen(4))
		Expect(hitsOf(search("initech", `{"size":50}`))).To(BeEmpty())
	})

	It("SRCH-11: counts hits.total and aggregations over the tenant's documents only", Label("rule:SRCH-11", "profile:isolation"), func() {
		res := search("acme", `{"size":0,"track_total_hits":true,"aggs":{"colors":{"terms":{"field":"color.keyword"}},"sum":{"sum":{"field":"n"}}}}`)
		Expect(dig(res, "hits", "total", "value")).To(BeNumerically("==", 3))
		Expect(dig(res, "aggregations", "sum", "value")).To(BeNumerically("==", 6))
		buckets := dig(res, "aggregations", "colors", "buckets").([]any)
		Expect(buckets).To(HaveLen(1))
		Expect(buckets[0]).To(HaveKeyWithValue("key", "red"))
	})

	It("SRCH-9: strips the reserved fields from every hit surface OpenSearch fills", Label("rule:SRCH-9", "profile:tenancy"), func() {
		res := search("acme", `{"size":50,"query":{"match":{"msg":"acme"}},"docvalue_fields":["n","_id"],
		  "fields":["*","_id"],"stored_fields":["*"],"_source":true,"highlight":{"fields":{"*":{}}},"sort":[{"n":"asc"}],
		  "version":true,"seq_no_primary_term":true,"aggs":{"top":{"top_hits":{"size":3,"fields":["*"],"highlight":{"fields":{"*":{}}}}}}}`)
		hits := hitsOf(res)
		Expect(hits).To(HaveLen(3))
		for i, h := range hits {
			Expect(h["_id"]).To(Equal(fmt.Sprint(i + 1)))
			Expect(h["fields"]).To(HaveKey("n"))
			Expect(dig(h, "fields", "_id")).To(Equal([]any{fmt.Sprint(i + 1)}))
		}
		for _, h := range dig(res, "aggregations", "top", "hits", "hits").([]any) {
			Expect(h).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", BeElementOf("1", "2", "3")), Not(HaveKey("_routing"))))
		}
	})

	It("SRCH-6: refuses a global aggregation that OpenSearch would answer over every tenant", Label("rule:SRCH-6", "profile:tenancy"), func() {
		expectError(send("POST", base+"/orders/_search", `{"size":0,"aggs":{"all":{"global":{},"aggs":{"c":{"value_count":{"field":"n"}}}}}}`, "x-tenant", "acme"), 400, "unsupported_query")
	})

	It("SRCH-10: relays an OpenSearch error naming the logical index where OpenSearch names the physical one", Label("rule:SRCH-10", "profile:tenancy"), func() {
		r := send("POST", base+"/orders/_search", `{"query":{"match":{"n":"not-a-number"}}}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(400), "body: %s", r.Body)
		Expect(string(r.Body)).To(ContainSubstring(`"index":"orders"`))
		Expect(string(r.Body)).NotTo(Or(ContainSubstring(physical), ContainSubstring("index_uuid")))
	})

	It("DOC-8: writes, reads and deletes a document in the documented layout without touching another tenant's", Label("rule:DOC-8", "profile:isolation"), func() {
		r := send("PUT", base+"/orders/_doc/1?refresh=true", `{"msg":"acme-rewrite"}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		Expect(r.JSON()).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "1"), HaveKeyWithValue("result", "updated")))

		stored := send("GET", fmt.Sprintf("%s/%s/_doc/acme:orders:1?routing=acme", clusterURL(), physical), "")
		Expect(stored.Status).To(Equal(200))
		sameJSON(mustMarshal(dig(stored.JSON(), "_source")), `{"_tenant":"acme","_logical_index":"orders","msg":"acme-rewrite"}`)
		victim := send("GET", fmt.Sprintf("%s/%s/_doc/globex:orders:1?routing=globex", clusterURL(), physical), "")
		Expect(dig(victim.JSON(), "_source", "msg")).To(Equal("globex-doc"))

		got := send("GET", base+"/orders/_doc/1", "", "x-tenant", "acme")
		Expect(got.Status).To(Equal(200))
		sameJSON(mustMarshal(got.JSON()["_source"]), `{"msg":"acme-rewrite"}`)
		Expect(got.JSON()).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "1"), Not(HaveKey("_routing"))))

		created := send("POST", base+"/orders/_doc?refresh=true", `{"msg":"auto"}`, "x-tenant", "acme")
		Expect(created.Status).To(Equal(201), "body: %s", created.Body)
		Expect(created.JSON()["_id"]).To(MatchRegexp(`^[A-Za-z0-9_-]{20}$`))

		dup := send("PUT", base+"/orders/_create/1", `{"msg":"again"}`, "x-tenant", "acme")
		Expect(dup.Status).To(Equal(409))
		Expect(string(dup.Body)).NotTo(Or(ContainSubstring(physical), ContainSubstring("acme:orders:")))

		Expect(send("DELETE", base+"/orders/_doc/1?refresh=true", "", "x-tenant", "acme").Status).To(Equal(200))
		missing := send("GET", base+"/orders/_doc/1", "", "x-tenant", "acme")
		Expect(missing.Status).To(Equal(404))
		sameJSON(missing.Body, `{"_index":"orders","_id":"1","found":false}`)
		Expect(send("HEAD", base+"/orders/_doc/1", "", "x-tenant", "acme").Status).To(Equal(404))
		Expect(send("HEAD", base+"/orders/_doc/2", "", "x-tenant", "acme").Status).To(Equal(200))
		Expect(send("GET", fmt.Sprintf("%s/%s/_doc/globex:orders:1?routing=globex", clusterURL(), physical), "").Status).To(Equal(200))
		Expect(send("DELETE", base+"/orders/_doc/4", "", "x-tenant", "acme").Status).To(Equal(404), "globex's 4 is not acme's")
		Expect(hitsOf(search("globex", `{"size":50}`))).To(HaveLen(4))
	})

	It("TEN-7: keeps logical indices of one tenant apart", Label("rule:TEN-7", "rule:TEN-8", "profile:tenancy"), func() {
		users := send("POST", base+"/users/_search", `{"size":50}`, "x-tenant", "acme")
		Expect(users.Status).To(Equal(200))
		hits := hitsOf(users.JSON())
		Expect(hits).To(HaveLen(1))
		Expect(hits[0]).To(And(HaveKeyWithValue("_index", "users"), HaveKeyWithValue("_id", "1")))
		Expect(strings.Contains(string(users.Body), "acme-doc")).To(BeFalse())
	})
})

func mustMarshal(v any) []byte {
	b, err := jsonMarshal(v)
	Expect(err).NotTo(HaveOccurred())
	return b
}

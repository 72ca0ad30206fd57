package conformance_test

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// readsFixture is a physical index holding two tenants' documents in two logical
// indices each, and a proxy in front of it. The victim's documents carry values and a
// field name found nowhere else.
type readsFixture struct {
	physical, base string
}

const victimCanary = "victim-canary-value"

func newReadsFixture() *readsFixture {
	f := &readsFixture{physical: newPhysicalIndex()}
	for i := 1; i <= 5; i++ {
		storeDirect(f.physical, "acme", "orders", fmt.Sprint(i), fmt.Sprintf(`"msg":"acme-doc","n":%d,"color":"red"`, i))
	}
	for i := 1; i <= 2; i++ {
		storeDirect(f.physical, "acme", "invoices", fmt.Sprint(i), fmt.Sprintf(`"msg":"acme-inv","n":%d,"color":"blue"`, 100+i))
	}
	for i := 1; i <= 3; i++ {
		storeDirect(f.physical, "globex", "orders", fmt.Sprint(i), fmt.Sprintf(`"msg":"%s","n":%d,"victimsecretfield":"%s"`, victimCanary, i, victimCanary))
	}
	storeDirect(f.physical, "globex", "invoices", "1", `"msg":"`+victimCanary+`","n":1`)
	refresh(f.physical)
	f.base = realProxy(f.physical)
	return f
}

// acmeIDs are acme's documents as index:id.
var acmeAll = []string{"invoices:1", "invoices:2", "orders:1", "orders:2", "orders:3", "orders:4", "orders:5"}

// hitNames checks every hit of a search answer is acme's, shaped, and returns them as
// index:id, sorted.
func hitNames(f *readsFixture, r response) []string {
	out := pageNames(f, r)
	sort.Strings(out)
	return out
}

// pageNames checks every hit of a search answer is acme's, shaped, and returns them as
// index:id, in the answer's order.
func pageNames(f *readsFixture, r response) []string {
	ExpectWithOffset(2, r.Status).To(Equal(200), "body: %s", r.Body)
	expectNoLeak(r, f.physical)
	var out []string
	for _, h := range dig(r.JSON(), "hits", "hits").([]any) {
		m := h.(map[string]any)
		ExpectWithOffset(2, m).NotTo(HaveKey("_routing"))
		ExpectWithOffset(2, m["_source"]).To(And(HaveKeyWithValue("msg", HavePrefix("acme-")), Not(HaveKey("_tenant")), Not(HaveKey("_logical_index"))))
		out = append(out, m["_index"].(string)+":"+m["_id"].(string))
	}
	return out
}

func countOf(r response) float64 {
	ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
	return r.JSON()["count"].(float64)
}

var _ = Describe("14 reads against a real OpenSearch", Label("profile:tenancy-reads", "upstream:opensearch"), func() {
	var f *readsFixture
	BeforeEach(func() { f = newReadsFixture() })

	It("READ-45: searches a list of logical indices, or all of them, naming each hit by its own index", Label("rule:READ-45"), func() {
		Expect(hitNames(f, asAcme("GET", f.base+"/orders,invoices/_search?size=50", ""))).To(Equal(acmeAll))
		Expect(hitNames(f, asAcme("GET", f.base+"/_search?size=50", ""))).To(Equal(acmeAll))
		Expect(hitNames(f, asAcme("POST", f.base+"/invoices,orders/_search", `{"size":50,"query":{"match":{"msg":"`+victimCanary+`"}}}`))).To(BeEmpty())
		Expect(hitNames(f, asAcme("GET", f.base+"/invoices/_search?size=50", ""))).To(Equal(acmeAll[:2]))
		r := send("GET", f.base+"/_search?size=50", "", "x-tenant", "globex")
		Expect(dig(r.JSON(), "hits", "total", "value")).To(BeNumerically("==", 4))
	})

	It("READ-46: folds q into the tenant's view, never in place of its filter", Label("rule:READ-46"), func() {
		Expect(hitNames(f, asAcme("GET", f.base+"/orders/_search?q=*&size=50", ""))).To(Equal(acmeAll[2:]))
		Expect(hitNames(f, asAcme("GET", f.base+"/_search?size=50&q="+url.QueryEscape("msg:"+victimCanary), ""))).To(BeEmpty())
		Expect(hitNames(f, asAcme("GET", f.base+"/_search?size=50&q=blue&df=color", ""))).To(Equal(acmeAll[:2]))
		Expect(hitNames(f, asAcme("GET", f.base+"/orders/_search?size=50&q=n:[2+TO+3]", ""))).To(Equal([]string{"orders:2", "orders:3"}))
		Expect(hitNames(f, asAcme("GET", f.base+"/orders/_search?size=50&q=NOT+msg:acme", ""))).To(BeEmpty())
	})

	It("READ-11: counts only the tenant's documents of the named indices", Label("rule:READ-11"), func() {
		Expect(countOf(asAcme("GET", f.base+"/orders/_count", ""))).To(BeNumerically("==", 5))
		Expect(countOf(asAcme("GET", f.base+"/orders,invoices/_count", ""))).To(BeNumerically("==", 7))
		Expect(countOf(asAcme("GET", f.base+"/_count", ""))).To(BeNumerically("==", 7))
		Expect(countOf(asAcme("POST", f.base+"/_count", `{"query":{"bool":{"must_not":[{"match":{"msg":"acme"}}]}}}`))).To(BeNumerically("==", 0))
		Expect(countOf(asAcme("GET", f.base+"/orders/_count?q="+url.QueryEscape(victimCanary), ""))).To(BeNumerically("==", 0))
		Expect(countOf(send("GET", f.base+"/_count", "", "x-tenant", "globex"))).To(BeNumerically("==", 4))
		Expect(countOf(send("GET", f.base+"/_count", "", "x-tenant", "initech"))).To(BeNumerically("==", 0))
	})

	It("READ-12: validates a judged query and shows no query", Label("rule:READ-12"), func() {
		r := asAcme("POST", f.base+"/orders/_validate/query", `{"query":{"match":{"msg":"x"}}}`)
		Expect(r.Status).To(Equal(200))
		Expect(r.JSON()).To(And(HaveKeyWithValue("valid", true), Not(HaveKey("explanations"))))
		r = asAcme("POST", f.base+"/orders,invoices/_validate/query", `{"query":{"match":{"n":"not-a-number"}}}`)
		Expect(r.Status).To(Equal(200))
		Expect(r.JSON()).To(And(HaveKeyWithValue("valid", false), Not(HaveKey("explanations"))))
		expectNoLeak(r, f.physical)
	})

	It("READ-18: answers each multi-search item with the tenant's documents of its own indices", Label("rule:READ-18"), func() {
		r := asAcme("POST", f.base+"/orders/_msearch", lines(`{}`, `{"size":50}`, `{"index":"invoices"}`, `{"size":50}`,
			`{"index":["orders","invoices"]}`, `{"size":50,"query":{"match":{"msg":"`+victimCanary+`"}}}`,
			`{}`, `{"query":{"match":{"n":"not-a-number"}}}`, `{"index":"orders"}`, `{"aggs":{"g":{"global":{}}}}`), "Content-Type", "application/x-ndjson")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, f.physical)
		res := r.JSON()["responses"].([]any)
		Expect(res).To(HaveLen(5))
		names := func(item any) []string {
			var out []string
			for _, h := range dig(item, "hits", "hits").([]any) {
				m := h.(map[string]any)
				out = append(out, m["_index"].(string)+":"+m["_id"].(string))
			}
			sort.Strings(out)
			return out
		}
		Expect(names(res[0])).To(Equal(acmeAll[2:]))
		Expect(names(res[1])).To(Equal(acmeAll[:2]))
		Expect(names(res[2])).To(BeEmpty())
		Expect(res[3]).To(HaveKeyWithValue("status", BeNumerically("==", 400)))
		Expect(fmt.Sprint(res[3])).To(ContainSubstring("orders"))
		Expect(dig(res[4], "error", "type")).To(Equal("unsupported_query"))
	})

	It("READ-22: deletes and updates by query only the tenant's documents", Label("rule:READ-22"), func() {
		r := asAcme("POST", f.base+"/orders,invoices/_delete_by_query?refresh=true", `{"query":{"range":{"n":{"lte":2}}}}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, f.physical)
		Expect(r.JSON()["deleted"]).To(BeNumerically("==", 2))
		Expect(hitNames(f, asAcme("GET", f.base+"/_search?size=50", ""))).To(Equal([]string{"invoices:1", "invoices:2", "orders:3", "orders:4", "orders:5"}))
		Expect(countOf(send("GET", f.base+"/_count", "", "x-tenant", "globex"))).To(BeNumerically("==", 4))
		r = asAcme("POST", f.base+"/orders/_update_by_query?refresh=true&conflicts=proceed", `{}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, f.physical)
		Expect(r.JSON()["updated"]).To(BeNumerically("==", 3))
		stored := send("GET", fmt.Sprintf("%s/%s/_doc/acme:orders:3?routing=acme", clusterURL(), f.physical), "")
		Expect(dig(stored.JSON(), "_source")).To(And(HaveKeyWithValue("_tenant", "acme"), HaveKeyWithValue("_logical_index", "orders")))
		victim := send("GET", fmt.Sprintf("%s/%s/_doc/globex:orders:1?routing=globex", clusterURL(), f.physical), "")
		Expect(dig(victim.JSON(), "_version")).To(BeNumerically("==", 1))
	})

	It("READ-47: acts on the tenant's documents only with source as the body and q on count and delete", Label("rule:READ-47"), func() {
		src := url.QueryEscape(`{"size":50,"query":{"match_all":{}}}`)
		Expect(hitNames(f, asAcme("GET", f.base+"/orders/_search?source_content_type=application/json&source="+src, ""))).To(Equal(acmeAll[2:]))
		Expect(countOf(asAcme("GET", f.base+"/_count?q=color:red", ""))).To(BeNumerically("==", 5))
		r := asAcme("POST", f.base+"/orders,invoices/_delete_by_query?refresh=true&q="+url.QueryEscape("msg:"+victimCanary), "")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		Expect(r.JSON()["deleted"]).To(BeNumerically("==", 0))
		r = asAcme("POST", f.base+"/orders/_delete_by_query?refresh=true&q=n:5", "")
		Expect(r.JSON()["deleted"]).To(BeNumerically("==", 1))
		Expect(countOf(send("GET", f.base+"/_count", "", "x-tenant", "globex"))).To(BeNumerically("==", 4))
		Expect(countOf(asAcme("GET", f.base+"/_count", ""))).To(BeNumerically("==", 6))
	})

	It("READ-49: keeps a client that follows the node answer talking to the proxy", Label("rule:READ-49"), func() {
		r := send("GET", f.base+"/_nodes/_all/http", "")
		Expect(r.Status).To(Equal(200))
		expectNoLeak(r, f.physical)
		nodes := r.JSON()["nodes"].(map[string]any)
		Expect(nodes).To(HaveLen(1))
		for _, n := range nodes {
			addr := dig(n, "http", "publish_address").(string)
			Expect(f.base).To(Equal("http://" + addr))
			Expect(n).To(HaveKeyWithValue("version", send("GET", clusterURL()+"/", "").JSON()["version"].(map[string]any)["number"]))
			Expect(hitNames(f, asAcme("GET", "http://"+addr+"/orders/_search?size=50", ""))).To(Equal(acmeAll[2:]))
		}
		health := send("GET", f.base+"/_cluster/health?wait_for_status=yellow&timeout=30s", "")
		Expect(health.Status).To(Equal(200))
		Expect(health.JSON()).To(And(HaveKey("status"), HaveKey("number_of_nodes"), Not(HaveKey("indices"))))
		expectNoLeak(health, f.physical)
	})

	It("READ-50: shapes every hit of every multi-search item, nested ones included", Label("rule:READ-50"), func() {
		body := `{"size":50,"query":{"match":{"msg":"acme"}},"highlight":{"fields":{"msg":{}}},"fields":["*"],` +
			`"aggs":{"c":{"terms":{"field":"color.keyword"},"aggs":{"top":{"top_hits":{"size":5,"fields":["*"]}}}}}}`
		collapse := `{"size":50,"collapse":{"field":"color.keyword","inner_hits":{"name":"same","size":5}}}`
		r := asAcme("POST", f.base+"/_msearch", lines(`{"index":"orders,invoices"}`, body, `{}`, collapse), "Content-Type", "application/json")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, f.physical)
		text := string(r.Body)
		Expect(text).NotTo(Or(ContainSubstring("acme:"), ContainSubstring(`"_routing"`)))
		res := r.JSON()["responses"].([]any)
		for _, b := range dig(res[0], "aggregations", "c", "buckets").([]any) {
			for _, h := range dig(b, "top", "hits", "hits").([]any) {
				m := h.(map[string]any)
				Expect(m["_index"]).To(Equal(map[string]string{"red": "orders", "blue": "invoices"}[b.(map[string]any)["key"].(string)]))
			}
		}
		for _, h := range dig(res[1], "hits", "hits").([]any) {
			for _, inner := range dig(h, "inner_hits", "same", "hits", "hits").([]any) {
				Expect(inner).To(HaveKeyWithValue("_index", BeElementOf("orders", "invoices")))
				Expect(inner.(map[string]any)["_id"]).NotTo(ContainSubstring(":"))
			}
		}
		Expect(strings.Count(text, `"status":200`)).To(Equal(2))
	})
})

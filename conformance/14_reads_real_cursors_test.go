package conformance_test

import (
	"fmt"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Cursors across pages, and the invariant over every read endpoint, against a real
// OpenSearch (READ-32..34, READ-48).
var _ = Describe("14 reads: cursors against a real OpenSearch", Label("profile:tenancy-reads", "upstream:opensearch"), func() {
	var f *readsFixture
	BeforeEach(func() { f = newReadsFixture() })
	// page reads one page's hits as index:id, checking it is acme's and shaped.
	page := func(r response) []string { return pageNames(f, r) }

	It("READ-32: scrolls the tenant's documents across pages, shaped, until they run out, then clears", Label("rule:READ-32"), func() {
		r := asAcme("POST", f.base+"/orders,invoices/_search?scroll=1m", `{"size":2,"sort":["n"]}`)
		var seen []string
		var pages int
		for got := page(r); len(got) > 0; got = page(r) {
			seen = append(seen, got...)
			pages++
			Expect(pages).To(BeNumerically("<=", 10))
			id := jsonField(r, "_scroll_id")
			expectOpaque(id, f.physical, "acme")
			r = asAcme("POST", f.base+"/_search/scroll", `{"scroll":"1m","scroll_id":"`+id+`"}`)
		}
		Expect(pages).To(Equal(4))
		Expect(seen).To(Equal([]string{"orders:1", "orders:2", "orders:3", "orders:4", "orders:5", "invoices:1", "invoices:2"}))
		id := jsonField(r, "_scroll_id")
		cleared := asAcme("DELETE", f.base+"/_search/scroll", `{"scroll_id":["`+id+`"]}`)
		Expect(cleared.Status).To(Equal(200), "body: %s", cleared.Body)
		Expect(cleared.JSON()).To(HaveKeyWithValue("succeeded", true))
		gone := asAcme("POST", f.base+"/_search/scroll", `{"scroll_id":"`+id+`"}`)
		Expect(gone.Status).To(Equal(404), "body: %s", gone.Body)
		expectNoLeak(gone, f.physical)
	})

	It("READ-33: pages through a point in time with search_after, then deletes it", Label("rule:READ-33"), func() {
		created := asAcme("POST", f.base+"/orders/_search/point_in_time?keep_alive=1m", "")
		Expect(created.Status).To(Equal(200), "body: %s", created.Body)
		expectNoLeak(created, f.physical)
		pit := jsonField(created, "pit_id")
		expectOpaque(pit, f.physical, "acme")
		var seen []string
		after := ""
		for i := 0; i < 5; i++ {
			body := `{"size":2,"pit":{"id":"` + pit + `","keep_alive":"1m"},"sort":[{"n":"asc"},{"_id":"asc"}]` + after + `}`
			r := asAcme("POST", f.base+"/_search", body)
			got := page(r)
			if len(got) == 0 {
				break
			}
			seen = append(seen, got...)
			hits := dig(r.JSON(), "hits", "hits").([]any)
			last := hits[len(hits)-1].(map[string]any)["sort"].([]any)
			Expect(last[1]).To(Equal(strings.TrimPrefix(got[len(got)-1], "orders:")), "sort values on _id are logical")
			after = fmt.Sprintf(`,"search_after":[%v,%q]`, last[0], last[1])
			pit = jsonField(r, "pit_id")
		}
		Expect(seen).To(Equal(acmeAll[2:]))
		del := asAcme("DELETE", f.base+"/_search/point_in_time", `{"pit_id":"`+pit+`"}`)
		Expect(del.Status).To(Equal(200), "body: %s", del.Body)
		sameJSON(del.Body, `{"pits":[{"successful":true,"pit_id":"`+pit+`"}]}`)
	})

	It("READ-34: refuses another tenant's cursors and leaves the owner's next page as it was", Label("rule:READ-34"), func() {
		r := asAcme("POST", f.base+"/orders/_search?scroll=1m", `{"size":2,"sort":["n"]}`)
		Expect(page(r)).To(Equal([]string{"orders:1", "orders:2"}))
		id := jsonField(r, "_scroll_id")
		pit := jsonField(asAcme("POST", f.base+"/orders/_search/point_in_time?keep_alive=1m", ""), "pit_id")
		for _, c := range [][3]string{{"POST", "/_search/scroll", `{"scroll_id":"` + id + `"}`}, {"GET", "/_search/scroll/" + id, ``},
			{"DELETE", "/_search/scroll", `{"scroll_id":"` + id + `"}`}, {"POST", "/_search", `{"pit":{"id":"` + pit + `"}}`},
			{"DELETE", "/_search/point_in_time", `{"pit_id":"` + pit + `"}`}} {
			g := send(c[0], f.base+c[1], c[2], "x-tenant", "globex")
			expectError(g, 400, "invalid_cursor")
			expectNoLeak(g, f.physical)
		}
		Expect(page(asAcme("POST", f.base+"/_search/scroll", `{"scroll_id":"`+id+`"}`))).To(Equal([]string{"orders:3", "orders:4"}))
		Expect(page(asAcme("POST", f.base+"/_search", `{"size":50,"pit":{"id":"`+pit+`"}}`))).To(HaveLen(5))
	})

	It("READ-48: shows nothing of another tenant or of the layout through any read, and changes nothing of it", Label("rule:READ-48"), func() {
		scroll := jsonField(asAcme("POST", f.base+"/orders/_search?scroll=1m", `{"size":1}`), "_scroll_id")
		pit := jsonField(asAcme("POST", f.base+"/orders/_search/point_in_time?keep_alive=1m", ""), "pit_id")
		nd := []string{"Content-Type", "application/x-ndjson"}
		for _, rq := range [][3]string{
			{"GET", "/orders,invoices/_search?q=" + victimCanary, ``},
			{"GET", "/_search?q=victimsecretfield:*", ``},
			{"GET", "/_search?q=_exists_:victimsecretfield", ``},
			{"GET", "/_count?q=" + victimCanary, ``},
			{"GET", "/orders," + f.physical + "/_search", ``},
			{"GET", "/orders,*/_count", ``},
			{"POST", "/_msearch", lines(`{"index":"`+f.physical+`"}`, `{}`, `{"index":"orders","routing":"globex"}`, `{}`, `{}`, `{"query":{"ids":{"values":["globex:orders:1"]}}}`)},
			{"POST", "/_search", `{"query":{"ids":{"values":["globex:orders:1"]}}}`},
			{"POST", "/_search/scroll", `{"scroll_id":"` + scroll + `x"}`},
			{"POST", "/_search", `{"size":50,"pit":{"id":"` + pit + `"},"query":{"match":{"msg":"` + victimCanary + `"}}}`},
			{"POST", "/_search", `{"size":50,"pit":{"id":"` + pit + `"},"aggs":{"t":{"terms":{"field":"msg.keyword"}}}}`},
			{"POST", "/orders/_validate/query?q=victimsecretfield:x", ``},
			{"GET", "/_field_caps?fields=*", ``},
			{"GET", "/_nodes", ``},
			{"GET", "/_cluster/health?level=indices", ``},
			{"GET", "/_search/point_in_time/_all", ``},
			{"POST", "/orders,invoices/_delete_by_query?refresh=true", `{"query":{"match":{"msg":"` + victimCanary + `"}}}`},
			{"POST", "/_update_by_query?refresh=true", `{"query":{"match_all":{}}}`},
			{"POST", "/orders/_update_by_query", `{"script":{"source":"ctx._source._tenant='acme'"}}`},
			{"DELETE", "/_search/scroll/_all", ``},
		} {
			var r response
			if strings.HasSuffix(rq[1], "_msearch") {
				r = asAcme(rq[0], f.base+rq[1], rq[2], nd...)
			} else {
				r = asAcme(rq[0], f.base+rq[1], rq[2])
			}
			Expect(r.Status).To(BeElementOf(200, 400, 404), "%v: %s", rq, r.Body)
			expectNoLeak(r, f.physical, rq[1], rq[2])
		}
		for _, id := range []string{"orders:1", "orders:2", "orders:3", "invoices:1"} {
			stored := send("GET", fmt.Sprintf("%s/%s/_doc/globex:%s?routing=globex", clusterURL(), f.physical, id), "")
			Expect(stored.Status).To(Equal(200), "globex %s", id)
			Expect(dig(stored.JSON(), "_version")).To(BeNumerically("==", 1), "globex %s unchanged", id)
			Expect(dig(stored.JSON(), "_source")).To(HaveKeyWithValue("_tenant", "globex"))
		}
		var left []string
		for _, h := range dig(send("GET", f.base+"/_search?size=50", "", "x-tenant", "globex").JSON(), "hits", "hits").([]any) {
			left = append(left, h.(map[string]any)["_id"].(string))
		}
		sort.Strings(left)
		Expect(left).To(Equal([]string{"1", "1", "2", "3"}))
	})
})

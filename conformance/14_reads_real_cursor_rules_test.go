package conformance_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The cursor rules one by one against a real OpenSearch (READ-23..31, READ-35): what the
// mock shows with scripted ids, shown with the cluster's own.
var _ = Describe("14 reads: cursor rules against a real OpenSearch", Label("profile:tenancy-reads", "upstream:opensearch"), func() {
	var f *readsFixture
	BeforeEach(func() { f = newReadsFixture() })
	scroll := func(base, target, body string) response {
		r := asAcme("POST", base+target, body)
		ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
		return r
	}
	pit := func(base, path string) string {
		r := asAcme("POST", base+path+"/_search/point_in_time?keep_alive=1m", "")
		ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
		return jsonField(r, "pit_id")
	}

	It("READ-23: hands out cursors that show neither the cluster's id nor the tenant nor the layout", Label("rule:READ-23"), func() {
		id := jsonField(scroll(f.base, "/orders/_search?scroll=1m", `{"size":1}`), "_scroll_id")
		p := pit(f.base, "/orders")
		for _, c := range []string{id, p} {
			expectOpaque(c, f.physical, "acme", "orders")
		}
		direct := send("POST", clusterURL()+"/_search/scroll", `{"scroll_id":"`+id+`"}`)
		Expect(direct.Status).To(BeNumerically(">=", 400), "the cluster does not know the proxy's cursor: %s", direct.Body)
	})

	It("READ-24: opens a scroll whose first page is shaped and whose id is sealed", Label("rule:READ-24"), func() {
		r := scroll(f.base, "/orders,invoices/_search?scroll=1m&size=3&sort=n", "")
		Expect(pageNames(f, r)).To(Equal([]string{"orders:1", "orders:2", "orders:3"}))
		Expect(jsonField(r, "_scroll_id")).NotTo(BeEmpty())
		expectError(asAcme("GET", f.base+"/orders/_search?scroll=soon", ""), 400, "unsupported_parameter")
	})

	It("READ-25: continues a scroll from the body, the path or the parameter", Label("rule:READ-25"), func() {
		r := scroll(f.base, "/orders/_search?scroll=1m", `{"size":1,"sort":["n"]}`)
		seen := pageNames(f, r)
		for _, form := range []string{"body", "path", "param"} {
			id := jsonField(r, "_scroll_id")
			switch form {
			case "body":
				r = asAcme("POST", f.base+"/_search/scroll", `{"scroll":"1m","scroll_id":"`+id+`"}`)
			case "path":
				r = asAcme("GET", f.base+"/_search/scroll/"+id+"?scroll=1m", "")
			case "param":
				r = asAcme("POST", f.base+"/_search/scroll?scroll=1m&scroll_id="+url.QueryEscape(id), "")
			}
			seen = append(seen, pageNames(f, r)...)
		}
		Expect(seen).To(Equal([]string{"orders:1", "orders:2", "orders:3", "orders:4"}))
	})

	It("READ-26: searches a point in time in the view it was created for, with no index", Label("rule:READ-26"), func() {
		p := pit(f.base, "/orders,invoices")
		r := asAcme("POST", f.base+"/_search", `{"size":50,"pit":{"id":"`+p+`","keep_alive":"1m"},"query":{"match_all":{}}}`)
		Expect(hitNames(f, r)).To(Equal(acmeAll))
		Expect(jsonField(r, "pit_id")).NotTo(BeEmpty())
		expectError(asAcme("POST", f.base+"/orders/_search", `{"pit":{"id":"`+p+`"}}`), 400, "unsupported_query")
	})

	It("READ-27: creates a point in time for the path's view and seals its id", Label("rule:READ-27"), func() {
		r := asAcme("POST", f.base+"/invoices/_search/point_in_time?keep_alive=1m", "")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectNoLeak(r, f.physical)
		Expect(r.JSON()).To(And(HaveKey("_shards"), HaveKey("pit_id")))
		s := asAcme("POST", f.base+"/_search", `{"size":50,"pit":{"id":"`+jsonField(r, "pit_id")+`"}}`)
		Expect(hitNames(f, s)).To(Equal(acmeAll[:2]))
		expectError(asAcme("POST", f.base+"/orders/_search/point_in_time?keep_alive=1m", `{"size":1}`), 400, "unsupported_query")
	})

	It("READ-28: clears several scrolls of the tenant at once", Label("rule:READ-28"), func() {
		a := jsonField(scroll(f.base, "/orders/_search?scroll=1m", `{"size":1}`), "_scroll_id")
		b := jsonField(scroll(f.base, "/invoices/_search?scroll=1m", `{"size":1}`), "_scroll_id")
		r := asAcme("DELETE", f.base+"/_search/scroll", `{"scroll_id":["`+a+`","`+b+`"]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		Expect(r.JSON()).To(And(HaveKeyWithValue("succeeded", true), HaveKeyWithValue("num_freed", BeNumerically(">=", 2))))
		for _, id := range []string{a, b} {
			Expect(asAcme("POST", f.base+"/_search/scroll", `{"scroll_id":"`+id+`"}`).Status).To(Equal(404))
		}
	})

	It("READ-29: deletes several points in time, answering with the ids the client gave", Label("rule:READ-29"), func() {
		a, b := pit(f.base, "/orders"), pit(f.base, "/invoices")
		r := asAcme("DELETE", f.base+"/_search/point_in_time", `{"pit_id":["`+a+`","`+b+`"]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		sameJSON(r.Body, `{"pits":[{"successful":true,"pit_id":"`+a+`"},{"successful":true,"pit_id":"`+b+`"}]}`)
	})

	It("READ-30: refuses a forged, cut or foreign cursor before the cluster sees it", Label("rule:READ-30"), func() {
		id := jsonField(scroll(f.base, "/orders/_search?scroll=1m", `{"size":1}`), "_scroll_id")
		p := pit(f.base, "/orders")
		altered := id[:10] + map[bool]string{true: "B", false: "A"}[id[10] == 'A'] + id[11:]
		for _, c := range []string{id[:len(id)-3], altered, strings.TrimLeft(id, id[:1]), p, "_all", "x"} {
			expectError(asAcme("POST", f.base+"/_search/scroll", `{"scroll_id":"`+c+`"}`), 400, "invalid_cursor")
		}
		expectError(send("POST", f.base+"/_search/scroll", `{"scroll_id":"`+id+`"}`, "x-tenant", "globex"), 400, "invalid_cursor")
		expectError(asAcme("POST", f.base+"/_search", `{"pit":{"id":"`+id+`"}}`), 400, "invalid_cursor")
		Expect(pageNames(f, asAcme("POST", f.base+"/_search/scroll", `{"scroll_id":"`+id+`"}`))).To(HaveLen(1))
	})

	It("READ-31: shapes every page of a scroll sorted on _id with logical sort values", Label("rule:READ-31"), func() {
		// Two pages: a scroll sorted on _id can end after its second page without an id
		// (the cluster's own behaviour), so the test asks for no third.
		first := scroll(f.base, "/orders/_search?scroll=1m", `{"size":3,"sort":[{"_id":"desc"}]}`)
		second := asAcme("POST", f.base+"/_search/scroll", `{"scroll_id":"`+jsonField(first, "_scroll_id")+`"}`)
		var sorts []any
		for _, r := range []response{first, second} {
			Expect(pageNames(f, r)).NotTo(BeEmpty())
			for _, h := range dig(r.JSON(), "hits", "hits").([]any) {
				sorts = append(sorts, h.(map[string]any)["sort"].([]any)[0])
			}
		}
		Expect(sorts).To(Equal([]any{"5", "4", "3", "2", "1"}))
	})

	It("READ-35: continues a cursor on another process with the same key, and only then", Label("rule:READ-35"), func() {
		keyed := func(key string) string {
			env := tenancyEnv(clusterURL())
			env["OSPROXY_INDEX"] = f.physical
			env["OSPROXY_CURSOR_AFFINITY_KEY"] = key
			return startProxy(env).URL
		}
		a, b, c := keyed(readsKey), keyed(readsKey), keyed(readsKey+"-other")
		id := jsonField(scroll(a, "/orders/_search?scroll=1m", `{"size":1,"sort":["n"]}`), "_scroll_id")
		Expect(pageNames(f, asAcme("POST", b+"/_search/scroll", `{"scroll_id":"`+id+`"}`))).To(Equal([]string{"orders:2"}))
		expectError(asAcme("POST", c+"/_search/scroll", `{"scroll_id":"`+id+`"}`), 400, "invalid_cursor")
		expectError(asAcme("POST", f.base+"/_search/scroll", `{"scroll_id":"`+id+`"}`), 400, "invalid_cursor")
	})
})

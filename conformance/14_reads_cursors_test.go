package conformance_test

import (
	"encoding/base64"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// Scroll and point-in-time cursors (READ-23..31, READ-35), seen from the mock: what
// the client holds is sealed, and what reaches the cluster is the cluster's own id.
var _ = Describe("14 reads: cursors", Label("profile:tenancy-reads", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	hit := physHit("acme", "orders", "1", `"n":1`)
	routes := func(m *mockupstream.Server) {
		m.Handle("POST", "/osproxy-shared/_search", mockupstream.JSON(200, searchPage(`"_scroll_id":"RAWSCROLL1"`, hit)))
		m.Handle("POST", "/_search/scroll", mockupstream.JSON(200, searchPage(`"_scroll_id":"RAWSCROLL2"`, physHit("acme", "orders", "2", `"n":2`))))
		m.Handle("DELETE", "/_search/scroll", mockupstream.JSON(200, `{"succeeded":true,"num_freed":2}`))
		m.Handle("POST", "/osproxy-shared/_search/point_in_time", mockupstream.JSON(200,
			`{"pit_id":"RAWPIT1","_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"creation_time":1}`))
		m.Handle("POST", "/_search", mockupstream.JSON(200, searchPage(`"pit_id":"RAWPIT2"`, hit)))
		m.Handle("DELETE", "/_search/point_in_time", mockupstream.JSON(200, `{"pits":[{"successful":true,"pit_id":"RAWPIT1-as-the-cluster-says"}]}`))
	}
	BeforeEach(func() {
		mock = startMock()
		routes(mock)
		base = readsProxy(mock)
	})
	// openAs opens a scroll as tenant and returns its sealed id; open does it as acme.
	openAs := func(base, tenant string) string {
		r := send("POST", base+"/orders/_search?scroll=1m", `{"size":1}`, "x-tenant", tenant)
		ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
		return jsonField(r, "_scroll_id")
	}
	open := func(base string) string { return openAs(base, "acme") }
	createPIT := func(base, path string) string {
		r := asAcme("POST", base+path+"/_search/point_in_time?keep_alive=1m", "")
		ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
		return jsonField(r, "pit_id")
	}

	It("READ-23: seals every cursor so that it shows neither the cluster's id nor the tenant nor the layout", Label("rule:READ-23"), func() {
		a, b := open(base), open(base)
		expectOpaque(a, "RAWSCROLL1", "acme", "osproxy-shared", "orders")
		Expect(a).NotTo(Equal(b), "each envelope has its own nonce")
		r := asAcme("POST", base+"/_search/scroll", `{"scroll_id":"`+a+`"}`)
		Expect(r.Status).To(Equal(200))
		expectOpaque(jsonField(r, "_scroll_id"), "RAWSCROLL2", "acme")
		pit := createPIT(base, "/orders")
		expectOpaque(pit, "RAWPIT1", "acme", "osproxy-shared", "orders")
		r = asAcme("POST", base+"/_search", `{"pit":{"id":"`+pit+`"}}`)
		expectOpaque(jsonField(r, "pit_id"), "RAWPIT2", "acme")
	})

	It("READ-24: opens a scroll with the judged parameter and seals the page's scroll id", Label("rule:READ-24"), func() {
		r := asAcme("GET", base+"/orders,invoices/_search?scroll=90s&size=1", "")
		Expect(r.Status).To(Equal(200))
		rec := onlyRequest(mock)
		q, _ := url.ParseQuery(rec.RawQuery)
		Expect(q).To(Equal(url.Values{"routing": {"acme"}, "scroll": {"90s"}}))
		Expect(rawMember(rec.BodyPrefix, "query")).To(Equal(wrappedIn(twoIndexTerm, matchAllQ)))
		Expect(r.JSON()).To(HaveKey("_scroll_id"))
		Expect(dig(r.JSON(), "hits", "hits")).To(Equal([]any{map[string]any{"_index": "orders", "_id": "1", "_score": 1.0, "_source": map[string]any{"n": 1.0}}}))
		expectError(asAcme("GET", base+"/orders/_search?scroll=1y", ""), 400, "unsupported_parameter")
	})

	It("READ-25: continues a scroll from the body, the path or the parameter with the cluster's id", Label("rule:READ-25"), func() {
		id := open(base)
		cases := []struct{ method, target, body, sent string }{
			{"POST", "/_search/scroll", `{"scroll":"2m","scroll_id":"` + id + `"}`, `{"scroll":"2m","scroll_id":"RAWSCROLL1"}`},
			{"GET", "/_search/scroll/" + id + "?scroll=1m", ``, `{"scroll_id":"RAWSCROLL1"}`},
			{"POST", "/_search/scroll?scroll_id=" + id, ``, `{"scroll_id":"RAWSCROLL1"}`},
			{"POST", "/_search/scroll?scroll_id=garbage", `{"scroll_id":["` + id + `"]}`, `{"scroll_id":"RAWSCROLL1"}`},
		}
		for _, c := range cases {
			mock.Reset()
			r := asAcme(c.method, base+c.target, c.body)
			Expect(r.Status).To(Equal(200), "%s %s: %s", c.method, c.target, r.Body)
			rec := onlyRequest(mock)
			Expect(rec.Method + " " + rec.RawPath).To(Equal("POST /_search/scroll"))
			Expect(string(rec.BodyPrefix)).To(Equal(c.sent))
			Expect(dig(r.JSON(), "hits", "hits")).To(Equal([]any{map[string]any{"_index": "orders", "_id": "2", "_score": 1.0, "_source": map[string]any{"n": 2.0}}}))
		}
		Expect(onlyRequest(mock).RawQuery).To(Equal(""))
		mock.Reset()
		expectError(asAcme("POST", base+"/_search/scroll", `{"scroll_id":["`+id+`","`+id+`"]}`), 400, "invalid_cursor")
		expectError(asAcme("POST", base+"/_search/scroll", `{}`), 400, "invalid_cursor")
		expectError(asAcme("POST", base+"/_search/scroll", `{"scroll_id":"`+id+`","size":1}`), 400, "unsupported_query")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-26: searches a point in time with no index, in the view it was created for, and seals its id", Label("rule:READ-26"), func() {
		pit := createPIT(base, "/orders,invoices")
		mock.Reset()
		r := asAcme("POST", base+"/_search?typed_keys=true", `{"size":2,"pit":{"id":"`+pit+`","keep_alive":"1m"},"query":{"term":{"s":"x"}},"sort":["n"]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		rec := onlyRequest(mock)
		Expect(rec.Method + " " + rec.RequestURI).To(Equal("POST /_search?typed_keys=true"))
		Expect(string(rec.BodyPrefix)).To(Equal(`{"size":2,"pit":{"id":"RAWPIT1","keep_alive":"1m"},"query":` +
			wrappedIn(twoIndexTerm, `{"term":{"s":"x"}}`) + `,"sort":["n"]}`))
		Expect(jsonField(r, "pit_id")).NotTo(Or(BeEmpty(), Equal("RAWPIT2")))
		mock.Reset()
		expectError(asAcme("POST", base+"/orders/_search", `{"pit":{"id":"`+pit+`"}}`), 400, "unsupported_query")
		expectError(asAcme("POST", base+"/_search", `{"pit":{"id":"`+pit+`"},"sort":["_id"]}`), 400, "unsupported_query")
		Expect(mock.Requests()).To(BeEmpty())
		one := createPIT(base, "/orders")
		mock.Reset()
		Expect(asAcme("POST", base+"/_search", `{"pit":{"id":"`+one+`"},"sort":[{"_id":"asc"}],"search_after":["7"]}`).Status).To(Equal(200))
		Expect(string(onlyRequest(mock).BodyPrefix)).To(HaveSuffix(`"search_after":["acme:orders:7"]}`))
	})

	It("READ-27: creates a point in time on the tenant's shards and seals its id for the path's view", Label("rule:READ-27"), func() {
		r := asAcme("POST", base+"/orders/_search/point_in_time?keep_alive=5m&preference=_local", "")
		Expect(r.Status).To(Equal(200))
		rec := onlyRequest(mock)
		Expect(rec.Method + " " + rec.RequestURI).To(Equal("POST /osproxy-shared/_search/point_in_time?routing=acme&keep_alive=5m&preference=_local"))
		Expect(r.JSON()).To(And(HaveKeyWithValue("_shards", HaveKeyWithValue("total", 1.0)), HaveKeyWithValue("creation_time", 1.0)))
		Expect(jsonField(r, "pit_id")).NotTo(Equal("RAWPIT1"))
		mock.Reset()
		expectError(asAcme("POST", base+"/orders/_search/point_in_time?keep_alive=1m", `{"query":{"match_all":{}}}`), 400, "unsupported_query")
		expectError(asAcme("GET", base+"/orders/_search/point_in_time?keep_alive=1m", ""), 400, "unsupported_endpoint")
		Expect(mock.Requests()).To(BeEmpty())
		Expect(asAcme("POST", base+"/orders/_search/point_in_time?keep_alive=1m", `{}`).Status).To(Equal(200))
	})

	It("READ-28: clears only scrolls that open for the tenant, every one before any is sent", Label("rule:READ-28"), func() {
		a, b := open(base), open(base)
		for _, c := range [][2]string{
			{"/_search/scroll", `{"scroll_id":["` + a + `","` + b + `"]}`},
			{"/_search/scroll/" + a + "," + b, ``},
			{"/_search/scroll?scroll_id=" + a + "," + b, ``},
		} {
			mock.Reset()
			r := asAcme("DELETE", base+c[0], c[1])
			Expect(r.Status).To(Equal(200), "body: %s", r.Body)
			sameJSON(r.Body, `{"succeeded":true,"num_freed":2}`)
			rec := onlyRequest(mock)
			Expect(rec.Method + " " + rec.RawPath).To(Equal("DELETE /_search/scroll"))
			Expect(string(rec.BodyPrefix)).To(Equal(`{"scroll_id":["RAWSCROLL1","RAWSCROLL1"]}`))
		}
		mock.Handle("DELETE", "/_search/scroll", mockupstream.JSON(404, `{"succeeded":true,"num_freed":0}`))
		r := asAcme("DELETE", base+"/_search/scroll", `{"scroll_id":"`+a+`"}`)
		Expect(r.Status).To(Equal(404))
		sameJSON(r.Body, `{"succeeded":true,"num_freed":0}`)
		mock.Reset()
		foreign := openAs(base, "globex")
		mock.Reset()
		expectError(asAcme("DELETE", base+"/_search/scroll", `{"scroll_id":["`+a+`","`+foreign+`"]}`), 400, "invalid_cursor")
		expectError(asAcme("DELETE", base+"/_search/scroll/_all", ``), 400, "invalid_cursor")
		expectError(asAcme("DELETE", base+"/_search/scroll", `{"scroll_id":"_all"}`), 400, "invalid_cursor")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-29: deletes points in time one by one and answers with the ids the client gave", Label("rule:READ-29"), func() {
		a, b := createPIT(base, "/orders"), createPIT(base, "/invoices")
		mock.Reset()
		r := asAcme("DELETE", base+"/_search/point_in_time", `{"pit_id":["`+a+`","`+b+`"]}`)
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"pits":[{"successful":true,"pit_id":"`+a+`"},{"successful":true,"pit_id":"`+b+`"}]}`)
		recs := mock.Requests()
		Expect(recs).To(HaveLen(2))
		for _, rec := range recs {
			Expect(rec.Method + " " + rec.RawPath).To(Equal("DELETE /_search/point_in_time"))
			Expect(string(rec.BodyPrefix)).To(Equal(`{"pit_id":["RAWPIT1"]}`))
		}
		mock.Reset()
		r = asAcme("DELETE", base+"/_search/point_in_time", `{"pit_id":"`+a+`"}`)
		sameJSON(r.Body, `{"pits":[{"successful":true,"pit_id":"`+a+`"}]}`)
		mock.Reset()
		scroll := open(base)
		mock.Reset()
		expectError(asAcme("DELETE", base+"/_search/point_in_time", `{"pit_id":["`+a+`","`+scroll+`"]}`), 400, "invalid_cursor")
		expectError(asAcme("DELETE", base+"/_search/point_in_time", `{}`), 400, "invalid_cursor")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-30: refuses a cursor that does not open, with one reason for every cause, before any upstream call", Label("rule:READ-30"), func() {
		id, pit := open(base), createPIT(base, "/orders")
		foreign := openAs(base, "globex")
		raw, err := base64.RawURLEncoding.DecodeString(id)
		Expect(err).NotTo(HaveOccurred())
		flipped := append([]byte(nil), raw...)
		flipped[len(flipped)/2] ^= 1
		bad := []string{foreign, id[:len(id)-4], id[:20], base64.RawURLEncoding.EncodeToString(flipped), pit, "RAWSCROLL1",
			"x" + id, id + "AA", "_all", strings.Repeat("A", 400)}
		mock.Reset()
		reasons := map[string]bool{}
		for _, c := range bad {
			r := asAcme("POST", base+"/_search/scroll", `{"scroll_id":"`+c+`"}`)
			expectError(r, 400, "invalid_cursor")
			if c != "_all" {
				reasons[dig(r.JSON(), "error", "reason").(string)] = true
			}
		}
		Expect(reasons).To(HaveLen(1), "the reason must not tell the causes apart")
		expectError(asAcme("POST", base+"/_search", `{"pit":{"id":"`+id+`"}}`), 400, "invalid_cursor")
		expectError(asAcme("POST", base+"/_search", `{"pit":{"id":"RAWPIT1"}}`), 400, "invalid_cursor")
		expectError(send("POST", base+"/_search", `{"pit":{"id":"`+pit+`"}}`, "x-tenant", "globex"), 400, "invalid_cursor")
		Expect(mock.Requests()).To(BeEmpty())
		other := readsProxy(mock, "OSPROXY_INDEX", "another-shared")
		expectError(asAcme("POST", other+"/_search/scroll", `{"scroll_id":"`+id+`"}`), 400, "invalid_cursor")
	})

	It("READ-31: shapes every page of a scroll with the view and the _id sort positions of the search that opened it", Label("rule:READ-31"), func() {
		sorted := func(id string) string {
			return strings.TrimSuffix(physHit("acme", "orders", id, `"n":1`), "}") + `,"sort":["acme:orders:` + id + `",5]}`
		}
		mock.Handle("POST", "/osproxy-shared/_search", mockupstream.JSON(200, searchPage(`"_scroll_id":"S1"`, sorted("1"))))
		mock.Handle("POST", "/_search/scroll", mockupstream.JSON(200, searchPage(`"_scroll_id":"S2"`, sorted("2"))))
		r := asAcme("POST", base+"/orders/_search?scroll=1m", `{"sort":[{"_id":"asc"},"n"]}`)
		Expect(dig(r.JSON(), "hits", "hits").([]any)[0]).To(HaveKeyWithValue("sort", []any{"1", 5.0}))
		for i := 0; i < 2; i++ {
			r = asAcme("POST", base+"/_search/scroll", `{"scroll_id":"`+jsonField(r, "_scroll_id")+`"}`)
			Expect(r.Status).To(Equal(200))
			Expect(dig(r.JSON(), "hits", "hits").([]any)[0]).To(And(HaveKeyWithValue("sort", []any{"2", 5.0}), HaveKeyWithValue("_id", "2"),
				HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_source", map[string]any{"n": 1.0})))
		}
	})

	It("READ-35: opens a cursor on another process with the same key, and only then", Label("rule:READ-35"), func() {
		a := readsProxy(mock, "OSPROXY_CURSOR_AFFINITY_KEY", readsKey)
		b := readsProxy(mock, "OSPROXY_CURSOR_AFFINITY_KEY", readsKey)
		c := readsProxy(mock, "OSPROXY_CURSOR_AFFINITY_KEY", readsKey+"-other")
		id, pit := open(a), createPIT(a, "/orders")
		mock.Reset()
		Expect(asAcme("POST", b+"/_search/scroll", `{"scroll_id":"`+id+`"}`).Status).To(Equal(200))
		Expect(asAcme("POST", b+"/_search", `{"pit":{"id":"`+pit+`"}}`).Status).To(Equal(200))
		Expect(mock.Requests()).To(HaveLen(2))
		mock.Reset()
		expectError(asAcme("POST", c+"/_search/scroll", `{"scroll_id":"`+id+`"}`), 400, "invalid_cursor")
		expectError(asAcme("POST", base+"/_search/scroll", `{"scroll_id":"`+id+`"}`), 400, "invalid_cursor")
		generated := open(base)
		expectError(asAcme("POST", readsProxy(mock)+"/_search/scroll", `{"scroll_id":"`+generated+`"}`), 400, "invalid_cursor")
	})
})

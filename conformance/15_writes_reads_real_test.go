package conformance_test

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"
)

// _update, _source and _mget on a real OpenSearch shared with globex, whose orders 1
// and 2 share their logical ids with acme's documents or stand where acme has none.
var _ = Describe("15 writes: _update and reads against a real OpenSearch", Label("profile:tenancy-writes", "upstream:opensearch"), func() {
	var physical, base string
	BeforeEach(func() {
		physical = newSharedIndex("")
		seedVictim(physical)
		storeDirect(physical, "acme", "orders", "1", `"msg":"acme-1","n":1,"tags":["a","b"]`)
		storeDirect(physical, "acme", "users", "7", `"msg":"acme-user","n":7`)
		refresh(physical)
		base = realProxy(physical)
	})
	as := func(method, target, body string) response {
		r := send(method, base+target, body, "x-tenant", "acme")
		expectNoLeak(r, physical)
		return r
	}

	It("WR-33: updates and upserts the tenant's own document in the layout, never another tenant's", Label("rule:WR-33", "rule:WR-22"), func() {
		r := as("POST", "/orders/_update/1?refresh=true", `{"doc":{"n":2,"extra":{"x":1}}}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectLayout(directDoc(physical, "acme", "orders", "1"), "acme", "orders", `{"msg":"acme-1","n":2,"tags":["a","b"],"extra":{"x":1}}`)
		r = as("POST", "/orders/_update/2", `{"doc":{"msg":"overwritten"}}`)
		Expect(r.Status).To(Equal(404), "globex's orders/2 is not acme's: %s", r.Body)
		r = as("POST", "/orders/_update/2?refresh=true", `{"doc":{"msg":"acme-2"},"upsert":{"msg":"acme-2-new","n":20}}`)
		Expect(r.Status).To(Equal(201), "body: %s", r.Body)
		expectLayout(directDoc(physical, "acme", "orders", "2"), "acme", "orders", `{"msg":"acme-2-new","n":20}`)
		r = as("POST", "/invoices/_update/1?refresh=true", `{"doc":{"msg":"acme-inv"},"doc_as_upsert":true}`)
		Expect(r.Status).To(Equal(201), "body: %s", r.Body)
		expectLayout(directDoc(physical, "acme", "invoices", "1"), "acme", "invoices", `{"msg":"acme-inv"}`)
		expectError(as("POST", "/orders/_update/1", `{"doc":{"_tenant":"globex"}}`), 400, "reserved_field")
		expectError(as("POST", "/orders/_update/1", `{"script":{"source":"ctx._source._tenant = 'globex'"}}`), 400, "unsupported_query")
		expectLayout(directDoc(physical, "acme", "orders", "1"), "acme", "orders", `{"msg":"acme-1","n":2,"tags":["a","b"],"extra":{"x":1}}`)
		expectVictimIntact(physical)
	})

	It("WR-35: answers an update in logical names with get._source free of the reserved fields", Label("rule:WR-35", "rule:WR-34"), func() {
		r := as("POST", "/orders/_update/1?_source=true&refresh=true&retry_on_conflict=2", `{"doc":{"n":3}}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		res := r.JSON()
		Expect(res).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal("orders"), "_id": Equal("1"), "result": Equal("updated"), "_version": Equal(2.0)}))
		Expect(dig(res, "get", "_source")).To(Equal(map[string]any{"msg": "acme-1", "n": 3.0, "tags": []any{"a", "b"}}))
		r = as("POST", "/orders/_update/1", `{"doc":{"n":3}}`)
		Expect(r.JSON()).To(HaveKeyWithValue("result", "noop"))
		r = as("POST", "/orders/_update/1?if_seq_no=0&if_primary_term=1", `{"doc":{"n":4}}`)
		Expect(r.Status).To(Equal(409), "body: %s", r.Body)
		Expect(dig(r.JSON(), "error", "reason")).To(HavePrefix("[1]: version conflict"))
		r = as("POST", "/orders/_update/9", `{"doc":{"n":4}}`)
		Expect(r.Status).To(Equal(404))
		Expect(dig(r.JSON(), "error")).To(MatchKeys(IgnoreExtras, Keys{"type": Equal("document_missing_exception"),
			"reason": Equal("[9]: document missing"), "index": Equal("orders")}))
	})

	It("WR-36: reads the tenant's source, and a missing or foreign document as 404", Label("rule:WR-36"), func() {
		r := as("GET", "/orders/_source/1", "")
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"msg":"acme-1","n":1,"tags":["a","b"]}`)
		r = as("GET", "/orders/_source/1?_source_includes=msg", "")
		sameJSON(r.Body, `{"msg":"acme-1"}`)
		for _, target := range []string{"/orders/_source/2", "/invoices/_source/1", "/orders/_source/9"} {
			r = as("GET", target, "")
			Expect(r.Status).To(Equal(404), "%s: %s", target, r.Body)
			Expect(dig(r.JSON(), "error", "reason")).NotTo(ContainSubstring("acme:"))
		}
		Expect(as("HEAD", "/orders/_source/1", "").Status).To(Equal(200))
		h := as("HEAD", "/orders/_source/2", "")
		Expect(h.Status).To(Equal(404))
		Expect(h.Body).To(BeEmpty())
	})

	It("WR-39: answers _mget in request order, shaped, with another tenant's documents found:false", Label("rule:WR-39", "rule:WR-37"), func() {
		r := as("POST", "/orders/_mget", `{"docs":[{"_id":"2"},{"_index":"users","_id":"7","_source":["n"]},{"_id":"1"},`+
			`{"_index":"invoices","_id":"1"},{"_index":"BAD","_id":"1"},{"_id":"1","_source":false}]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		var res struct{ Docs []json.RawMessage }
		Expect(json.Unmarshal(r.Body, &res)).To(Succeed())
		Expect(res.Docs).To(HaveLen(6))
		sameJSON(res.Docs[0], `{"_index":"orders","_id":"2","found":false}`)
		doc := func(i int) map[string]any {
			var d map[string]any
			ExpectWithOffset(1, json.Unmarshal(res.Docs[i], &d)).To(Succeed())
			return d
		}
		Expect(doc(1)).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal("users"), "_id": Equal("7"), "found": Equal(true),
			"_source": Equal(map[string]any{"n": 7.0})}))
		Expect(doc(1)).NotTo(HaveKey("_routing"))
		Expect(doc(2)["_source"]).To(Equal(map[string]any{"msg": "acme-1", "n": 1.0, "tags": []any{"a", "b"}}))
		sameJSON(res.Docs[3], `{"_index":"invoices","_id":"1","found":false}`)
		Expect(doc(4)["error"]).To(HaveKeyWithValue("type", "invalid_index_name"))
		d := doc(5)
		Expect(d).To(And(HaveKeyWithValue("found", true), Not(HaveKey("_source"))))
	})

	It("WR-38: reads ids in the path's logical index only", Label("rule:WR-38"), func() {
		r := as("POST", "/orders/_mget?_source_excludes=tags", `{"ids":["1","2",7]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		var res struct{ Docs []map[string]any }
		Expect(json.Unmarshal(r.Body, &res)).To(Succeed())
		Expect(res.Docs).To(HaveLen(3))
		Expect(res.Docs[0]).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal("orders"), "_id": Equal("1"), "found": Equal(true),
			"_source": Equal(map[string]any{"msg": "acme-1", "n": 1.0})}))
		Expect(res.Docs[1]).To(MatchKeys(IgnoreExtras, Keys{"_id": Equal("2"), "found": Equal(false)}))
		Expect(res.Docs[2]).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal("orders"), "_id": Equal("7"), "found": Equal(false)}))
		expectError(as("POST", "/_mget", `{"ids":["1"]}`), 400, "invalid_index_name")
	})
})

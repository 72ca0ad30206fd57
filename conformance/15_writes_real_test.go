package conformance_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"
)

// _bulk on a real OpenSearch shared with another tenant (globex): the items execute in
// the layout, the answer speaks logical names, and globex's documents are neither
// changed nor shown.
var _ = Describe("15 writes: _bulk against a real OpenSearch", Label("profile:tenancy-writes", "upstream:opensearch"), func() {
	var physical, base string
	BeforeEach(func() {
		physical = newSharedIndex("")
		seedVictim(physical)
		refresh(physical)
		base = realProxy(physical)
	})
	bulk := func(target, body string) response {
		r := bulkTo(base, target, body)
		expectNoLeak(r, physical)
		return r
	}

	It("WR-26: executes every kind of item and answers OpenSearch's results in logical names", Label("rule:WR-26", "rule:WR-25", "rule:WR-28"), func() {
		r := bulk("/orders/_bulk?refresh=true", nd(`{"index":{"_id":"1"}}`, `{"msg":"acme-1","n":1}`, `{"create":{"_id":"2"}}`, `{"msg":"acme-2"}`,
			`{"update":{"_index":"users","_id":"3"}}`, `{"doc":{"msg":"acme-3"},"doc_as_upsert":true}`, `{"delete":{"_id":"9"}}`,
			`{"index":{"_id":"1"}}`, `{"msg":"acme-1b","n":2}`, `{"update":{"_id":"2"}}`, `{"doc":{"n":5}}`, `{"delete":{"_id":"1"}}`))
		items := bulkItems(r)
		Expect(r.JSON()["errors"]).To(Equal(false))
		want := []struct {
			verb, index, id, result string
			status, version         float64
		}{{"index", "orders", "1", "created", 201, 1}, {"create", "orders", "2", "created", 201, 1}, {"update", "users", "3", "created", 201, 1},
			{"delete", "orders", "9", "not_found", 404, 1}, {"index", "orders", "1", "updated", 200, 2}, {"update", "orders", "2", "updated", 200, 2},
			{"delete", "orders", "1", "deleted", 200, 3}}
		Expect(items).To(HaveLen(len(want)))
		for i, w := range want {
			Expect(items[i]).To(HaveKey(w.verb), "item %d", i)
			Expect(items[i][w.verb]).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal(w.index), "_id": Equal(w.id), "result": Equal(w.result),
				"status": Equal(w.status), "_version": Equal(w.version), "_seq_no": BeNumerically(">=", 0), "_primary_term": BeNumerically(">=", 1)}),
				"item %d: %v", i, items[i])
		}
		Expect(directDoc(physical, "acme", "orders", "1").Found).To(BeFalse())
		expectLayout(directDoc(physical, "acme", "orders", "2"), "acme", "orders", `{"msg":"acme-2","n":5}`)
		expectLayout(directDoc(physical, "acme", "users", "3"), "acme", "users", `{"msg":"acme-3"}`)
		expectVictimIntact(physical)
	})

	It("WR-12: stores an item without an id under a new id that its result reports", Label("rule:WR-12"), func() {
		items := bulkItems(bulk("/orders/_bulk", nd(`{"index":{}}`, `{"msg":"a"}`, `{"create":{}}`, `{"msg":"b"}`)))
		for i, verb := range []string{"index", "create"} {
			id, _ := items[i][verb]["_id"].(string)
			Expect(id).To(MatchRegexp(`^[A-Za-z0-9_-]{20}$`))
			expectLayout(directDoc(physical, "acme", "orders", id), "acme", "orders", `{"msg":"`+string(rune('a'+i))+`"}`)
		}
	})

	It("WR-27: executes the other items when some are refused, and refuses without touching the other tenant", Label("rule:WR-27", "rule:WR-30"), func() {
		r := bulk("/orders/_bulk?refresh=true", nd(`{"index":{"_id":"1","routing":"globex"}}`, `{"msg":"overwritten"}`,
			`{"index":{"_id":"5"}}`, `{"msg":"acme-5"}`, `{"index":{"_id":"2"}}`, `{"_tenant":"globex","msg":"overwritten"}`,
			`{"delete":{"_index":"orders,invoices","_id":"1"}}`, `{"update":{"_id":"1"}}`, `{"script":"ctx._source.msg='overwritten'"}`))
		items := bulkItems(r)
		Expect(r.JSON()["errors"]).To(Equal(true))
		Expect(items).To(HaveLen(5))
		expectRefusedItem(items[0], "index", "orders", "1", 400, "unsupported_parameter")
		Expect(items[1]["index"]).To(MatchKeys(IgnoreExtras, Keys{"status": Equal(201.0), "_id": Equal("5")}))
		expectRefusedItem(items[2], "index", "orders", "2", 400, "reserved_field")
		expectRefusedItem(items[3], "delete", "orders,invoices", "1", 400, "invalid_index_name")
		expectRefusedItem(items[4], "update", "orders", "1", 400, "unsupported_query")
		Expect(searchIDs(base, "acme", "orders")).To(Equal([]string{"5"}))
		expectVictimIntact(physical)
		r = bulk("/orders/_bulk", nd(`{"delete":{"_id":"1","routing":"globex"}}`, `{"index":{"_index":"osproxy-shared"}}`, `{"a":1}`))
		Expect(bulkItems(r)).To(HaveLen(2))
		expectVictimIntact(physical)
	})

	It("WR-29: relays OpenSearch's item errors in logical names, and touches only the tenant's own documents", Label("rule:WR-29", "rule:WR-11"), func() {
		r := bulk("/orders/_bulk?refresh=true", nd(`{"create":{"_id":"7"}}`, `{"msg":"first"}`, `{"create":{"_id":"7"}}`, `{"msg":"again"}`,
			`{"index":{"_id":"8"}}`, `{"n":"not-a-number"}`, `{"update":{"_id":"1"}}`, `{"doc":{"msg":"overwritten"}}`,
			`{"delete":{"_id":"2"}}`, `{"index":{"_id":"2","if_seq_no":0,"if_primary_term":1}}`, `{"msg":"overwritten"}`))
		items := bulkItems(r)
		Expect(r.JSON()["errors"]).To(Equal(true))
		Expect(items).To(HaveLen(6))
		conflict := items[1]["create"]
		Expect(conflict).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal("orders"), "_id": Equal("7"), "status": Equal(409.0)}))
		Expect(conflict["error"]).To(MatchKeys(IgnoreExtras, Keys{"type": Equal("version_conflict_engine_exception"),
			"reason": HavePrefix("[7]: version conflict"), "index": Equal("orders")}))
		Expect(conflict["error"]).NotTo(HaveKey("index_uuid"))
		Expect(items[2]["index"]).To(MatchKeys(IgnoreExtras, Keys{"_id": Equal("8"), "status": Equal(400.0)}))
		Expect(items[2]["index"]["error"]).To(HaveKeyWithValue("type", "mapper_parsing_exception"))
		Expect(items[3]["update"]).To(MatchKeys(IgnoreExtras, Keys{"_id": Equal("1"), "status": Equal(404.0)}))
		Expect(items[3]["update"]["error"]).To(MatchKeys(IgnoreExtras, Keys{"type": Equal("document_missing_exception"),
			"reason": Equal("[1]: document missing"), "index": Equal("orders")}))
		Expect(items[4]["delete"]).To(MatchKeys(IgnoreExtras, Keys{"_id": Equal("2"), "status": Equal(404.0), "result": Equal("not_found")}))
		Expect(items[5]["index"]).To(MatchKeys(IgnoreExtras, Keys{"_id": Equal("2"), "status": Equal(409.0)}))
		expectVictimIntact(physical)
	})

	It("WR-6: executes nothing of a body refused whole, however much of it was forwarded", Label("rule:WR-6"), func() {
		for _, tail := range []string{nd(``, `{"delete":{"_id":"x"}}`), nd(`{"nope":{}}`), nd(`{"index":{"_id":"x"}}`), `{"delete":{"_id":"x"}}`} {
			expectError(bulk("/orders/_bulk?refresh=true", goodItems(20000)+tail), 400, "malformed_body")
		}
		Expect(directCount(physical, "acme", "orders")).To(Equal(0))
		expectVictimIntact(physical)
	})

	It("WR-31: makes the items visible at once with refresh, and answers with filter_path applied", Label("rule:WR-31", "rule:WR-32"), func() {
		physical = newSharedIndex(`"refresh_interval":"-1"`)
		base = realProxy(physical)
		Expect(bulkItems(bulk("/orders/_bulk", nd(`{"index":{"_id":"1"}}`, `{"msg":"a"}`)))).To(HaveLen(1))
		Expect(searchIDs(base, "acme", "orders")).To(BeEmpty(), "without refresh and with refresh_interval -1, nothing is visible yet")
		r := bulk("/orders/_bulk?refresh=true&filter_path=errors,items.*.result", nd(`{"index":{"_id":"2"}}`, `{"msg":"b"}`, `{"delete":{"_id":"3"}}`))
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"errors":false,"items":[{"index":{"result":"created"}},{"delete":{"result":"not_found"}}]}`)
		Expect(searchIDs(base, "acme", "orders")).To(Equal([]string{"1", "2"}))
	})

	It("WR-20: stores sources of every size with the reserved fields first and the client's values intact", Label("rule:WR-20", "rule:WR-8"), func() {
		var lines []string
		sizes := []int{1, 3000, 5000, 70000, 1 << 20}
		for i, size := range sizes {
			lines = append(lines, `{"index":{"_id":"s`+string(rune('0'+i))+`"}}`, `{"blob":"`+strings.Repeat("x", size)+`","n":`+string(rune('0'+i))+`}`)
		}
		items := bulkItems(bulk("/orders/_bulk", nd(lines...)))
		Expect(items).To(HaveLen(len(sizes)))
		for i, size := range sizes {
			Expect(items[i]["index"]).To(HaveKeyWithValue("status", 201.0), "item %d: %v", i, items[i])
			expectLayout(directDoc(physical, "acme", "orders", "s"+string(rune('0'+i))), "acme", "orders",
				`{"blob":"`+strings.Repeat("x", size)+`","n":`+string(rune('0'+i))+`}`)
		}
	})
})

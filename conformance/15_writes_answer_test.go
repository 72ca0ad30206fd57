package conformance_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/osproxy/osproxy/mockupstream"
)

// cannedBulk answers a _bulk with errors and the given items, as OpenSearch writes them.
func cannedBulk(errors bool, items ...string) mockupstream.Responder {
	e := "false"
	if errors {
		e = "true"
	}
	body := `{"took":30,"errors":` + e + `,"items":[`
	for i, it := range items {
		if i > 0 {
			body += ","
		}
		body += it
	}
	return mockupstream.JSON(200, body+"]}")
}

// The answer of a _bulk (WR-25..32), built from the mock's answer: OpenSearch's own
// results in logical names, the proxy's refusals in their places, errors exact.
var _ = Describe("15 writes: the _bulk answer", Label("profile:tenancy-writes", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock, base = writesMock()
	})
	// mixed is a body of five items, the first, third and fifth of which the proxy refuses.
	mixed := nd(`{"index":{"_index":"BAD"}}`, `{"a":0}`, `{"index":{"_id":"1"}}`, `{"a":1}`, `{"delete":{"_index":"users"}}`,
		`{"update":{"_index":"users","_id":"2"}}`, `{"doc":{"a":2}}`, `{"create":{"_id":"r","routing":"globex"}}`, `{"a":3}`)

	It("WR-25: answers one item per action, in input order, each {\"<action>\":{…}}", Label("rule:WR-25"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk", mixed+nd(`{"delete":{"_id":"3"}}`, `{"create":{"_index":"users","_id":"4"}}`, `{"a":4}`)))
		Expect(items).To(HaveLen(7))
		for i, verb := range []string{"index", "index", "delete", "update", "create", "delete", "create"} {
			Expect(items[i]).To(HaveLen(1), "item %d", i)
			Expect(items[i]).To(HaveKey(verb), "item %d", i)
		}
		var ids []any
		for i, it := range items {
			for _, res := range it {
				if i != 0 && i != 2 {
					ids = append(ids, res["_id"])
				}
			}
		}
		Expect(ids).To(Equal([]any{"1", "2", "r", "3", "4"}))
	})

	It("WR-26: carries OpenSearch's own status, result, version and sequence numbers, with logical index and id", Label("rule:WR-26"), func() {
		mock.Handle("POST", "/osproxy-shared/_bulk", cannedBulk(false,
			`{"index":{"_index":"osproxy-shared","_id":"acme:orders:1","_version":7,"result":"updated","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":42,"_primary_term":3,"status":200}}`,
			`{"delete":{"_index":"osproxy-shared","_id":"acme:users:2","_version":2,"result":"not_found","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":43,"_primary_term":3,"status":404}}`))
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"index":{"_id":"1"}}`, `{"a":1}`, `{"delete":{"_index":"users","_id":"2"}}`)))
		Expect(items).To(HaveLen(2))
		Expect(items[0]["index"]).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal("orders"), "_id": Equal("1"), "status": Equal(200.0),
			"result": Equal("updated"), "_version": Equal(7.0), "_seq_no": Equal(42.0), "_primary_term": Equal(3.0)}))
		Expect(items[1]["delete"]).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal("users"), "_id": Equal("2"), "status": Equal(404.0),
			"result": Equal("not_found"), "_version": Equal(2.0), "_seq_no": Equal(43.0), "_primary_term": Equal(3.0)}))
	})

	It("WR-27: puts each refused item in its place with the client's index and id, and executes the others", Label("rule:WR-27"), func() {
		mock.Handle("POST", "/osproxy-shared/_bulk", cannedBulk(false, okItem("index", "osproxy-shared", "acme:orders:1", 0),
			okItem("update", "osproxy-shared", "acme:users:2", 1)))
		r := bulkTo(base, "/orders/_bulk", mixed)
		items := bulkItems(r)
		Expect(items).To(HaveLen(5))
		expectSent(mock, sent{"index", phys("orders", "1"), injected("orders", `{"a":1}`)},
			sent{"update", phys("users", "2"), `{"doc":` + injected("users", `{"a":2}`) + `}`})
		sameJSON(mustMarshal(items[1]), okItem("index", "orders", "1", 0))
		sameJSON(mustMarshal(items[3]), okItem("update", "users", "2", 1))
		expectRefusedItem(items[0], "index", "BAD", nil, 400, "invalid_index_name")
		expectRefusedItem(items[4], "create", "orders", "r", 400, "unsupported_parameter")
		expectRefusedItem(items[2], "delete", "users", nil, 400, "invalid_document_id")
		// An id the client gave, even an empty one, comes back as given.
		items = bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"delete":{"_id":""}}`)))
		expectRefusedItem(items[0], "delete", "orders", "", 400, "invalid_document_id")
	})

	It("WR-28: says errors exactly when some item failed, at the proxy or upstream", Label("rule:WR-28"), func() {
		errorsOf := func(r response) any {
			bulkItems(r)
			return r.JSON()["errors"]
		}
		body := nd(`{"index":{"_id":"1"}}`, `{"a":1}`)
		Expect(errorsOf(bulkTo(base, "/orders/_bulk", body))).To(Equal(false))
		Expect(errorsOf(bulkTo(base, "/orders/_bulk", body+nd(`{"delete":{}}`)))).To(Equal(true))
		Expect(errorsOf(bulkTo(base, "/orders/_bulk", nd(`{"delete":{}}`)+body))).To(Equal(true))
		mock.Handle("POST", "/osproxy-shared/_bulk", cannedBulk(true, `{"index":{"_index":"osproxy-shared","_id":"acme:orders:1","status":409,`+
			`"error":{"type":"version_conflict_engine_exception","reason":"[acme:orders:1]: version conflict","index":"osproxy-shared","shard":"0"}}}`))
		Expect(errorsOf(bulkTo(base, "/orders/_bulk", body))).To(Equal(true))
	})

	It("WR-29: sanitizes an item's upstream error as ISO-16 says", Label("rule:WR-29"), func() {
		mock.Handle("POST", "/osproxy-shared/_bulk", cannedBulk(true,
			`{"create":{"_index":"osproxy-shared","_id":"acme:orders:1","status":409,"error":{"type":"version_conflict_engine_exception",`+
				`"reason":"[acme:orders:1]: version conflict, document already exists (current version [1])","index":"osproxy-shared","shard":"0","index_uuid":"Zq3"}}}`,
			`{"index":{"_index":"osproxy-shared","_id":"acme:orders:2","status":400,"error":{"type":"mapper_parsing_exception",`+
				`"reason":"failed to parse field [n] of type [long] in document with id 'acme:orders:2'","caused_by":{"type":"illegal_argument_exception",`+
				`"reason":"For input string in [osproxy-shared]"}}}}`,
			`{"index":{"_index":"osproxy-shared","_id":"acme:orders:3","status":400,"error":{"type":"illegal_argument_exception",`+
				`"reason":"field [_logical_index] of type [keyword] cannot hold [acme]","index":"osproxy-shared","index_uuid":"Zq3"}}}`))
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"create":{"_id":"1"}}`, `{"a":1}`, `{"index":{"_id":"2"}}`, `{"n":"x"}`,
			`{"index":{"_id":"3"}}`, `{"a":3}`)))
		Expect(items).To(HaveLen(3))
		sameJSON(mustMarshal(items[0]), `{"create":{"_index":"orders","_id":"1","status":409,"error":{"type":"version_conflict_engine_exception",`+
			`"reason":"[1]: version conflict, document already exists (current version [1])","index":"orders","shard":"0"}}}`)
		sameJSON(mustMarshal(items[1]), `{"index":{"_index":"orders","_id":"2","status":400,"error":{"type":"mapper_parsing_exception",`+
			`"reason":"failed to parse field [n] of type [long] in document with id '2'","caused_by":{"type":"illegal_argument_exception",`+
			`"reason":"For input string in [orders]"}}}}`)
		sameJSON(mustMarshal(items[2]), `{"index":{"_index":"orders","_id":"3","status":400,"error":{"type":"illegal_argument_exception",`+
			`"reason":"the query failed; the cluster's message named the proxy's layout and was withheld","index":"orders"}}}`)
	})

	It("WR-30: answers a bulk whose every item it refused without contacting the upstream", Label("rule:WR-30"), func() {
		r := bulkTo(base, "/orders/_bulk", nd(`{"index":{"_index":"BAD","_id":"1"}}`, `{"a":1}`, `{"delete":{}}`, `{"create":{"_id":"2"}}`, `{"_tenant":"x"}`))
		items := bulkItems(r)
		Expect(r.JSON()["errors"]).To(Equal(true))
		Expect(items).To(HaveLen(3))
		expectRefusedItem(items[0], "index", "BAD", "1", 400, "invalid_index_name")
		expectRefusedItem(items[1], "delete", "orders", nil, 400, "invalid_document_id")
		expectRefusedItem(items[2], "create", "orders", "2", 400, "reserved_field")
		Expect(bulkItems(bulkTo(base, "/_bulk", nd(`{"delete":{"_id":"1"}}`)))).To(HaveLen(1))
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("WR-31: accepts the listed parameters, forwards what the upstream executes, and refuses any other", Label("rule:WR-31"), func() {
		body := nd(`{"delete":{"_id":"1"}}`)
		r := bulkTo(base, "/orders/_bulk?refresh=wait_for&timeout=1m&wait_for_active_shards=1&require_alias=false&_source=true"+
			"&_source_includes=a&_source_excludes=b&filter_path=items&pretty&human=true&error_trace=true", body)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		q, err := url.ParseQuery(onlyRequest(mock).RawQuery)
		Expect(err).NotTo(HaveOccurred())
		for k, v := range map[string]string{"refresh": "wait_for", "timeout": "1m", "wait_for_active_shards": "1",
			"_source": "true", "_source_includes": "a", "_source_excludes": "b"} {
			Expect(q[k]).To(Equal([]string{v}), "parameter %s", k)
		}
		Expect(q["routing"]).To(BeElementOf([]string(nil), []string{"acme"}), "only the tenant routes")
		mock.Reset()
		for _, p := range []string{"routing=acme", "routing=globex", "op_type=create", "type=_doc", "q=x", "foo=1", "_source_include=a",
			"list_executed_pipelines=true", "batch_size=10", "index=users", "%72outing=globex"} {
			expectError(bulkTo(base, "/orders/_bulk?"+p, body), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("WR-32: applies filter_path to its own answer and never sends it upstream", Label("rule:WR-32"), func() {
		body := nd(`{"index":{"_id":"1"}}`, `{"a":1}`, `{"delete":{"_id":"2"}}`, `{"index":{"_index":"BAD","_id":"x"}}`, `{"a":0}`)
		for _, c := range []struct{ filter, want string }{
			{"items.*._id", `{"items":[{"index":{"_id":"1"}},{"delete":{"_id":"2"}},{"index":{"_id":"x"}}]}`},
			{"errors", `{"errors":true}`},
			// "**" walks into every object: _shards and error keep their place, emptied.
			{"**.status", `{"items":[{"index":{"_shards":{},"status":201}},{"delete":{"_shards":{},"status":200}},{"index":{"status":400,"error":{}}}]}`},
			{"items.index._id", `{"items":[{"index":{"_id":"1"}},{},{"index":{"_id":"x"}}]}`},
			{"errors,items.*.error.type", `{"errors":true,"items":[{"index":{}},{"delete":{}},{"index":{"error":{"type":"invalid_index_name"}}}]}`},
			{"nothing", `{}`},
		} {
			mock.Reset()
			r := bulkTo(base, "/orders/_bulk?filter_path="+url.QueryEscape(c.filter), body)
			Expect(r.Status).To(Equal(200), "filter %s: %s", c.filter, r.Body)
			sameJSON(r.Body, c.want)
			q, err := url.ParseQuery(onlyRequest(mock).RawQuery)
			Expect(err).NotTo(HaveOccurred())
			Expect(q).NotTo(HaveKey("filter_path"), "filter %s", c.filter)
		}
		mock.Reset()
		r := bulkTo(base, "/orders/_bulk?filter_path=items.*.status", nd(`{"delete":{}}`))
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"items":[{"delete":{"status":400}}]}`)
		for _, f := range []string{"-took", "items,-took", "-items.*._index"} {
			expectError(bulkTo(base, "/orders/_bulk?filter_path="+url.QueryEscape(f), body), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})
})

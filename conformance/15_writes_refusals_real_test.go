package conformance_test

import (
	"bytes"
	"compress/gzip"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"
)

// What the proxy refuses or forwards item by item, seen on a real OpenSearch: refused
// items change nothing, forwarded members keep OpenSearch's meaning, the other
// tenant's documents stay as stored.
var _ = Describe("15 writes: items refused and forwarded against a real OpenSearch", Label("profile:tenancy-writes", "upstream:opensearch"), func() {
	var physical, base string
	BeforeEach(func() {
		physical = newSharedIndex("")
		seedVictim(physical)
		refresh(physical)
		env := tenancyEnv(clusterURL())
		env["OSPROXY_INDEX"] = physical
		env["OSPROXY_MAX_BODY_BYTES"] = "65536"
		base = startProxy(env).URL
	})
	bulk := func(target, body string, headers ...string) []map[string]map[string]any {
		r := bulkTo(base, target, body, headers...)
		expectNoLeak(r, physical, body) // a refused item names its index and id as the client gave them (WR-27)
		return bulkItems(r)
	}

	It("WR-19: refuses sources, indices and routing that would reach the layout or another tenant, and stores the rest", Label("rule:WR-19", "rule:WR-10", "rule:WR-15", "rule:WR-21", "rule:WR-23"), func() {
		items := bulk("/orders/_bulk?refresh=true", nd(
			`{"index":{"_id":"1"}}`, `{"_tenant":"globex","msg":"overwritten"}`,
			`{"create":{"_id":"2"}}`, `{"_logical_index":"invoices","msg":"overwritten"}`,
			`{"index":{"_id":"3"}}`, `{"_tenant.x":"y"}`,
			`{"index":{"_index":"`+physical+`","_id":"globex:orders:1"}}`, `{"msg":"overwritten"}`,
			`{"index":{"_index":"orders,invoices","_id":"1"}}`, `{"msg":"overwritten"}`,
			`{"delete":{"_id":"1","routing":"globex"}}`,
			`{"update":{"_id":"2"}}`, `{"script":{"source":"ctx._source.msg = 'overwritten'"},"upsert":{}}`,
			`{"index":{"_id":"4"}}`, `["not","an","object"]`,
			`{"index":{"_id":"5"}}`, `{"msg":"kept","deep":{"_tenant":"mine"}}`))
		Expect(items).To(HaveLen(9))
		for i, code := range []string{"reserved_field", "reserved_field", "reserved_field", "invalid_index_name", "invalid_index_name",
			"unsupported_parameter", "unsupported_query", "malformed_body"} {
			for _, res := range items[i] {
				Expect(res["error"]).To(HaveKeyWithValue("type", code), "item %d: %v", i, items[i])
			}
		}
		Expect(searchIDs(base, "acme", "orders")).To(Equal([]string{"5"}))
		expectLayout(directDoc(physical, "acme", "orders", "5"), "acme", "orders", `{"msg":"kept","deep":{"_tenant":"mine"}}`)
		Expect(directCount(physical, "acme", "invoices")).To(Equal(0))
		expectVictimIntact(physical)
	})

	It("WR-16: forwards version and sequence-number members with OpenSearch's meaning", Label("rule:WR-16"), func() {
		items := bulk("/orders/_bulk?refresh=true", nd(`{"index":{"_id":"v","version":5,"version_type":"external"}}`, `{"msg":"v5"}`,
			`{"index":{"_id":"v","version":"3","version_type":"external"}}`, `{"msg":"v3"}`,
			`{"index":{"_id":"v","version":5,"version_type":"external_gte"}}`, `{"msg":"v5b"}`))
		Expect(items[0]["index"]).To(MatchKeys(IgnoreExtras, Keys{"status": Equal(201.0), "_version": Equal(5.0)}))
		Expect(items[1]["index"]).To(MatchKeys(IgnoreExtras, Keys{"status": Equal(409.0)}))
		Expect(items[2]["index"]).To(MatchKeys(IgnoreExtras, Keys{"status": Equal(200.0), "_version": Equal(5.0)}))
		seq, term := items[2]["index"]["_seq_no"], items[2]["index"]["_primary_term"]
		items = bulk("/orders/_bulk?refresh=true", nd(
			`{"update":{"_id":"v","if_seq_no":`+string(mustMarshal(seq))+`,"if_primary_term":`+string(mustMarshal(term))+`,"retry_on_conflict":0}}`, `{"doc":{"n":1}}`,
			`{"index":{"_id":"v","if_seq_no":`+string(mustMarshal(seq))+`,"if_primary_term":1}}`, `{"msg":"stale"}`,
			`{"update":{"_id":"v","_source":true}}`, `{"doc":{"n":2}}`))
		Expect(items[0]["update"]).To(MatchKeys(IgnoreExtras, Keys{"status": Equal(200.0), "result": Equal("updated")}))
		Expect(items[1]["index"]).To(MatchKeys(IgnoreExtras, Keys{"status": Equal(409.0)}))
		Expect(items[1]["index"]["error"]).To(HaveKeyWithValue("reason", HavePrefix("[v]: version conflict")))
		Expect(items[2]["update"]).To(MatchKeys(IgnoreExtras, Keys{"status": Equal(200.0)}))
		Expect(dig(items[2]["update"], "get", "_source")).To(Equal(map[string]any{"msg": "v5b", "n": 2.0}))
		expectLayout(directDoc(physical, "acme", "orders", "v"), "acme", "orders", `{"msg":"v5b","n":2}`)
		expectVictimIntact(physical)
	})

	It("WR-24: refuses a source line over max_body_bytes with 413 and stores the items around it", Label("rule:WR-24", "rule:WR-13"), func() {
		items := bulk("/orders/_bulk?refresh=true", nd(`{"index":{"_id":"a"}}`, `{"msg":"before"}`,
			`{"index":{"_id":"big"}}`, `{"blob":"`+strings.Repeat("b", 70000)+`"}`, `{"update":{}}`, `{"doc":{"msg":"x"}}`,
			`{"delete":{"_id":""}}`, `{"index":{"_id":"c"}}`, `{"msg":"after"}`))
		Expect(items).To(HaveLen(5))
		Expect(items[1]["index"]).To(MatchKeys(IgnoreExtras, Keys{"status": Equal(413.0), "_id": Equal("big")}))
		Expect(items[1]["index"]["error"]).To(HaveKeyWithValue("type", "request_too_large"))
		Expect(items[2]["update"]["error"]).To(HaveKeyWithValue("type", "invalid_document_id"))
		Expect(items[3]["delete"]["error"]).To(HaveKeyWithValue("type", "invalid_document_id"))
		Expect(searchIDs(base, "acme", "orders")).To(Equal([]string{"a", "c"}))
		expectVictimIntact(physical)
	})

	It("WR-7: stores the items of a gzip-encoded NDJSON body", Label("rule:WR-7"), func() {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write([]byte(nd(`{"index":{"_id":"z"}}`, `{"msg":"zipped"}`)))
		Expect(zw.Close()).To(Succeed())
		items := bulk("/orders/_bulk?refresh=true", gz.String(), "Content-Encoding", "gzip")
		Expect(items[0]["index"]).To(HaveKeyWithValue("status", 201.0))
		expectLayout(directDoc(physical, "acme", "orders", "z"), "acme", "orders", `{"msg":"zipped"}`)
		expectError(bulkTo(base, "/orders/_bulk", nd(`{"index":{"_id":"t"}}`, `{"msg":"x"}`), "Content-Type", "text/plain"), 415, "unsupported_media_type")
		Expect(directDoc(physical, "acme", "orders", "t").Found).To(BeFalse())
	})
})

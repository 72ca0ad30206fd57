package conformance_test

import (
	"net/url"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"
	"github.com/onsi/gomega/types"

	"github.com/osproxy/osproxy/mockupstream"
)

// whole matches a number as OpenSearch reads version and sequence numbers: the JSON
// integer n or the string of it.
func whole(n int) types.GomegaMatcher {
	return Or(Equal(float64(n)), Equal(strconv.Itoa(n)))
}

// The items of a _bulk (WR-10..18) as the mock receives them: physical ids, routing,
// forwarded members, and refused items left out.
var _ = Describe("15 writes: _bulk items", Label("profile:tenancy-writes", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock, base = writesMock()
	})

	It("WR-10: takes an item's logical index from its action, else the path, and refuses an invalid one", Label("rule:WR-10"), func() {
		bad := []string{"Orders", "orders,users", "*", "orders*", "_all", ".kibana", "osproxy-shared", "ord%65rs", "orders%2Cusers",
			"globex:orders", "", "-x", "orders/x", strings.Repeat("a", 201)}
		lines := []string{`{"index":{"_index":"users","_id":"1"}}`, `{"a":1}`}
		for i, name := range bad {
			lines = append(lines, `{"index":{"_index":`+jsonString(name)+`,"_id":"b`+strconv.Itoa(i)+`"}}`, `{"a":1}`)
		}
		lines = append(lines, `{"create":{"_id":"2"}}`, `{"a":2}`)
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(lines...)))
		Expect(items).To(HaveLen(len(bad) + 2))
		for i, name := range bad {
			expectRefusedItem(items[i+1], "index", name, "b"+strconv.Itoa(i), 400, "invalid_index_name")
		}
		expectSent(mock, sent{"index", phys("users", "1"), injected("users", `{"a":1}`)}, sent{"create", phys("orders", "2"), injected("orders", `{"a":2}`)})

		mock.Reset()
		items = bulkItems(bulkTo(base, "/_bulk", nd(`{"index":{"_id":"1"}}`, `{"a":1}`, `{"delete":{"_index":"users","_id":"2"}}`)))
		Expect(items[0]["index"]["error"]).To(HaveKeyWithValue("type", "invalid_index_name"))
		expectSent(mock, sent{verb: "delete", action: phys("users", "2")})

		mock.Reset()
		Expect(bulkItems(bulkTo(base, "/ord%65rs/_bulk", nd(`{"delete":{"_id":"1"}}`)))).To(HaveLen(1))
		expectSent(mock, sent{verb: "delete", action: phys("orders", "1")})
	})

	It("WR-10: refuses an item whose _index is not a JSON string", Label("rule:WR-10"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"delete":{"_index":5,"_id":"1"}}`, `{"delete":{"_index":true,"_id":"2"}}`,
			`{"delete":{"_index":["orders"],"_id":"3"}}`, `{"delete":{"_index":{"orders":1},"_id":"4"}}`, `{"delete":{"_id":"5"}}`)))
		Expect(items).To(HaveLen(5))
		for i := range 4 {
			Expect(items[i]["delete"]["error"]).To(HaveKeyWithValue("type", "invalid_index_name"), "item %d: %v", i, items[i])
		}
		expectSent(mock, sent{verb: "delete", action: phys("orders", "5")})
	})

	It("WR-11: sends an item's id, a string or a number's text, as the physical id routed by the tenant", Label("rule:WR-11"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"index":{"_id":42}}`, `{"a":1}`, `{"delete":{"_id":-7}}`,
			`{"index":{"_id":"a/b:c%2F?x=1#y"}}`, `{"a":2}`, `{"update":{"_id":"\u00e9t\u00e9 \ud83d\ude00"}}`, `{"doc":{"a":3}}`,
			`{"create":{"_id":"globex:orders:1"}}`, `{"a":4}`)))
		expectSent(mock,
			sent{"index", phys("orders", "42"), injected("orders", `{"a":1}`)},
			sent{verb: "delete", action: phys("orders", "-7")},
			sent{"index", phys("orders", "a/b:c%2F?x=1#y"), injected("orders", `{"a":2}`)},
			sent{"update", phys("orders", "été 😀"), `{"doc":` + injected("orders", `{"a":3}`) + `}`},
			sent{"create", phys("orders", "globex:orders:1"), injected("orders", `{"a":4}`)})
		var ids []any
		for _, it := range items {
			for _, res := range it {
				Expect(res).To(HaveKeyWithValue("_index", "orders"))
				ids = append(ids, res["_id"])
			}
		}
		Expect(ids).To(Equal([]any{"42", "-7", "a/b:c%2F?x=1#y", "été 😀", "globex:orders:1"}))
	})

	It("WR-12: gives an index or create item without an id a new random 20-character id, reported in its result", Label("rule:WR-12"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"index":{}}`, `{"a":1}`, `{"create":{"_index":"users"}}`, `{"a":2}`)))
		Expect(items).To(HaveLen(2))
		id1, id2 := items[0]["index"]["_id"], items[1]["create"]["_id"]
		Expect(id1).To(MatchRegexp(`^[A-Za-z0-9_-]{20}$`))
		Expect(id2).To(MatchRegexp(`^[A-Za-z0-9_-]{20}$`))
		Expect(id1).NotTo(Equal(id2))
		expectSent(mock, sent{"index", phys("orders", id1.(string)), injected("orders", `{"a":1}`)},
			sent{"create", phys("users", id2.(string)), injected("users", `{"a":2}`)})
	})

	It("WR-13: refuses an update or delete item without an id, or with an empty one", Label("rule:WR-13"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"update":{}}`, `{"doc":{"a":1}}`, `{"delete":{}}`,
			`{"update":{"_id":""}}`, `{"doc":{"a":1}}`, `{"delete":{"_id":""}}`, `{"delete":{"_id":"ok"}}`)))
		Expect(items).To(HaveLen(5))
		for i, verb := range []string{"update", "delete", "update", "delete"} {
			Expect(items[i][verb]).To(HaveKeyWithValue("status", float64(400)))
			Expect(items[i][verb]["error"]).To(HaveKeyWithValue("type", "invalid_document_id"), "item %d", i)
		}
		expectSent(mock, sent{verb: "delete", action: phys("orders", "ok")})
	})

	It("WR-14: refuses an item whose physical id would exceed 512 bytes", Label("rule:WR-14"), func() {
		fits := strings.Repeat("i", 512-len("acme:orders:"))
		fitsUsers := strings.Repeat("u", 512-len("acme:users:"))
		wide := strings.Repeat("é", (512-len("acme:orders:"))/2) // two bytes each: exactly 512
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(
			`{"index":{"_id":"`+fits+`"}}`, `{"a":1}`,
			`{"index":{"_id":"`+fits+`i"}}`, `{"a":2}`,
			`{"delete":{"_index":"users","_id":"`+fitsUsers+`"}}`,
			`{"delete":{"_index":"users","_id":"`+fitsUsers+`u"}}`,
			`{"update":{"_id":"`+strings.Repeat(`\u00e9`, len(wide)/2)+`"}}`, `{"doc":{"a":3}}`,
			`{"create":{"_id":"`+wide+`é"}}`, `{"a":4}`)))
		Expect(items).To(HaveLen(6))
		expectRefusedItem(items[1], "index", "orders", fits+"i", 400, "invalid_document_id")
		expectRefusedItem(items[3], "delete", "users", fitsUsers+"u", 400, "invalid_document_id")
		expectRefusedItem(items[5], "create", "orders", wide+"é", 400, "invalid_document_id")
		expectSent(mock, sent{"index", phys("orders", fits), injected("orders", `{"a":1}`)},
			sent{verb: "delete", action: phys("users", fitsUsers)},
			sent{"update", phys("orders", wide), `{"doc":` + injected("orders", `{"a":3}`) + `}`})
	})

	It("WR-15: refuses an item that sets routing, even its own tenant's", Label("rule:WR-15"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"index":{"_id":"1","routing":"globex"}}`, `{"a":1}`,
			`{"delete":{"_id":"2","routing":"acme"}}`, `{"update":{"_id":"3","routing":"globex"}}`, `{"doc":{"a":1}}`,
			`{"create":{"_id":"4","routing":""}}`, `{"a":1}`, `{"delete":{"_id":"5"}}`)))
		Expect(items).To(HaveLen(5))
		for i, verb := range []string{"index", "delete", "update", "create"} {
			expectRefusedItem(items[i], verb, "orders", strconv.Itoa(i+1), 400, "unsupported_parameter")
		}
		expectSent(mock, sent{verb: "delete", action: phys("orders", "5")})
	})

	It("WR-16: forwards the concurrency and version members, and refuses any other", Label("rule:WR-16"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(
			`{"index":{"_id":"1","if_seq_no":3,"if_primary_term":"1"}}`, `{"a":1}`,
			`{"create":{"_id":"2","version":5,"version_type":"external_gte"}}`, `{"a":2}`,
			`{"delete":{"_id":"3","version":"7","version_type":"external"}}`,
			`{"update":{"_id":"4","retry_on_conflict":2,"_source":true,"if_seq_no":"9","if_primary_term":2}}`, `{"doc":{"a":4}}`,
			`{"delete":{"_id":"5","version_type":"internal"}}`)))
		Expect(items).To(HaveLen(5))
		lines := upstreamLines(onlyRequest(mock).BodyPrefix)
		Expect(lines).To(HaveLen(8))
		check := func(line, verb string, id string, members Keys) {
			v, a := upstreamAction(line)
			ExpectWithOffset(1, v).To(Equal(verb))
			members["_id"], members["routing"] = Equal("acme:orders:"+id), Equal("acme")
			ExpectWithOffset(1, a).To(MatchAllKeys(members), "%s", line)
		}
		check(lines[0], "index", "1", Keys{"if_seq_no": whole(3), "if_primary_term": whole(1)})
		check(lines[2], "create", "2", Keys{"version": whole(5), "version_type": Equal("external_gte")})
		check(lines[4], "delete", "3", Keys{"version": whole(7), "version_type": Equal("external")})
		check(lines[5], "update", "4", Keys{"retry_on_conflict": whole(2), "_source": Equal(true), "if_seq_no": whole(9), "if_primary_term": whole(2)})
		check(lines[7], "delete", "5", Keys{"version_type": Equal("internal")})

		mock.Reset()
		refused := []string{`"version":1.5`, `"version":"abc"`, `"if_seq_no":true`, `"if_primary_term":[1]`, `"version_type":"force"`,
			`"op_type":"create"`, `"_type":"_doc"`, `"dynamic_templates":{}`, `"_routing":"acme"`, `"parent":"1"`, `"retry_on_conflict":1`, `"_source":true`}
		var body []string
		for i, m := range refused {
			body = append(body, `{"index":{"_id":"r`+strconv.Itoa(i)+`",`+m+`}}`, `{"a":1}`)
		}
		body = append(body, `{"update":{"_id":"u","_source":{"includes":["a"]}}}`, `{"doc":{"a":1}}`, `{"delete":{"_id":"d","retry_on_conflict":1}}`,
			`{"delete":{"_id":"ok"}}`)
		items = bulkItems(bulkTo(base, "/orders/_bulk", nd(body...)))
		Expect(items).To(HaveLen(len(refused) + 3))
		for i := range refused {
			expectRefusedItem(items[i], "index", "orders", "r"+strconv.Itoa(i), 400, "unsupported_parameter")
		}
		expectRefusedItem(items[len(refused)], "update", "orders", "u", 400, "unsupported_parameter")
		expectRefusedItem(items[len(refused)+1], "delete", "orders", "d", 400, "unsupported_parameter")
		expectSent(mock, sent{verb: "delete", action: phys("orders", "ok")})
	})

	It("WR-17: accepts require_alias only as false, in an action or as a parameter", Label("rule:WR-17"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk?require_alias=false", nd(`{"index":{"_id":"1","require_alias":false}}`, `{"a":1}`,
			`{"index":{"_id":"2","require_alias":true}}`, `{"a":2}`, `{"create":{"_id":"3","require_alias":"true"}}`, `{"a":3}`)))
		Expect(items).To(HaveLen(3))
		expectRefusedItem(items[1], "index", "orders", "2", 400, "unsupported_parameter")
		expectRefusedItem(items[2], "create", "orders", "3", 400, "unsupported_parameter")
		rec := onlyRequest(mock)
		q, err := url.ParseQuery(rec.RawQuery)
		Expect(err).NotTo(HaveOccurred())
		Expect(q.Get("require_alias")).To(BeElementOf("", "false"))
		verb, action := upstreamAction(upstreamLines(rec.BodyPrefix)[0])
		Expect(verb).To(Equal("index"))
		Expect(action).To(Or(Equal(phys("orders", "1")), Equal(phys("orders", "1", "require_alias", false))))
		Expect(upstreamLines(rec.BodyPrefix)).To(HaveLen(2))

		mock.Reset()
		for _, q := range []string{"require_alias=true", "require_alias=", "require_alias=TRUE"} {
			expectError(bulkTo(base, "/orders/_bulk?"+q, nd(`{"index":{"_id":"1"}}`, `{"a":1}`)), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("WR-18: accepts a pipeline only when ingest_pipelines lists it", Label("rule:WR-18"), func() {
		body := nd(`{"index":{"_id":"1","pipeline":"p1"}}`, `{"a":1}`, `{"delete":{"_id":"2"}}`)
		expectError(bulkTo(base, "/orders/_bulk?pipeline=p1", nd(`{"delete":{"_id":"2"}}`)), 400, "unsupported_parameter")
		items := bulkItems(bulkTo(base, "/orders/_bulk", body))
		expectRefusedItem(items[0], "index", "orders", "1", 400, "unsupported_parameter")
		expectSent(mock, sent{verb: "delete", action: phys("orders", "2")})

		mock, base = writesMock("OSPROXY_INGEST_PIPELINES", "p1,p2")
		items = bulkItems(bulkTo(base, "/orders/_bulk?pipeline=p2", nd(`{"index":{"_id":"1","pipeline":"p1"}}`, `{"a":1}`,
			`{"create":{"_id":"3","pipeline":"p3"}}`, `{"a":3}`)))
		expectRefusedItem(items[1], "create", "orders", "3", 400, "unsupported_parameter")
		rec := expectSent(mock, sent{"index", phys("orders", "1", "pipeline", "p1"), injected("orders", `{"a":1}`)})
		q, err := url.ParseQuery(rec.RawQuery)
		Expect(err).NotTo(HaveOccurred())
		Expect(q["pipeline"]).To(Equal([]string{"p2"}))
		mock.Reset()
		expectError(bulkTo(base, "/orders/_bulk?pipeline=p3", body), 400, "unsupported_parameter")
		expectError(bulkTo(base, "/orders/_bulk?pipeline=p1,p2", body), 400, "unsupported_parameter")
		Expect(mock.Requests()).To(BeEmpty())
	})
})

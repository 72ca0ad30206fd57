package conformance_test

import (
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// The source lines of a _bulk (WR-19..24) as the mock receives them: the reserved
// fields injected first, the client's bytes kept, refused sources never forwarded.
var _ = Describe("15 writes: _bulk sources", Label("profile:tenancy-writes", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock, base = writesMock("OSPROXY_MAX_BODY_BYTES", "4096")
	})
	// refusedSources sends each source under verb after a good item and expects every
	// one refused with code and nothing but the good item sent.
	refusedSources := func(verb, code string, sources ...string) {
		lines := []string{`{"index":{"_id":"ok"}}`, `{"a":1}`}
		for i, s := range sources {
			lines = append(lines, `{"`+verb+`":{"_id":"s`+strconv.Itoa(i)+`"}}`, s)
		}
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(lines...)))
		ExpectWithOffset(1, items).To(HaveLen(len(sources) + 1))
		for i, s := range sources {
			ExpectWithOffset(1, items[i+1]).To(HaveKey(verb), "source %s", s)
			ExpectWithOffset(1, items[i+1][verb]).To(HaveKeyWithValue("status", float64(400)), "source %s", s)
			ExpectWithOffset(1, items[i+1][verb]["error"]).To(HaveKeyWithValue("type", code), "source %s", s)
		}
		rec := onlyRequest(mock)
		ExpectWithOffset(1, string(rec.BodyPrefix)).To(Equal(`{"index":{"_id":"acme:orders:ok","routing":"acme"}}`+"\n"+injected("orders", `{"a":1}`)+"\n"),
			"only the good item is sent")
		mock.Reset()
	}

	It("WR-19: refuses an index or create source that sets a reserved field, in any spelling or as a dotted path", Label("rule:WR-19"), func() {
		sources := []string{`{"_tenant":"globex"}`, `{"_logical_index":"invoices"}`, `{"\u005ftenant":"globex"}`,
			`{"_tena\u006et":"globex"}`, `{"a":1,"_tenant":"globex"}`, `{"_tenant.x":1}`, `{"_logical_index.a.b":"x"}`,
			`{"_tenant":{"x":1}}`, `{"_tenant":null}`}
		refusedSources("index", "reserved_field", sources...)
		refusedSources("create", "reserved_field", sources...)
		// A reserved name below the top level is the client's own data.
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"index":{"_id":"1"}}`, `{"deep":{"_tenant":"client data"},"tenant":"x"}`)))
		Expect(items[0]["index"]).NotTo(HaveKey("error"))
		expectSent(mock, sent{"index", phys("orders", "1"), injected("orders", `{"deep":{"_tenant":"client data"},"tenant":"x"}`)})
	})

	It("WR-20: sends an index or create source with the reserved fields first and the client's bytes after them", Label("rule:WR-20"), func() {
		sources := []string{`{ "b" : [1, 2] ,"a":"x"}`, `{}`, `{"n":123456789012345678901234567890,"f":1.50e+2}`,
			`{"名":"値\u00e9\"","s":"\\"}`, `{"nested":{"o":{"p":[{"q":null}]}},"t":true}`}
		var lines []string
		var want []sent
		for i, s := range sources {
			verb, index, action := "index", "orders", `{"index":{"_id":"`+strconv.Itoa(i)+`"}}`
			if i%2 == 1 {
				verb, index, action = "create", "users", `{"create":{"_index":"users","_id":"`+strconv.Itoa(i)+`"}}`
			}
			lines = append(lines, action, s)
			want = append(want, sent{verb, phys(index, strconv.Itoa(i)), injected(index, s)})
		}
		Expect(bulkItems(bulkTo(base, "/orders/_bulk", nd(lines...)))).To(HaveLen(len(sources)))
		expectSent(mock, want...)
		Expect(want[1].source).To(Equal(`{"_tenant":"acme","_logical_index":"users"}`))
	})

	It("WR-20: forwards sources of every size up to max_body_bytes whole, after their own action", Label("rule:WR-20"), func() {
		mock, base = writesMock("OSPROXY_MAX_BODY_BYTES", "2097152")
		var lines []string
		var want []sent
		for i, size := range []int{10, 3000, 5000, 70000, 500000} {
			src := `{"blob":"` + strings.Repeat(string(rune('a'+i)), size) + `"}`
			id := strconv.Itoa(size)
			lines = append(lines, `{"index":{"_id":"`+id+`","if_seq_no":1,"if_primary_term":1}}`, src)
			want = append(want, sent{"index", phys("orders", id, "if_seq_no", float64(1), "if_primary_term", float64(1)), injected("orders", src)})
		}
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(lines...)))
		for i, it := range items {
			Expect(it["index"]).NotTo(HaveKey("error"), "item %d: %v", i, it)
		}
		Expect(items).To(HaveLen(len(want)))
		expectSent(mock, want...)
	})

	It("WR-21: refuses a source that is not one JSON object", Label("rule:WR-21"), func() {
		bad := []string{`[1]`, `"x"`, `7`, `null`, `true`, `{"a":1}{"b":2}`, `{"a":1} x`, `{"a":`, `{'a':1}`, `{"a":1,}`, `{"a":01}`, `{a:1}`}
		refusedSources("index", "malformed_body", bad...)
		refusedSources("create", "malformed_body", bad...)
		refusedSources("update", "malformed_body", bad...)
	})

	It("WR-22: accepts the update members and injects the reserved fields into doc and upsert", Label("rule:WR-22"), func() {
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(
			`{"update":{"_id":"1"}}`, `{"doc":{"a":1},"upsert":{"a":0},"doc_as_upsert":false,"detect_noop":false,"_source":true}`,
			`{"update":{"_index":"users","_id":"2"}}`, `{"doc_as_upsert":true,"doc":{"b":2}}`,
			`{"update":{"_id":"3"}}`, `{"upsert":{"c":3},"doc":{"c":4},"_source":["c"]}`)))
		Expect(items).To(HaveLen(3))
		lines := upstreamLines(onlyRequest(mock).BodyPrefix)
		Expect(lines).To(HaveLen(6))
		for i, want := range []string{
			`{"doc":{"_tenant":"acme","_logical_index":"orders","a":1},"upsert":{"_tenant":"acme","_logical_index":"orders","a":0},` +
				`"doc_as_upsert":false,"detect_noop":false,"_source":true}`,
			`{"doc_as_upsert":true,"doc":{"_tenant":"acme","_logical_index":"users","b":2}}`,
			`{"upsert":{"_tenant":"acme","_logical_index":"orders","c":3},"doc":{"_tenant":"acme","_logical_index":"orders","c":4},"_source":["c"]}`,
		} {
			Expect(mustJSON(lines[2*i+1])).To(Equal(mustJSON(want)), "update %d: %s", i, lines[2*i+1])
		}
		mock.Reset()
		refusedSources("update", "reserved_field", `{"doc":{"_tenant":"globex"}}`, `{"doc":{"a":1},"upsert":{"_logical_index":"x"}}`,
			`{"doc":{"_tenant.x":1}}`, `{"upsert":{"\u005flogical_index":"x"},"doc_as_upsert":true,"doc":{"a":1}}`)
	})

	It("WR-23: refuses an update source with a script, scripted_upsert or any other member", Label("rule:WR-23"), func() {
		refusedSources("update", "unsupported_query",
			`{"script":"ctx._source.a = 1"}`,
			`{"script":{"source":"ctx._source._tenant = params.t","params":{"t":"globex"}},"upsert":{"a":1}}`,
			`{"scripted_upsert":true,"script":{"source":"ctx._source.a = 1"},"upsert":{}}`,
			`{"scripted_upsert":false,"doc":{"a":1}}`,
			`{"doc":{"a":1},"lang":"painless"}`, `{"doc":{"a":1},"params":{}}`, `{"doc":{"a":1},"fields":["a"]}`,
			`{"doc":{"a":1},"if_seq_no":1}`, `{"doc":{"a":1},"routing":"globex"}`, `{"doc":{"a":1},"unknown":1}`)
	})

	It("WR-24: refuses with 413 a source line over max_body_bytes and runs the items after it", Label("rule:WR-24"), func() {
		big := `{"blob":"` + strings.Repeat("b", 5000) + `"}`
		fits := `{"blob":"` + strings.Repeat("f", 4000) + `"}`
		items := bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"index":{"_id":"1"}}`, fits, `{"index":{"_id":"big"}}`, big,
			`{"update":{"_index":"users","_id":"u"}}`, `{"doc":`+big+`}`, `{"create":{"_id":"3"}}`, `{"a":3}`, `{"delete":{"_id":"4"}}`)))
		Expect(items).To(HaveLen(5))
		expectRefusedItem(items[1], "index", "orders", "big", 413, "request_too_large")
		expectRefusedItem(items[2], "update", "users", "u", 413, "request_too_large")
		expectSent(mock, sent{"index", phys("orders", "1"), injected("orders", fits)}, sent{"create", phys("orders", "3"), injected("orders", `{"a":3}`)},
			sent{verb: "delete", action: phys("orders", "4")})
	})
})

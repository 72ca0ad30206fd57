package conformance_test

import (
	"encoding/json"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// upstreamDocs decodes the docs of an _mget body the mock received; an _index may only
// name the physical index and is dropped, as for bulk actions.
func upstreamDocs(rec mockupstream.Request) []map[string]any {
	ExpectWithOffset(1, rec.Method+" "+rec.RawPath).To(BeElementOf("POST /osproxy-shared/_mget", "GET /osproxy-shared/_mget"))
	var body struct{ Docs []map[string]any }
	ExpectWithOffset(1, json.Unmarshal(rec.BodyPrefix, &body)).To(Succeed(), "body %s", rec.BodyPrefix)
	for _, d := range body.Docs {
		if idx, ok := d["_index"]; ok {
			ExpectWithOffset(1, idx).To(Equal("osproxy-shared"))
			delete(d, "_index")
		}
	}
	return body.Docs
}

// foundDoc is an _mget doc as OpenSearch answers it for the tenant acme.
func foundDoc(index, id, source string) string {
	return `{"_index":"osproxy-shared","_id":"acme:` + index + `:` + id + `","_version":1,"_seq_no":0,"_primary_term":1,"found":true,"_routing":"acme",` +
		`"_source":{"_tenant":"acme","_logical_index":"` + index + `",` + source + `}}`
}

// _mget (WR-37..39), and the index endpoints that are refused or relayed (WR-44, WR-45),
// as the mock sees them.
var _ = Describe("15 writes: _mget and index endpoints", Label("profile:tenancy-writes", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = startMock()
		base = startProxy(tenancyEnv(mock.URL())).URL
	})
	mget := func(method, target, body string) response {
		return send(method, base+target, body, "x-tenant", "acme")
	}
	docs := func(ds ...string) mockupstream.Responder {
		b := `{"docs":[`
		for i, d := range ds {
			if i > 0 {
				b += ","
			}
			b += d
		}
		return mockupstream.JSON(200, b+"]}")
	}

	It("WR-37: reads each doc by its physical id, with _source and stored_fields, and forwards the listed parameters", Label("rule:WR-37"), func() {
		mock.Handle("", "/*", docs(foundDoc("orders", "1", `"a":1`), foundDoc("users", "2", `"a":2`), foundDoc("orders", "3", `"a":3`)))
		r := mget("POST", "/orders/_mget", `{"docs":[{"_id":"1"},{"_index":"users","_id":"2","_source":["a"]},{"_id":3,"stored_fields":["b"]}]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		Expect(upstreamDocs(onlyRequest(mock))).To(Equal([]map[string]any{{"_id": "acme:orders:1", "routing": "acme"},
			{"_id": "acme:users:2", "routing": "acme", "_source": []any{"a"}}, {"_id": "acme:orders:3", "routing": "acme", "stored_fields": []any{"b"}}}))
		mock.Reset()
		Expect(mget("GET", "/_mget", `{"docs":[{"_index":"orders","_id":"1"},{"_index":"users","_id":"2","_source":false},{"_index":"orders","_id":"3"}]}`).Status).To(Equal(200))
		Expect(upstreamDocs(onlyRequest(mock))).To(Equal([]map[string]any{{"_id": "acme:orders:1", "routing": "acme"},
			{"_id": "acme:users:2", "routing": "acme", "_source": false}, {"_id": "acme:orders:3", "routing": "acme"}}))
		mock.Reset()
		params := url.Values{"_source": {"false"}, "_source_includes": {"a"}, "_source_excludes": {"b"}, "stored_fields": {"x"},
			"realtime": {"true"}, "refresh": {"true"}, "preference": {"_local"}}
		r = mget("POST", "/orders/_mget?"+params.Encode()+"&pretty&human=true&error_trace=true", `{"docs":[{"_id":"1"},{"_id":"2"},{"_id":"3"}]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		q, err := url.ParseQuery(onlyRequest(mock).RawQuery)
		Expect(err).NotTo(HaveOccurred())
		for k, v := range params {
			Expect(q[k]).To(Equal(v), "parameter %s", k)
		}
		Expect(q["routing"]).To(BeElementOf([]string(nil), []string{"acme"}), "only the tenant routes")
		mock.Reset()
		for _, p := range []string{"routing=globex", "foo=1", "version=1", "q=x", "%72outing=globex"} {
			expectError(mget("POST", "/orders/_mget?"+p, `{"docs":[{"_id":"1"}]}`), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("WR-38: accepts {\"ids\":[…]} with an index in the path, and refuses it without one", Label("rule:WR-38"), func() {
		mock.Handle("", "/*", docs(foundDoc("orders", "1", `"a":1`), foundDoc("orders", "2", `"a":2`)))
		r := mget("POST", "/orders/_mget", `{"ids":["1",2]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		Expect(upstreamDocs(onlyRequest(mock))).To(Equal([]map[string]any{{"_id": "acme:orders:1", "routing": "acme"}, {"_id": "acme:orders:2", "routing": "acme"}}))
		sameJSON(r.Body, `{"docs":[{"_index":"orders","_id":"1","_version":1,"_seq_no":0,"_primary_term":1,"found":true,"_source":{"a":1}},`+
			`{"_index":"orders","_id":"2","_version":1,"_seq_no":0,"_primary_term":1,"found":true,"_source":{"a":2}}]}`)
		mock.Reset()
		expectError(mget("POST", "/_mget", `{"ids":["1"]}`), 400, "invalid_index_name")
		expectError(mget("GET", "/_mget", `{"ids":["1"]}`), 400, "invalid_index_name")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("WR-39: answers one shaped entry per document, in order, with refused documents in their places", Label("rule:WR-39"), func() {
		mock.Handle("", "/*", docs(foundDoc("orders", "1", `"a":1,"deep":{"_tenant":"mine"}`),
			`{"_index":"osproxy-shared","_id":"acme:users:2","found":false}`, foundDoc("orders", "3", `"a":3`)))
		r := mget("POST", "/orders/_mget", `{"docs":[{"_id":"1"},{"_index":"BAD","_id":"x"},{"_index":"users","_id":"2"},{"_id":""},`+
			`{"_id":"r","routing":"globex"},{"_id":"u","version":1},{"_id":"3"}]}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		Expect(upstreamDocs(onlyRequest(mock))).To(Equal([]map[string]any{{"_id": "acme:orders:1", "routing": "acme"},
			{"_id": "acme:users:2", "routing": "acme"}, {"_id": "acme:orders:3", "routing": "acme"}}))
		var res struct{ Docs []json.RawMessage }
		Expect(json.Unmarshal(r.Body, &res)).To(Succeed())
		Expect(res.Docs).To(HaveLen(7))
		sameJSON(res.Docs[0], `{"_index":"orders","_id":"1","_version":1,"_seq_no":0,"_primary_term":1,"found":true,"_source":{"a":1,"deep":{"_tenant":"mine"}}}`)
		sameJSON(res.Docs[2], `{"_index":"users","_id":"2","found":false}`)
		sameJSON(res.Docs[6], `{"_index":"orders","_id":"3","_version":1,"_seq_no":0,"_primary_term":1,"found":true,"_source":{"a":3}}`)
		for i, want := range []struct {
			index, id, code string
		}{{"BAD", "x", "invalid_index_name"}, {"orders", "", "invalid_document_id"}, {"orders", "r", ""}, {"orders", "u", ""}} {
			var d map[string]any
			Expect(json.Unmarshal(res.Docs[[]int{1, 3, 4, 5}[i]], &d)).To(Succeed())
			Expect(d).To(And(HaveKeyWithValue("_index", want.index), HaveKeyWithValue("_id", want.id)), "doc %v", d)
			Expect(d["error"]).To(And(HaveKeyWithValue("type", Not(BeEmpty())), HaveKeyWithValue("reason", Not(BeEmpty()))), "doc %v", d)
			if want.code != "" {
				Expect(d["error"]).To(HaveKeyWithValue("type", want.code), "doc %v", d)
			}
		}
	})

	It("WR-44: refuses the endpoints that would show or change what every tenant shares", Label("rule:WR-44"), func() {
		for _, c := range [][2]string{
			{"GET", "/orders/_mapping"}, {"PUT", "/orders/_mapping"}, {"POST", "/orders/_mapping"}, {"GET", "/orders/_mapping/field/a"},
			{"GET", "/orders/_settings"}, {"PUT", "/orders/_settings"}, {"POST", "/orders/_close"}, {"POST", "/orders/_open"},
			{"GET", "/orders/_alias"}, {"GET", "/orders/_alias/a"}, {"PUT", "/orders/_alias/a"}, {"DELETE", "/orders/_alias/a"},
			{"PUT", "/orders/_aliases/a"}, {"GET", "/orders/_aliases"}, {"POST", "/_aliases"}, {"PUT", "/_index_template/t"},
			{"PUT", "/_template/t"}, {"PUT", "/_component_template/t"}, {"GET", "/_mapping"}, {"GET", "/_settings"},
		} {
			expectError(send(c[0], base+c[1], `{}`, "x-tenant", "acme"), 400, "unsupported_endpoint")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("WR-45: refreshes the shared index and answers OpenSearch's _shards counts", Label("rule:WR-45"), func() {
		answer := `{"_shards":{"total":4,"successful":2,"failed":0}}`
		mock.Handle("", "/*", mockupstream.JSON(200, answer))
		for _, method := range []string{"POST", "GET"} {
			mock.Reset()
			r := send(method, base+"/orders/_refresh", "", "x-tenant", "acme")
			Expect(r.Status).To(Equal(200))
			sameJSON(r.Body, answer)
			rec := onlyRequest(mock)
			Expect(rec.Method).To(BeElementOf("POST", "GET"))
			Expect(rec.RawPath).To(Equal("/osproxy-shared/_refresh"))
		}
	})
})

package conformance_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/osproxy/osproxy/mockupstream"
)

// expectByID asserts a by-id request the upstream received: method, the physical
// index, endpoint and id (one path segment), routing by the tenant, and the other
// parameters exactly.
func expectByID(rec mockupstream.Request, method, endpoint, physicalID string, params url.Values) {
	ExpectWithOffset(1, rec.Method).To(Equal(method))
	segs := strings.Split(rec.RawPath, "/")
	ExpectWithOffset(1, segs).To(HaveLen(4), "path %s", rec.RawPath)
	ExpectWithOffset(1, segs[:3]).To(Equal([]string{"", "osproxy-shared", endpoint}))
	id, err := url.PathUnescape(segs[3])
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	ExpectWithOffset(1, id).To(Equal(physicalID))
	q, err := url.ParseQuery(rec.RawQuery)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	want := url.Values{"routing": {"acme"}}
	for k, v := range params {
		want[k] = v
	}
	ExpectWithOffset(1, q).To(Equal(want))
}

// _update (WR-33..35) and _source (WR-36) as the mock sees them.
var _ = Describe("15 writes: _update and _source", Label("profile:tenancy-writes", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	updated := `{"_index":"osproxy-shared","_id":"acme:orders:7","_version":2,"result":"updated",` +
		`"_shards":{"total":1,"successful":1,"failed":0},"_seq_no":5,"_primary_term":1}`
	BeforeEach(func() {
		mock = startMock()
		mock.Handle("POST", "/*", mockupstream.JSON(200, updated))
		base = startProxy(tenancyEnv(mock.URL())).URL
	})
	update := func(target, body string) response {
		return send("POST", base+target, body, "x-tenant", "acme")
	}

	It("WR-33: sends an update to the tenant's physical document with the reserved fields injected into doc and upsert", Label("rule:WR-33"), func() {
		Expect(update("/orders/_update/7", `{"doc":{"a":1},"doc_as_upsert":true}`).Status).To(Equal(200))
		rec := onlyRequest(mock)
		expectByID(rec, "POST", "_update", "acme:orders:7", nil)
		Expect(mustJSON(string(rec.BodyPrefix))).To(Equal(mustJSON(`{"doc":{"_tenant":"acme","_logical_index":"orders","a":1},"doc_as_upsert":true}`)))
		mock.Reset()
		Expect(update("/users/_update/a%2Fb", `{"upsert":{"n":0},"doc":{"n":1},"detect_noop":true,"_source":false}`).Status).To(Equal(200))
		rec = onlyRequest(mock)
		expectByID(rec, "POST", "_update", "acme:users:a/b", nil)
		Expect(mustJSON(string(rec.BodyPrefix))).To(Equal(mustJSON(`{"upsert":{"_tenant":"acme","_logical_index":"users","n":0},` +
			`"doc":{"_tenant":"acme","_logical_index":"users","n":1},"detect_noop":true,"_source":false}`)))
		mock.Reset()
		for _, b := range []string{`{"doc":{"_tenant":"globex"}}`, `{"doc":{"a":1},"upsert":{"_logical_index.x":1}}`, `{"doc":{"\u005ftenant":"x"}}`} {
			expectError(update("/orders/_update/7", b), 400, "reserved_field")
		}
		for _, b := range []string{`[1]`, `{"doc":`, `{"doc":{}}{}`} {
			expectError(update("/orders/_update/7", b), 400, "malformed_body")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("WR-34: refuses scripted updates and forwards only the listed parameters", Label("rule:WR-34"), func() {
		for _, b := range []string{`{"script":{"source":"ctx._source.a = 1"}}`, `{"script":"ctx._source._tenant = 'globex'","upsert":{}}`,
			`{"scripted_upsert":true,"script":{"source":"ctx._source.a = 1"},"upsert":{}}`, `{"doc":{"a":1},"lang":"painless"}`} {
			expectError(update("/orders/_update/7", b), 400, "unsupported_query")
		}
		for _, p := range []string{"routing=globex", "version=1", "version_type=external", "require_alias=true", "pipeline=p", "lang=painless",
			"op_type=create", "foo=1", "_source_include=a", "%72outing=globex"} {
			expectError(update("/orders/_update/7?"+p, `{"doc":{"a":1}}`), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(BeEmpty())
		r := update("/orders/_update/7?refresh=true&timeout=1m&wait_for_active_shards=1&retry_on_conflict=3&if_seq_no=4&if_primary_term=1"+
			"&require_alias=false&_source=true&_source_includes=a&_source_excludes=b&pretty&human=true&error_trace=true", `{"doc":{"a":1}}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		q, err := url.ParseQuery(onlyRequest(mock).RawQuery)
		Expect(err).NotTo(HaveOccurred())
		for k, v := range map[string]string{"routing": "acme", "refresh": "true", "timeout": "1m", "wait_for_active_shards": "1",
			"retry_on_conflict": "3", "if_seq_no": "4", "if_primary_term": "1", "_source": "true", "_source_includes": "a", "_source_excludes": "b"} {
			Expect(q[k]).To(Equal([]string{v}), "parameter %s", k)
		}
	})

	It("WR-35: shapes the _update answer: logical index and id, get._source without the reserved fields", Label("rule:WR-35"), func() {
		mock.Handle("POST", "/*", mockupstream.JSON(200, strings.TrimSuffix(updated, "}")+
			`,"get":{"_seq_no":5,"_primary_term":1,"found":true,"_routing":"acme","_source":{"_tenant":"acme","_logical_index":"orders","a":1,"deep":{"_tenant":"mine"}}}}`))
		r := update("/orders/_update/7?_source=true", `{"doc":{"a":1}}`)
		Expect(r.Status).To(Equal(200))
		Expect(string(r.Body)).NotTo(Or(ContainSubstring("osproxy-shared"), ContainSubstring("acme:"), ContainSubstring(`"_logical_index"`)))
		res := r.JSON()
		Expect(res).To(MatchKeys(IgnoreExtras, Keys{"_index": Equal("orders"), "_id": Equal("7"), "_version": Equal(2.0),
			"result": Equal("updated"), "_seq_no": Equal(5.0), "_primary_term": Equal(1.0)}))
		Expect(dig(res, "get", "_source")).To(Equal(map[string]any{"a": 1.0, "deep": map[string]any{"_tenant": "mine"}}))
		Expect(dig(res, "get", "found")).To(Equal(true))

		mock.Handle("POST", "/*", mockupstream.JSON(404, `{"error":{"root_cause":[{"type":"document_missing_exception","reason":"[acme:orders:7]: document missing",`+
			`"index":"osproxy-shared","shard":"0","index_uuid":"Zq3"}],"type":"document_missing_exception","reason":"[acme:orders:7]: document missing",`+
			`"index":"osproxy-shared","shard":"0","index_uuid":"Zq3"},"status":404}`))
		r = update("/orders/_update/7", `{"doc":{"a":1}}`)
		Expect(r.Status).To(Equal(404))
		sameJSON(r.Body, `{"error":{"root_cause":[{"type":"document_missing_exception","reason":"[7]: document missing","index":"orders","shard":"0"}],`+
			`"type":"document_missing_exception","reason":"[7]: document missing","index":"orders","shard":"0"},"status":404}`)
	})

	It("WR-36: answers a document's source without the reserved fields, streamed, and a missing one as 404 in logical names", Label("rule:WR-36"), func() {
		big := strings.Repeat("0123456789abcdef", 3<<20/16)
		mock.Handle("GET", "/*", mockupstream.JSON(200, `{"_tenant":"acme","_logical_index":"orders","a":1,"big":"`+big+`","deep":{"_tenant":"mine"}}`))
		mock.Handle("HEAD", "/*", mockupstream.Canned(200, nil, nil))
		r := send("GET", base+"/orders/_source/7", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		Expect(r.JSON()).To(Equal(map[string]any{"a": 1.0, "big": big, "deep": map[string]any{"_tenant": "mine"}}))
		expectByID(onlyRequest(mock), "GET", "_source", "acme:orders:7", nil)
		mock.Reset()
		h := send("HEAD", base+"/orders/_source/a%2Fb", "", "x-tenant", "acme")
		Expect(h.Status).To(Equal(200))
		Expect(h.Body).To(BeEmpty())
		rec := onlyRequest(mock)
		Expect(rec.Method).To(BeElementOf("HEAD", "GET"), "a HEAD may ask the upstream either way")
		expectByID(rec, rec.Method, "_source", "acme:orders:a/b", nil)

		missing := `{"error":{"root_cause":[{"type":"resource_not_found_exception","reason":"Document not found [osproxy-shared]/[acme:orders:9]"}],` +
			`"type":"resource_not_found_exception","reason":"Document not found [osproxy-shared]/[acme:orders:9]"},"status":404}`
		mock.Handle("GET", "/*", mockupstream.JSON(404, missing))
		mock.Handle("HEAD", "/*", mockupstream.Canned(404, nil, nil))
		r = send("GET", base+"/orders/_source/9", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(404))
		Expect(string(r.Body)).To(Equal(strings.ReplaceAll(missing, "[osproxy-shared]/[acme:orders:9]", "[orders]/[9]")))
		h = send("HEAD", base+"/orders/_source/9", "", "x-tenant", "acme")
		Expect(h.Status).To(Equal(404))
		Expect(h.Body).To(BeEmpty())
	})
})

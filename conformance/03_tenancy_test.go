package conformance_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("03 tenancy root", Label("profile:tenancy", "upstream:mock"), func() {
	It("TEN-12: relays the cluster's root answer without a tenant, behind the gate", Label("rule:TEN-12"), func() {
		mock := startMock()
		root := `{"name":"node-1","cluster_name":"c","version":{"distribution":"opensearch","number":"2.19.6"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`
		mock.Handle("", "/", mockupstream.JSON(200, root))
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = "s3cr3t=svc"
		base := startProxy(env).URL
		expectError(send("GET", base+"/", ""), 401, "authentication_required")
		r := send("GET", base+"/?pretty", "", "Authorization", "Bearer s3cr3t")
		Expect(r.Status).To(Equal(200))
		Expect(string(r.Body)).To(Equal(root))
		Expect(onlyRequest(mock).RequestURI).To(Equal("/?pretty"))
		h := send("HEAD", base+"/", "", "Authorization", "Bearer s3cr3t")
		Expect(h.Status).To(Equal(200))
		Expect(h.Body).To(BeEmpty())
		expectError(send("GET", base+"/?q=x", "", "Authorization", "Bearer s3cr3t"), 400, "unsupported_parameter")
	})
})

var _ = Describe("03 tenancy", Label("profile:tenancy", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = startMock()
		mock.Handle("", "/*", mockupstream.SearchEnvelope(nil, 0))
		base = startProxy(tenancyEnv(mock.URL())).URL
	})

	It("TEN-1: takes the tenant from x-tenant, never from the path, query or body", Label("rule:TEN-1"), func() {
		r := send("POST", base+"/orders/_search?size=1", `{"query":{"term":{"tenant_id":"globex"}}}`, "X-TENANT", "acme")
		Expect(r.Status).To(Equal(200))
		rec := onlyRequest(mock)
		q, err := url.ParseQuery(rec.RawQuery)
		Expect(err).NotTo(HaveOccurred())
		Expect(q["routing"]).To(Equal([]string{"acme"}))
		body := decode(rec.BodyPrefix)
		Expect(filterTerms(body)).To(Equal([]any{
			map[string]any{"term": map[string]any{"_tenant": "acme"}},
			map[string]any{"term": map[string]any{"_logical_index": "orders"}},
		}))
	})

	It("TEN-2: refuses a tenancy request without x-tenant", Label("rule:TEN-2"), func() {
		expectError(send("POST", base+"/orders/_search", `{}`), 400, "tenant_required")
		expectError(send("POST", base+"/orders/_search", `{}`, "x-tenant", ""), 400, "tenant_required")
		expectError(send("PUT", base+"/orders/_doc/1", `{"a":1}`), 400, "tenant_required")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-3: refuses more than one x-tenant value", Label("rule:TEN-3"), func() {
		expectError(send("GET", base+"/orders/_search", "", "x-tenant", "acme", "x-tenant", "globex"), 400, "tenant_ambiguous")
		expectError(send("GET", base+"/orders/_search", "", "x-tenant", "acme,globex"), 400, "tenant_ambiguous")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-4: refuses tenant ids outside the allowed form", Label("rule:TEN-4"), func() {
		for _, t := range []string{"ac:me", "ac.me", "*", "-acme", "_acme", "acm\u00e9", "a b",
			"a234567890123456789012345678901234567890123456789012345678901234x"} {
			expectError(send("GET", base+"/orders/_search", "", "x-tenant", t), 400, "tenant_invalid")
		}
		Expect(mock.Requests()).To(BeEmpty())
		Expect(send("GET", base+"/orders/_search", "", "x-tenant", "Acme-01_x").Status).To(Equal(200))
	})

	It("TEN-5: refuses logical index names that could reach beyond the tenant's index", Label("rule:TEN-5"), func() {
		for _, path := range []string{"/orders,osproxy-shared", "/orders%2Cosproxy-shared", "/*", "/orders*", "/_all",
			"/osproxy-shared", "/%6Fsproxy-shared", "/.kibana", "/remote:orders", "/%3Corders-%7Bnow%2Fd%7D%3E",
			"/Orders", "/orders%2F..%2Fosproxy-shared", "/-orders"} {
			expectError(send("GET", base+path+"/_search", "", "x-tenant", "acme"), 400, "invalid_index_name")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-6: refuses a search that names no logical index", Label("rule:TEN-6"), func() {
		expectError(send("GET", base+"/_search", "", "x-tenant", "acme"), 400, "invalid_index_name")
		expectError(send("POST", base+"/_search", `{}`, "x-tenant", "acme"), 400, "invalid_index_name")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-7: stores a tenant's document under {tenant}:{index}:{id} routed by tenant", Label("rule:TEN-7"), func() {
		mock.Handle("", "/*", mockupstream.JSON(201, `{"_index":"osproxy-shared","_id":"acme:orders:7","result":"created"}`))
		Expect(send("PUT", base+"/orders/_doc/7", `{"msg":"hi"}`, "x-tenant", "acme").Status).To(Equal(201))
		Expect(onlyRequest(mock).RequestURI).To(Equal("/osproxy-shared/_doc/acme:orders:7?routing=acme"))
	})

	It("TEN-8: injects _tenant and _logical_index as the first two members", Label("rule:TEN-8"), func() {
		mock.Handle("", "/*", mockupstream.JSON(201, `{"_index":"osproxy-shared","_id":"acme:orders:7","result":"created"}`))
		Expect(send("PUT", base+"/orders/_doc/7", `{ "msg" : "hi", "n":[1,2] }`, "x-tenant", "acme").Status).To(Equal(201))
		Expect(string(onlyRequest(mock).BodyPrefix)).To(Equal(`{"_tenant":"acme","_logical_index":"orders", "msg" : "hi", "n":[1,2] }`))
	})

	It("TEN-9: refuses a document that sets a reserved field, however spelled", Label("rule:TEN-9"), func() {
		for _, doc := range []string{`{"_tenant":"globex"}`, `{"\u005ftenant":"globex"}`, `{"a":1,"_logical_index":"users"}`, `{"_tenant.keyword":"globex"}`} {
			expectError(send("PUT", base+"/orders/_doc/1", doc, "x-tenant", "acme"), 400, "reserved_field")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-10: never forwards the client's routing", Label("rule:TEN-10"), func() {
		expectError(send("PUT", base+"/orders/_doc/1?routing=globex", `{"a":1}`, "x-tenant", "acme"), 400, "unsupported_parameter")
		expectError(send("GET", base+"/orders/_search?routing=globex", "", "x-tenant", "acme"), 400, "unsupported_parameter")
		expectError(send("GET", base+"/orders/_doc/1?routing=globex", "", "x-tenant", "acme"), 400, "unsupported_parameter")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-13: relays only correlation and tracing headers upstream", Label("rule:TEN-13"), func() {
		r := send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme",
			"X-Opaque-Id", "op-7", "Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
			"Tracestate", "k=v", "User-Agent", "stock-client/1.0",
			"X-Forwarded-User", "admin", "X-Forwarded-Roles", "admin", "Forwarded", "for=1.2.3.4",
			"X-Forwarded-Client-Cert", "URI=spiffe://td/globex", "Cookie", "s=1", "X-Custom", "x")
		Expect(r.Status).To(Equal(200))
		got := onlyRequest(mock).Header
		names := []string{}
		for name := range got {
			names = append(names, name)
		}
		Expect(names).To(ContainElements("X-Opaque-Id", "Traceparent", "Tracestate", "User-Agent"))
		// Beyond those, only what the proxy itself adds to frame its own request.
		for _, name := range names {
			Expect(name).To(BeElementOf("X-Opaque-Id", "Traceparent", "Tracestate", "User-Agent",
				"Content-Type", "Content-Length", "Accept-Encoding", "Transfer-Encoding"))
		}
		Expect(got.Get("X-Opaque-Id")).To(Equal("op-7"))
		Expect(got.Get("User-Agent")).To(Equal("stock-client/1.0"))
	})

	It("TEN-11: refuses endpoints tenancy mode does not implement without contacting the upstream", Label("rule:TEN-11"), func() {
		for _, c := range [][2]string{{"POST", "/orders/_delete_by_query"}, {"GET", "/_cat/indices"}, {"GET", "/orders/_settings"},
			{"POST", "/orders/_msearch"}, {"POST", "/orders/_count"}, {"POST", "/_search/scroll"}, {"POST", "/"},
			{"POST", "/_plugins/_sql"}, {"PUT", "/orders/_mapping"}, {"GET", "/orders/_doc"}} {
			expectError(send(c[0], base+c[1], `{}`, "x-tenant", "acme"), 400, "unsupported_endpoint")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})
})

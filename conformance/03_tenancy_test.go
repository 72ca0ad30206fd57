package conformance_test

import (
	"fmt"
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
		expectRefused(send("GET", base+"/", ""), 401) // the code is SEC-1's
		r := send("GET", base+"/?pretty", "", "Authorization", "Bearer s3cr3t")
		Expect(r.Status).To(Equal(200))
		Expect(string(r.Body)).To(Equal(root))
		Expect(onlyRequest(mock).RequestURI).To(Equal("/?pretty"))
		h := send("HEAD", base+"/", "", "Authorization", "Bearer s3cr3t")
		Expect(h.Status).To(Equal(200))
		Expect(h.Body).To(BeEmpty())
		expectRefused(send("GET", base+"/?q=x", "", "Authorization", "Bearer s3cr3t"), 400)
	})
})

// Specs here judge what reached the upstream, so they run on the mock and,
// behind a recording proxy, on a real cluster; those that script the
// upstream's answer carry upstream:mock.
var _ = Describe("03 tenancy", Label("profile:tenancy"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = searchUpstream()
		base = startProxy(tenancyEnv(mock.URL())).URL
	})

	It("TEN-1: takes the tenant from x-tenant, never from the path, query or body", Label("rule:TEN-1"), func() {
		// The tenant is judged in the filter; where routing goes is SRCH-1's.
		send("POST", base+"/orders/_search?size=1", `{"query":{"term":{"tenant_id":"globex"}}}`, "X-TENANT", "acme")
		rec := onlyRequest(mock)
		// The filter's exact shape is SRCH-2's; here it must name acme, never globex.
		filter := filterTerms(decode(rec.BodyPrefix))
		Expect(filter).To(ContainElement(map[string]any{"term": map[string]any{"_tenant": "acme"}}))
		Expect(fmt.Sprint(filter)).NotTo(ContainSubstring("globex"))
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
		send("GET", base+"/orders/_search", "", "x-tenant", "Acme-01_x")
		Expect(mock.Requests()).To(HaveLen(1), "a valid tenant id is served")
	})

	It("TEN-5: refuses logical index names that could reach beyond the tenant's index", Label("rule:TEN-5"), func() {
		for _, path := range []string{"/orders,osproxy-shared", "/orders%2Cosproxy-shared", "/*", "/orders*", "/_all",
			"/osproxy-shared", "/%6Fsproxy-shared", "/.kibana", "/remote:orders", "/%3Corders-%7Bnow%2Fd%7D%3E",
			"/Orders", "/orders%2F..%2Fosproxy-shared", "/-orders"} {
			expectError(send("GET", base+path+"/_search", "", "x-tenant", "acme"), 400, "invalid_index_name")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-6: refuses a document endpoint whose index segment is empty", Label("rule:TEN-6"), func() {
		expectError(send("GET", base+"//_doc/1", "", "x-tenant", "acme"), 400, "invalid_index_name")
		expectError(send("PUT", base+"//_doc/1", `{}`, "x-tenant", "acme"), 400, "invalid_index_name")
		expectError(send("DELETE", base+"//_doc/1", "", "x-tenant", "acme"), 400, "invalid_index_name")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-7: stores a tenant's document under {tenant}:{index}:{id} routed by tenant", Label("rule:TEN-7", "upstream:mock"), func() {
		mock.Handle("", "/*", mockupstream.JSON(201, `{"_index":"osproxy-shared","_id":"acme:orders:7","result":"created"}`))
		// Every single-document request uses the layout; reads and deletes show
		// it even where a binary forwards no write (DOC-1's business).
		send("GET", base+"/orders/_doc/7", "", "x-tenant", "acme")
		send("DELETE", base+"/orders/_doc/7", "", "x-tenant", "acme")
		send("PUT", base+"/orders/_doc/7", `{"msg":"hi"}`, "x-tenant", "acme")
		reqs := mock.Requests()
		Expect(len(reqs)).To(BeNumerically(">=", 2), "the read and the delete reach the upstream")
		for _, rec := range reqs {
			index, id, q := docTarget(rec)
			Expect([]string{index, id}).To(Equal([]string{"osproxy-shared", "acme:orders:7"}), rec.Method)
			Expect(q["routing"]).To(Equal([]string{"acme"}), rec.Method)
		}
	})

	It("TEN-8: injects _tenant and _logical_index as the first two members", Label("rule:TEN-8", "upstream:mock"), func() {
		mock.Handle("", "/*", mockupstream.JSON(201, `{"_index":"osproxy-shared","_id":"acme:orders:7","result":"created"}`))
		requireForwardedWrite(base, mock)
		send("PUT", base+"/orders/_doc/7", `{ "msg" : "hi", "n":[1,2] }`, "x-tenant", "acme")
		// The members and their order are the rule; the client's spacing is not.
		stored := onlyRequest(mock).BodyPrefix
		Expect(leadingKeys(stored, 2)).To(Equal([]string{"_tenant", "_logical_index"}))
		sameJSON(stored, `{"_tenant":"acme","_logical_index":"orders","msg":"hi","n":[1,2]}`)
	})

	It("TEN-9: refuses a document that sets a reserved field, however spelled", Label("rule:TEN-9"), func() {
		requireForwardedWrite(base, mock)
		for _, doc := range []string{`{"_tenant":"globex"}`, `{"\u005ftenant":"globex"}`, `{"a":1,"_logical_index":"users"}`, `{"_tenant.keyword":"globex"}`} {
			expectError(send("PUT", base+"/orders/_doc/1", doc, "x-tenant", "acme"), 400, "reserved_field")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("TEN-10: never forwards the client's routing", Label("rule:TEN-10"), func() {
		// The rule forbids forwarding the client's routing; refusing the request
		// is one way to honour it, sending the tenant's own routing another.
		send("PUT", base+"/orders/_doc/1?routing=globex", `{"a":1}`, "x-tenant", "acme")
		send("GET", base+"/orders/_search?routing=globex", "", "x-tenant", "acme")
		send("GET", base+"/orders/_doc/1?routing=globex", "", "x-tenant", "acme")
		for _, rec := range mock.Requests() {
			Expect(routingOf(rec)).NotTo(ContainElement("globex"), "%s %s", rec.Method, rec.RequestURI)
		}
	})

	It("TEN-13: relays only correlation and tracing headers upstream", Label("rule:TEN-13"), func() {
		send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme",
			"X-Opaque-Id", "op-7", "Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
			"Tracestate", "k=v", "User-Agent", "stock-client/1.0",
			"X-Forwarded-User", "admin", "X-Forwarded-Roles", "admin", "Forwarded", "for=1.2.3.4",
			"X-Forwarded-Client-Cert", "URI=spiffe://td/globex", "Cookie", "s=1", "X-Custom", "x")
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
		for _, c := range [][2]string{{"GET", "/orders/_delete_by_query"}, {"GET", "/_cat/indices"}, {"GET", "/orders/_settings"},
			{"PUT", "/orders/_msearch"}, {"DELETE", "/orders/_count"}, {"PUT", "/_search/scroll"}, {"POST", "/"},
			{"GET", "/orders/_field_caps"}, {"POST", "/orders/_search/template"}, {"GET", "/orders/_search/scroll"},
			{"POST", "/_plugins/_sql"}, {"PUT", "/orders/_mapping"}, {"GET", "/orders/_doc"}} {
			expectError(send(c[0], base+c[1], `{}`, "x-tenant", "acme"), 400, "unsupported_endpoint")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})
})

package conformance_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("08 security", Label("profile:core", "upstream:mock"), func() {
	var mock *mockupstream.Server
	BeforeEach(func() {
		mock = startMock()
		mock.Handle("", "/*", mockupstream.SearchEnvelope(nil, 0))
	})

	It("SEC-1: requires a configured bearer token when tokens are set", Label("rule:SEC-1"), func() {
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = "s3cr3t=svc-ingest, other=svc2"
		base := startProxy(env).URL
		for _, auth := range []string{"", "Bearer nope", "Basic czNjcjN0", "s3cr3t", "Bearer  s3cr3t", "Bearer s3cr3t2"} {
			var r response
			if auth == "" {
				r = send("GET", base+"/orders/_search", "", "x-tenant", "acme")
			} else {
				r = send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", auth)
			}
			expectError(r, 401, "authentication_required")
			Expect(r.Header.Get("WWW-Authenticate")).To(Equal(`Bearer realm="osproxy"`))
		}
		Expect(mock.Requests()).To(BeEmpty())
		Expect(send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", "bearer s3cr3t").Status).To(Equal(200))
		Expect(send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", "Bearer other").Status).To(Equal(200))
	})

	It("SEC-2: is open when tokens are unset or empty", Label("rule:SEC-2"), func() {
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = ","
		base := startProxy(env).URL
		Expect(send("GET", base+"/orders/_search", "", "x-tenant", "acme").Status).To(Equal(200))
		Expect(send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", "Bearer anything").Status).To(Equal(200))
	})

	It("SEC-3: refuses tenancy requests over cleartext unless allowed, before authentication", Label("rule:SEC-3"), func() {
		env := tenancyEnv(mock.URL())
		delete(env, "OSPROXY_ALLOW_CLEARTEXT_MUTATION")
		env["OSPROXY_TOKENS"] = "s3cr3t=svc"
		base := startProxy(env).URL
		expectError(send("GET", base+"/orders/_search", "", "x-tenant", "acme"), 403, "tls_required")
		expectError(send("PUT", base+"/orders/_doc/1", `{"a":1}`, "x-tenant", "acme", "Authorization", "Bearer s3cr3t"), 403, "tls_required")
		Expect(mock.Requests()).To(BeEmpty())
		env["OSPROXY_ALLOW_CLEARTEXT_MUTATION"] = "no"
		expectError(send("GET", startProxy(env).URL+"/orders/_search", "", "x-tenant", "acme"), 403, "tls_required")
	})

	It("SEC-5: never relays the client's Authorization upstream", Label("rule:SEC-5"), func() {
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = "s3cr3t=svc"
		base := startProxy(env).URL
		Expect(send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", "Bearer s3cr3t", "X-Opaque-Id", "op-1").Status).To(Equal(200))
		rec := onlyRequest(mock)
		Expect(rec.Header.Values("Authorization")).To(BeEmpty())
		Expect(rec.Header.Get("X-Opaque-Id")).To(Equal("op-1"))
		penv := passthroughEnv(mock.URL())
		penv["OSPROXY_TOKENS"] = "s3cr3t=svc"
		mock.Reset()
		Expect(send("GET", startProxy(penv).URL+"/legacy/_search", "", "Authorization", "Bearer s3cr3t").Status).To(Equal(200))
		Expect(onlyRequest(mock).Header.Values("Authorization")).To(BeEmpty())
	})
})

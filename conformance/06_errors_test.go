package conformance_test

import (
	"io"
	"net"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

// httpWriter shortens responder signatures.
type httpWriter = http.ResponseWriter

// echoID answers a document write with the physical id it was sent to.
func echoID(w http.ResponseWriter, req *mockupstream.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(201)
	id := req.RawPath[len("/osproxy-shared/_doc/"):]
	_, _ = w.Write([]byte(`{"_index":"osproxy-shared","_id":"` + id + `","result":"created"}`))
}

var _ = Describe("06 errors", Label("profile:core", "upstream:mock"), func() {
	It("ERR-1: shapes every proxy error as OpenSearch does", Label("rule:ERR-1"), func() {
		mock := startMock()
		base := startProxy(tenancyEnv(mock.URL())).URL
		r := send("POST", base+"/orders/_search", `{`, "x-tenant", "acme")
		expectError(r, 400, "malformed_body")
		sameJSON(r.Body, `{"error":{"root_cause":[{"type":"malformed_body","reason":`+string(mustReason(r))+`}],"type":"malformed_body","reason":`+string(mustReason(r))+`},"status":400}`)
	})

	It("ERR-2: never echoes tenant values, tokens or document contents in reasons", Label("rule:ERR-2"), func() {
		mock := startMock()
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = "tok-SECRET-1=svc"
		base := startProxy(env).URL
		for _, r := range []response{
			send("GET", base+"/orders/_search", "", "Authorization", "Bearer tok-SECRET-2", "x-tenant", "acme"),
			send("GET", base+"/orders/_search", "", "Authorization", "Bearer tok-SECRET-1", "x-tenant", "ten:SECRET"),
			send("PUT", base+"/orders/_doc/1", `{"_tenant":"doc-SECRET"}`, "Authorization", "Bearer tok-SECRET-1", "x-tenant", "acme"),
			send("POST", base+"/orders/_search", `{"query":{"match":{"m":"doc-SECRET"}},"suggest":{}}`, "Authorization", "Bearer tok-SECRET-1", "x-tenant", "acme"),
		} {
			Expect(r.Status).To(BeNumerically(">=", 400))
			Expect(string(r.Body)).NotTo(ContainSubstring("SECRET"))
		}
	})

	It("ERR-3: contains a failure to the request that caused it", Label("rule:ERR-3"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.JSON(200, `{"hits":{"hits":[{"_id":1}`)) // truncated JSON
		p := startProxy(tenancyEnv(mock.URL()))
		req, _ := http.NewRequest("POST", p.URL+"/orders/_search", nil)
		req.Header.Set("x-tenant", "acme")
		if resp, err := client.Do(req); err == nil { // aborted after the head: the read fails
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			Expect(err).To(HaveOccurred(), "a broken upstream body must not end as a complete response")
		}
		mock.Handle("", "/*", mockupstream.SearchEnvelope(nil, 0))
		for _, b := range []string{"\x00\xff", `{"a":` + string(make([]byte, 300)), `{"query":{"bool":{"must":[[[[[[[[]]]]]]]]}}}`} {
			send("POST", p.URL+"/orders/_search", b, "x-tenant", "acme")
		}
		Expect(p.Exited()).To(BeFalse())
		Expect(send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", "acme").Status).To(Equal(200))
	})

	It("ERR-4: answers upstream_unreachable when the upstream cannot be reached", Label("rule:ERR-4"), func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		dead := "http://" + ln.Addr().String()
		ln.Close()
		base := startProxy(tenancyEnv(dead)).URL
		expectError(send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme"), 502, "upstream_unreachable")
		mock := startMock()
		mock.Handle("", "/*", mockupstream.CloseWithoutResponse())
		base = startProxy(tenancyEnv(mock.URL())).URL
		expectError(send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme"), 502, "upstream_unreachable")
		passthrough := startProxy(passthroughEnv(dead)).URL
		expectError(send("GET", passthrough+"/legacy/_search", ""), 502, "upstream_unreachable")
	})

	It("ERR-5: answers upstream_timeout when no response head arrives in time", Label("rule:ERR-5"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.Delay(5*time.Second, mockupstream.JSON(200, `{}`)))
		env := tenancyEnv(mock.URL())
		env["OSPROXY_UPSTREAM_TIMEOUT"] = "300ms"
		base := startProxy(env).URL
		start := time.Now()
		expectError(send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme"), 504, "upstream_timeout")
		Expect(time.Since(start)).To(BeNumerically("<", 4*time.Second))
		penv := passthroughEnv(mock.URL())
		penv["OSPROXY_UPSTREAM_TIMEOUT"] = "300ms"
		expectError(send("GET", startProxy(penv).URL+"/legacy/_search", ""), 504, "upstream_timeout")
	})

	It("ERR-6: refuses other methods on tenancy paths with 405 and Allow", Label("rule:ERR-6"), func() {
		mock := startMock()
		base := startProxy(tenancyEnv(mock.URL())).URL
		for _, m := range []string{"PATCH", "OPTIONS", "TRACE", "PROPFIND"} {
			r := send(m, base+"/orders/_search", "", "x-tenant", "acme")
			expectError(r, 405, "method_not_allowed")
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD, POST, PUT, DELETE"))
		}
		Expect(mock.Requests()).To(BeEmpty())
	})
})

func mustReason(r response) []byte {
	reason := dig(r.JSON(), "error", "reason").(string)
	return []byte(`"` + reason + `"`)
}

var _ = harness.FreeAddr

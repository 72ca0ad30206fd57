package conformance_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

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

// errorStatuses is the code table of spec/06-errors.md: code → status.
var errorStatuses = map[string]int{
	"malformed_body": 400, "tenant_required": 400, "tenant_ambiguous": 400, "tenant_invalid": 400,
	"invalid_index_name": 400, "invalid_document_id": 400, "reserved_field": 400, "unsupported_query": 400,
	"unsupported_parameter": 400, "unsupported_endpoint": 400, "authentication_required": 401,
	"tls_required": 403, "tenant_forbidden": 403, "method_not_allowed": 405, "request_too_large": 413,
	"unsupported_media_type": 415, "internal_error": 500, "upstream_unreachable": 502, "upstream_timeout": 504,
}

var _ = Describe("06 errors", Label("profile:core"), func() {
	It("ERR-1: shapes every proxy error as OpenSearch does", Label("rule:ERR-1"), func() {
		// Whichever refusals this binary makes of these requests, each one
		// the upstream never saw is the proxy's own and must have the envelope
		// with a code of the table and that code's status.
		up := startUpstream()
		env := tenancyEnv(up.URL())
		env["OSPROXY_TOKENS"] = "s3cr3t=svc"
		base := startProxy(env).URL
		auth := []string{"Authorization", "Bearer s3cr3t"}
		refusals := []response{
			send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme"),
			send("POST", base+"/orders/_search", `{`, append(auth, "x-tenant", "acme")...),
			send("POST", base+"/orders/_search", `{}`, auth...),
			send("PATCH", base+"/orders/_search", `{}`, append(auth, "x-tenant", "acme")...),
			send("POST", base+"/orders/_bulk", `{}`, append(auth, "x-tenant", "acme")...),
		}
		expectNothingForwarded(up)
		judged := 0
		for _, r := range refusals {
			if r.Status < 400 {
				continue
			}
			judged++
			code := errorCode(r.Body)
			status, known := errorStatuses[code]
			Expect(known).To(BeTrue(), "code %q is not in spec/06-errors.md's table; body: %s", code, r.Body)
			Expect(status).To(Equal(r.Status), "code %s goes with status %d", code, status)
			expectEnvelope(r, status, code)
		}
		Expect(judged).To(BeNumerically(">", 0), "none of the requests was refused")
	})

	It("ERR-2: never echoes tenant values, tokens or document contents in reasons", Label("rule:ERR-2"), func() {
		up := startUpstream()
		env := tenancyEnv(up.URL())
		env["OSPROXY_TOKENS"] = "tok-SECRET-1=svc"
		base := startProxy(env).URL
		judged := 0
		for _, c := range []struct{ method, path, body, token, tenant string }{
			{"GET", "/orders/_search", "", "tok-SECRET-2", "acme"},
			{"GET", "/orders/_search", "", "tok-SECRET-1", "ten:SECRET"},
			{"PUT", "/orders/_doc/1", `{"_tenant":"doc-SECRET"}`, "tok-SECRET-1", "acme"},
			{"POST", "/orders/_search", `{"query":{"match":{"m":"doc-SECRET"}},"suggest":{}}`, "tok-SECRET-1", "acme"},
		} {
			up.Reset()
			r := send(c.method, base+c.path, c.body, "Authorization", "Bearer "+c.token, "x-tenant", c.tenant)
			// Only the proxy's own refusals are judged: whether each request
			// is refused at all is other rules' business.
			if r.Status < 400 || len(up.Requests()) > 0 {
				continue
			}
			judged++
			Expect(string(r.Body)).NotTo(ContainSubstring("SECRET"), "%s %s", c.method, c.path)
		}
		Expect(judged).To(BeNumerically(">", 0), "none of the requests was refused by the proxy")
	})

	It("ERR-3: keeps serving after requests that fail inside the proxy", Label("rule:ERR-3"), func() {
		up := startUpstream()
		p := startProxy(tenancyEnv(up.URL()))
		inputs := []string{"\x00\xff", `{"a":` + string(make([]byte, 300)), `{"query":{"bool":{"must":[[[[[[[[]]]]]]]]}}}`,
			strings.Repeat("[", 100000)}
		if upstreamMode == "mock" {
			// Only against the mock: a binary that forwards a query nested 5000
			// deep overflows a real OpenSearch node's stack and takes the node
			// down, which would fail every later spec of the run.
			inputs = append(inputs, `{"query":`+strings.Repeat(`{"bool":{"must":`, 5000)+`{}`+strings.Repeat("}}", 5000)+"}")
		}
		for _, b := range inputs {
			send("POST", p.URL+"/orders/_search", b, "x-tenant", "acme")
		}
		Expect(p.Exited()).To(BeFalse(), "stderr: %s", p.Stderr())
		r := send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", "acme")
		Expect(r.Status).NotTo(Equal(500), "the next request is served as usual: %s", r.Body)
	})

	It("ERR-3: keeps serving after an upstream answers with malformed JSON", Label("rule:ERR-3", "upstream:mock"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.JSON(200, `{"hits":{"hits":[{"_id":1}`)) // complete, but not JSON
		p := startProxy(tenancyEnv(mock.URL()))
		// How that response reaches the client is not fixed by the rule; that
		// the process survives it is.
		req, _ := http.NewRequest("POST", p.URL+"/orders/_search", nil)
		req.Header.Set("x-tenant", "acme")
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		mock.Handle("", "/*", mockupstream.SearchEnvelope(nil, 0))
		Expect(p.Exited()).To(BeFalse(), "stderr: %s", p.Stderr())
		Expect(send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", "acme").Status).To(Equal(200))
	})

	It("ERR-4: answers upstream_unreachable when the upstream refuses connections", Label("rule:ERR-4"), func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		dead := "http://" + ln.Addr().String()
		Expect(ln.Close()).To(Succeed())
		base := startProxy(tenancyEnv(dead)).URL
		expectError(send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme"), 502, "upstream_unreachable")
		passthrough := startProxy(passthroughEnv(dead)).URL
		expectError(send("GET", passthrough+"/legacy/_search", ""), 502, "upstream_unreachable")
	})

	It("ERR-4: answers upstream_unreachable when the upstream resets before a response head", Label("rule:ERR-4", "upstream:mock"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.CloseWithoutResponse())
		base := startProxy(tenancyEnv(mock.URL())).URL
		expectError(send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme"), 502, "upstream_unreachable")
	})

	It("ERR-5: answers upstream_timeout when no response head arrives in time", Label("rule:ERR-5"), func() {
		// A slow upstream: the mock, or the real cluster behind a recording
		// proxy that holds each request for 5 s before forwarding it.
		mock := startUpstream()
		slow := mockupstream.JSON(200, `{}`)
		if upstreamMode != "mock" {
			slow = forwardTo(clusterURL())
		}
		mock.Handle("", "/*", mockupstream.Delay(5*time.Second, slow))
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
		up := startUpstream()
		base := startProxy(tenancyEnv(up.URL())).URL
		for _, m := range []string{"PATCH", "OPTIONS", "TRACE", "PROPFIND"} {
			r := send(m, base+"/orders/_search", "", "x-tenant", "acme")
			expectError(r, 405, "method_not_allowed")
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD, POST, PUT, DELETE"))
		}
		expectNothingForwarded(up)
	})
})

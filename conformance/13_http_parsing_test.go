package conformance_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("13 HTTP/1.1: what is read", Label("profile:core", "upstream:mock"), func() {
	It("HTTP-1: serves HTTP/2 and HTTP/1.1 by ALPN over TLS and refuses cleartext there", Label("rule:HTTP-1"), func() {
		mock := startMock()
		certFile, keyFile, pool := selfSignedCert()
		env := passthroughEnv(mock.URL())
		env["OSPROXY_TLS_CERT"], env["OSPROXY_TLS_KEY"] = certFile, keyFile
		p := startProxy(env)
		for _, proto := range []string{"h2", "http/1.1"} {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, NextProtos: []string{proto}},
				ForceAttemptHTTP2: proto == "h2"}
			resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Get("https://" + p.Addr + "/legacy/_search")
			Expect(err).NotTo(HaveOccurred())
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(200))
			Expect(resp.Proto).To(Equal(map[string]string{"h2": "HTTP/2.0", "http/1.1": "HTTP/1.1"}[proto]))
		}
		c := dialRaw(p.Addr)
		defer c.close()
		c.write(head("GET /legacy/_search HTTP/1.1"))
		expectError(c.read("GET").response, 400, "malformed_request")
		Expect(c.closed()).To(BeTrue())
		Expect(mock.Requests()).To(HaveLen(2))
	})

	It("HTTP-2: refuses bare line ends, folding, bad names and control characters", Label("rule:HTTP-2"), func() {
		g := startHTTPRig()
		for _, raw := range []string{
			"GET /legacy/_search HTTP/1.1\nHost: a\n\n",
			"GET /legacy/_search HTTP/1.1\r\nHost: a\nX-A: 1\r\n\r\n",
			"GET /legacy/_search HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n",
			"GET /legacy/_search HTTP/1.1\r\nHost: a\r\nX-A\r\n\r\n",
			"GET /legacy/_search HTTP/1.1\r\nHost: a\r\nContent-Length : 0\r\n\r\n",
			"GET /legacy/_search HTTP/1.1\r\nHost: a\r\nX-A: a\x00b\r\n\r\n",
			"GET /legacy/_search HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n",
		} {
			g.expectRefused(raw, 400, "malformed_request")
		}
	})

	It("HTTP-3: bounds the request line and accepts only origin- and absolute-form targets of HTTP/1.x", Label("rule:HTTP-3"), func() {
		g := startHTTPRig()
		g.expectRefused(head("GET /legacy/"+strings.Repeat("a", 8<<10)+" HTTP/1.1"), 414, "uri_too_long")
		for _, line := range []string{"CONNECT legacy:443 HTTP/1.1", "OPTIONS * HTTP/1.1", "GET  /legacy HTTP/1.1",
			"G(T /legacy HTTP/1.1", "GET legacy HTTP/1.1", "GET /legacy http/1.1", "GET /legacy HTTP/1.1 x"} {
			g.expectRefused(head(line), 400, "malformed_request")
		}
		g.expectRefused(head("GET /legacy HTTP/2.0"), 505, "http_version_not_supported")
		c := dialRaw(g.proxy.Addr)
		defer c.close()
		c.write(head("GET http://elsewhere.test/legacy/_search?q=1 HTTP/1.1"))
		Expect(c.read("GET").Status).To(Equal(200))
		Expect(onlyRequest(g.mock).RequestURI).To(Equal("/legacy/_search?q=1"))
	})

	It("HTTP-4: bounds the head to 64 KiB and 100 field lines", Label("rule:HTTP-4"), func() {
		g := startHTTPRig()
		fields := make([]string, 100)
		for i := range fields {
			fields[i] = "X-F: v"
		}
		g.expectRefused(head("GET /legacy HTTP/1.1", fields...), 431, "request_header_too_large")
		g.expectRefused(head("GET /legacy HTTP/1.1", "X-Big: "+strings.Repeat("v", 64<<10)), 431, "request_header_too_large")
		c := dialRaw(g.proxy.Addr)
		defer c.close()
		c.write(head("GET /legacy HTTP/1.1", fields[:99]...))
		Expect(c.read("GET").Status).To(Equal(200), "100 field lines, Host included, are allowed")
	})

	It("HTTP-5: accepts one plain Content-Length and never one beside Transfer-Encoding", Label("rule:HTTP-5"), func() {
		g := startHTTPRig()
		for _, fields := range [][]string{
			{"Content-Length: 3", "Content-Length: 3"}, {"Content-Length: 3, 3"}, {"Content-Length: +3"},
			{"Content-Length: 0x3"}, {"Content-Length: 3", "Transfer-Encoding: chunked"},
			{"Content-Length: 1234567890123456789"},
		} {
			g.expectRefused(head("POST /legacy/_doc/1 HTTP/1.1", fields...)+"abc", 400, "malformed_request")
		}
	})

	It("HTTP-6: accepts chunked as the only transfer coding, and none in HTTP/1.0", Label("rule:HTTP-6"), func() {
		g := startHTTPRig()
		for _, te := range []string{"gzip", "gzip, chunked", "chunked, chunked", "identity"} {
			g.expectRefused(head("POST /legacy/_bulk HTTP/1.1", "Transfer-Encoding: "+te)+"0\r\n\r\n", 501, "unsupported_transfer_encoding")
		}
		g.expectRefused(head("POST /legacy/_bulk HTTP/1.1", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked")+"0\r\n\r\n",
			501, "unsupported_transfer_encoding")
		g.expectRefused("POST /legacy/_bulk HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "malformed_request")
	})
})

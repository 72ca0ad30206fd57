package conformance_test

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("13 HTTP/1.1: bodies and connections", Label("profile:core", "upstream:mock"), func() {
	It("HTTP-7: frames chunked bodies exactly and never completes a malformed one upstream", Label("rule:HTTP-7"), func() {
		g := startHTTPRig()
		c := dialRaw(g.proxy.Addr)
		c.write(head("POST /legacy/_bulk HTTP/1.1", "Transfer-Encoding: chunked") +
			"3;ext=\"v\"\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n")
		Expect(c.read("POST").Status).To(Equal(200))
		c.close()
		rec := onlyRequest(g.mock)
		Expect(string(rec.BodyPrefix)).To(Equal("abcde"))
		Expect(rec.BodyComplete).To(BeTrue())
		Expect(rec.Trailer).NotTo(HaveKey("X-Trailer"), "trailer fields are not forwarded")
		for _, chunks := range []string{"3\nabc\r\n0\r\n\r\n", "3 \r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\nzz\r\n", "3\r\nabcd\r\n0\r\n\r\n",
			"3\r\nabc\r\n0\r\nX: 1\r\n 2\r\n\r\n"} {
			g.mock.Reset()
			c := dialRaw(g.proxy.Addr)
			c.write(head("POST /legacy/_bulk HTTP/1.1", "Transfer-Encoding: chunked") + chunks)
			r := c.read("POST")
			Expect(r.Status).To(Equal(400), "chunks %q", chunks)
			expectError(r.response, 400, "malformed_request")
			Expect(c.closed()).To(BeTrue(), "chunks %q", chunks)
			c.close()
			for _, rec := range g.mock.Requests() {
				Expect(rec.BodyComplete).To(BeFalse(), "the upstream got a complete body from %q", chunks)
			}
		}
	})

	It("HTTP-8: requires one well-formed Host in HTTP/1.1", Label("rule:HTTP-8"), func() {
		g := startHTTPRig()
		g.expectRefused("GET /legacy HTTP/1.1\r\n\r\n", 400, "malformed_request")
		g.expectRefused(head("GET /legacy HTTP/1.1", "Host: other.test"), 400, "malformed_request")
		g.expectRefused("GET /legacy HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "malformed_request")
		g.expectRefused("GET /legacy HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "malformed_request")
		c := dialRaw(g.proxy.Addr)
		defer c.close()
		c.write("GET /legacy HTTP/1.0\r\n\r\n")
		Expect(c.read("GET").Status).To(Equal(200), "HTTP/1.0 needs no Host")
	})

	It("HTTP-9: sends 100 Continue when it reads the body, and answers other expectations 417", Label("rule:HTTP-9"), func() {
		g := startHTTPRig()
		c := dialRaw(g.proxy.Addr)
		defer c.close()
		c.write(head("PUT /legacy/_doc/1 HTTP/1.1", "Expect: 100-continue", "Content-Length: 5"))
		Expect(c.read("PUT").Status).To(Equal(100))
		c.write("hello")
		Expect(c.read("PUT").Status).To(Equal(200))
		Expect(string(onlyRequest(g.mock).BodyPrefix)).To(Equal("hello"))
		c.write(head("GET /legacy/_search HTTP/1.1", "Expect: 100-continue"))
		Expect(c.read("GET").Status).To(Equal(200), "without a body the expectation is ignored")
		g.mock.Reset()
		g.expectRefused(head("PUT /legacy/_doc/1 HTTP/1.1", "Expect: 200-ok", "Content-Length: 2")+"{}", 417, "expectation_failed")

		locked := startHTTPRig("OSPROXY_TOKENS", "tok=svc")
		c = dialRaw(locked.proxy.Addr)
		defer c.close()
		c.write(head("PUT /legacy/_doc/1 HTTP/1.1", "Expect: 100-continue", "Content-Length: 5"))
		r := c.read("PUT")
		Expect(r.Status).To(Equal(401), "a request refused before its body gets no 100")
		Expect(c.closed()).To(BeTrue())
		Expect(locked.mock.Requests()).To(BeEmpty())
	})

	It("HTTP-10: keeps connections alive and answers pipelined requests in order", Label("rule:HTTP-10"), func() {
		g := startHTTPRig()
		c := dialRaw(g.proxy.Addr)
		c.write(head("GET /legacy/1 HTTP/1.1") + head("POST /legacy/2 HTTP/1.1", "Content-Length: 2") + "ab" +
			head("DELETE /legacy/3 HTTP/1.1"))
		for _, m := range []string{"GET", "POST", "DELETE"} {
			Expect(c.read(m).Status).To(Equal(200))
		}
		c.write(head("GET /legacy/4 HTTP/1.1", "Connection: close"))
		Expect(c.read("GET").connClose).To(BeTrue())
		Expect(c.closed()).To(BeTrue())
		c.close()
		Expect(recordedURIs(g.mock)).To(Equal([]string{"GET /legacy/1", "POST /legacy/2", "DELETE /legacy/3", "GET /legacy/4"}))

		c = dialRaw(g.proxy.Addr)
		c.write("GET /legacy/5 HTTP/1.0\r\n\r\n")
		Expect(c.read("GET").Status).To(Equal(200))
		Expect(c.closed()).To(BeTrue(), "HTTP/1.0 closes unless asked to keep alive")
		c.close()
		c = dialRaw(g.proxy.Addr)
		defer c.close()
		for _, p := range []string{"/legacy/6", "/legacy/7"} {
			c.write("GET " + p + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
			r := c.read("GET")
			Expect(r.Status).To(Equal(200))
			Expect(r.connClose).To(BeFalse())
		}
	})

	It("HTTP-11: answers a refused request with an OpenSearch error and Connection: close, forwarding nothing", Label("rule:HTTP-11"), func() {
		g := startHTTPRig()
		c := dialRaw(g.proxy.Addr)
		defer c.close()
		c.write(head("GET /legacy/1 HTTP/1.1") + head("GET /legacy/2 HTTP/1.1", "Content-Length: 1", "Content-Length: 2") +
			head("GET /legacy/3 HTTP/1.1"))
		Expect(c.read("GET").Status).To(Equal(200))
		r := c.read("GET")
		expectError(r.response, 400, "malformed_request")
		Expect(r.connClose).To(BeTrue())
		Expect(c.closed()).To(BeTrue(), "nothing after a refused request is read")
		Expect(recordedURIs(g.mock)).To(Equal([]string{"GET /legacy/1"}))
	})

	It("HTTP-12: closes a connection whose head does not complete within 10 seconds", Label("rule:HTTP-12"), func() {
		g := startHTTPRig()
		c := dialRaw(g.proxy.Addr)
		defer c.close()
		start := time.Now()
		c.write("GET /legacy/_search HTTP/1.1\r\nHost: osproxy.test\r\n")
		_ = c.c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := c.br.ReadByte()
		Expect(err).To(HaveOccurred(), "the proxy answered an incomplete head")
		Expect(isTimeout(err)).To(BeFalse(), "the connection was still open after 20 s")
		Expect(time.Since(start)).To(BeNumerically("<", 12*time.Second))
		Expect(g.mock.Requests()).To(BeEmpty())
	})

	It("HTTP-13: closes the upstream connection within a second when the client leaves", Label("rule:HTTP-13"), func() {
		g := startHTTPRig()
		left := make(chan time.Time, 1)
		g.mock.Handle("GET", "/legacy/_search", mockupstream.ResponderFunc(func(w http.ResponseWriter, req *mockupstream.Request) {
			select {
			case <-req.Context().Done():
				left <- time.Now()
			case <-time.After(30 * time.Second):
			}
		}))
		c := dialRaw(g.proxy.Addr)
		c.write(head("GET /legacy/_search HTTP/1.1"))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(g.mock.WaitFor(ctx, func() bool { return len(g.mock.Requests()) == 1 })).To(Succeed())
		time.Sleep(200 * time.Millisecond) // the proxy is now waiting for the head
		closed := time.Now()
		c.close()
		var at time.Time
		Eventually(left).WithTimeout(5 * time.Second).Should(Receive(&at))
		Expect(at.Sub(closed)).To(BeNumerically("<", time.Second))
	})
})

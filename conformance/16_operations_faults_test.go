package conformance_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("16 operations: faults", Label("profile:operations", "upstream:mock"), func() {
	// warm sends one request that succeeds and closes the client's connections,
	// so the baseline holds one pooled upstream connection and no client.
	warm := func(c *http.Client, p *harness.Proxy, m *mockupstream.Server) footprint {
		status, _, err := get(c, p.URL+"/legacy/_ok")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		c.CloseIdleConnections()
		return settleFirst(p, m)
	}

	It("OPS-17: cuts a response whose upstream resets mid-body, and keeps serving", Label("rule:OPS-17", "rule:OPS-10"), func() {
		m := startMock()
		m.Handle("", "/legacy/_reset", mockupstream.ResetAfter(200, 256<<10))
		p := startProxy(opsEnv(m))
		c := opsClient()
		baseline := warm(c, p, m)
		before := scrape(p.URL)
		status, body, err := get(c, p.URL+"/legacy/_reset")
		Expect(status).To(Equal(200))
		Expect(err).To(HaveOccurred(), "the client must see the cut, not a complete body")
		Expect(len(body)).To(BeNumerically("<", 256<<10+1))
		after := scrape(p.URL)
		Expect(value(after, "osproxy_upstream_failures_total", "cluster", "legacy", "reason", "body") -
			value(before, "osproxy_upstream_failures_total", "cluster", "legacy", "reason", "body")).To(Equal(1.0))
		status, _, err = get(c, p.URL+"/legacy/_ok")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		c.CloseIdleConnections()
		settlesAt(p, m, baseline, 10*time.Second)
	})

	It("OPS-12: answers 504 when the response head drips slower than upstream_timeout", Label("rule:OPS-12", "rule:OPS-10"), func() {
		m := startMock()
		m.Handle("", "/legacy/_drip", mockupstream.DripHead(200, 200*time.Millisecond))
		p := startProxy(opsEnv(m, "OSPROXY_UPSTREAM_TIMEOUT", "1s"))
		c := opsClient()
		baseline := warm(c, p, m)
		start := time.Now()
		status, body, err := get(c, p.URL+"/legacy/_drip")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(504), "body: %s", body)
		Expect(errorCode(body)).To(Equal("upstream_timeout"))
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
		c.CloseIdleConnections()
		settlesAt(p, m, baseline, 10*time.Second)
	})

	It("OPS-12: answers 504 when the cluster does not accept a connection within upstream_dial_timeout", Label("rule:OPS-12"), func() {
		addr := blackhole()
		env := opsEnv(startMock(), "OSPROXY_PASSTHROUGH_ENDPOINT", "http://"+addr, "OSPROXY_UPSTREAM_DIAL_TIMEOUT", "500ms")
		p := startProxy(env)
		start := time.Now()
		r := send("GET", p.URL+"/legacy/_doc/1", "")
		expectError(r, 504, "upstream_timeout")
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
	})

	It("OPS-13: opens a cluster's breaker after consecutive failures and closes it on a good trial", Label("rule:OPS-13"), func() {
		m := startMock()
		fail := mockupstream.CloseWithoutResponse()
		m.Handle("", "/legacy/*", mockupstream.Sequence(fail, fail, fail, nil))
		p := startProxy(opsEnv(m, "OSPROXY_UPSTREAM_BREAKER_FAILURES", "3", "OSPROXY_UPSTREAM_BREAKER_COOLDOWN", "2s"))
		for range 3 {
			expectError(send("GET", p.URL+"/legacy/_doc/1", ""), 502, "upstream_unreachable")
		}
		sent := len(m.Requests())
		r := send("GET", p.URL+"/legacy/_doc/1", "")
		expectError(r, 503, "upstream_unavailable")
		Expect(r.Header.Get("Retry-After")).To(MatchRegexp(`^[12]$`))
		Expect(m.Requests()).To(HaveLen(sent), "an open breaker sends nothing")
		Expect(value(scrape(p.URL), "osproxy_breaker_state", "cluster", "legacy")).To(Equal(2.0))
		Expect(send("GET", p.URL+"/_osproxy/ready", "").Status).To(Equal(503), "an open breaker is not ready")
		time.Sleep(2100 * time.Millisecond) // the cool-down
		Expect(send("GET", p.URL+"/legacy/_doc/1", "").Status).To(Equal(200), "the trial goes through")
		Expect(send("GET", p.URL+"/legacy/_doc/1", "").Status).To(Equal(200))
		m2 := scrape(p.URL)
		Expect(value(m2, "osproxy_breaker_state", "cluster", "legacy")).To(Equal(0.0))
		Expect(value(m2, "osproxy_breaker_opened_total", "cluster", "legacy")).To(Equal(1.0))
		Expect(value(m2, "osproxy_upstream_failures_total", "cluster", "legacy", "reason", "breaker_open")).To(Equal(1.0))
	})

	It("OPS-14: ends the upstream exchange of a client that leaves while it waits, and counts it as an abort", Label("rule:OPS-14", "rule:OPS-10"), func() {
		m := startMock()
		m.Handle("", "/legacy/_slow", mockupstream.Delay(time.Minute, nil))
		p := startProxy(opsEnv(m, "OSPROXY_UPSTREAM_BREAKER_FAILURES", "2"))
		c := opsClient()
		baseline := warm(c, p, m)
		before := scrape(p.URL)
		for range 3 { // more than the breaker's threshold: aborts must not open it
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			req, _ := http.NewRequestWithContext(ctx, "GET", p.URL+"/legacy/_slow", nil)
			_, err := c.Do(req)
			cancel()
			Expect(err).To(HaveOccurred())
			Expect(waitOpen(m, 0, 3*time.Second)).To(Succeed(), "the proxy must close its upstream connection of the abandoned request")
		}
		Eventually(func() float64 {
			return value(scrape(p.URL), "osproxy_client_aborts_total", "mode", "passthrough") - value(before, "osproxy_client_aborts_total", "mode", "passthrough")
		}).WithTimeout(3 * time.Second).Should(Equal(3.0))
		after := scrape(p.URL)
		Expect(value(after, "osproxy_requests_total", "mode", "passthrough", "status", "499") -
			value(before, "osproxy_requests_total", "mode", "passthrough", "status", "499")).To(Equal(3.0))
		Expect(value(after, "osproxy_upstream_failures_total") - value(before, "osproxy_upstream_failures_total")).To(Equal(0.0))
		Expect(value(after, "osproxy_breaker_state", "cluster", "legacy")).To(Equal(0.0))
		c.CloseIdleConnections()
		settlesAt(p, m, baseline, 10*time.Second)
	})

	It("OPS-14: ends the upstream exchange of a client that leaves mid-stream", Label("rule:OPS-14", "rule:OPS-10"), func() {
		m := startMock()
		m.Handle("", "/legacy/_big", mockupstream.Generated(200, nil, 512<<20, 'x'))
		p := startProxy(opsEnv(m))
		c := opsClient()
		baseline := warm(c, p, m)
		before := scrape(p.URL)
		resp, err := c.Get(p.URL + "/legacy/_big")
		Expect(err).NotTo(HaveOccurred())
		_, err = io.CopyN(io.Discard, resp.Body, 1<<20)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close() // mid-stream: net/http closes the connection
		Expect(waitOpen(m, 0, 3*time.Second)).To(Succeed(), "the proxy must close the upstream connection of the abandoned stream")
		Eventually(func() float64 {
			return value(scrape(p.URL), "osproxy_client_aborts_total", "mode", "passthrough") - value(before, "osproxy_client_aborts_total", "mode", "passthrough")
		}).WithTimeout(3 * time.Second).Should(Equal(1.0))
		Expect(value(scrape(p.URL), "osproxy_upstream_failures_total") - value(before, "osproxy_upstream_failures_total")).To(Equal(0.0))
		c.CloseIdleConnections()
		settlesAt(p, m, baseline, 10*time.Second)
	})

	It("OPS-15: cuts a response body that stalls past stall_timeout, not one that keeps coming", Label("rule:OPS-15", "rule:OPS-10"), func() {
		m := startMock()
		m.Handle("", "/legacy/_stall", mockupstream.Drip(200, 100, 10, 3*time.Second))
		m.Handle("", "/legacy/_steady", mockupstream.Drip(200, 20, 2, 300*time.Millisecond))
		p := startProxy(opsEnv(m, "OSPROXY_STALL_TIMEOUT", "1s"))
		c := opsClient()
		baseline := warm(c, p, m)
		status, body, err := get(c, p.URL+"/legacy/_steady")
		Expect(err).NotTo(HaveOccurred(), "3 s in all, 300 ms pauses: never stalled")
		Expect(status).To(Equal(200))
		Expect(body).To(HaveLen(20))
		start := time.Now()
		_, _, err = get(c, p.URL+"/legacy/_stall")
		Expect(err).To(HaveOccurred(), "a stalled body must be cut, not completed")
		Expect(time.Since(start)).To(BeNumerically("<", 2800*time.Millisecond))
		Expect(value(scrape(p.URL), "osproxy_upstream_failures_total", "cluster", "legacy", "reason", "stall")).To(Equal(1.0))
		c.CloseIdleConnections()
		settlesAt(p, m, baseline, 10*time.Second)
	})

	It("OPS-15: cuts a streamed response to a client that reads nothing for stall_timeout", Label("rule:OPS-15", "rule:OPS-10"), func() {
		m := startMock()
		m.Handle("", "/legacy/_big", mockupstream.Generated(200, nil, 512<<20, 'x'))
		p := startProxy(opsEnv(m, "OSPROXY_STALL_TIMEOUT", "1s"))
		c := opsClient()
		baseline := warm(c, p, m)
		conn := dialRaw(p.Addr)
		defer conn.close()
		conn.write("GET /legacy/_big HTTP/1.1\r\nHost: proxy\r\n\r\n") // and never read
		Expect(waitOpen(m, 0, 10*time.Second)).To(Succeed(), "the proxy must give up on a client that does not read, and on its upstream")
		settlesAt(p, m, baseline, 10*time.Second)
	})

	It("OPS-16: answers 408 to a streamed request body that pauses past body_read_timeout", Label("rule:OPS-16", "rule:OPS-10"), func() {
		m := startMock()
		p := startProxy(opsEnv(m, "OSPROXY_BODY_READ_TIMEOUT", "1s"))
		c := opsClient()
		baseline := warm(c, p, m)
		conn := dialRaw(p.Addr)
		defer conn.close()
		start := time.Now()
		conn.write("POST /legacy/_doc/1 HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
		r := conn.read("POST")
		expectError(r.response, 408, "request_timeout")
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
		Expect(conn.closed()).To(BeTrue())
		for _, rec := range m.Requests() {
			if strings.HasSuffix(rec.RawPath, "/_doc/1") {
				Expect(rec.BodyComplete).To(BeFalse())
			}
		}
		settlesAt(p, m, baseline, 10*time.Second)
	})
})

// settleFirst measures a freshly warmed proxy once its counts stop falling: the
// baseline the fault specs come back to.
func settleFirst(p *harness.Proxy, m *mockupstream.Server) footprint {
	var last footprint
	stable := 0
	Eventually(func() bool {
		now := measure(p, p.URL, m)
		if now.goroutines == last.goroutines && now.fds == last.fds {
			stable++
		} else {
			stable = 0
		}
		last = now
		return stable >= 3
	}).WithTimeout(10 * time.Second).WithPolling(100 * time.Millisecond).Should(BeTrue())
	return last
}

// blackhole returns an address whose listen queue is full, so a new
// connection waits (its SYN unanswered) rather than being refused: a cluster
// that does not accept connections. The socket closes with the spec.
func blackhole() string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = syscall.Close(fd) })
	Expect(syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})).To(Succeed())
	Expect(syscall.Listen(fd, 0)).To(Succeed())
	sa, err := syscall.Getsockname(fd)
	Expect(err).NotTo(HaveOccurred())
	addr := "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
	// Fill the queue: connections the kernel completes but nobody accepts.
	for i := 0; i < 64; i++ {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			var ne net.Error
			Expect(errors.As(err, &ne) && ne.Timeout()).To(BeTrue(), "filling the queue: %v", err)
			return addr
		}
		DeferCleanup(c.Close)
	}
	Fail("the listen queue of " + addr + " never filled")
	return ""
}

package conformance_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

// Specs of spec/13-http.md. Requests are written byte by byte on raw
// connections: a Go client would never send most of them.

// httpRig is a proxy in whole-instance passthrough mode in front of a mock
// that answers 200 to everything and records what reaches it.
type httpRig struct {
	mock  *mockupstream.Server
	proxy *harness.Proxy
}

func startHTTPRig(extra ...string) httpRig {
	mock := startMock()
	env := passthroughEnv(mock.URL())
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return httpRig{mock: mock, proxy: startProxy(env)}
}

// rawConn is a raw client connection to the proxy.
type rawConn struct {
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(addr string) *rawConn {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	ExpectWithOffset(1, c.SetDeadline(time.Now().Add(30*time.Second))).To(Succeed())
	return &rawConn{c: c, br: bufio.NewReader(c)}
}

func (r *rawConn) write(s string) {
	_, err := io.WriteString(r.c, s)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
}

// rawResponse is a response and whether it said Connection: close, which
// net/http takes out of the header.
type rawResponse struct {
	response
	connClose bool
}

// read reads one response to a request of method.
func (r *rawConn) read(method string) rawResponse {
	resp, err := http.ReadResponse(r.br, &http.Request{Method: method})
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return rawResponse{response{Status: resp.StatusCode, Header: resp.Header, Body: b}, resp.Close}
}

// closed reports whether the proxy closed the connection: the next read
// meets the end of the stream (or a reset) within a few seconds.
func (r *rawConn) closed() bool {
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := r.br.ReadByte()
	return err != nil && !isTimeout(err)
}

func (r *rawConn) close() { _ = r.c.Close() }

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// expectRefused sends raw on a fresh connection and asserts HTTP-11: the
// OpenSearch-shaped error of code and status, Connection: close, the
// connection closed, and nothing sent upstream.
func (g httpRig) expectRefused(raw string, status int, code string) {
	c := dialRaw(g.proxy.Addr)
	defer c.close()
	c.write(raw)
	method, _, _ := strings.Cut(raw, " ")
	r := c.read(method)
	expectError(r.response, status, code)
	ExpectWithOffset(1, r.connClose).To(BeTrue(), "no Connection: close after %q", raw)
	ExpectWithOffset(1, c.closed()).To(BeTrue(), "connection left open after %q", raw)
	ExpectWithOffset(1, g.mock.Requests()).To(BeEmpty(), "request %q reached the upstream", raw)
}

// recordedURIs lists the "METHOD request-target" of every request m recorded.
func recordedURIs(m *mockupstream.Server) []string {
	out := []string{}
	for _, r := range m.Requests() {
		out = append(out, r.Method+" "+r.RequestURI)
	}
	return out
}

// head builds a request head with the given field lines after Host.
func head(requestLine string, fields ...string) string {
	s := requestLine + "\r\nHost: osproxy.test\r\n"
	for _, f := range fields {
		s += f + "\r\n"
	}
	return s + "\r\n"
}

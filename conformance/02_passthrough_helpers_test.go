package conformance_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

// Specs of spec/02-passthrough.md. What the proxy forwards is judged by what
// the mock recorded; where a Go client would add or reshape headers of its
// own, the request is written byte by byte on a raw connection instead.

// ptRig is one spec's setup: the passthrough endpoint, the tenancy upstream
// (which must see nothing a passthrough request sends) and the proxy.
type ptRig struct {
	pass, ten *mockupstream.Server
	proxy     *harness.Proxy
}

// ptEnv is passthroughEnv with the tenancy upstream on its own mock.
func ptEnv(pass, ten *mockupstream.Server) map[string]string {
	env := passthroughEnv(pass.URL())
	env["OSPROXY_UPSTREAM"] = ten.URL()
	return env
}

// ptStart starts both upstreams (mocks, or recording proxies in front of a
// real cluster: see startUpstream) and a proxy in whole-instance passthrough
// mode; extra holds name, value pairs added to the environment.
func ptStart(extra ...string) ptRig {
	pass, ten := startUpstream(), startUpstream()
	env := ptEnv(pass, ten)
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return ptRig{pass: pass, ten: ten, proxy: startProxy(env)}
}

// ptRaw builds an HTTP/1.1 request: request line, Host, the header lines as
// given, Content-Length when body is not empty, then body.
func ptRaw(method, target string, headerLines []string, body string) string {
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: osproxy.test\r\n")
	for _, l := range headerLines {
		b.WriteString(l + "\r\n")
	}
	if body != "" {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n" + body)
	return b.String()
}

// ptExchange writes raw on a fresh connection and reads one response.
func ptExchange(addr, raw string) response {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer conn.Close()
	ExpectWithOffset(1, conn.SetDeadline(time.Now().Add(time.Minute))).To(Succeed())
	_, err = io.WriteString(conn, raw)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "request:\n%s", raw)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// ptSHA is the hex SHA-256 the mock records for a body.
func ptSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ptBody returns n deterministic bytes covering every byte value.
func ptBody(n int) []byte {
	b := make([]byte, n)
	x := uint32(2166136261)
	for i := range b {
		x = (x ^ uint32(i)) * 16777619
		b[i] = byte(x >> 13)
	}
	return b
}

// ptForwardAll sends each target as a raw GET and returns field of what the
// passthrough upstream recorded, in order. What the upstream answered is not
// judged: a real cluster answers most of these targets with an error.
func ptForwardAll(rig ptRig, targets []string, field func(mockupstream.Request) string) []string {
	for _, t := range targets {
		ptExchange(rig.proxy.Addr, ptRaw("GET", t, nil, ""))
	}
	got := []string{}
	for _, r := range rig.pass.Requests() {
		got = append(got, field(r))
	}
	return got
}

// ptSendBody sends body through the proxy with a known length and drains
// the answer, whatever it is.
func ptSendBody(method, url, contentType string, body []byte) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	_, _ = io.Copy(io.Discard, resp.Body)
	ExpectWithOffset(1, resp.Body.Close()).To(Succeed())
}

// ptWithin runs f on its own goroutine and waits at most d for its result, so
// a proxy that withholds bytes fails the spec instead of hanging it. f must
// not assert.
func ptWithin[T any](d time.Duration, f func() T) T {
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	var v T
	EventuallyWithOffset(1, ch).WithTimeout(d).Should(Receive(&v))
	return v
}

// ptRelease returns a channel for a gated responder and closes it at cleanup
// unless the spec did; the returned func closes it once.
func ptRelease() (<-chan struct{}, func()) {
	ch := make(chan struct{})
	closed := false
	closeOnce := func() {
		if !closed {
			closed = true
			close(ch)
		}
	}
	DeferCleanup(closeOnce)
	return ch, closeOnce
}

// ptStalling answers 200, sends first and flushes it, then waits for release
// before sending rest. With length set the response declares Content-Length,
// else it is chunked.
func ptStalling(first, rest []byte, length bool, release <-chan struct{}) mockupstream.Responder {
	return mockupstream.ResponderFunc(func(w http.ResponseWriter, req *mockupstream.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if length {
			w.Header().Set("Content-Length", strconv.Itoa(len(first)+len(rest)))
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(first)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-release:
			_, _ = w.Write(rest)
		case <-req.Context().Done():
		}
	})
}

// ptStallThenReset declares Content-Length total, sends first, then waits
// for release and resets the connection: an upstream failing mid-body at a
// moment the spec chooses.
func ptStallThenReset(first []byte, total int, release <-chan struct{}) mockupstream.Responder {
	return mockupstream.ResponderFunc(func(w http.ResponseWriter, req *mockupstream.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(total))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(first)
		rc := http.NewResponseController(w)
		if rc.Flush() != nil {
			return
		}
		select {
		case <-release:
		case <-req.Context().Done():
		}
		ptReset(rc)
	})
}

// ptReset takes the connection over and closes it with a TCP reset.
func ptReset(rc *http.ResponseController) {
	conn, _, err := rc.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// ptChunkedThenReset sends a chunked 200 with prefix, then resets the
// connection without the terminating chunk.
func ptChunkedThenReset(prefix []byte) mockupstream.Responder {
	return mockupstream.ResponderFunc(func(w http.ResponseWriter, _ *mockupstream.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(prefix)
		rc := http.NewResponseController(w)
		if rc.Flush() != nil {
			return
		}
		ptReset(rc)
	})
}

// ptGet starts a GET and returns the response once its head has arrived.
func ptGet(url string) *http.Response {
	type result struct {
		resp *http.Response
		err  error
	}
	r := ptWithin(20*time.Second, func() result {
		resp, err := client.Get(url)
		return result{resp, err}
	})
	ExpectWithOffset(1, r.err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = r.resp.Body.Close() })
	return r.resp
}

package conformance_test

import (
	"bufio"
	"bytes"
	"context"
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

// ptStart starts both mocks and a proxy in whole-instance passthrough mode;
// extra holds name, value pairs added to the environment.
func ptStart(extra ...string) ptRig {
	pass, ten := startMock(), startMock()
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

// ptURIs lists the recorded "METHOD request-target" lines of m.
func ptURIs(m *mockupstream.Server) []string {
	out := []string{}
	for _, r := range m.Requests() {
		out = append(out, r.Method+" "+r.RequestURI)
	}
	return out
}

// ptWithin runs f on its own goroutine and waits at most d for its result, so
// a proxy that withholds bytes fails the spec instead of hanging it. f must
// not assert.
// ptForwardAll sends each target as a raw GET and returns field of what the
// passthrough mock recorded, in order.
func ptForwardAll(rig ptRig, targets []string, field func(mockupstream.Request) string) []string {
	for _, t := range targets {
		ExpectWithOffset(1, ptExchange(rig.proxy.Addr, ptRaw("GET", t, nil, "")).Status).To(Equal(200), t)
	}
	got := []string{}
	for _, r := range rig.pass.Requests() {
		got = append(got, field(r))
	}
	return got
}

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

var _ = Describe("02 passthrough", func() {
	Describe("selection", func() {
		It("PT-1: forwards every request to passthrough_endpoint when no passthrough_indices is set", Label("rule:PT-1", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			sent := []string{"GET /_cluster/health", "POST /orders/_search", "PUT /.kibana/_doc/1",
				"DELETE /old-index", "HEAD /", "GET /_cat/indices?v", "POST /_bulk", "PATCH /_plugins/x"}
			for _, line := range sent {
				method, target, _ := strings.Cut(line, " ")
				body := ""
				if method == "POST" || method == "PUT" {
					body = `{"a":1}`
				}
				r := send(method, rig.proxy.URL+target, body, "x-tenant", "acme")
				Expect(r.Status).To(Equal(200), "%s: %s", line, r.Body)
			}
			Expect(ptURIs(rig.pass)).To(Equal(sent))
			Expect(rig.ten.Requests()).To(BeEmpty())
		})

		It("PT-2: forwards a request whose first segment starts with a listed prefix, verbatim", Label("rule:PT-2", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-,archive")
			body := `{"query":{"match_all":{}}}`
			for _, target := range []string{"/legacy-1/_search?size=3", "/legacy-/_doc/1", "/archive/_search", "/archive2024/_count"} {
				Expect(send("POST", rig.proxy.URL+target, body, "x-tenant", "acme").Status).To(Equal(200), target)
			}
			Expect(ptURIs(rig.pass)).To(Equal([]string{"POST /legacy-1/_search?size=3", "POST /legacy-/_doc/1",
				"POST /archive/_search", "POST /archive2024/_count"}))
			for _, r := range rig.pass.Requests() {
				Expect(string(r.BodyPrefix)).To(Equal(body))
				Expect(r.Header.Values("X-Tenant")).To(Equal([]string{"acme"}))
			}
			Expect(rig.ten.Requests()).To(BeEmpty())
		})

		It("PT-2: handles a request for any other index in tenancy mode", Label("rule:PT-2", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-")
			rig.ten.Handle("POST", "/osproxy-shared/_search*", mockupstream.SearchEnvelope(nil, 0))
			for _, target := range []string{"/orders/_search", "/legacy/_search", "/legacyx-1/_search"} {
				Expect(send("POST", rig.proxy.URL+target, `{}`, "x-tenant", "acme").Status).To(Equal(200), target)
			}
			Expect(ptURIs(rig.ten)).To(HaveLen(3))
			for _, r := range rig.ten.Requests() {
				Expect(r.RawPath).To(Equal("/osproxy-shared/_search"))
			}
			Expect(rig.pass.Requests()).To(BeEmpty())
		})

		It("PT-2: never passes through a first segment that starts with _", Label("rule:PT-2", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-,_")
			expectError(send("POST", rig.proxy.URL+"/_search", `{}`, "x-tenant", "acme"), 400, "invalid_index_name")
			expectError(send("GET", rig.proxy.URL+"/_cat/indices", "", "x-tenant", "acme"), 400, "unsupported_endpoint")
			Expect(rig.pass.Requests()).To(BeEmpty())
			Expect(rig.ten.Requests()).To(BeEmpty())
		})

		It("PT-2: compares prefixes case-sensitively", Label("rule:PT-2", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-")
			for _, target := range []string{"/LEGACY-1/_search", "/Legacy-1/_search"} {
				expectError(send("POST", rig.proxy.URL+target, `{}`, "x-tenant", "acme"), 400, "invalid_index_name")
			}
			Expect(rig.pass.Requests()).To(BeEmpty())
		})

		It("PT-3: lets no client header select passthrough", Label("rule:PT-3", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-")
			rig.ten.Handle("POST", "/osproxy-shared/_search*", mockupstream.SearchEnvelope(nil, 0))
			passHost := strings.TrimPrefix(rig.pass.URL(), "http://")
			for _, h := range [][]string{
				{"X-Osproxy-Passthrough", "true"}, {"X-Passthrough", "1"}, {"X-Osproxy-Mode", "passthrough"},
				{"X-Osproxy-Cluster", "mock"}, {"X-Passthrough-Cluster", "mock"}, {"X-Forwarded-Host", passHost},
				{"Forwarded", "host=" + passHost}, {"X-Original-URL", "/legacy-1/_search"}, {"X-Index", "legacy-1"},
			} {
				r := send("POST", rig.proxy.URL+"/orders/_search", `{}`, "x-tenant", "acme", h[0], h[1])
				Expect(r.Status).To(Equal(200), "%s: %s", h[0], r.Body)
			}
			req, err := http.NewRequest("POST", rig.proxy.URL+"/orders/_search", strings.NewReader(`{}`))
			Expect(err).NotTo(HaveOccurred())
			req.Host = passHost
			req.Header.Set("x-tenant", "acme")
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			_, _ = io.Copy(io.Discard, resp.Body)
			Expect(resp.Body.Close()).To(Succeed())
			Expect(resp.StatusCode).To(Equal(200))
			Expect(rig.pass.Requests()).To(BeEmpty())
			Expect(rig.ten.Requests()).To(HaveLen(10))
		})
	})

	Describe("what is forwarded", func() {
		It("PT-4: keeps the client's method", Label("rule:PT-4", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			methods := []string{"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "PURGE"}
			for _, m := range methods {
				Expect(send(m, rig.proxy.URL+"/legacy/_doc/1", "").Status).To(Equal(200), m)
			}
			got := []string{}
			for _, r := range rig.pass.Requests() {
				got = append(got, r.Method)
			}
			Expect(got).To(Equal(methods))
		})

		It("PT-4: keeps the raw path without decoding it or normalising dots and slashes", Label("rule:PT-4", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			targets := []string{
				"/logs%2F2024/_doc/a%2Fb", "//double//slash/", "/./dot/../segments/.", "/legacy/%41%62%63",
				"/legacy/%e2%82%ac%E2%82%AC", "/legacy/_doc/a+b;c=d@e:f", "/legacy/_doc/%25", "/legacy/", "/%2e%2e/x", "/",
			}
			Expect(ptForwardAll(rig, targets, func(r mockupstream.Request) string { return r.RequestURI })).To(Equal(targets))
		})

		It("PT-4: keeps raw path characters that a URL encoder would escape", Label("rule:PT-4", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			targets := []string{"/legacy/_doc/{id}", "/legacy/_doc/a|b", "/legacy/_doc/a^b", "/legacy/_doc/a`b", "/<logs-{now}>/_search"}
			Expect(ptForwardAll(rig, targets, func(r mockupstream.Request) string { return r.RequestURI })).To(Equal(targets))
		})

		It("PT-4: keeps an encoded slash in a path that also holds characters an encoder would escape", Label("rule:PT-4", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			targets := []string{"/<logs-{now%2Fd}>/_search", "/legacy/_doc/{a%2Fb}"}
			got := ptForwardAll(rig, targets, func(r mockupstream.Request) string { return r.RawPath })
			// However the other bytes are spelled, %2F must not become a path separator.
			Expect(strings.Count(got[0], "/")).To(Equal(2), "forwarded %q", got[0])
			Expect(strings.Count(got[1], "/")).To(Equal(3), "forwarded %q", got[1])
			Expect(got).To(Equal(targets))
		})

		It("PT-4: keeps the raw query string", Label("rule:PT-4", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			targets := []string{
				"/legacy/_search?q=a+b%20c&x=%2F%2f", "/legacy/_search?a=1;b=2", "/legacy/_search?bad=%zz&=&&k==v",
				"/legacy/_search?", "/legacy/_search?%E2%82%AC=%e2%82%ac&flag", "/legacy/_search?q=a?b/c",
				"/legacy/_search?routing=acme&routing=other",
			}
			Expect(ptForwardAll(rig, targets, func(r mockupstream.Request) string { return r.RequestURI })).To(Equal(targets))
		})

		It("PT-4: appends the request target to the endpoint's base path", Label("rule:PT-4", "profile:passthrough", "upstream:mock"), func() {
			pass, ten := startMock(), startMock()
			env := ptEnv(pass, ten)
			env["OSPROXY_PASSTHROUGH_ENDPOINT"] = pass.URL() + "/base/nested"
			p := startProxy(env)
			targets := []string{"/legacy/_search?q=x%2Fy", "/a%2Fb//c/./d", "/"}
			for _, t := range targets {
				Expect(ptExchange(p.Addr, ptRaw("GET", t, nil, "")).Status).To(Equal(200), t)
			}
			got := []string{}
			for _, r := range pass.Requests() {
				got = append(got, r.RequestURI)
			}
			Expect(got).To(Equal([]string{"/base/nested/legacy/_search?q=x%2Fy", "/base/nested/a%2Fb//c/./d", "/base/nested/"}))
		})

		It("PT-4: forwards the body bytes unchanged", Label("rule:PT-4", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			body := append([]byte("{\"not\": json\r\n\x00"), ptBody(4096)...)
			req, err := http.NewRequest("PUT", rig.proxy.URL+"/legacy/_doc/1", bytes.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			_, _ = io.Copy(io.Discard, resp.Body)
			Expect(resp.Body.Close()).To(Succeed())
			Expect(resp.StatusCode).To(Equal(200))
			rec := onlyRequest(rig.pass)
			Expect(rec.BodyPrefix).To(Equal(body))
			Expect(rec.BodySHA256).To(Equal(ptSHA(body)))
			Expect(rec.BodyComplete).To(BeTrue())
		})

		It("PT-5: keeps a declared Content-Length", Label("rule:PT-5", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			body := `{"index":{"_id":"1"}}` + "\n" + `{"a":1}` + "\n"
			Expect(ptExchange(rig.proxy.Addr, ptRaw("POST", "/legacy/_bulk", []string{"Content-Type: application/x-ndjson"}, body)).Status).To(Equal(200))
			rec := onlyRequest(rig.pass)
			Expect(rec.ContentLength).To(Equal(int64(len(body))))
			Expect(rec.Header.Values("Content-Length")).To(Equal([]string{strconv.Itoa(len(body))}))
			Expect(rec.TransferEncoding).To(BeEmpty())
			Expect(string(rec.BodyPrefix)).To(Equal(body))
		})

		It("PT-5: keeps a chunked body chunked", Label("rule:PT-5", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			raw := "POST /legacy/_bulk HTTP/1.1\r\nHost: osproxy.test\r\nContent-Type: application/x-ndjson\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n" +
				"16\r\n{\"index\":{\"_id\":\"1\"}}\n\r\n" + "8\r\n{\"a\":1}\n\r\n" + "3\r\n{}\n\r\n" + "0\r\n\r\n"
			Expect(ptExchange(rig.proxy.Addr, raw).Status).To(Equal(200))
			rec := onlyRequest(rig.pass)
			Expect(rec.ContentLength).To(Equal(int64(-1)))
			Expect(rec.TransferEncoding).To(Equal([]string{"chunked"}))
			Expect(rec.Header).NotTo(HaveKey("Content-Length"))
			Expect(string(rec.BodyPrefix)).To(Equal("{\"index\":{\"_id\":\"1\"}}\n{\"a\":1}\n{}\n"))
			Expect(rec.BodyComplete).To(BeTrue())
		})

		It("PT-5: streams the request body upstream before it has all arrived", Label("rule:PT-5", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			first, second := ptBody(64<<10), bytes.Repeat([]byte("z"), 1000)
			pr, pw := io.Pipe()
			DeferCleanup(func() { _ = pw.Close() })
			req, err := http.NewRequest("POST", rig.proxy.URL+"/legacy/_bulk", pr)
			Expect(err).NotTo(HaveOccurred())
			req.ContentLength = -1
			type result struct {
				status int
				err    error
			}
			done := make(chan result, 1)
			go func() {
				resp, err := client.Do(req)
				if err != nil {
					done <- result{0, err}
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				done <- result{resp.StatusCode, nil}
			}()
			go func() { _, _ = pw.Write(first) }()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err = rig.pass.WaitFor(ctx, func() bool {
				reqs := rig.pass.Requests()
				return len(reqs) == 1 && reqs[0].BodySize >= int64(len(first))
			})
			Expect(err).NotTo(HaveOccurred(), "the first part never reached the upstream while the body was still open")
			Expect(onlyRequest(rig.pass).BodyComplete).To(BeFalse())
			go func() {
				_, _ = pw.Write(second)
				_ = pw.Close()
			}()
			var res result
			Eventually(done).WithTimeout(20 * time.Second).Should(Receive(&res))
			Expect(res.err).NotTo(HaveOccurred())
			Expect(res.status).To(Equal(200))
			rec := onlyRequest(rig.pass)
			Expect(rec.BodySize).To(Equal(int64(len(first) + len(second))))
			Expect(rec.BodySHA256).To(Equal(ptSHA(append(append([]byte{}, first...), second...))))
			Expect(rec.TransferEncoding).To(Equal([]string{"chunked"}))
		})

		It("PT-5: forwards a body larger than max_body_bytes intact", Label("rule:PT-5", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart("OSPROXY_MAX_BODY_BYTES", "1024")
			body := ptBody(1 << 20)
			req, err := http.NewRequest("POST", rig.proxy.URL+"/legacy/_bulk", bytes.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Content-Type", "application/x-ndjson")
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			_, _ = io.Copy(io.Discard, resp.Body)
			Expect(resp.Body.Close()).To(Succeed())
			Expect(resp.StatusCode).To(Equal(200))
			rec := onlyRequest(rig.pass)
			Expect(rec.ContentLength).To(Equal(int64(len(body))))
			Expect(rec.BodySize).To(Equal(int64(len(body))))
			Expect(rec.BodySHA256).To(Equal(ptSHA(body)))
		})

		It("PT-6: removes the headers named in Connection and the fixed hop-by-hop headers", Label("rule:PT-6", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			raw := ptRaw("POST", "/legacy/_doc/1", []string{
				"Connection: keep-alive, X-Hop-A", "Connection: x-hop-b",
				"X-Hop-A: a", "X-Hop-B: b", "Keep-Alive: timeout=5, max=100", "Proxy-Connection: keep-alive",
				`Proxy-Authenticate: Basic realm="x"`, "Proxy-Authorization: Basic dXNlcjpwYXNz",
				"TE: gzip", "Trailer: X-Checksum", "Upgrade: example/1",
				"X-End-To-End: kept", "Content-Type: application/json",
			}, `{}`)
			Expect(ptExchange(rig.proxy.Addr, raw).Status).To(Equal(200))
			Expect(onlyRequest(rig.pass).Header).To(Equal(http.Header{
				"X-End-To-End":   {"kept"},
				"Content-Type":   {"application/json"},
				"Content-Length": {"2"},
			}))
		})

		It("PT-6: removes Upgrade and Connection from a protocol upgrade request", Label("rule:PT-6", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			raw := ptRaw("GET", "/legacy/_search", []string{"Connection: Upgrade", "Upgrade: websocket", "X-Probe: 1"}, "")
			Expect(ptExchange(rig.proxy.Addr, raw).Status).To(Equal(200))
			Expect(onlyRequest(rig.pass).Header).To(Equal(http.Header{"X-Probe": {"1"}}))
		})

		It("PT-6: forwards end-to-end headers with all their values unchanged", Label("rule:PT-6", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			lines := []string{
				"Accept: application/json", "Accept: text/plain;q=0.5",
				"X-Multi: one", "X-Multi: two, three", "X-Multi: ",
				"Cookie: a=1", "Cookie: b=2",
				"Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43",
				"X-Forwarded-For: 198.51.100.7, 203.0.113.9", "X-Forwarded-Host: search.example", "X-Forwarded-Proto: https",
				"Via: 1.1 edge-proxy", "X-Opaque-Id: req-42",
				"Traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
				"User-Agent: conformance-suite/1.0", "Accept-Encoding: gzip, br", "Cache-Control: no-cache",
				"X-Tenant: acme", "Content-Type: application/json",
			}
			Expect(ptExchange(rig.proxy.Addr, ptRaw("POST", "/legacy/_search", lines, `{}`)).Status).To(Equal(200))
			Expect(onlyRequest(rig.pass).Header).To(Equal(http.Header{
				"Accept":            {"application/json", "text/plain;q=0.5"},
				"X-Multi":           {"one", "two, three", ""},
				"Cookie":            {"a=1", "b=2"},
				"Forwarded":         {"for=192.0.2.60;proto=http;by=203.0.113.43"},
				"X-Forwarded-For":   {"198.51.100.7, 203.0.113.9"},
				"X-Forwarded-Host":  {"search.example"},
				"X-Forwarded-Proto": {"https"},
				"Via":               {"1.1 edge-proxy"},
				"X-Opaque-Id":       {"req-42"},
				"Traceparent":       {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
				"User-Agent":        {"conformance-suite/1.0"},
				"Accept-Encoding":   {"gzip, br"},
				"Cache-Control":     {"no-cache"},
				"X-Tenant":          {"acme"},
				"Content-Type":      {"application/json"},
				"Content-Length":    {"2"},
			}))
		})

		It("PT-6: does not forward the client's Authorization", Label("rule:PT-6", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			for _, auth := range []string{"Basic dXNlcjpwYXNz", "Bearer cluster-credential", "ApiKey abc=="} {
				raw := ptRaw("GET", "/legacy/_search", []string{"Authorization: " + auth, "X-Probe: 1"}, "")
				Expect(ptExchange(rig.proxy.Addr, raw).Status).To(Equal(200))
			}
			reqs := rig.pass.Requests()
			Expect(reqs).To(HaveLen(3))
			for _, r := range reqs {
				Expect(r.Header).To(Equal(http.Header{"X-Probe": {"1"}}))
			}
		})

		It("PT-6: sends the endpoint's Host, not the client's", Label("rule:PT-6", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			raw := "GET /legacy/_search HTTP/1.1\r\nHost: client.example:9999\r\n\r\n"
			Expect(ptExchange(rig.proxy.Addr, raw).Status).To(Equal(200))
			rec := onlyRequest(rig.pass)
			Expect(rec.Host).To(Equal(strings.TrimPrefix(rig.pass.URL(), "http://")))
			Expect(rec.Header).NotTo(HaveKey("X-Forwarded-Host"))
		})

		It("PT-7: adds no header to the forwarded request", Label("rule:PT-7", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			Expect(ptExchange(rig.proxy.Addr, ptRaw("GET", "/legacy/_doc/1", []string{"X-Probe: 1"}, "")).Status).To(Equal(200))
			Expect(ptExchange(rig.proxy.Addr, ptRaw("PUT", "/legacy/_doc/2", []string{"Content-Type: application/json"}, `{"a":1}`)).Status).To(Equal(200))
			Expect(ptExchange(rig.proxy.Addr, "DELETE /legacy HTTP/1.1\r\nHost: osproxy.test\r\n\r\n").Status).To(Equal(200))
			reqs := rig.pass.Requests()
			Expect(reqs).To(HaveLen(3))
			Expect(reqs[0].Header).To(Equal(http.Header{"X-Probe": {"1"}}))
			Expect(reqs[1].Header).To(Equal(http.Header{"Content-Type": {"application/json"}, "Content-Length": {"7"}}))
			Expect(reqs[2].Header).To(Equal(http.Header{}))
		})
	})

	Describe("what comes back", func() {
		It("PT-8: relays the upstream status, headers and body as they are", Label("rule:PT-8", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			body := []byte("line one\nline two \xff\x00 not json")
			rig.pass.Handle("PUT", "/legacy/_doc/1", mockupstream.Canned(http.StatusCreated, http.Header{
				"Content-Type": {"text/plain; charset=iso-8859-1"},
				"X-Multi":      {"a", "b, c"},
				"Location":     {"/legacy/_doc/1"},
				"Warning":      {`299 OpenSearch-2.19 "deprecated"`},
			}, body))
			r := send("PUT", rig.proxy.URL+"/legacy/_doc/1", `{}`)
			Expect(r.Status).To(Equal(http.StatusCreated))
			Expect(r.Body).To(Equal(body))
			Expect(r.Header.Values("Content-Type")).To(Equal([]string{"text/plain; charset=iso-8859-1"}))
			Expect(r.Header.Values("X-Multi")).To(Equal([]string{"a", "b, c"}))
			Expect(r.Header.Values("Location")).To(Equal([]string{"/legacy/_doc/1"}))
			Expect(r.Header.Values("Warning")).To(Equal([]string{`299 OpenSearch-2.19 "deprecated"`}))
			Expect(r.Header.Values("Content-Length")).To(Equal([]string{strconv.Itoa(len(body))}))
		})

		It("PT-8: relays an upstream 5xx unchanged", Label("rule:PT-8", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			for _, status := range []int{500, 502, 503, 504} {
				body := []byte("upstream says " + strconv.Itoa(status) + "\n")
				target := "/legacy/_status/" + strconv.Itoa(status)
				rig.pass.Handle("GET", target, mockupstream.Canned(status, http.Header{
					"Content-Type": {"text/plain"}, "X-Upstream-Node": {"node-" + strconv.Itoa(status)}, "Retry-After": {"7"},
				}, body))
				r := send("GET", rig.proxy.URL+target, "")
				Expect(r.Status).To(Equal(status))
				Expect(r.Body).To(Equal(body), "status %d", status)
				Expect(r.Header.Values("X-Upstream-Node")).To(Equal([]string{"node-" + strconv.Itoa(status)}))
				Expect(r.Header.Values("Retry-After")).To(Equal([]string{"7"}))
				Expect(r.Header.Values("Content-Type")).To(Equal([]string{"text/plain"}))
			}
		})

		It("PT-8: removes hop-by-hop headers from the response", Label("rule:PT-8", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			rig.pass.Handle("GET", "/legacy/_search", mockupstream.HeadersOut(http.Header{
				"Connection":         {"X-Resp-Hop"},
				"X-Resp-Hop":         {"1"},
				"Keep-Alive":         {"timeout=5"},
				"Proxy-Authenticate": {`Basic realm="upstream"`},
				"Proxy-Connection":   {"keep-alive"},
				"Upgrade":            {"example/1"},
				"X-Kept":             {"yes", "twice"},
			}, mockupstream.JSON(200, `{"ok":true}`)))
			r := ptExchange(rig.proxy.Addr, ptRaw("GET", "/legacy/_search", nil, ""))
			Expect(r.Status).To(Equal(200))
			Expect(string(r.Body)).To(Equal(`{"ok":true}`))
			Expect(r.Header.Values("X-Kept")).To(Equal([]string{"yes", "twice"}))
			for _, h := range []string{"X-Resp-Hop", "Keep-Alive", "Proxy-Authenticate", "Proxy-Connection", "Upgrade"} {
				Expect(r.Header).NotTo(HaveKey(h))
			}
			for _, v := range r.Header.Values("Connection") {
				Expect(strings.ToLower(v)).NotTo(ContainSubstring("x-resp-hop"))
			}
		})

		It("PT-9: relays the first bytes of a response before the upstream has finished it", Label("rule:PT-9", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			release, done := ptRelease()
			first, rest := []byte(`{"took":1,"hits":[`), []byte(`]}`)
			rig.pass.Handle("GET", "/legacy/_search", ptStalling(first, rest, false, release))
			resp := ptGet(rig.proxy.URL + "/legacy/_search")
			Expect(resp.StatusCode).To(Equal(200))
			got := ptWithin(10*time.Second, func() []byte {
				b := make([]byte, len(first))
				if _, err := io.ReadFull(resp.Body, b); err != nil {
					return nil
				}
				return b
			})
			Expect(got).To(Equal(first), "the first bytes must arrive while the upstream is still sending")
			done()
			tail, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(tail).To(Equal(rest))
		})

		It("PT-9: relays most of a large response with a Content-Length before the upstream has finished it", Label("rule:PT-9", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			release, done := ptRelease()
			first, rest := ptBody(512<<10), bytes.Repeat([]byte("r"), 512<<10)
			rig.pass.Handle("GET", "/legacy/_search", ptStalling(first, rest, true, release))
			resp := ptGet(rig.proxy.URL + "/legacy/_search")
			Expect(resp.StatusCode).To(Equal(200))
			Expect(resp.ContentLength).To(Equal(int64(len(first) + len(rest))))
			// Copy buffers may hold a little; half of what was sent must be through.
			got := ptWithin(10*time.Second, func() []byte {
				b := make([]byte, len(first)/2)
				if _, err := io.ReadFull(resp.Body, b); err != nil {
					return nil
				}
				return b
			})
			Expect(got).To(Equal(first[:len(first)/2]))
			done()
			tail, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(ptSHA(append(got, tail...))).To(Equal(ptSHA(append(append([]byte{}, first...), rest...))))
		})

		It("PT-10: aborts the client connection when the upstream fails in a body with a Content-Length", Label("rule:PT-10", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			release, reset := ptRelease()
			// More than any copy buffer holds, so the head and a part of the
			// body reach the client before the upstream fails.
			first := ptBody(256 << 10)
			rig.pass.Handle("GET", "/legacy/_search", ptStallThenReset(first, 2*len(first), release))
			resp := ptGet(rig.proxy.URL + "/legacy/_search")
			Expect(resp.StatusCode).To(Equal(200))
			Expect(resp.ContentLength).To(Equal(int64(2 * len(first))))
			got := ptWithin(10*time.Second, func() []byte {
				b := make([]byte, 64<<10)
				if _, err := io.ReadFull(resp.Body, b); err != nil {
					return nil
				}
				return b
			})
			Expect(got).To(Equal(first[:64<<10]))
			reset()
			b, err := io.ReadAll(resp.Body)
			Expect(err).To(HaveOccurred(), "a truncated body ended as if complete")
			Expect(len(got) + len(b)).To(BeNumerically("<", 2*len(first)))
		})

		It("PT-10: aborts the client connection when the upstream fails in a chunked body", Label("rule:PT-10", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart()
			prefix := []byte(`{"took":1,"timed_out":false,"hits":{"hits":[`)
			rig.pass.Handle("GET", "/legacy/_search", ptChunkedThenReset(prefix))
			resp := ptGet(rig.proxy.URL + "/legacy/_search")
			Expect(resp.StatusCode).To(Equal(200))
			b, err := io.ReadAll(resp.Body)
			Expect(err).To(HaveOccurred(), "a truncated chunked body ended as if complete: %q", b)
			Expect(b).To(Equal(prefix))
		})

		It("PT-11: refuses a passthrough request without a configured token before contacting the endpoint", Label("rule:PT-11", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart("OSPROXY_TOKENS", "s3cr3t=svc")
			expectError(send("GET", rig.proxy.URL+"/legacy/_search", ""), 401, "authentication_required")
			expectError(send("GET", rig.proxy.URL+"/legacy/_search", "", "Authorization", "Bearer wrong"), 401, "authentication_required")
			expectError(send("GET", rig.proxy.URL+"/legacy/_search", "", "Authorization", "Basic czNjcjN0OnN2Yw=="), 401, "authentication_required")
			Expect(rig.pass.Requests()).To(BeEmpty())
			Expect(rig.ten.Requests()).To(BeEmpty())
		})

		It("PT-11: forwards a passthrough request that carries a configured token", Label("rule:PT-11", "profile:passthrough", "upstream:mock"), func() {
			rig := ptStart("OSPROXY_TOKENS", "s3cr3t=svc")
			r := send("GET", rig.proxy.URL+"/legacy/_search?q=1", "", "Authorization", "Bearer s3cr3t")
			Expect(r.Status).To(Equal(200), "body: %s", r.Body)
			rec := onlyRequest(rig.pass)
			Expect(rec.RequestURI).To(Equal("/legacy/_search?q=1"))
			Expect(rec.Header).NotTo(HaveKey("Authorization"))
		})

		It("PT-11: does not apply the cleartext guard to passthrough requests", Label("rule:PT-11", "profile:passthrough", "upstream:mock"), func() {
			pass, ten := startMock(), startMock()
			env := ptEnv(pass, ten)
			delete(env, "OSPROXY_ALLOW_CLEARTEXT_MUTATION")
			env["OSPROXY_PASSTHROUGH_INDICES"] = "legacy-"
			p := startProxy(env)
			// The guard is on for tenancy traffic in this very process...
			expectError(send("PUT", p.URL+"/orders/_doc/1", `{"a":1}`, "x-tenant", "acme"), 403, "tls_required")
			// ...and passthrough mutations over cleartext still go through.
			Expect(send("PUT", p.URL+"/legacy-1/_doc/1", `{"a":1}`).Status).To(Equal(200))
			Expect(send("DELETE", p.URL+"/legacy-1", "").Status).To(Equal(200))
			Expect(ptURIs(pass)).To(Equal([]string{"PUT /legacy-1/_doc/1", "DELETE /legacy-1"}))
			Expect(ten.Requests()).To(BeEmpty())
		})
	})
})

package conformance_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("02 passthrough: what is forwarded", func() {
	It("PT-4: keeps the client's method", Label("rule:PT-4", "profile:passthrough"), func() {
		rig := ptStart()
		methods := []string{"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "PURGE"}
		for _, m := range methods {
			send(m, rig.proxy.URL+"/legacy/_doc/1", "")
		}
		got := []string{}
		for _, r := range rig.pass.Requests() {
			got = append(got, r.Method)
		}
		Expect(got).To(Equal(methods))
	})

	It("PT-4: keeps the raw path without decoding it or normalising dots and slashes", Label("rule:PT-4", "profile:passthrough"), func() {
		rig := ptStart()
		targets := []string{
			"/logs%2F2024/_doc/a%2Fb", "//double//slash/", "/./dot/../segments/.", "/legacy/%41%62%63",
			"/legacy/%e2%82%ac%E2%82%AC", "/legacy/_doc/a+b;c=d@e:f", "/legacy/_doc/%25", "/legacy/", "/%2e%2e/x", "/",
		}
		Expect(ptForwardAll(rig, targets, func(r mockupstream.Request) string { return r.RequestURI })).To(Equal(targets))
	})

	It("PT-4: keeps raw path characters that a URL encoder would escape", Label("rule:PT-4", "profile:passthrough"), func() {
		rig := ptStart()
		targets := []string{"/legacy/_doc/{id}", "/legacy/_doc/a|b", "/legacy/_doc/a^b", "/legacy/_doc/a`b", "/<logs-{now}>/_search"}
		Expect(ptForwardAll(rig, targets, func(r mockupstream.Request) string { return r.RequestURI })).To(Equal(targets))
	})

	It("PT-4: keeps an encoded slash in a path that also holds characters an encoder would escape", Label("rule:PT-4", "profile:passthrough"), func() {
		rig := ptStart()
		targets := []string{"/<logs-{now%2Fd}>/_search", "/legacy/_doc/{a%2Fb}"}
		got := ptForwardAll(rig, targets, func(r mockupstream.Request) string { return r.RawPath })
		// However the other bytes are spelled, %2F must not become a path separator.
		Expect(strings.Count(got[0], "/")).To(Equal(2), "forwarded %q", got[0])
		Expect(strings.Count(got[1], "/")).To(Equal(3), "forwarded %q", got[1])
		Expect(got).To(Equal(targets))
	})

	It("PT-4: keeps the raw query string", Label("rule:PT-4", "profile:passthrough"), func() {
		rig := ptStart()
		targets := []string{
			"/legacy/_search?q=a+b%20c&x=%2F%2f", "/legacy/_search?a=1;b=2", "/legacy/_search?bad=%zz&=&&k==v",
			"/legacy/_search?", "/legacy/_search?%E2%82%AC=%e2%82%ac&flag", "/legacy/_search?q=a?b/c",
			"/legacy/_search?routing=acme&routing=other",
		}
		Expect(ptForwardAll(rig, targets, func(r mockupstream.Request) string { return r.RequestURI })).To(Equal(targets))
	})

	It("PT-4: appends the request target to the endpoint's base path", Label("rule:PT-4", "profile:passthrough"), func() {
		pass, ten := startUpstream(), startUpstream()
		env := ptEnv(pass, ten)
		env["OSPROXY_PASSTHROUGH_ENDPOINT"] = pass.URL() + "/base/nested"
		p := startProxy(env)
		targets := []string{"/legacy/_search?q=x%2Fy", "/a%2Fb//c/./d", "/"}
		for _, t := range targets {
			ptExchange(p.Addr, ptRaw("GET", t, nil, ""))
		}
		got := []string{}
		for _, r := range pass.Requests() {
			got = append(got, r.RequestURI)
		}
		Expect(got).To(Equal([]string{"/base/nested/legacy/_search?q=x%2Fy", "/base/nested/a%2Fb//c/./d", "/base/nested/"}))
	})

	It("PT-4: forwards the body bytes unchanged", Label("rule:PT-4", "profile:passthrough"), func() {
		rig := ptStart()
		body := append([]byte("{\"not\": json\r\n\x00"), ptBody(4096)...)
		ptSendBody("PUT", rig.proxy.URL+"/legacy/_doc/1", "application/octet-stream", body)
		rec := onlyRequest(rig.pass)
		Expect(rec.BodyPrefix).To(Equal(body))
		Expect(rec.BodySHA256).To(Equal(ptSHA(body)))
		Expect(rec.BodyComplete).To(BeTrue())
	})

	It("PT-5: keeps a declared Content-Length", Label("rule:PT-5", "profile:passthrough"), func() {
		rig := ptStart()
		body := `{"index":{"_id":"1"}}` + "\n" + `{"a":1}` + "\n"
		ptExchange(rig.proxy.Addr, ptRaw("POST", "/legacy/_bulk", []string{"Content-Type: application/x-ndjson"}, body))
		rec := onlyRequest(rig.pass)
		Expect(rec.ContentLength).To(Equal(int64(len(body))))
		Expect(rec.Header.Values("Content-Length")).To(Equal([]string{strconv.Itoa(len(body))}))
		Expect(rec.TransferEncoding).To(BeEmpty())
		Expect(string(rec.BodyPrefix)).To(Equal(body))
	})

	It("PT-5: keeps a chunked body chunked", Label("rule:PT-5", "profile:passthrough"), func() {
		rig := ptStart()
		raw := "POST /legacy/_bulk HTTP/1.1\r\nHost: osproxy.test\r\nContent-Type: application/x-ndjson\r\n" +
			"Transfer-Encoding: chunked\r\n\r\n" +
			"16\r\n{\"index\":{\"_id\":\"1\"}}\n\r\n" + "8\r\n{\"a\":1}\n\r\n" + "3\r\n{}\n\r\n" + "0\r\n\r\n"
		ptExchange(rig.proxy.Addr, raw)
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
		rec := onlyRequest(rig.pass)
		Expect(rec.BodySize).To(Equal(int64(len(first) + len(second))))
		Expect(rec.BodySHA256).To(Equal(ptSHA(append(append([]byte{}, first...), second...))))
		Expect(rec.TransferEncoding).To(Equal([]string{"chunked"}))
	})

	It("PT-5: forwards a body larger than max_body_bytes intact", Label("rule:PT-5", "profile:passthrough"), func() {
		rig := ptStart("OSPROXY_MAX_BODY_BYTES", "1024")
		body := ptBody(1 << 20)
		ptSendBody("POST", rig.proxy.URL+"/legacy/_bulk", "application/x-ndjson", body)
		rec := onlyRequest(rig.pass)
		Expect(rec.ContentLength).To(Equal(int64(len(body))))
		Expect(rec.BodySize).To(Equal(int64(len(body))))
		Expect(rec.BodySHA256).To(Equal(ptSHA(body)))
	})

	It("PT-6: removes the headers named in Connection and the fixed hop-by-hop headers", Label("rule:PT-6", "profile:passthrough"), func() {
		rig := ptStart()
		raw := ptRaw("POST", "/legacy/_doc/1", []string{
			"Connection: keep-alive, X-Hop-A", "Connection: x-hop-b",
			"X-Hop-A: a", "X-Hop-B: b", "Keep-Alive: timeout=5, max=100", "Proxy-Connection: keep-alive",
			`Proxy-Authenticate: Basic realm="x"`, "Proxy-Authorization: Basic dXNlcjpwYXNz",
			"TE: gzip", "Trailer: X-Checksum", "Upgrade: example/1",
			"X-End-To-End: kept", "Content-Type: application/json",
		}, `{}`)
		ptExchange(rig.proxy.Addr, raw)
		Expect(onlyRequest(rig.pass).Header).To(Equal(http.Header{
			"X-End-To-End":   {"kept"},
			"Content-Type":   {"application/json"},
			"Content-Length": {"2"},
		}))
	})

	It("PT-6: removes Upgrade and Connection from a protocol upgrade request", Label("rule:PT-6", "profile:passthrough"), func() {
		rig := ptStart()
		raw := ptRaw("GET", "/legacy/_search", []string{"Connection: Upgrade", "Upgrade: websocket", "X-Probe: 1"}, "")
		ptExchange(rig.proxy.Addr, raw)
		Expect(onlyRequest(rig.pass).Header).To(Equal(http.Header{"X-Probe": {"1"}}))
	})

	It("PT-6: forwards end-to-end headers with all their values unchanged", Label("rule:PT-6", "profile:passthrough"), func() {
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
		ptExchange(rig.proxy.Addr, ptRaw("POST", "/legacy/_search", lines, `{}`))
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

	It("PT-6: does not forward the client's Authorization", Label("rule:PT-6", "profile:passthrough"), func() {
		rig := ptStart()
		for _, auth := range []string{"Basic dXNlcjpwYXNz", "Bearer cluster-credential", "ApiKey abc=="} {
			raw := ptRaw("GET", "/legacy/_search", []string{"Authorization: " + auth, "X-Probe: 1"}, "")
			ptExchange(rig.proxy.Addr, raw)
		}
		reqs := rig.pass.Requests()
		Expect(reqs).To(HaveLen(3))
		for _, r := range reqs {
			Expect(r.Header).To(Equal(http.Header{"X-Probe": {"1"}}))
		}
	})

	It("PT-6: sends the endpoint's Host, not the client's", Label("rule:PT-6", "profile:passthrough"), func() {
		rig := ptStart()
		raw := "GET /legacy/_search HTTP/1.1\r\nHost: client.example:9999\r\n\r\n"
		ptExchange(rig.proxy.Addr, raw)
		rec := onlyRequest(rig.pass)
		Expect(rec.Host).To(Equal(strings.TrimPrefix(rig.pass.URL(), "http://")))
		Expect(rec.Header).NotTo(HaveKey("X-Forwarded-Host"))
	})

	It("PT-7: adds no header to the forwarded request", Label("rule:PT-7", "profile:passthrough"), func() {
		rig := ptStart()
		ptExchange(rig.proxy.Addr, ptRaw("GET", "/legacy/_doc/1", []string{"X-Probe: 1"}, ""))
		ptExchange(rig.proxy.Addr, ptRaw("PUT", "/legacy/_doc/2", []string{"Content-Type: application/json"}, `{"a":1}`))
		ptExchange(rig.proxy.Addr, "DELETE /legacy HTTP/1.1\r\nHost: osproxy.test\r\n\r\n")
		reqs := rig.pass.Requests()
		Expect(reqs).To(HaveLen(3))
		Expect(reqs[0].Header).To(Equal(http.Header{"X-Probe": {"1"}}))
		Expect(reqs[1].Header).To(Equal(http.Header{"Content-Type": {"application/json"}, "Content-Length": {"7"}}))
		Expect(reqs[2].Header).To(Equal(http.Header{}))
	})
})

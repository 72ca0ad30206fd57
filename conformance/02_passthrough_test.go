package conformance_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("02 passthrough: selection", func() {
	It("PT-1: forwards every request to passthrough_endpoint when no passthrough_indices is set", Label("rule:PT-1", "profile:passthrough"), func() {
		rig := ptStart()
		sent := []string{"GET /_cluster/health", "POST /orders/_search", "PUT /.legacy-hidden/_doc/1",
			"DELETE /old-index", "HEAD /", "GET /_cat/indices?v", "POST /_bulk", "PATCH /_plugins/x"}
		for _, line := range sent {
			method, target, _ := strings.Cut(line, " ")
			body := ""
			if method == "POST" || method == "PUT" {
				body = `{"a":1}`
			}
			send(method, rig.proxy.URL+target, body, "x-tenant", "acme")
		}
		Expect(forwarded(rig.pass)).To(Equal(sent))
		Expect(rig.ten.Requests()).To(BeEmpty())
	})

	It("PT-2: forwards a request whose first segment starts with a listed prefix, verbatim", Label("rule:PT-2", "profile:passthrough"), func() {
		rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-,archive")
		body := `{"query":{"match_all":{}}}`
		for _, target := range []string{"/legacy-1/_search?size=3", "/legacy-/_doc/1", "/archive/_search", "/archive2024/_count"} {
			send("POST", rig.proxy.URL+target, body, "x-tenant", "acme")
		}
		Expect(forwarded(rig.pass)).To(Equal([]string{"POST /legacy-1/_search?size=3", "POST /legacy-/_doc/1",
			"POST /archive/_search", "POST /archive2024/_count"}))
		for _, r := range rig.pass.Requests() {
			Expect(string(r.BodyPrefix)).To(Equal(body))
			Expect(r.Header.Values("X-Tenant")).To(Equal([]string{"acme"}))
		}
		Expect(rig.ten.Requests()).To(BeEmpty())
	})

	It("PT-2: handles a request for any other index in tenancy mode", Label("rule:PT-2", "profile:passthrough"), func() {
		rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-")
		for _, target := range []string{"/orders/_search", "/legacy/_search", "/legacyx-1/_search"} {
			send("POST", rig.proxy.URL+target, `{}`, "x-tenant", "acme")
		}
		Expect(forwarded(rig.ten)).To(HaveLen(3))
		for _, r := range rig.ten.Requests() {
			Expect(r.RawPath).To(Equal("/osproxy-shared/_search"))
		}
		Expect(rig.pass.Requests()).To(BeEmpty())
	})

	It("PT-2: never passes through a first segment that starts with _", Label("rule:PT-2", "profile:passthrough"), func() {
		// How tenancy mode then answers is other rules' business (TEN-6, TEN-11).
		rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-,_")
		for _, c := range [][2]string{{"POST", "/_search"}, {"GET", "/_cat/indices"}, {"GET", "/_plugins/x"},
			{"POST", "/_plugins/_sql"}, {"GET", "/_cluster/health"}, {"PUT", "/_legacy-1/_doc/1"}} {
			send(c[0], rig.proxy.URL+c[1], `{}`, "x-tenant", "acme")
		}
		expectNothingForwarded(rig.pass)
	})

	It("PT-2: compares prefixes case-sensitively", Label("rule:PT-2", "profile:passthrough"), func() {
		rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-")
		for _, target := range []string{"/LEGACY-1/_search", "/Legacy-1/_search"} {
			send("POST", rig.proxy.URL+target, `{}`, "x-tenant", "acme")
		}
		expectNothingForwarded(rig.pass)
	})

	It("PT-3: lets no client header select passthrough", Label("rule:PT-3", "profile:passthrough"), func() {
		rig := ptStart("OSPROXY_PASSTHROUGH_INDICES", "legacy-")
		passHost := strings.TrimPrefix(rig.pass.URL(), "http://")
		for _, h := range [][]string{
			{"X-Osproxy-Passthrough", "true"}, {"X-Passthrough", "1"}, {"X-Osproxy-Mode", "passthrough"},
			{"X-Osproxy-Cluster", "mock"}, {"X-Passthrough-Cluster", "mock"}, {"X-Forwarded-Host", passHost},
			{"Forwarded", "host=" + passHost}, {"X-Original-URL", "/legacy-1/_search"}, {"X-Index", "legacy-1"},
		} {
			send("POST", rig.proxy.URL+"/orders/_search", `{}`, "x-tenant", "acme", h[0], h[1])
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
		expectNothingForwarded(rig.pass)
		Expect(rig.ten.Requests()).To(HaveLen(10), "each search is handled in tenancy mode")
	})
})

var _ = Describe("02 passthrough: what comes back", func() {
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

	It("PT-8: relays the upstream's own answers unchanged, as a client talking to it directly gets them", Label("rule:PT-8", "profile:passthrough"), func() {
		rig := ptStart()
		upstream := strings.TrimPrefix(rig.pass.URL(), "http://")
		for _, target := range []string{"/", "/osproxy-conformance-missing/_doc/1", "/osproxy-conformance-missing/_search?pretty"} {
			via := ptExchange(rig.proxy.Addr, ptRaw("GET", target, nil, ""))
			direct := ptExchange(upstream, ptRaw("GET", target, nil, ""))
			Expect(via.Status).To(Equal(direct.Status), target)
			Expect(via.Body).To(Equal(direct.Body), target)
			Expect(via.Header.Values("Content-Type")).To(Equal(direct.Header.Values("Content-Type")), target)
			Expect(via.Header.Values("Content-Length")).To(Equal(direct.Header.Values("Content-Length")), target)
		}
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

	It("PT-11: refuses a passthrough request without a configured token before contacting the endpoint", Label("rule:PT-11", "profile:passthrough"), func() {
		rig := ptStart("OSPROXY_TOKENS", "s3cr3t=svc")
		for _, auth := range []string{"", "Bearer wrong", "Basic czNjcjN0OnN2Yw=="} {
			expectRefused(send("GET", rig.proxy.URL+"/legacy/_search", "", "Authorization", auth), 401)
		}
		expectNothingForwarded(rig.pass)
		expectNothingForwarded(rig.ten)
	})

	It("PT-11: forwards a passthrough request that carries a configured token", Label("rule:PT-11", "profile:passthrough"), func() {
		rig := ptStart("OSPROXY_TOKENS", "s3cr3t=svc")
		send("GET", rig.proxy.URL+"/legacy/_search?q=1", "", "Authorization", "Bearer s3cr3t")
		Expect(onlyRequest(rig.pass).RequestURI).To(Equal("/legacy/_search?q=1"))
	})

	It("PT-11: does not apply the cleartext guard to passthrough requests", Label("rule:PT-11", "profile:passthrough"), func() {
		pass, ten := startUpstream(), startUpstream()
		env := ptEnv(pass, ten)
		delete(env, "OSPROXY_ALLOW_CLEARTEXT_MUTATION")
		env["OSPROXY_PASSTHROUGH_INDICES"] = "legacy-"
		p := startProxy(env)
		// Whether tenancy traffic is guarded in this process is SEC-3's business;
		// passthrough mutations over cleartext must go through either way.
		send("PUT", p.URL+"/legacy-1/_doc/1", `{"a":1}`)
		send("DELETE", p.URL+"/legacy-1", "")
		Expect(forwarded(pass)).To(Equal([]string{"PUT /legacy-1/_doc/1", "DELETE /legacy-1"}))
		expectNothingForwarded(ten)
	})
})

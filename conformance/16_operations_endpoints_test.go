package conformance_test

import (
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("16 operations: the proxy's own endpoints", Label("profile:operations"), func() {
	It("OPS-1: serves /_osproxy/ itself in both modes and never forwards it", Label("rule:OPS-1"), func() {
		up := startUpstream()
		for _, env := range []map[string]string{tenancyEnv(up.URL()), opsEnv(up)} {
			up.Reset()
			p := startProxy(env)
			Expect(send("GET", p.URL+"/_osproxy/live", "").Status).To(Equal(200))
			Expect(send("HEAD", p.URL+"/_osproxy/metrics", "").Status).To(Equal(200))
			expectError(send("GET", p.URL+"/_osproxy/nothing", ""), 400, "unsupported_endpoint")
			expectError(send("GET", p.URL+"/_osproxy", ""), 400, "unsupported_endpoint")
			r := send("POST", p.URL+"/_osproxy/live", "{}")
			expectError(r, 405, "method_not_allowed")
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"))
			Expect(up.Requests()).To(BeEmpty(), "nothing under /_osproxy/ reaches the cluster")
		}
	})

	It("OPS-1: with admin_bind serves the endpoints there only, and refuses them on bind", Label("rule:OPS-1"), func() {
		up := startUpstream()
		admin := harness.FreeAddr()
		p := startProxy(opsEnv(up, "OSPROXY_ADMIN_BIND", admin))
		Eventually(func() error { return dialOnce(admin) }).WithTimeout(10 * time.Second).Should(Succeed())
		Expect(send("GET", "http://"+admin+"/_osproxy/live", "").Status).To(Equal(200))
		Expect(send("GET", "http://"+admin+"/_osproxy/metrics", "").Status).To(Equal(200))
		expectError(send("GET", p.URL+"/_osproxy/live", ""), 400, "unsupported_endpoint")
		expectError(send("GET", "http://"+admin+"/legacy/_search", ""), 400, "unsupported_endpoint")
		Expect(up.Requests()).To(BeEmpty())
	})

	It("OPS-1: refuses an admin_bind equal to bind, or one that cannot be bound", Label("rule:OPS-1"), func() {
		addr := harness.FreeAddr()
		_, stderr, code := cfgRun(map[string]string{"OSPROXY_BIND": addr, "OSPROXY_ADMIN_BIND": addr})
		Expect(code).To(Equal(1))
		Expect(stderr).To(ContainSubstring("osproxy: config: `admin_bind`:"))
		busy, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		defer busy.Close()
		_, stderr, code = cfgRun(map[string]string{"OSPROXY_BIND": harness.FreeAddr(), "OSPROXY_ADMIN_BIND": busy.Addr().String()})
		Expect(code).To(Equal(1))
		Expect(stderr).To(ContainSubstring("osproxy: binding admin_bind"))
	})

	It("OPS-2: answers liveness whatever the clusters' state", Label("rule:OPS-2", "upstream:mock"), func() {
		p := startProxy(tenancyEnv("http://" + harness.FreeAddr())) // nothing listens there
		r := send("GET", p.URL+"/_osproxy/live", "")
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"status":"live"}`)
	})

	It("OPS-3: is ready when every cluster answers, and says which one does not", Label("rule:OPS-3"), func() {
		up := startUpstream()
		p := startProxy(opsEnv(up, "OSPROXY_PASSTHROUGH_INDICES", "legacy"))
		r := send("GET", p.URL+"/_osproxy/ready", "")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		sameJSON(r.Body, `{"status":"ready","clusters":{"upstream":"ok","legacy":"ok"}}`)
		dead := startProxy(opsEnv(up, "OSPROXY_PASSTHROUGH_INDICES", "legacy", "OSPROXY_UPSTREAM", "http://"+harness.FreeAddr()))
		r = send("GET", dead.URL+"/_osproxy/ready", "")
		Expect(r.Status).To(Equal(503))
		v := r.JSON()
		Expect(v["status"]).To(Equal("not_ready"))
		Expect(v["clusters"]).To(HaveKeyWithValue("legacy", "ok"))
		Expect(v["clusters"]).To(HaveKeyWithValue("upstream", Not(Equal("ok"))))
	})

	It("OPS-3: is not ready while a cluster answers 5xx, and asks it at most once a second", Label("rule:OPS-3", "upstream:mock"), func() {
		m := startMock()
		m.Handle("GET", "/", mockupstream.JSON(503, `{"error":"down"}`))
		p := startProxy(tenancyEnv(m.URL()))
		for range 10 {
			Expect(send("GET", p.URL+"/_osproxy/ready", "").Status).To(Equal(503))
		}
		Expect(len(m.Requests())).To(BeNumerically("<=", 2), "ten readiness checks within a second asked the cluster %d times", len(m.Requests()))
	})

	It("OPS-4: exposes the request, upstream and process families by mode, class and cluster", Label("rule:OPS-4", "upstream:mock"), func() {
		m := startMock()
		m.Handle("", "/osproxy-shared/_search*", mockupstream.SearchEnvelope(nil, 0))
		p := startProxy(opsEnv(m, "OSPROXY_PASSTHROUGH_INDICES", "legacy"))
		before := scrape(p.URL)
		for range 3 {
			Expect(send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", "acme").Status).To(Equal(200))
		}
		Expect(send("GET", p.URL+"/legacy/_doc/1", "").Status).To(Equal(200))
		expectRefused(send("POST", p.URL+"/orders/_search", `{}`), 400) // no tenant
		after := scrape(p.URL)
		delta := func(name string, labels ...string) float64 {
			return value(after, name, labels...) - value(before, name, labels...)
		}
		Expect(delta("osproxy_requests_total", "mode", "tenancy", "class", "search", "status", "200")).To(Equal(3.0))
		Expect(delta("osproxy_requests_total", "mode", "passthrough", "class", "doc_get", "status", "200")).To(Equal(1.0))
		Expect(delta("osproxy_rejections_total", "code", "tenant_required")).To(Equal(1.0))
		Expect(delta("osproxy_upstream_responses_total", "cluster", "legacy", "status_class", "2xx")).To(Equal(1.0))
		Expect(delta("osproxy_upstream_responses_total", "cluster", "upstream", "status_class", "2xx")).To(Equal(3.0))
		Expect(delta("osproxy_request_duration_seconds_count", "mode", "tenancy", "class", "search")).To(Equal(4.0))
		Expect(delta("osproxy_request_bytes_total", "mode", "tenancy")).To(Equal(6.0))
		for _, name := range []string{"osproxy_requests_in_flight", "osproxy_response_bytes_total", "osproxy_client_aborts_total",
			"osproxy_upstream_failures_total", "osproxy_upstream_head_duration_seconds_bucket", "osproxy_upstream_connections_opened_total",
			"osproxy_upstream_connections_reused_total", "osproxy_breaker_state", "osproxy_breaker_opened_total", "osproxy_buffered_bytes",
			"osproxy_buffered_bytes_limit", "osproxy_client_connections", "osproxy_ready", "osproxy_log_lines_dropped_total",
			"go_goroutines", "process_open_fds", "process_resident_memory_bytes", "go_memstats_heap_inuse_bytes",
			"process_start_time_seconds", "osproxy_build_info"} {
			Expect(has(after, name)).To(BeTrue(), "no %s", name)
		}
		for _, s := range after {
			if strings.HasSuffix(s.name, "_total") {
				Expect(s.value).To(BeNumerically(">=", value(before, s.name, flatten(s.labels)...)), "%s went down", s.name)
			}
		}
	})

	It("OPS-5: gives every response an X-Request-Id and relays X-Opaque-Id", Label("rule:OPS-5", "upstream:mock"), func() {
		m := startMock()
		m.Handle("", "/legacy/*", mockupstream.HeadersOut(http.Header{"X-Request-Id": {"from-upstream"}}, nil))
		m.Handle("", "/osproxy-shared/_search*", mockupstream.SearchEnvelope(nil, 0))
		p := startProxy(opsEnv(m, "OSPROXY_PASSTHROUGH_INDICES", "legacy"))
		hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
		a, b := send("GET", p.URL+"/legacy/_doc/1", ""), send("GET", p.URL+"/legacy/_doc/1", "")
		Expect(a.Header.Values("X-Request-Id")).To(HaveLen(1))
		Expect(a.Header.Get("X-Request-Id")).To(MatchRegexp(hex32.String()), "the upstream's id must not replace the proxy's")
		Expect(b.Header.Get("X-Request-Id")).NotTo(Equal(a.Header.Get("X-Request-Id")))
		Expect(send("GET", p.URL+"/legacy/_doc/1", "", "X-Request-Id", "client-id.1:2_3").Header.Get("X-Request-Id")).To(Equal("client-id.1:2_3"))
		for _, bad := range []string{"has space", strings.Repeat("a", 129), "a/b"} {
			Expect(send("GET", p.URL+"/legacy/_doc/1", "", "X-Request-Id", bad).Header.Get("X-Request-Id")).To(MatchRegexp(hex32.String()))
		}
		refused := send("POST", p.URL+"/orders/_search", `{}`)
		Expect(refused.Header.Get("X-Request-Id")).To(MatchRegexp(hex32.String()), "refusals carry one too")
		Expect(send("GET", p.URL+"/_osproxy/live", "").Header.Get("X-Request-Id")).To(MatchRegexp(hex32.String()))
		m.Reset()
		send("GET", p.URL+"/legacy/_doc/1", "", "X-Opaque-Id", "opaque-pass")
		send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", "acme", "X-Opaque-Id", "opaque-tenancy")
		reqs := m.Requests()
		Expect(reqs).To(HaveLen(2))
		Expect(reqs[0].Header.Get("X-Opaque-Id")).To(Equal("opaque-pass"))
		Expect(reqs[1].Header.Get("X-Opaque-Id")).To(Equal("opaque-tenancy"))
	})

	It("OPS-6: writes one JSON access line per request and the configuration, redacted", Label("rule:OPS-6", "upstream:mock"), func() {
		m := startMock()
		env := opsEnv(m, "OSPROXY_PASSTHROUGH_INDICES", "legacy", "OSPROXY_TOKENS", "ops6-secret-token=svc:acme")
		env["OSPROXY_UPSTREAM_USER"], env["OSPROXY_UPSTREAM_PASSWORD"] = "u", "ops6-secret-password"
		p := startProxy(env)
		auth := []string{"Authorization", "Bearer ops6-secret-token"}
		send("GET", p.URL+"/legacy/_doc/1", "", append(auth, "X-Request-Id", "ops6-a")...)
		send("POST", p.URL+"/orders/_search", `{"query":{}}`, append(auth, "X-Request-Id", "ops6-b", "x-tenant", "other")...)
		var a, b map[string]any
		Eventually(func() bool {
			for _, l := range accessLines(p) {
				switch l["id"] {
				case "ops6-a":
					a = l
				case "ops6-b":
					b = l
				}
			}
			return a != nil && b != nil
		}).WithTimeout(5*time.Second).Should(BeTrue(), "stderr: %s", p.Stderr())
		Expect(a).To(And(HaveKeyWithValue("level", "INFO"), HaveKeyWithValue("method", "GET"), HaveKeyWithValue("mode", "passthrough"),
			HaveKeyWithValue("class", "doc_get"), HaveKeyWithValue("status", 200.0), HaveKeyWithValue("cluster", "legacy"),
			HaveKeyWithValue("upstream_status", 200.0), HaveKey("time"), HaveKey("bytes_in"), HaveKey("bytes_out"),
			HaveKey("duration_ms"), HaveKey("upstream_ms")))
		Expect(b).To(And(HaveKeyWithValue("mode", "tenancy"), HaveKeyWithValue("class", "search"), HaveKeyWithValue("status", 403.0),
			HaveKeyWithValue("code", "tenant_forbidden")))
		config := startupConfig(p)
		Expect(config).To(And(HaveKeyWithValue("tokens", "<redacted>"), HaveKeyWithValue("upstream_password", "<redacted>"),
			HaveKeyWithValue("passthrough_cluster", "legacy"), HaveKeyWithValue("access_log", "true")))
		Expect(p.Stderr()).NotTo(Or(ContainSubstring("ops6-secret-token"), ContainSubstring("ops6-secret-password")))

		quiet := startProxy(opsEnv(m, "OSPROXY_ACCESS_LOG", "false"))
		send("GET", quiet.URL+"/legacy/_doc/1", "")
		Consistently(func() []map[string]any { return accessLines(quiet) }).WithTimeout(500 * time.Millisecond).Should(BeEmpty())
	})

	It("OPS-6: logs an upstream failure with its cause", Label("rule:OPS-6", "upstream:mock"), func() {
		p := startProxy(opsEnv(startMock(), "OSPROXY_PASSTHROUGH_ENDPOINT", "http://"+harness.FreeAddr()))
		send("GET", p.URL+"/legacy/_doc/1", "", "X-Request-Id", "ops6-fail")
		Eventually(p.Stderr).WithTimeout(5 * time.Second).Should(MatchRegexp(
			`"level":"WARN","msg":"upstream failure","id":"ops6-fail","cluster":"legacy","failure":"unreachable","cause":"[^"]+"`))
	})

	It("OPS-7: explains a recent request's decisions by its id", Label("rule:OPS-7", "upstream:mock"), func() {
		m := startMock()
		m.Handle("", "/osproxy-shared/_search*", mockupstream.SearchEnvelope(nil, 0))
		env := tenancyEnv(m.URL())
		env["OSPROXY_TOKENS"] = "ops7-token=svc"
		p := startProxy(env)
		auth := []string{"Authorization", "Bearer ops7-token"}
		send("POST", p.URL+"/orders/_search", `{}`, append(auth, "x-tenant", "acme", "X-Request-Id", "ops7-ok")...)
		send("POST", p.URL+"/orders/_search", `{}`, append(auth, "X-Request-Id", "ops7-refused")...)
		expectError(send("GET", p.URL+"/_osproxy/explain/ops7-ok", ""), 401, "authentication_required")
		r := send("GET", p.URL+"/_osproxy/explain/ops7-ok", "", auth...)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		v := r.JSON()
		Expect(v).To(And(HaveKeyWithValue("id", "ops7-ok"), HaveKeyWithValue("mode", "tenancy"), HaveKeyWithValue("class", "search"),
			HaveKeyWithValue("status", 200.0), HaveKeyWithValue("cluster", "upstream"), HaveKey("rewrite"), HaveKey("duration_us"),
			HaveKey("bytes_in"), HaveKey("bytes_out")))
		Expect(v["upstream"]).To(And(HaveKeyWithValue("sent", true), HaveKeyWithValue("status", 200.0), HaveKey("head_us")))
		Expect(v["decisions"]).To(ContainElement(ContainSubstring("upstream answered 200")))
		r = send("GET", p.URL+"/_osproxy/explain/ops7-refused", "", auth...)
		Expect(r.JSON()).To(And(HaveKeyWithValue("code", "tenant_required"), HaveKeyWithValue("status", 400.0), Not(HaveKey("upstream"))))
		Expect(r.JSON()["decisions"]).To(ContainElement("refused: tenant_required"))
		expectError(send("GET", p.URL+"/_osproxy/explain/never-seen", "", auth...), 404, "request_not_found")
	})

	It("OPS-8: keeps tenants, indices, ids, paths and bodies out of metrics, logs and explain", Label("rule:OPS-8", "upstream:mock"), func() {
		m := startMock()
		m.Handle("", "/osproxy-shared/_search*", mockupstream.SearchEnvelope(nil, 0))
		p := startProxy(opsEnv(m, "OSPROXY_PASSTHROUGH_INDICES", "legacyops8canaryidx"))
		canaries := []string{"ops8canarytenant", "ops8canaryindex", "ops8canarydoc", "ops8canarybody", "ops8canaryquery",
			"ops8canaryheader"}
		h := []string{"x-tenant", "ops8canarytenant", "X-Request-Id", "ops8-id", "X-Canary", "ops8canaryheader"}
		send("PUT", p.URL+"/ops8canaryindex/_doc/ops8canarydoc", `{"f":"ops8canarybody"}`, h...)
		send("POST", p.URL+"/ops8canaryindex/_search?q=ops8canaryquery", `{"query":{"term":{"f":"ops8canarybody"}}}`, h...)
		send("GET", p.URL+"/ops8canaryindex/_doc/ops8canarydoc", "", h...)
		send("POST", p.URL+"/legacyops8canaryidx/_doc/ops8canarydoc?q=ops8canaryquery", `{"f":"ops8canarybody"}`, h...)
		time.Sleep(300 * time.Millisecond) // the log is written in the background
		metrics := string(send("GET", p.URL+"/_osproxy/metrics", "").Body)
		explain := string(send("GET", p.URL+"/_osproxy/explain/ops8-id", "").Body)
		Expect(explain).To(ContainSubstring(`"id":"ops8-id"`))
		for _, out := range []string{metrics, explain, p.Stderr(), p.Stdout()} {
			for _, c := range canaries {
				Expect(out).NotTo(ContainSubstring(c))
			}
		}
	})
})

// dialOnce reports whether addr accepts a TCP connection now.
func dialOnce(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		_ = c.Close()
	}
	return err
}

// flatten turns a label map into name, value pairs.
func flatten(labels map[string]string) []string {
	out := make([]string, 0, 2*len(labels))
	for k, v := range labels {
		out = append(out, k, v)
	}
	return out
}

// startupConfig is the config object of the proxy's "configuration" line.
func startupConfig(p *harness.Proxy) map[string]any {
	var config map[string]any
	EventuallyWithOffset(1, func() bool {
		for _, line := range strings.Split(p.Stderr(), "\n") {
			if strings.Contains(line, `"msg":"configuration"`) {
				v := jsonOf([]byte(line))
				config, _ = v["config"].(map[string]any)
				return config != nil
			}
		}
		return false
	}).WithTimeout(5*time.Second).Should(BeTrue(), "no configuration line; stderr: %s", p.Stderr())
	return config
}

package conformance_test

import (
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("01 configuration: keys", func() {
	It("CFG-9: binds an IPv4 literal and a host name", Label("rule:CFG-9", "profile:core"), func() {
		m := startUpstream()
		_, port, err := net.SplitHostPort(harness.FreeAddr())
		Expect(err).NotTo(HaveOccurred())
		for _, bind := range []string{harness.FreeAddr(), "localhost:" + port} {
			env := passthroughEnv(m.URL())
			env[harness.BindEnv] = bind
			p := startProxy(env)
			send("GET", p.URL+"/legacy/_doc/1", "")
		}
		Expect(forwarded(m)).To(Equal([]string{"GET /legacy/_doc/1", "GET /legacy/_doc/1"}))
	})

	It("CFG-9: binds a bracketed IPv6 literal", Label("rule:CFG-9", "profile:core"), func() {
		probe, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			Skip("this machine has no IPv6 loopback: " + err.Error())
		}
		addr := probe.Addr().String()
		Expect(probe.Close()).To(Succeed())
		m := startUpstream()
		env := passthroughEnv(m.URL())
		env[harness.BindEnv] = addr
		p := startProxy(env)
		Expect(p.URL).To(Equal("http://" + addr))
		send("GET", p.URL+"/legacy/_doc/1", "")
		Expect(onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"))
	})

	It("CFG-9: rejects a malformed bind value naming `bind`", Label("rule:CFG-9", "profile:core"), func() {
		for _, v := range []string{"127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "::1:8080", "localhost:80a", ":", "127.0.0.1:8080:1"} {
			cfgExpectError("bind", map[string]string{harness.BindEnv: v})
		}
	})

	It("CFG-9: exits 1 with `osproxy: binding …` when the port cannot be bound", Label("rule:CFG-9", "profile:core"), func() {
		taken := cfgOccupy("tcp", "127.0.0.1:0")
		stdout, stderr, code := cfgRun(map[string]string{harness.BindEnv: taken})
		Expect(code).To(Equal(1))
		Expect(stderr).To(HavePrefix("osproxy: binding "))
		Expect(stdout).NotTo(ContainSubstring("listening"))
	})

	It("CFG-10: rejects an upstream that is not an absolute http(s) URL with a host", Label("rule:CFG-10", "profile:core"), func() {
		for _, v := range []string{"127.0.0.1:9200", "localhost", "ftp://127.0.0.1:9200", "http://", "https:///x", "/osproxy", "http//127.0.0.1:9200", "unix:///tmp/os.sock"} {
			cfgExpectError("upstream", map[string]string{"OSPROXY_UPSTREAM": v})
		}
	})

	It("CFG-10: rejects a passthrough_endpoint that is not an absolute http(s) URL with a host", Label("rule:CFG-10", "profile:core"), func() {
		for _, v := range []string{"127.0.0.1:9200", "ftp://127.0.0.1:9200", "http://", "/legacy", "mailto:ops@example.com"} {
			cfgExpectError("passthrough_endpoint", map[string]string{
				"OSPROXY_PASSTHROUGH_CLUSTER": "legacy", "OSPROXY_PASSTHROUGH_ENDPOINT": v,
			})
		}
	})

	It("CFG-10: accepts http and https URLs with a host name", Label("rule:CFG-10", "profile:core"), func() {
		// startProxy fails the spec unless the process comes to accept connections.
		startProxy(map[string]string{
			"OSPROXY_UPSTREAM":             "https://opensearch.example:9200",
			"OSPROXY_PASSTHROUGH_CLUSTER":  "legacy",
			"OSPROXY_PASSTHROUGH_ENDPOINT": "http://legacy.example:9200/base",
			"OSPROXY_PASSTHROUGH_INDICES":  "legacy-",
		})
	})

	It("CFG-11: rejects an index that is not a valid OpenSearch index name", Label("rule:CFG-11", "profile:core"), func() {
		for _, v := range []string{"Orders", "osproxy-Shared", `a\b`, "a/b", "a*b", "a?b", `a"b`, "a<b", "a>b", "a|b",
			"a,b", "a#b", "a:b", "a b", "-a", "_a", "+a", ".", "..", strings.Repeat("a", 256)} {
			cfgExpectError("index", map[string]string{"OSPROXY_INDEX": v})
		}
	})

	It("CFG-11: accepts a valid index name of up to 255 bytes and uses it", Label("rule:CFG-11", "profile:core"), func() {
		m := searchUpstream()
		for _, v := range []string{strings.Repeat("a", 255), "tenants.v2_shared-1"} {
			m.Reset()
			env := tenancyEnv(m.URL())
			env["OSPROXY_INDEX"] = v
			cfgSearch(startProxy(env))
			Expect(onlyRequest(m).RawPath).To(Equal("/"+v+"/_search"), "index %q", v)
		}
	})

	It("CFG-12: trims token entries and splits each at its first =", Label("rule:CFG-12", "profile:core"), func() {
		m := startUpstream()
		env := passthroughEnv(m.URL())
		env["OSPROXY_TOKENS"] = " alpha = svc-a ,, beta=svc=b , "
		p := startProxy(env)
		for _, auth := range []string{"", "Bearer  alpha ", "Bearer beta=svc", "Bearer svc-a", "Bearer alpha = svc-a"} {
			expectRefused(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", auth), 401)
		}
		expectNothingForwarded(m)
		for _, auth := range []string{"Bearer alpha", "Bearer beta"} {
			send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", auth)
		}
		Expect(forwarded(m)).To(Equal([]string{"GET /legacy/_doc/1", "GET /legacy/_doc/1"}))
	})

	It("CFG-12: rejects an entry without = or with an empty side, naming `tokens`", Label("rule:CFG-12", "profile:core"), func() {
		for _, v := range []string{"alpha", "=svc", "alpha=", " = ", "alpha=svc,beta", "alpha=svc, =x", "alpha=svc:", "alpha=svc:ac:me", "alpha=svc:acme|"} {
			cfgExpectError("tokens", map[string]string{"OSPROXY_TOKENS": v})
		}
	})

	It("CFG-12: runs in open dev mode when the list yields no entry", Label("rule:CFG-12", "profile:core"), func() {
		m := startUpstream()
		env := passthroughEnv(m.URL())
		env["OSPROXY_TOKENS"] = " , ,"
		cfgProbe(startProxy(env), m)
	})

	It("CFG-13: rejects passthrough_cluster or passthrough_endpoint alone, naming `passthrough_cluster`", Label("rule:CFG-13", "profile:core"), func() {
		cfgExpectError("passthrough_cluster", map[string]string{"OSPROXY_PASSTHROUGH_CLUSTER": "legacy"})
		cfgExpectError("passthrough_cluster", map[string]string{"OSPROXY_PASSTHROUGH_ENDPOINT": "http://127.0.0.1:9201"})
	})

	It("CFG-14: trims passthrough_indices items and drops empty ones", Label("rule:CFG-14", "profile:core"), func() {
		pass, ten := startUpstream(), searchUpstream()
		env := passthroughEnv(pass.URL())
		env["OSPROXY_UPSTREAM"] = ten.URL()
		env["OSPROXY_PASSTHROUGH_INDICES"] = " legacy- ,, archive-, "
		p := startProxy(env)
		send("GET", p.URL+"/legacy-1/_doc/1", "")
		send("GET", p.URL+"/archive-2/_doc/1", "")
		cfgSearch(p)
		Expect(forwarded(pass)).To(Equal([]string{"GET /legacy-1/_doc/1", "GET /archive-2/_doc/1"}))
		Expect(onlyRequest(ten).RawPath).To(Equal("/osproxy-shared/_search"))
	})

	It("CFG-14: rejects passthrough_indices without passthrough, naming `passthrough_indices`", Label("rule:CFG-14", "profile:core"), func() {
		cfgExpectError("passthrough_indices", map[string]string{"OSPROXY_PASSTHROUGH_INDICES": "legacy-"})
	})

	It("CFG-15: rejects a max_body_bytes that is not a positive whole number", Label("rule:CFG-15", "profile:core"), func() {
		for _, v := range []string{"0", "-1", "1.5", "abc", "1e6", "8MiB", "0x400", "99999999999999999999999"} {
			cfgExpectError("max_body_bytes", map[string]string{"OSPROXY_MAX_BODY_BYTES": v})
		}
	})

	It("CFG-15: accepts a positive whole number of bytes", Label("rule:CFG-15", "profile:core"), func() {
		for _, v := range []string{"1", "1024", "68719476736"} {
			startProxy(map[string]string{"OSPROXY_MAX_BODY_BYTES": v}) // fails unless it comes to listen
		}
	})

	It("CFG-16: rejects an upstream_timeout that is not a positive Go duration", Label("rule:CFG-16", "profile:core"), func() {
		for _, v := range []string{"0s", "0", "-1s", "30", "abc", "1 s", "1d"} {
			cfgExpectError("upstream_timeout", map[string]string{"OSPROXY_UPSTREAM_TIMEOUT": v})
		}
	})

	It("CFG-16: rejects a shutdown_timeout that is negative or not a Go duration", Label("rule:CFG-16", "profile:core"), func() {
		for _, v := range []string{"-1s", "-1ns", "30", "abc", "1d"} {
			cfgExpectError("shutdown_timeout", map[string]string{"OSPROXY_SHUTDOWN_TIMEOUT": v})
		}
	})

	It("CFG-16: accepts Go durations, and a zero shutdown_timeout", Label("rule:CFG-16", "profile:core"), func() {
		for _, pair := range [][2]string{{"500ms", "0s"}, {"2m", "30s"}, {"1h30m", "0"}} {
			startProxy(map[string]string{"OSPROXY_UPSTREAM_TIMEOUT": pair[0], "OSPROXY_SHUTDOWN_TIMEOUT": pair[1]})
		}
	})
})

var _ = Describe("01 configuration: lifecycle", func() {
	It("CFG-17: on SIGTERM stops accepting, finishes the in-flight request and exits 0", Label("rule:CFG-17", "profile:core"), func() {
		cfgExpectDrain(syscall.SIGTERM)
	})

	It("CFG-17: on SIGINT stops accepting, finishes the in-flight request and exits 0", Label("rule:CFG-17", "profile:core"), func() {
		cfgExpectDrain(os.Interrupt)
	})

	It("CFG-17: stops draining after shutdown_timeout and exits 0", Label("rule:CFG-17", "profile:core"), func() {
		p, done, _ := cfgStalled("/legacy/_stuck", "300ms")
		Expect(p.Signal(syscall.SIGTERM)).To(Succeed())
		// The upstream never answers: only the timeout can end the drain.
		code, err := p.Wait(15 * time.Second)
		Expect(err).NotTo(HaveOccurred(), "the drain did not stop after shutdown_timeout")
		Expect(code).To(Equal(0), "stderr: %s", p.Stderr())
		var r response
		Eventually(done).WithTimeout(20 * time.Second).Should(Receive(&r))
		Expect(r.Status).NotTo(Equal(200), "a request the upstream never answered cannot succeed")
	})

	It("CFG-18: prints one readiness line naming the bind address and the mode", Label("rule:CFG-18", "profile:core"), func() {
		tenancy := map[string]string{}
		passthrough := map[string]string{"OSPROXY_PASSTHROUGH_CLUSTER": "legacy", "OSPROXY_PASSTHROUGH_ENDPOINT": "http://127.0.0.1:9"}
		both := map[string]string{"OSPROXY_PASSTHROUGH_CLUSTER": "legacy", "OSPROXY_PASSTHROUGH_ENDPOINT": "http://127.0.0.1:9",
			"OSPROXY_PASSTHROUGH_INDICES": "legacy-"}
		for mode, env := range map[string]map[string]string{"tenancy": tenancy, "passthrough": passthrough, "passthrough+tenancy": both} {
			p := startProxy(env)
			line := cfgReadyLine(p.Addr, mode)
			cfgAwaitStdout(p, line)
			Expect(strings.Count(p.Stdout(), "osproxy listening on")).To(Equal(1), "stdout: %s", p.Stdout())
			Expect(strings.SplitAfter(p.Stdout(), "\n")[0]).To(Equal(line))
		}
	})

	It("CFG-18: prints the readiness line only once the socket accepts connections", Label("rule:CFG-18", "profile:core"), func() {
		addr := harness.FreeAddr()
		p := cfgSpawn(map[string]string{harness.BindEnv: addr})
		cfgAwaitStdout(p, cfgReadyLine(addr, "tenancy"))
		// No retry: the line itself is the signal that dialing works.
		Expect(cfgDialErr(addr)).To(Succeed())
	})

	It("CFG-19: never writes tokens, tenant values or document contents to its output", Label("rule:CFG-19", "profile:core"), func() {
		const token, wrong, tenantID, content = "s3cr3t-zq-token", "wrong-zq-token", "tenant-zq-acme", "doc-zq-content"
		pass, ten := startMock(), startMock()
		ten.Handle("POST", "/osproxy-shared/_search", mockupstream.SearchEnvelope(nil, 0))
		ten.Handle("PUT", "/*", mockupstream.CloseWithoutResponse())
		ten.Handle("GET", "/*", mockupstream.JSON(500, `{"error":{"type":"x","reason":"`+content+`"},"status":500}`))
		pass.Handle("GET", "/legacy-1/_broken", mockupstream.CloseWithoutResponse())
		pass.Handle("GET", "/legacy-1/_reset", mockupstream.ResetAfter(200, 64))
		env := passthroughEnv(pass.URL())
		env["OSPROXY_UPSTREAM"] = ten.URL()
		env["OSPROXY_PASSTHROUGH_INDICES"] = "legacy-"
		env["OSPROXY_TOKENS"] = token + "=svc-principal"
		p := startProxy(env)
		auth := "Bearer " + token
		// Each request takes a path where a careless proxy would log: success,
		// upstream failures before and after the head, refusals.
		// What each answers is other rules' business; only the output is judged.
		send("POST", p.URL+"/orders/_search", `{"query":{"match":{"msg":"`+content+`"}}}`, "x-tenant", tenantID, "Authorization", auth)
		send("PUT", p.URL+"/orders/_doc/1", `{"msg":"`+content+`"}`, "x-tenant", tenantID, "Authorization", auth)
		send("GET", p.URL+"/orders/_doc/1", "", "x-tenant", tenantID, "Authorization", auth)
		send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", tenantID, "Authorization", "Bearer "+wrong)
		send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", tenantID+":x", "Authorization", auth)
		send("GET", p.URL+"/legacy-1/_broken?q="+content, "", "Authorization", auth)
		if resp, err := client.Get(p.URL + "/legacy-1/_reset"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		_, _ = p.Stop(10 * time.Second) // how it stops is CFG-17's business
		output := p.Stdout() + p.Stderr()
		for _, secret := range []string{token, wrong, tenantID, content} {
			Expect(output).NotTo(ContainSubstring(secret), "output:\n%s", output)
		}
	})

	It("CFG-19: never echoes a token in a configuration error", Label("rule:CFG-19", "profile:core"), func() {
		for _, v := range []string{"s3cr3t-zq-token", "ok=svc,s3cr3t-zq-token", "s3cr3t-zq-token="} {
			_, stderr, code := cfgRun(map[string]string{"OSPROXY_TOKENS": v, harness.BindEnv: harness.FreeAddr()})
			Expect(code).To(Equal(1))
			Expect(stderr).To(HavePrefix("osproxy: config: `tokens`: "))
			Expect(stderr).NotTo(ContainSubstring("s3cr3t-zq-token"))
		}
	})
})

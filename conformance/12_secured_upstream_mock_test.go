package conformance_test

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

// TLS and credentials towards a cluster, observed on a mock behind a TLS front
// (spec/12-secured-upstream.md). The real secured OpenSearch is in
// 12_secured_upstream_opensearch_test.go.
var _ = Describe("12 secured upstream on the mock", Label("profile:secured-upstream", "upstream:mock"), func() {
	var (
		m  *mockupstream.Server
		ca *testCA
	)
	BeforeEach(func() {
		m = startMock()
		ca = newTestCA("cluster-ca")
	})

	// front serves cert (and asks for client certificates of clientCAs) before the mock.
	front := func(cert tls.Certificate, clientCAs *testCA) *tlsFront {
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if clientCAs != nil {
			cfg.ClientCAs, cfg.ClientAuth = clientCAs.pool, tls.RequireAndVerifyClientCert
		}
		return startTLSFront(hostPort(m.URL()), cfg)
	}
	proxyTo := func(upstream string, extra map[string]string) string {
		return startCheckedProxy(merge(tenancyEnv(upstream), extra), m).URL
	}

	It("UPS-1: verifies the cluster against upstream_ca_file, and refuses a certificate of another CA", Label("rule:UPS-1", "rule:UPS-7"), func() {
		f := front(ca.serverCert(), nil)
		good := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": ca.writeCA()})
		Expect(send("GET", good+"/", "").Status).To(Equal(200))
		Expect(m.Requests()).To(HaveLen(1))

		other := newTestCA("stranger")
		wrong := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": other.writeCA()})
		expectTLSFailure(send("GET", wrong+"/orders/_search", `{}`, "x-tenant", "acme"), "not signed by a trusted CA")
		system := proxyTo(f.URL, nil) // the system pool does not know the test CA
		expectTLSFailure(send("GET", system+"/", ""), "not signed by a trusted CA")
		Expect(m.Requests()).To(BeEmpty(), "nothing reaches an unverified cluster")
	})

	It("UPS-1: refuses TLS older than 1.2 towards the cluster", Label("rule:UPS-1"), func() {
		cfg := &tls.Config{Certificates: []tls.Certificate{ca.serverCert()}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
		f := startTLSFront(hostPort(m.URL()), cfg)
		base := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": ca.writeCA()})
		expectTLSFailure(send("GET", base+"/", ""), "")
		Expect(m.Requests()).To(BeEmpty())
	})

	It("UPS-7: names an expired cluster certificate", Label("rule:UPS-7"), func() {
		expired := ca.issue(leafOpts{cn: "node", ips: localIPs(), notAfter: time.Now().Add(-time.Hour)})
		f := front(expired, nil)
		base := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": ca.writeCA()})
		expectTLSFailure(send("GET", base+"/", ""), "expired")
	})

	It("UPS-2: verifies upstream_server_name instead of the URL's host", Label("rule:UPS-2", "rule:UPS-7"), func() {
		f := front(ca.issue(leafOpts{cn: "node", dns: []string{"node.cluster.test"}}), nil)
		caFile := ca.writeCA()
		named := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": caFile, "OSPROXY_UPSTREAM_SERVER_NAME": "node.cluster.test"})
		Expect(send("GET", named+"/", "").Status).To(Equal(200))
		Expect(m.Requests()).To(HaveLen(1))
		byHost := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": caFile})
		expectTLSFailure(send("GET", byHost+"/", ""), "does not name the host")
		other := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": caFile, "OSPROXY_UPSTREAM_SERVER_NAME": "other.cluster.test"})
		expectTLSFailure(send("GET", other+"/", ""), "does not name the host")
		Expect(m.Requests()).To(BeEmpty())
	})

	It("UPS-3: presents upstream_client_cert when the cluster asks, and a refused one fails as TLS", Label("rule:UPS-3", "rule:UPS-7"), func() {
		clients := newTestCA("client-ca")
		f := front(ca.serverCert(), clients)
		caFile := ca.writeCA()
		cert, key := writePair("proxy", clients.issue(leafOpts{cn: "osproxy"}))
		withCert := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": caFile,
			"OSPROXY_UPSTREAM_CLIENT_CERT": cert, "OSPROXY_UPSTREAM_CLIENT_KEY": key})
		Expect(send("GET", withCert+"/", "").Status).To(Equal(200))
		Expect(m.Requests()).To(HaveLen(1))

		without := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": caFile})
		expectTLSFailure(send("GET", without+"/", ""), "ended the handshake")
		oldCert, oldKey := writePair("expired", clients.issue(leafOpts{cn: "osproxy", notAfter: time.Now().Add(-time.Hour)}))
		expired := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": caFile,
			"OSPROXY_UPSTREAM_CLIENT_CERT": oldCert, "OSPROXY_UPSTREAM_CLIENT_KEY": oldKey})
		expectTLSFailure(send("GET", expired+"/", ""), "ended the handshake")
		Expect(m.Requests()).To(BeEmpty())
	})

	It("UPS-4: with upstream_insecure_skip_verify connects unverified and warns at every start", Label("rule:UPS-4"), func() {
		f := front(newTestCA("unknown").serverCert(), nil)
		env := tenancyEnv(f.URL)
		env["OSPROXY_UPSTREAM_INSECURE_SKIP_VERIFY"] = "true"
		for range 2 {
			p := startProxy(env)
			Expect(send("GET", p.URL+"/", "").Status).To(Equal(200))
			Eventually(p.Stdout).Should(ContainSubstring("osproxy listening on"))
			Expect(p.Stderr()).To(MatchRegexp(`(?mi)^osproxy: warning: upstream_insecure_skip_verify is set.*not verified`))
			_, _ = p.Stop(5 * time.Second)
		}
	})

	It("UPS-5: sends the cluster's basic credentials from a password file, never the client's", Label("rule:UPS-5"), func() {
		f := front(ca.serverCert(), nil)
		pw := writeSpecFile("password", []byte("pa:ss word\n"))
		env := tenancyEnv(f.URL)
		env["OSPROXY_TOKENS"] = "client-token=svc:acme"
		env["OSPROXY_UPSTREAM_CA_FILE"] = ca.writeCA()
		env["OSPROXY_UPSTREAM_USER"] = "osproxy"
		env["OSPROXY_UPSTREAM_PASSWORD_FILE"] = pw
		base := startCheckedProxy(env, m).URL
		for _, r := range []struct{ method, path, body string }{
			{"GET", "/", ""}, {"POST", "/orders/_search", `{}`}, {"PUT", "/orders/_doc/1", `{"a":1}`}, {"GET", "/orders/_doc/1", ""},
		} {
			send(r.method, base+r.path, r.body, "Authorization", "Bearer client-token")
		}
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte("osproxy:pa:ss word"))
		reqs := m.Requests()
		Expect(reqs).To(HaveLen(4))
		for _, r := range reqs {
			Expect(r.Header.Values("Authorization")).To(Equal([]string{want}), "%s %s", r.Method, r.RawPath)
		}
	})

	It("UPS-5: sends the passthrough cluster's bearer token from its file, and none where none is set", Label("rule:UPS-5"), func() {
		pt := startMock()
		f := startTLSFront(hostPort(pt.URL()), &tls.Config{Certificates: []tls.Certificate{ca.serverCert()}})
		env := tenancyEnv(m.URL())
		env["OSPROXY_PASSTHROUGH_CLUSTER"] = "legacy"
		env["OSPROXY_PASSTHROUGH_ENDPOINT"] = f.URL
		env["OSPROXY_PASSTHROUGH_INDICES"] = "legacy-"
		env["OSPROXY_PASSTHROUGH_CA_FILE"] = ca.writeCA()
		env["OSPROXY_PASSTHROUGH_TOKEN_FILE"] = writeSpecFile("token", []byte("pt-s3cret\n"))
		base := startCheckedProxy(env, pt).URL
		Expect(send("GET", base+"/legacy-1/_search", "", "Authorization", "Basic Y2xpZW50OnB3").Status).To(Equal(200))
		Expect(send("GET", base+"/orders/_doc/1", "", "x-tenant", "acme", "Authorization", "Basic Y2xpZW50OnB3").Status).To(Equal(200))
		Expect(onlyRequest(pt).Header.Values("Authorization")).To(Equal([]string{"Bearer pt-s3cret"}))
		Expect(onlyRequest(m).Header.Values("Authorization")).To(BeEmpty(), "the tenancy upstream has no credential")
	})

	It("UPS-6: answers upstream_auth_failed when the cluster refuses the proxy's credentials", Label("rule:UPS-6"), func() {
		refusal := http.Header{"Www-Authenticate": {`Basic realm="OpenSearch Security"`}}
		m.Handle("", "/*", mockupstream.Canned(401, refusal, []byte("Unauthorized")))
		env := passthroughEnv(m.URL())
		env["OSPROXY_PASSTHROUGH_ENDPOINT"] = m.URL()
		env["OSPROXY_PASSTHROUGH_INDICES"] = "legacy-"
		env["OSPROXY_UPSTREAM_USER"] = "osproxy"
		env["OSPROXY_UPSTREAM_PASSWORD"] = "wrong"
		base := startProxy(env).URL
		for _, path := range []string{"/", "/orders/_doc/1", "/legacy-1/_search"} {
			r := send("GET", base+path, "", "x-tenant", "acme")
			expectError(r, 502, "upstream_auth_failed")
			Expect(r.Header.Values("Www-Authenticate")).To(BeEmpty(), path)
			Expect(string(r.Body)).NotTo(Or(ContainSubstring("Unauthorized"), ContainSubstring("wrong")), path)
		}
	})

	It("UPS-8: checks an https cluster once at start and says whether it is usable", Label("rule:UPS-8"), func() {
		f := front(ca.serverCert(), nil)
		p := startProxy(merge(tenancyEnv(f.URL), map[string]string{"OSPROXY_UPSTREAM_CA_FILE": ca.writeCA()}))
		Eventually(p.Stderr, 10*time.Second).Should(ContainSubstring("osproxy: upstream " + f.URL + ": reachable (HTTP 200)\n"))
		Expect(m.Requests()).To(HaveLen(1))
		Expect(m.Requests()[0].RawPath).To(Equal("/"))

		bad := startProxy(merge(tenancyEnv(f.URL), map[string]string{"OSPROXY_UPSTREAM_CA_FILE": newTestCA("x").writeCA()}))
		Eventually(bad.Stderr, 10*time.Second).Should(MatchRegexp(`osproxy: upstream ` + f.URL + `: not usable: TLS: .*trusted CA`))
		Expect(send("GET", bad.URL+"/", "").Status).To(Equal(502), "a failed check does not stop the proxy")
	})

	It("UPS-8: sends nothing at start to a cleartext cluster without credentials", Label("rule:UPS-8"), func() {
		p := startProxy(tenancyEnv(m.URL()))
		Expect(send("GET", p.URL+"/", "").Status).To(Equal(200))
		Consistently(func() int { return len(m.Requests()) }, time.Second, 100*time.Millisecond).Should(Equal(1))
		Expect(p.Stderr()).NotTo(ContainSubstring("osproxy: upstream "))
	})

	It("UPS-10: reuses one TLS connection for sequential requests and resumes the session on a new one", Label("rule:UPS-10"), func() {
		f := front(ca.serverCert(), nil)
		base := proxyTo(f.URL, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": ca.writeCA()})
		for range 20 {
			Expect(send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme").Status).To(Equal(200))
		}
		Expect(f.conns.Load()).To(BeNumerically("==", 1), "connections opened for 20 sequential requests")
		f.dropConnections()
		// A GET: a request the transport may replay when the dropped connection
		// is only found dead on use (a POST it must not).
		Expect(send("GET", base+"/", "").Status).To(Equal(200))
		Expect(f.conns.Load()).To(BeNumerically("==", 2))
		Expect(f.resumed.Load()).To(BeNumerically("==", 1), "the second connection resumed the TLS session")
	})
})

// startCheckedProxy starts the proxy and waits for its start-up check of the
// cluster (UPS-8), then forgets what the mock recorded of it, so a spec sees
// only its own requests.
func startCheckedProxy(env map[string]string, m *mockupstream.Server) *harness.Proxy {
	p := startProxy(env)
	EventuallyWithOffset(1, p.Stderr, 10*time.Second).Should(ContainSubstring("osproxy: upstream "))
	m.Reset()
	return p
}

// localIPs is the loopback address a front certificate must name.
func localIPs() []net.IP { return []net.IP{net.IPv4(127, 0, 0, 1)} }

// merge returns a copy of env with extra set.
func merge(env, extra map[string]string) map[string]string {
	out := make(map[string]string, len(env)+len(extra))
	for k, v := range env {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

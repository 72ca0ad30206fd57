package conformance_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// Client identity beyond clear bearer tokens: client certificates on the TLS
// listener and a tokens file of digests (spec/08-security.md, SEC-7..9).
var _ = Describe("08 client identity", Label("profile:core", "upstream:mock"), func() {
	var (
		m       *mockupstream.Server
		ca      *testCA // signs the listener's and the clients' certificates
		baseEnv map[string]string
	)
	BeforeEach(func() {
		m = startMock()
		ca = newTestCA("clients")
		baseEnv = tlsListenerEnv(ca, tenancyEnv(m.URL()))
		delete(baseEnv, "OSPROXY_ALLOW_CLEARTEXT_MUTATION")
		baseEnv["OSPROXY_TLS_CLIENT_CA"] = ca.writeCA()
	})
	get := func(c *http.Client, url string, headers ...string) (int, error) {
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body) // read to the end, so the connection is reused
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	cert := func(o leafOpts) *tls.Certificate { c := ca.issue(o); return &c }

	It("CFG-26: re-reads tls_cert, tls_key and tls_client_ca on SIGHUP: new handshakes use them, an open connection keeps serving", Label("rule:CFG-26", "rule:SEC-7"), func() {
		p := startProxy(baseEnv)
		base := "https://" + p.Addr + "/orders/_doc/1"
		open := tlsClient(ca, cert(leafOpts{cn: "svc"})) // keeps its connection alive
		Expect(get(open, base, "x-tenant", "acme")).To(Equal(200))

		// Rotate: another CA signs the listener's certificate and the clients'. The
		// files keep their names, as a certificate manager rewrites them.
		next := newTestCA("rotated")
		writePair("listener", next.serverCert())
		writeSpecFile("ca.pem", next.pemDER)
		Expect(p.Signal(syscall.SIGHUP)).To(Succeed())
		Eventually(p.Stderr, 10*time.Second).Should(ContainSubstring("SIGHUP: re-read"))

		Expect(get(open, base, "x-tenant", "acme")).To(Equal(200), "the connection open before the reload keeps serving")
		_, err := get(tlsClient(ca, cert(leafOpts{cn: "svc"})), base, "x-tenant", "acme")
		Expect(err).To(HaveOccurred(), "a new handshake presents the rotated certificate, which the old CA did not sign")
		rotated := next.issue(leafOpts{cn: "svc"})
		Expect(get(tlsClient(next, &rotated), base, "x-tenant", "acme")).To(Equal(200))
		_, err = get(tlsClient(next, cert(leafOpts{cn: "svc"})), base, "x-tenant", "acme")
		Expect(err).To(HaveOccurred(), "a client certificate of the CA replaced in tls_client_ca")

		writeSpecFile("ca.pem", []byte("not a certificate\n"))
		Expect(p.Signal(syscall.SIGHUP)).To(Succeed())
		Eventually(p.Stderr, 10*time.Second).Should(MatchRegexp("SIGHUP: kept the previous secrets: .*`tls_client_ca`"))
		Expect(get(tlsClient(next, &rotated), base, "x-tenant", "acme")).To(Equal(200), "a bad file keeps what is in force")
		Expect(p.Exited()).To(BeFalse())
	})

	It("SEC-7: requires a client certificate of tls_client_ca by default", Label("rule:SEC-7"), func() {
		p := startProxy(baseEnv)
		base := "https://" + p.Addr + "/orders/_doc/1"
		_, err := get(tlsClient(ca, nil), base, "x-tenant", "acme")
		Expect(err).To(HaveOccurred(), "no certificate")
		stranger := newTestCA("stranger").issue(leafOpts{cn: "x"})
		_, err = get(tlsClient(ca, &stranger), base, "x-tenant", "acme")
		Expect(err).To(HaveOccurred(), "a certificate of another CA")
		status, err := get(tlsClient(ca, cert(leafOpts{cn: "anyone"})), base, "x-tenant", "acme")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(m.Requests()).To(HaveLen(1))
	})

	It("SEC-7: with tls_client_auth optional serves clients without a certificate but refuses a bad one", Label("rule:SEC-7"), func() {
		p := startProxy(merge(baseEnv, map[string]string{"OSPROXY_TLS_CLIENT_AUTH": "optional"}))
		base := "https://" + p.Addr + "/orders/_doc/1"
		status, err := get(tlsClient(ca, nil), base, "x-tenant", "acme")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		expired := ca.issue(leafOpts{cn: "old", notAfter: timeAgo()})
		_, err = get(tlsClient(ca, &expired), base, "x-tenant", "acme")
		Expect(err).To(HaveOccurred(), "an expired certificate fails the handshake")
	})

	It("SEC-8: maps a certificate to a principal by CN or SAN and binds it to tenants like a token", Label("rule:SEC-8", "rule:SEC-6"), func() {
		p := startProxy(merge(baseEnv, map[string]string{
			"OSPROXY_TLS_CLIENT_AUTH":       "optional",
			"OSPROXY_TLS_CLIENT_PRINCIPALS": "cn:reporter=reports:acme, dns:ingest.example=ingest:acme|globex, email:ops@example.org=ops",
			"OSPROXY_TOKENS":                "tok=svc:initech",
		}))
		base := "https://" + p.Addr + "/orders/_doc/1"
		reporter := tlsClient(ca, cert(leafOpts{cn: "reporter"}))
		Expect(get(reporter, base, "x-tenant", "acme")).To(Equal(200))
		Expect(get(reporter, base)).To(Equal(200), "bound to one tenant: no x-tenant needed")
		Expect(m.Requests()[1].RawPath).To(HavePrefix("/osproxy-shared/_doc/acme:orders:1"))
		Expect(get(reporter, base, "x-tenant", "globex")).To(Equal(403))
		ingest := tlsClient(ca, cert(leafOpts{cn: "whatever", dns: []string{"INGEST.example"}}))
		Expect(get(ingest, base, "x-tenant", "globex")).To(Equal(200))
		Expect(get(ingest, base, "x-tenant", "initech")).To(Equal(403))
		ops := tlsClient(ca, cert(leafOpts{cn: "o", emails: []string{"ops@example.org"}}))
		Expect(get(ops, base, "x-tenant", "initech")).To(Equal(200), "unbound: any tenant")

		stranger := tlsClient(ca, cert(leafOpts{cn: "stranger"}))
		Expect(get(stranger, base, "x-tenant", "acme")).To(Equal(401), "an unmapped certificate needs a token")
		Expect(get(stranger, base, "x-tenant", "initech", "Authorization", "Bearer tok")).To(Equal(200))
		Expect(get(tlsClient(ca, nil), base, "x-tenant", "acme")).To(Equal(401))
		r := send("GET", strings.Replace(base, "https://", "http://", 1), "")
		Expect(r.Status).To(Equal(400), "cleartext on the TLS port")
	})

	It("SEC-8: is never open with tls_client_principals set, even without tokens", Label("rule:SEC-8", "rule:SEC-2"), func() {
		p := startProxy(merge(baseEnv, map[string]string{"OSPROXY_TLS_CLIENT_AUTH": "optional", "OSPROXY_TLS_CLIENT_PRINCIPALS": "cn:reporter=reports"}))
		base := "https://" + p.Addr + "/orders/_doc/1"
		Expect(get(tlsClient(ca, nil), base, "x-tenant", "acme")).To(Equal(401))
		Expect(get(tlsClient(ca, cert(leafOpts{cn: "reporter"})), base, "x-tenant", "acme")).To(Equal(200))
	})

	It("SEC-9: accepts a token whose SHA-256 is in tokens_file, and not the digest itself", Label("rule:SEC-9", "rule:SEC-1"), func() {
		line := tokenLine("s3cr3t-token", "svc:acme")
		env := merge(tenancyEnv(m.URL()), map[string]string{"OSPROXY_TOKENS_FILE": writeSpecFile("tokens", []byte("# clients\n"+line))})
		p := startProxy(env)
		Expect(send("GET", p.URL+"/orders/_doc/1", "", "Authorization", "Bearer s3cr3t-token").Status).To(Equal(200))
		digest := strings.TrimPrefix(strings.SplitN(line, "=", 2)[0], "sha256:")
		expectError(send("GET", p.URL+"/orders/_doc/1", "", "x-tenant", "acme", "Authorization", "Bearer "+digest), 401, "authentication_required")
		expectError(send("GET", p.URL+"/orders/_doc/1", "", "x-tenant", "globex", "Authorization", "Bearer s3cr3t-token"), 403, "tenant_forbidden")
		empty := startProxy(merge(env, map[string]string{"OSPROXY_TOKENS_FILE": writeSpecFile("none", []byte("# nobody yet\n"))}))
		expectError(send("GET", empty.URL+"/orders/_doc/1", "", "x-tenant", "acme"), 401, "authentication_required")
	})
})

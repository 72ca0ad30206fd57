package conformance_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("08 security", Label("profile:core"), func() {
	var mock *mockupstream.Server
	BeforeEach(func() { mock = searchUpstream() })

	It("SEC-1: requires a configured bearer token when tokens are set", Label("rule:SEC-1"), func() {
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = "s3cr3t=svc-ingest, other=svc2"
		base := startProxy(env).URL
		for _, auth := range []string{"", "Bearer nope", "Basic czNjcjN0", "s3cr3t", "Bearer  s3cr3t", "Bearer s3cr3t2"} {
			var r response
			if auth == "" {
				r = send("GET", base+"/orders/_search", "", "x-tenant", "acme")
			} else {
				r = send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", auth)
			}
			expectError(r, 401, "authentication_required")
			Expect(r.Header.Get("WWW-Authenticate")).To(Equal(`Bearer realm="osproxy"`))
		}
		expectNothingForwarded(mock)
		send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", "bearer s3cr3t")
		send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", "Bearer other")
		Expect(mock.Requests()).To(HaveLen(2), "both configured tokens are accepted")
	})

	It("SEC-2: is open when tokens are unset or empty", Label("rule:SEC-2"), func() {
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = ","
		base := startProxy(env).URL
		for _, auth := range []string{"", "Bearer anything", "Basic dXNlcjpwYXNz"} {
			r := send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", auth)
			Expect(r.Status).NotTo(Equal(401), "auth %q: %s", auth, r.Body)
		}
		Expect(mock.Requests()).To(HaveLen(3), "no request is refused for its credentials")
	})

	It("SEC-3: refuses tenancy requests over cleartext unless allowed, before authentication", Label("rule:SEC-3"), func() {
		env := tenancyEnv(mock.URL())
		delete(env, "OSPROXY_ALLOW_CLEARTEXT_MUTATION")
		env["OSPROXY_TOKENS"] = "s3cr3t=svc"
		base := startProxy(env).URL
		expectError(send("GET", base+"/orders/_search", "", "x-tenant", "acme"), 403, "tls_required")
		expectError(send("PUT", base+"/orders/_doc/1", `{"a":1}`, "x-tenant", "acme", "Authorization", "Bearer s3cr3t"), 403, "tls_required")
		expectNothingForwarded(mock)
		env["OSPROXY_ALLOW_CLEARTEXT_MUTATION"] = "no"
		expectError(send("GET", startProxy(env).URL+"/orders/_search", "", "x-tenant", "acme"), 403, "tls_required")
	})

	It("SEC-5: never relays the client's Authorization upstream", Label("rule:SEC-5"), func() {
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = "s3cr3t=svc"
		base := startProxy(env).URL
		send("GET", base+"/orders/_search", "", "x-tenant", "acme", "Authorization", "Bearer s3cr3t", "X-Opaque-Id", "op-1")
		rec := onlyRequest(mock)
		Expect(rec.Header.Values("Authorization")).To(BeEmpty())
		Expect(rec.Header.Get("X-Opaque-Id")).To(Equal("op-1"))
		penv := passthroughEnv(mock.URL())
		penv["OSPROXY_TOKENS"] = "s3cr3t=svc"
		mock.Reset()
		send("GET", startProxy(penv).URL+"/legacy/_search", "", "Authorization", "Bearer s3cr3t")
		Expect(onlyRequest(mock).Header.Values("Authorization")).To(BeEmpty())
	})
})

var _ = Describe("08 security over TLS", Label("profile:core"), func() {
	It("SEC-4: serves HTTPS with HTTP/2 and lets tenancy requests through the guard", Label("rule:SEC-4"), func() {
		mock := searchUpstream()
		certFile, keyFile, pool := selfSignedCert()
		env := tenancyEnv(mock.URL())
		delete(env, "OSPROXY_ALLOW_CLEARTEXT_MUTATION")
		env["OSPROXY_TLS_CERT"], env["OSPROXY_TLS_KEY"] = certFile, keyFile
		p := startProxy(env)
		Eventually(p.Stdout).Should(ContainSubstring("osproxy listening on https://"))
		tlsClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
		req, _ := http.NewRequest("GET", "https://"+p.Addr+"/orders/_search", nil)
		req.Header.Set("x-tenant", "acme")
		resp, err := tlsClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.Proto).To(Equal("HTTP/2.0"))
		Expect(resp.StatusCode).NotTo(Equal(403), "a tenancy request over TLS passes the cleartext guard")
		Expect(resp.StatusCode).To(BeNumerically("<", 500), "and is served with the upstream's answer")
		Expect(mock.Requests()).To(HaveLen(1), "and reaches the upstream")

		old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}}
		_, err = old.Get("https://" + p.Addr + "/orders/_search")
		Expect(err).To(HaveOccurred(), "TLS 1.1 is refused")
		// Cleartext on the TLS port is not served: a 400, a TLS alert or a
		// closed connection are all that; reaching the upstream is not.
		plain, err := http.NewRequest("GET", "http://"+p.Addr+"/orders/_search", nil)
		Expect(err).NotTo(HaveOccurred())
		plain.Header.Set("x-tenant", "acme")
		if resp, err := client.Do(plain); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(BeNumerically(">=", 400), "cleartext on the TLS port is not served")
		}
		Expect(mock.Requests()).To(HaveLen(1))
	})

	It("SEC-4: refuses half a key pair or an unreadable one before opening a socket", Label("rule:SEC-4"), func() {
		certFile, keyFile, _ := selfSignedCert()
		for _, c := range []map[string]string{
			{"OSPROXY_TLS_CERT": certFile},
			{"OSPROXY_TLS_KEY": keyFile},
			{"OSPROXY_TLS_CERT": certFile, "OSPROXY_TLS_KEY": certFile},
			{"OSPROXY_TLS_CERT": "/nonexistent.pem", "OSPROXY_TLS_KEY": keyFile},
		} {
			_, stderr, code := cfgRunConfig(c)
			Expect(code).To(Equal(1), "the configuration must be refused")
			Expect(stderr).To(HavePrefix("osproxy: config: `tls_cert`: "))
		}
	})
})

// routingOf returns the routing parameter values of a recorded request; the
// order of parameters is not fixed by any rule.
func routingOf(r mockupstream.Request) []string {
	q, err := url.ParseQuery(r.RawQuery)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return q["routing"]
}

// selfSignedCert writes a fresh ECDSA certificate for 127.0.0.1 and its key.
func selfSignedCert() (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "osproxy conformance"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	Expect(err).NotTo(HaveOccurred())
	dir := GinkgoT().TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	Expect(os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)).To(Succeed())
	Expect(os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)).To(Succeed())
	cert, err := x509.ParseCertificate(der)
	Expect(err).NotTo(HaveOccurred())
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

var _ = Describe("08 security with bound tokens", Label("profile:core"), func() {
	It("SEC-6: confines a bound token to its tenants", Label("rule:SEC-6"), func() {
		mock := searchUpstream()
		env := tenancyEnv(mock.URL())
		env["OSPROXY_TOKENS"] = "t-acme=svc-a:acme, t-two=svc-b:acme|globex, t-any=legacy"
		base := startProxy(env).URL
		expectError(send("GET", base+"/orders/_search", "", "Authorization", "Bearer t-acme", "x-tenant", "globex"), 403, "tenant_forbidden")
		expectError(send("GET", base+"/orders/_search", "", "Authorization", "Bearer t-two", "x-tenant", "initech"), 403, "tenant_forbidden")
		expectError(send("GET", base+"/orders/_search", "", "Authorization", "Bearer t-two"), 400, "tenant_required")
		expectNothingForwarded(mock)

		send("GET", base+"/orders/_search", "", "Authorization", "Bearer t-acme")
		Expect(routingOf(onlyRequest(mock))).To(Equal([]string{"acme"}), "a one-tenant token names the tenant")
		mock.Reset()
		send("GET", base+"/orders/_search", "", "Authorization", "Bearer t-two", "x-tenant", "globex")
		Expect(routingOf(onlyRequest(mock))).To(Equal([]string{"globex"}))
		mock.Reset()
		send("GET", base+"/orders/_search", "", "Authorization", "Bearer t-any", "x-tenant", "initech")
		Expect(routingOf(onlyRequest(mock))).To(Equal([]string{"initech"}), "an unbound token acts for any tenant")
	})

	It("SEC-6: refuses a binding to an invalid tenant at start-up", Label("rule:SEC-6"), func() {
		_, stderr, code := cfgRunConfig(map[string]string{"OSPROXY_TOKENS": "t=svc:ac:me"})
		Expect(code).To(Equal(1), "the configuration must be refused")
		Expect(stderr).To(HavePrefix("osproxy: config: `tokens`: "))
		Expect(stderr).NotTo(ContainSubstring("t=svc"), "the entry may be a secret")
	})
})

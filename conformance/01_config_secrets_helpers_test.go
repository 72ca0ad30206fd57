package conformance_test

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"regexp"
	"time"

	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
)

// Helpers of the secret, identity and hardening keys (CFG-20..27, SEC-7..9).
// They stand apart from the 01 helpers so each file can change on its own.

// expectConfigRefusal runs the binary and asserts CFG-6: exit 1 and exactly
// one stderr line "osproxy: config: `<field>`: <reason>". It returns the whole
// output, for checks that it leaks nothing (CFG-27).
func expectConfigRefusal(field string, env map[string]string, args ...string) string {
	full := merge(map[string]string{harness.BindEnv: harness.FreeAddr()}, env)
	stdout, stderr, code, err := harness.Run(full, 20*time.Second, args...)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	ExpectWithOffset(1, code).To(Equal(1), "env %v args %v\nstderr: %s", env, args, stderr)
	line := regexp.MustCompile("^osproxy: config: `([^`]*)`: ([^\n]+)\n$").FindStringSubmatch(stderr)
	ExpectWithOffset(1, line).NotTo(BeNil(), "env %v args %v: not one config error line: %q", env, args, stderr)
	ExpectWithOffset(1, line[1]).To(Equal(field), "env %v args %v: stderr %q", env, args, stderr)
	return stdout + stderr
}

// tlsClient trusts ca and presents cert, if given; it keeps connections alive.
func tlsClient(ca *testCA, cert *tls.Certificate) *http.Client {
	cfg := &tls.Config{RootCAs: ca.pool}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// tlsListenerEnv makes the proxy serve TLS with a certificate of ca.
func tlsListenerEnv(ca *testCA, env map[string]string) map[string]string {
	cert, key := writePair("listener", ca.serverCert())
	return merge(env, map[string]string{"OSPROXY_TLS_CERT": cert, "OSPROXY_TLS_KEY": key})
}

// rawRequest writes a minimal HTTP/1.1 request on c.
func rawRequest(c net.Conn, target string) {
	_, err := c.Write([]byte("GET " + target + " HTTP/1.1\r\nHost: x\r\nx-tenant: acme\r\n\r\n"))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
}

// closedWithin reports whether the server closes c (EOF or reset) within d,
// reading and discarding whatever it sends first.
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			ne, ok := err.(net.Error)
			return !(ok && ne.Timeout())
		}
	}
}

// tokenLine is one tokens-file line for token (SEC-9).
func tokenLine(token, principal string) string {
	d := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(d[:]) + "=" + principal + "\n"
}

// basicAuth is the Authorization value of basic auth.
func basicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// timeAgo is an hour ago: the end of an expired certificate.
func timeAgo() time.Time { return time.Now().Add(-time.Hour) }

package conformance_test

import (
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

// The keys of TLS and credentials towards clusters, client identity and
// listener hardening (spec/01-configuration.md, CFG-20..27).
var _ = Describe("01 configuration of secrets and limits", Label("profile:core", "upstream:mock"), func() {
	const https = "https://127.0.0.1:9"

	It("CFG-20: checks each cluster's TLS keys against its URL and each other", Label("rule:CFG-20"), func() {
		for key, value := range map[string]string{"CA_FILE": "/ca.pem", "CLIENT_CERT": "/c.pem", "SERVER_NAME": "node",
			"INSECURE_SKIP_VERIFY": "yes"} {
			field := "upstream_" + strings.ToLower(key)
			if key == "CLIENT_CERT" {
				expectConfigRefusal(field, map[string]string{"OSPROXY_UPSTREAM_" + key: value, "OSPROXY_UPSTREAM_CLIENT_KEY": "/k"})
				continue
			}
			expectConfigRefusal(field, map[string]string{"OSPROXY_UPSTREAM_" + key: value})
		}
		expectConfigRefusal("upstream_client_cert", map[string]string{"OSPROXY_UPSTREAM": https, "OSPROXY_UPSTREAM_CLIENT_KEY": "/k.pem"})
		expectConfigRefusal("upstream_client_cert", map[string]string{"OSPROXY_UPSTREAM": https, "OSPROXY_UPSTREAM_CLIENT_CERT": "/c.pem"})
		expectConfigRefusal("passthrough_ca_file", map[string]string{"OSPROXY_PASSTHROUGH_CA_FILE": "/ca.pem"})
	})

	It("CFG-20: refuses a bad CA path, a file without a certificate and a broken client pair before binding", Label("rule:CFG-20"), func() {
		ca := newTestCA("ca")
		cert, key := writePair("proxy", ca.issue(leafOpts{cn: "osproxy"}))
		_, otherKey := writePair("other", ca.issue(leafOpts{cn: "other"}))
		notPEM := writeSpecFile("not.pem", []byte("not a certificate\n"))
		up := map[string]string{"OSPROXY_UPSTREAM": https}
		expectConfigRefusal("upstream_ca_file", merge(up, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": "/nonexistent/ca.pem"}))
		expectConfigRefusal("upstream_ca_file", merge(up, map[string]string{"OSPROXY_UPSTREAM_CA_FILE": notPEM}))
		expectConfigRefusal("upstream_client_key", merge(up, map[string]string{"OSPROXY_UPSTREAM_CLIENT_CERT": cert, "OSPROXY_UPSTREAM_CLIENT_KEY": "/nonexistent/k"}))
		expectConfigRefusal("upstream_client_cert", merge(up, map[string]string{"OSPROXY_UPSTREAM_CLIENT_CERT": cert, "OSPROXY_UPSTREAM_CLIENT_KEY": otherKey}))
		pt := map[string]string{"OSPROXY_PASSTHROUGH_CLUSTER": "legacy", "OSPROXY_PASSTHROUGH_ENDPOINT": https}
		expectConfigRefusal("passthrough_ca_file", merge(pt, map[string]string{"OSPROXY_PASSTHROUGH_CA_FILE": notPEM}))
		good := startProxy(merge(tenancyEnv(https), map[string]string{"OSPROXY_UPSTREAM_CA_FILE": ca.writeCA(),
			"OSPROXY_UPSTREAM_CLIENT_CERT": cert, "OSPROXY_UPSTREAM_CLIENT_KEY": key}))
		Expect(good.Exited()).To(BeFalse())
	})

	It("CFG-21: refuses a secret given with its file, unreadable or empty files and half credentials", Label("rule:CFG-21", "rule:CFG-27"), func() {
		pw := writeSpecFile("pw", []byte("hunter2-secret\n"))
		empty := writeSpecFile("empty", []byte("\n"))
		twoLines := writeSpecFile("two", []byte("hunter2-secret\nmore\n"))
		up := map[string]string{"OSPROXY_UPSTREAM": https, "OSPROXY_UPSTREAM_USER": "osproxy"}
		outputs := []string{
			expectConfigRefusal("upstream_password_file", merge(up, map[string]string{"OSPROXY_UPSTREAM_PASSWORD": "hunter2-secret", "OSPROXY_UPSTREAM_PASSWORD_FILE": pw})),
			expectConfigRefusal("upstream_token_file", map[string]string{"OSPROXY_UPSTREAM_TOKEN": "hunter2-secret", "OSPROXY_UPSTREAM_TOKEN_FILE": pw}),
			expectConfigRefusal("upstream_password_file", merge(up, map[string]string{"OSPROXY_UPSTREAM_PASSWORD_FILE": "/nonexistent/pw"})),
			expectConfigRefusal("upstream_password_file", merge(up, map[string]string{"OSPROXY_UPSTREAM_PASSWORD_FILE": empty})),
			expectConfigRefusal("upstream_password_file", merge(up, map[string]string{"OSPROXY_UPSTREAM_PASSWORD_FILE": twoLines})),
			expectConfigRefusal("upstream_token_file", map[string]string{"OSPROXY_UPSTREAM_TOKEN_FILE": filepath.Dir(pw)}),
			expectConfigRefusal("upstream_user", up),
			expectConfigRefusal("upstream_user", map[string]string{"OSPROXY_UPSTREAM_PASSWORD": "hunter2-secret"}),
			expectConfigRefusal("upstream_token", merge(up, map[string]string{"OSPROXY_UPSTREAM_PASSWORD": "hunter2-secret", "OSPROXY_UPSTREAM_TOKEN": "hunter2-secret"})),
			expectConfigRefusal("passthrough_token", map[string]string{"OSPROXY_PASSTHROUGH_TOKEN": "hunter2-secret"}),
			expectConfigRefusal("passthrough_password_file", map[string]string{"OSPROXY_PASSTHROUGH_CLUSTER": "l", "OSPROXY_PASSTHROUGH_ENDPOINT": https,
				"OSPROXY_PASSTHROUGH_USER": "u", "OSPROXY_PASSTHROUGH_PASSWORD": "hunter2-secret", "OSPROXY_PASSTHROUGH_PASSWORD_FILE": pw}),
		}
		for _, out := range outputs {
			Expect(out).NotTo(ContainSubstring("hunter2"))
		}
	})

	It("CFG-22: checks the tokens file and the client-identity keys", Label("rule:CFG-22"), func() {
		ca := newTestCA("ca")
		listener := tlsListenerEnv(ca, map[string]string{})
		bad := writeSpecFile("tokens", []byte("# ok\nsha256:"+strings.Repeat("ab", 32)+"=svc\nsecret-token-line\n"))
		expectConfigRefusal("tokens_file", map[string]string{"OSPROXY_TOKENS": "a=b", "OSPROXY_TOKENS_FILE": bad})
		out := expectConfigRefusal("tokens_file", map[string]string{"OSPROXY_TOKENS_FILE": bad})
		Expect(out).To(ContainSubstring("line 3"))
		Expect(out).NotTo(ContainSubstring("secret-token-line"))
		expectConfigRefusal("tokens_file", map[string]string{"OSPROXY_TOKENS_FILE": "/nonexistent/tokens"})
		expectConfigRefusal("tls_client_ca", map[string]string{"OSPROXY_TLS_CLIENT_CA": ca.writeCA()})
		expectConfigRefusal("tls_client_ca", merge(listener, map[string]string{"OSPROXY_TLS_CLIENT_CA": "/nonexistent/ca"}))
		expectConfigRefusal("tls_client_ca", merge(listener, map[string]string{"OSPROXY_TLS_CLIENT_CA": writeSpecFile("x", []byte("x"))}))
		expectConfigRefusal("tls_client_auth", merge(listener, map[string]string{"OSPROXY_TLS_CLIENT_AUTH": "optional"}))
		expectConfigRefusal("tls_client_auth", merge(listener, map[string]string{"OSPROXY_TLS_CLIENT_CA": ca.writeCA(), "OSPROXY_TLS_CLIENT_AUTH": "sometimes"}))
		expectConfigRefusal("tls_client_principals", merge(listener, map[string]string{"OSPROXY_TLS_CLIENT_PRINCIPALS": "cn:a=b"}))
		for _, v := range []string{"ou:a=b", "cn:a", "cn:=b", "cn:a=", "cn:a=b:"} {
			expectConfigRefusal("tls_client_principals", merge(listener, map[string]string{"OSPROXY_TLS_CLIENT_CA": ca.writeCA(), "OSPROXY_TLS_CLIENT_PRINCIPALS": v}))
		}
	})

	It("CFG-23: refuses negative timeouts", Label("rule:CFG-23"), func() {
		for _, k := range []string{"read_timeout", "write_timeout", "idle_timeout"} {
			expectConfigRefusal(k, map[string]string{"OSPROXY_" + strings.ToUpper(k): "-1s"})
			expectConfigRefusal(k, map[string]string{}, "--"+k, "soon")
		}
	})

	It("CFG-23: cuts off a streamed body slower than read_timeout and closes a connection idle for idle_timeout", Label("rule:CFG-23"), func() {
		m := startMock()
		env := merge(passthroughEnv(m.URL()), map[string]string{"OSPROXY_READ_TIMEOUT": "1s", "OSPROXY_IDLE_TIMEOUT": "1s"})
		p := startProxy(env)
		slow, err := net.Dial("tcp", p.Addr)
		Expect(err).NotTo(HaveOccurred())
		defer slow.Close()
		_, err = slow.Write([]byte("PUT /legacy/_doc/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":"))
		Expect(err).NotTo(HaveOccurred())
		Expect(closedWithin(slow, 10*time.Second)).To(BeTrue(), "a body still unfinished after read_timeout is cut off")

		idle, err := net.Dial("tcp", p.Addr)
		Expect(err).NotTo(HaveOccurred())
		defer idle.Close()
		rawRequest(idle, "/")
		Expect(closedWithin(idle, 10*time.Second)).To(BeTrue(), "an idle kept-alive connection is closed")
	})

	It("CFG-23: drops a response not written within write_timeout", Label("rule:CFG-23"), func() {
		m := startMock()
		m.Handle("GET", "/", mockupstream.Delay(2*time.Second, nil))
		slow := startProxy(merge(tenancyEnv(m.URL()), map[string]string{"OSPROXY_WRITE_TIMEOUT": "500ms"}))
		_, err := client.Get(slow.URL + "/")
		Expect(err).To(HaveOccurred(), "the response missed write_timeout")
		patient := startProxy(tenancyEnv(m.URL()))
		Expect(send("GET", patient.URL+"/", "").Status).To(Equal(200))
	})

	It("CFG-24: accepts at most max_connections clients at once and serves the next when one closes", Label("rule:CFG-24"), func() {
		m := startMock()
		p := startProxy(merge(tenancyEnv(m.URL()), map[string]string{"OSPROXY_MAX_CONNECTIONS": "2"}))
		var held []net.Conn
		for range 2 {
			c, err := net.Dial("tcp", p.Addr)
			Expect(err).NotTo(HaveOccurred())
			defer c.Close()
			rawRequest(c, "/")
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err = c.Read(make([]byte, 4096))
			Expect(err).NotTo(HaveOccurred())
			held = append(held, c)
		}
		third, err := net.Dial("tcp", p.Addr)
		Expect(err).NotTo(HaveOccurred())
		defer third.Close()
		rawRequest(third, "/")
		_ = third.SetReadDeadline(time.Now().Add(time.Second))
		_, err = third.Read(make([]byte, 4096))
		Expect(err).To(HaveOccurred(), "a third client is not served while two are open")
		Expect(held[0].Close()).To(Succeed())
		_ = third.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := third.Read(make([]byte, 4096))
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeNumerically(">", 0))
		expectConfigRefusal("max_connections", map[string]string{"OSPROXY_MAX_CONNECTIONS": "0"})
	})

	It("CFG-24: opens at most upstream_max_connections to an upstream", Label("rule:CFG-24"), func() {
		m := startMock()
		m.Handle("GET", "/", mockupstream.Delay(300*time.Millisecond, nil))
		p := startProxy(merge(tenancyEnv(m.URL()), map[string]string{"OSPROXY_UPSTREAM_MAX_CONNECTIONS": "1"}))
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				Expect(send("GET", p.URL+"/", "").Status).To(Equal(200))
			}()
		}
		wg.Wait()
		Expect(m.ConnectionsOpened()).To(BeNumerically("==", 1))
		expectConfigRefusal("upstream_max_connections", map[string]string{"OSPROXY_UPSTREAM_MAX_CONNECTIONS": "none"})
		expectConfigRefusal("upstream_dial_timeout", map[string]string{"OSPROXY_UPSTREAM_DIAL_TIMEOUT": "0s"})
	})

	It("CFG-25: reads allow_cleartext_tenancy and its alias allow_cleartext_mutation as one setting", Label("rule:CFG-25", "rule:SEC-3"), func() {
		m := startMock()
		env := tenancyEnv(m.URL())
		delete(env, "OSPROXY_ALLOW_CLEARTEXT_MUTATION")
		p := startProxy(merge(env, map[string]string{"OSPROXY_ALLOW_CLEARTEXT_TENANCY": "yes"}))
		Expect(send("GET", p.URL+"/orders/_doc/1", "", "x-tenant", "acme").Status).To(Equal(200))
		shut := startProxy(merge(env, map[string]string{"OSPROXY_ALLOW_CLEARTEXT_TENANCY": "no"}))
		expectError(send("GET", shut.URL+"/orders/_doc/1", "", "x-tenant", "acme"), 403, "tls_required")
		same := startProxy(merge(env, map[string]string{"OSPROXY_ALLOW_CLEARTEXT_TENANCY": "1", "OSPROXY_ALLOW_CLEARTEXT_MUTATION": "true"}))
		Expect(send("GET", same.URL+"/orders/_doc/1", "", "x-tenant", "acme").Status).To(Equal(200))
		expectConfigRefusal("allow_cleartext_tenancy", map[string]string{"OSPROXY_ALLOW_CLEARTEXT_TENANCY": "maybe"})
		expectConfigRefusal("allow_cleartext_tenancy", map[string]string{"OSPROXY_ALLOW_CLEARTEXT_MUTATION": "yes"}, "--allow-cleartext-tenancy", "no")
	})

	It("CFG-26: re-reads the tokens file and password file on SIGHUP without dropping a connection", Label("rule:CFG-26", "rule:SEC-9"), func() {
		m := startMock()
		tokens := writeSpecFile("tokens", []byte(tokenLine("old-token", "svc:acme")))
		pw := writeSpecFile("pw", []byte("first\n"))
		p := startCheckedProxy(merge(tenancyEnv(m.URL()), map[string]string{"OSPROXY_TOKENS_FILE": tokens,
			"OSPROXY_UPSTREAM_USER": "osproxy", "OSPROXY_UPSTREAM_PASSWORD_FILE": pw}), m)
		kept := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		get := func(token string) int {
			req, _ := http.NewRequest("GET", p.URL+"/orders/_doc/1", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := kept.Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			return resp.StatusCode
		}
		Expect(get("old-token")).To(Equal(200))
		Expect(os.WriteFile(tokens, []byte(tokenLine("new-token", "svc:acme")), 0o600)).To(Succeed())
		Expect(os.WriteFile(pw, []byte("second\n"), 0o600)).To(Succeed())
		Expect(p.Signal(syscall.SIGHUP)).To(Succeed())
		Eventually(p.Stderr, 10*time.Second).Should(ContainSubstring("SIGHUP: re-read"))
		Expect(get("old-token")).To(Equal(401))
		Expect(get("new-token")).To(Equal(200))
		reqs := m.Requests()
		Expect(reqs).To(HaveLen(2))
		Expect(reqs[0].Header.Get("Authorization")).To(Equal(basicAuth("osproxy", "first")))
		Expect(reqs[1].Header.Get("Authorization")).To(Equal(basicAuth("osproxy", "second")))

		Expect(os.WriteFile(tokens, []byte("garbage\n"), 0o600)).To(Succeed())
		Expect(p.Signal(syscall.SIGHUP)).To(Succeed())
		Eventually(p.Stderr, 10*time.Second).Should(MatchRegexp("SIGHUP: kept the previous secrets: .*`tokens_file`"))
		Expect(get("new-token")).To(Equal(200), "a bad file keeps the table in force")
		Expect(m.ConnectionsOpened()).To(BeNumerically("==", 1), "the upstream connection survived the reloads")
		Expect(p.Exited()).To(BeFalse())
	})

	It("CFG-27: never prints a password or token, in --help, start-up lines or error bodies", Label("rule:CFG-27"), func() {
		stdout, _, code, err := harness.Run(map[string]string{"OSPROXY_UPSTREAM_PASSWORD": "hunter2-secret"}, 20*time.Second, "--help")
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(Equal(0))
		Expect(stdout).NotTo(ContainSubstring("hunter2"))
		ca := newTestCA("ca")
		m := startMock()
		m.Handle("", "/*", mockupstream.Canned(401, nil, []byte("bad hunter2-secret")))
		f := startTLSFront(hostPort(m.URL()), &tls.Config{Certificates: []tls.Certificate{ca.serverCert()}})
		p := startCheckedProxy(merge(tenancyEnv(f.URL), map[string]string{"OSPROXY_UPSTREAM_CA_FILE": newTestCA("x").writeCA(),
			"OSPROXY_UPSTREAM_USER": "osproxy", "OSPROXY_UPSTREAM_PASSWORD": "hunter2-secret"}), m)
		r := send("GET", p.URL+"/", "")
		Expect(string(r.Body)).NotTo(ContainSubstring("hunter2"))
		q := startCheckedProxy(merge(tenancyEnv(m.URL()), map[string]string{"OSPROXY_UPSTREAM_TOKEN": "hunter2-secret"}), m)
		r = send("GET", q.URL+"/", "")
		Expect(string(r.Body)).NotTo(ContainSubstring("hunter2"))
		for _, out := range []string{p.Stdout(), p.Stderr(), q.Stdout(), q.Stderr()} {
			Expect(out).NotTo(ContainSubstring("hunter2"))
		}
	})
})

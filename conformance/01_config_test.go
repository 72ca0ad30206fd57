package conformance_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

// Specs of spec/01-configuration.md. Each observes a setting through what the
// process does (which mock a request reaches, which address it binds, what it
// refuses), never through an echo of its own configuration.

// cfgRunTimeout bounds a process expected to exit by itself.
const cfgRunTimeout = 20 * time.Second

// cfgKeys is the key table of spec/01-configuration.md.
var cfgKeys = []string{"bind", "upstream", "index", "tokens", "allow_cleartext_mutation",
	"passthrough_cluster", "passthrough_endpoint", "passthrough_indices", "max_body_bytes",
	"upstream_timeout", "shutdown_timeout"}

// cfgRun runs the binary until it exits by itself; env is built from scratch.
func cfgRun(env map[string]string, args ...string) (stdout, stderr string, code int) {
	stdout, stderr, code, err := harness.Run(env, cfgRunTimeout, args...)
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "stdout: %s\nstderr: %s", stdout, stderr)
	return stdout, stderr, code
}

// cfgExpectError runs the binary and asserts CFG-6: exit status 1 and exactly
// one stderr line "osproxy: config: `<field>`: <reason>", no readiness line.
// It returns the reason. A free OSPROXY_BIND is added unless env has one, so a
// binary that wrongly accepted the configuration would not take a shared port.
func cfgExpectError(field string, env map[string]string, args ...string) string {
	withBind := map[string]string{harness.BindEnv: harness.FreeAddr()}
	for k, v := range env {
		withBind[k] = v
	}
	stdout, stderr, code := cfgRun(withBind, args...)
	ExpectWithOffset(1, code).To(Equal(1), "env %v args %v\nstderr: %s", env, args, stderr)
	ExpectWithOffset(1, stdout).NotTo(ContainSubstring("listening"))
	line := regexp.MustCompile("^osproxy: config: `([^`]*)`: ([^\n]+)\n$").FindStringSubmatch(stderr)
	ExpectWithOffset(1, line).NotTo(BeNil(), "env %v args %v: stderr is not one config error line: %q", env, args, stderr)
	ExpectWithOffset(1, line[1]).To(Equal(field), "env %v args %v: stderr %q", env, args, stderr)
	return line[2]
}

// cfgWriteFile writes a config file into this spec's temporary directory.
func cfgWriteFile(content string) string {
	path := filepath.Join(GinkgoT().TempDir(), "osproxy.conf")
	ExpectWithOffset(1, os.WriteFile(path, []byte(content), 0o600)).To(Succeed())
	return path
}

// cfgSpawn starts the binary without waiting for it to listen, for specs that
// bind somewhere other than the harness's OSPROXY_BIND.
func cfgSpawn(env map[string]string, args ...string) *harness.Proxy {
	p, err := harness.Spawn(env, args...)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	DeferCleanup(func() { _, _ = p.Stop(5 * time.Second) })
	return p
}

// cfgReadyLine is the readiness line of CFG-18.
func cfgReadyLine(addr, mode string) string {
	return "osproxy listening on http://" + addr + " (" + mode + ")\n"
}

// cfgAwaitStdout waits until the process has written want to stdout.
func cfgAwaitStdout(p *harness.Proxy, want string) {
	EventuallyWithOffset(1, p.Stdout).WithTimeout(20*time.Second).WithPolling(10*time.Millisecond).
		Should(ContainSubstring(want), func() string { return "stderr: " + p.Stderr() })
}

// cfgOccupy binds a loopback port for the rest of the spec and returns it.
func cfgOccupy(network, addr string) string {
	ln, err := net.Listen(network, addr)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = ln.Close() })
	return ln.Addr().String()
}

// cfgDialErr dials addr once and reports the error, nil when it connected.
func cfgDialErr(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		_ = c.Close()
	}
	return err
}

// cfgPassthroughFile is a config file sending every request to endpoint.
func cfgPassthroughFile(endpoint string) string {
	return cfgWriteFile("passthrough_cluster = from-file\npassthrough_endpoint = " + endpoint + "\n")
}

// cfgProbe sends one passthrough request and asserts which mock received it.
func cfgProbe(p *harness.Proxy, target *mockupstream.Server, others ...*mockupstream.Server) {
	r := send("GET", p.URL+"/legacy/_doc/probe", "")
	ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
	ExpectWithOffset(1, onlyRequest(target).RequestURI).To(Equal("/legacy/_doc/probe"))
	for _, o := range others {
		ExpectWithOffset(1, o.Requests()).To(BeEmpty())
	}
}

// cfgSearchMock is a tenancy upstream that answers any search.
func cfgSearchMock() *mockupstream.Server {
	m := startMock()
	m.Handle("POST", "/*", mockupstream.SearchEnvelope(nil, 0))
	return m
}

// cfgSearch sends a tenancy search for tenant acme on logical index orders.
func cfgSearch(p *harness.Proxy, headers ...string) response {
	return send("POST", p.URL+"/orders/_search", `{}`, append([]string{"x-tenant", "acme"}, headers...)...)
}

// cfgGate answers 200 once release is closed; if the client or the mock goes
// away first it hangs up. It lets a spec hold a request in flight without sleeping.
func cfgGate(release <-chan struct{}) mockupstream.Responder {
	return mockupstream.ResponderFunc(func(w http.ResponseWriter, req *mockupstream.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"drained":true}`))
	})
}

// cfgInFlight starts a GET on its own connection and returns where its
// outcome will arrive.
func cfgInFlight(url string) <-chan response {
	done := make(chan response, 1)
	c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
	go func() {
		resp, err := c.Get(url)
		if err != nil {
			done <- response{Status: -1, Body: []byte(err.Error())}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			done <- response{Status: -2, Body: []byte(err.Error())}
			return
		}
		done <- response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	}()
	return done
}

// cfgExpectDrain checks CFG-17 for one signal: the listener closes at once,
// the in-flight request still completes, then the process exits 0.
func cfgExpectDrain(sig os.Signal) {
	m := startMock()
	release := make(chan struct{})
	released := false
	DeferCleanup(func() {
		if !released {
			close(release)
		}
	})
	m.Handle("GET", "/legacy/_slow", cfgGate(release))
	env := passthroughEnv(m.URL())
	env["OSPROXY_SHUTDOWN_TIMEOUT"] = "1m"
	p := startProxy(env)

	done := cfgInFlight(p.URL + "/legacy/_slow")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	Expect(m.WaitFor(ctx, func() bool { return len(m.Requests()) == 1 })).To(Succeed())

	Expect(p.Signal(sig)).To(Succeed())
	Eventually(func() error { return cfgDialErr(p.Addr) }).WithTimeout(20*time.Second).WithPolling(10*time.Millisecond).
		Should(MatchError(syscall.ECONNREFUSED), "new connections must be refused once draining")
	Expect(p.Exited()).To(BeFalse(), "the process exited with a request in flight")
	Expect(done).NotTo(Receive(), "the in-flight request ended before the upstream answered")

	close(release)
	released = true
	var r response
	Eventually(done).WithTimeout(20 * time.Second).Should(Receive(&r))
	Expect(r.Status).To(Equal(200), "in-flight request: %s", r.Body)
	Expect(string(r.Body)).To(Equal(`{"drained":true}`))
	code, err := p.Wait(20 * time.Second)
	Expect(err).NotTo(HaveOccurred())
	Expect(code).To(Equal(0), "stderr: %s", p.Stderr())
}

var _ = Describe("01 configuration", func() {
	Describe("sources", func() {
		It("CFG-1: takes a setting from the config file when neither the environment nor a flag sets it", Label("rule:CFG-1", "profile:core", "upstream:mock"), func() {
			fromFile := startMock()
			p := startProxy(map[string]string{}, "--config", cfgPassthroughFile(fromFile.URL()))
			cfgProbe(p, fromFile)
		})

		It("CFG-1: lets an OSPROXY_<KEY> variable override the config file", Label("rule:CFG-1", "profile:core", "upstream:mock"), func() {
			fromFile, fromEnv := startMock(), startMock()
			p := startProxy(map[string]string{"OSPROXY_PASSTHROUGH_ENDPOINT": fromEnv.URL()},
				"--config", cfgPassthroughFile(fromFile.URL()))
			cfgProbe(p, fromEnv, fromFile)
		})

		It("CFG-1: lets a flag override the environment and the config file", Label("rule:CFG-1", "profile:core", "upstream:mock"), func() {
			fromFile, fromEnv, fromFlag := startMock(), startMock(), startMock()
			p := startProxy(map[string]string{"OSPROXY_PASSTHROUGH_ENDPOINT": fromEnv.URL()},
				"--config", cfgPassthroughFile(fromFile.URL()), "--passthrough_endpoint", fromFlag.URL())
			cfgProbe(p, fromFlag, fromEnv, fromFile)
		})

		It("CFG-1: accepts --key=value and reads dashes in a flag name as underscores", Label("rule:CFG-1", "profile:core", "upstream:mock"), func() {
			m := startMock()
			p := startProxy(map[string]string{}, "--passthrough-cluster", "flagged", "--passthrough-endpoint="+m.URL())
			cfgProbe(p, m)
		})

		It("CFG-1: binds the address a flag names rather than the environment's", Label("rule:CFG-1", "profile:core"), func() {
			envAddr, flagAddr := harness.FreeAddr(), harness.FreeAddr()
			p := cfgSpawn(map[string]string{harness.BindEnv: envAddr}, "--bind", flagAddr)
			cfgAwaitStdout(p, cfgReadyLine(flagAddr, "tenancy"))
			Expect(cfgDialErr(flagAddr)).To(Succeed())
			Expect(cfgDialErr(envAddr)).To(MatchError(syscall.ECONNREFUSED))
		})

		It("CFG-2: reads the file named by --config PATH, --config=PATH, or else OSPROXY_CONFIG", Label("rule:CFG-2", "profile:core", "upstream:mock"), func() {
			named, other := startMock(), startMock()
			namedFile, otherFile := cfgPassthroughFile(named.URL()), cfgPassthroughFile(other.URL())
			for _, c := range []struct {
				env  map[string]string
				args []string
			}{
				{map[string]string{}, []string{"--config", namedFile}},
				{map[string]string{}, []string{"--config=" + namedFile}},
				{map[string]string{"OSPROXY_CONFIG": namedFile}, nil},
				{map[string]string{"OSPROXY_CONFIG": otherFile}, []string{"--config", namedFile}},
			} {
				named.Reset()
				cfgProbe(startProxy(c.env, c.args...), named, other)
			}
		})

		It("CFG-2: ignores blank and comment lines, trims keys and values and splits a line at its first =", Label("rule:CFG-2", "profile:core", "upstream:mock"), func() {
			m := startMock()
			path := cfgWriteFile("# osproxy\n\n   \n" +
				"   passthrough_cluster   =   legacy   \n" +
				"\tpassthrough_endpoint=" + m.URL() + "\t\n" +
				"# tokens = commented=out\n" +
				"tokens = s3cr3t=svc\n")
			p := startProxy(map[string]string{}, "--config", path)
			expectError(send("GET", p.URL+"/legacy/_doc/1", ""), 401, "authentication_required")
			Expect(m.Requests()).To(BeEmpty())
			Expect(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer s3cr3t").Status).To(Equal(200))
			Expect(onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"))
		})

		It("CFG-2: removes one pair of matching quotes around a value", Label("rule:CFG-2", "profile:core", "upstream:mock"), func() {
			m := startMock()
			path := cfgWriteFile("passthrough_cluster = 'legacy'\n" +
				"passthrough_endpoint = \"" + m.URL() + "\"\n" +
				"tokens = \"'s3cr3t'=svc\"\n")
			p := startProxy(map[string]string{}, "--config", path)
			expectError(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer s3cr3t"), 401, "authentication_required")
			Expect(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer 's3cr3t'").Status).To(Equal(200))
			Expect(onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"))
		})

		It("CFG-2: keeps quotes that do not match", Label("rule:CFG-2", "profile:core"), func() {
			cfgExpectError("index", map[string]string{}, "--config", cfgWriteFile("index = \"orders'\n"))
			cfgExpectError("index", map[string]string{}, "--config", cfgWriteFile("index = 'orders\"\n"))
		})

		It("CFG-2: reads a bare key under [section] as section_key, else as the key itself", Label("rule:CFG-2", "profile:core", "upstream:mock"), func() {
			m := startMock()
			path := cfgWriteFile("[passthrough]\ncluster = legacy\nendpoint = " + m.URL() + "\ntokens = s3cr3t=svc\n")
			p := startProxy(map[string]string{}, "--config", path)
			expectError(send("GET", p.URL+"/legacy/_doc/1", ""), 401, "authentication_required")
			Expect(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer s3cr3t").Status).To(Equal(200))
			Expect(onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"))
		})

		It("CFG-2: returns to the top level after a [] line", Label("rule:CFG-2", "profile:core"), func() {
			reason := cfgExpectError("cluster", map[string]string{}, "--config", cfgWriteFile("[passthrough]\n[]\ncluster = legacy\n"))
			Expect(reason).To(Equal("unknown setting"))
		})

		It("CFG-3: treats an empty environment variable as unset, so the file's value applies", Label("rule:CFG-3", "profile:core", "upstream:mock"), func() {
			m := startMock()
			path := cfgWriteFile("passthrough_cluster = legacy\npassthrough_endpoint = " + m.URL() + "\ntokens = s3cr3t=svc\n")
			p := startProxy(map[string]string{"OSPROXY_TOKENS": "", "OSPROXY_PASSTHROUGH_ENDPOINT": ""}, "--config", path)
			expectError(send("GET", p.URL+"/legacy/_doc/1", ""), 401, "authentication_required")
			Expect(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer s3cr3t").Status).To(Equal(200))
			Expect(onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"))
		})

		It("CFG-3: treats an empty flag as unset, so the environment's value applies", Label("rule:CFG-3", "profile:core", "upstream:mock"), func() {
			m := startMock()
			env := passthroughEnv(m.URL())
			env["OSPROXY_TOKENS"] = "s3cr3t=svc"
			p := startProxy(env, "--tokens=", "--passthrough_endpoint", "")
			expectError(send("GET", p.URL+"/legacy/_doc/1", ""), 401, "authentication_required")
			Expect(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer s3cr3t").Status).To(Equal(200))
			Expect(onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"))
		})

		It("CFG-3: treats an empty value in the file as unset, so the default applies", Label("rule:CFG-3", "profile:core", "upstream:mock"), func() {
			m := cfgSearchMock()
			path := cfgWriteFile("index =\npassthrough_cluster =\npassthrough_endpoint = \"\"\nmax_body_bytes = ''\nallow_cleartext_mutation = yes\n")
			p := startProxy(map[string]string{"OSPROXY_UPSTREAM": m.URL()}, "--config", path)
			cfgAwaitStdout(p, cfgReadyLine(p.Addr, "tenancy"))
			Expect(cfgSearch(p).Status).To(Equal(200))
			Expect(onlyRequest(m).RawPath).To(Equal("/osproxy-shared/_search"))
		})

		It("CFG-4: reads 1, true and yes as true, in any case and ignoring surrounding white space", Label("rule:CFG-4", "profile:core", "upstream:mock"), func() {
			m := cfgSearchMock()
			for _, v := range []string{"1", "true", "yes", "TRUE", "Yes", " yEs\t", " 1 "} {
				m.Reset()
				env := tenancyEnv(m.URL())
				env["OSPROXY_ALLOW_CLEARTEXT_MUTATION"] = v
				r := cfgSearch(startProxy(env))
				Expect(r.Status).To(Equal(200), "allow_cleartext_mutation=%q: %s", v, r.Body)
				Expect(m.Requests()).To(HaveLen(1), "allow_cleartext_mutation=%q", v)
			}
		})

		It("CFG-4: reads 0, false and no as false, in any case and ignoring surrounding white space", Label("rule:CFG-4", "profile:core", "upstream:mock"), func() {
			m := cfgSearchMock()
			for _, v := range []string{"0", "false", "no", "FALSE", "No", " nO\t", " 0 "} {
				env := tenancyEnv(m.URL())
				env["OSPROXY_ALLOW_CLEARTEXT_MUTATION"] = v
				expectError(cfgSearch(startProxy(env)), 403, "tls_required")
			}
			Expect(m.Requests()).To(BeEmpty())
		})

		It("CFG-4: rejects any other boolean spelling with an error naming the key", Label("rule:CFG-4", "profile:core"), func() {
			for _, v := range []string{"on", "off", "y", "n", "2", "t", "truee", "yes!", "tr ue"} {
				cfgExpectError("allow_cleartext_mutation", map[string]string{"OSPROXY_ALLOW_CLEARTEXT_MUTATION": v})
			}
			cfgExpectError("allow_cleartext_mutation", map[string]string{}, "--allow_cleartext_mutation", "enabled")
			cfgExpectError("allow_cleartext_mutation", map[string]string{}, "--config", cfgWriteFile("allow_cleartext_mutation = maybe\n"))
		})

		It("CFG-5: rejects an unknown key in the config file as `unknown setting`", Label("rule:CFG-5", "profile:core"), func() {
			reason := cfgExpectError("frobnicate", map[string]string{}, "--config", cfgWriteFile("bind = 127.0.0.1:0\nfrobnicate = 1\n"))
			Expect(reason).To(Equal("unknown setting"))
			reason = cfgExpectError("max_body", map[string]string{}, "--config", cfgWriteFile("max_body = 10\n"))
			Expect(reason).To(Equal("unknown setting"))
		})

		It("CFG-5: rejects an unknown flag as `unknown setting`", Label("rule:CFG-5", "profile:core"), func() {
			Expect(cfgExpectError("frobnicate", map[string]string{}, "--frobnicate", "1")).To(Equal("unknown setting"))
			Expect(cfgExpectError("frobnicate", map[string]string{}, "--frobnicate=1")).To(Equal("unknown setting"))
		})

		It("CFG-5: ignores OSPROXY_ variables that name no key", Label("rule:CFG-5", "profile:core", "upstream:mock"), func() {
			m := startMock()
			env := passthroughEnv(m.URL())
			env["OSPROXY_FROBNICATE"] = "1"
			env["OSPROXY_LOG_LEVEL"] = "not a value of anything"
			cfgProbe(startProxy(env), m)
		})

		It("CFG-6: validates the whole configuration before opening any socket", Label("rule:CFG-6", "profile:core"), func() {
			// The bind port is taken: a binary that bound before validating
			// would report `osproxy: binding …` instead of the config error.
			taken := cfgOccupy("tcp", "127.0.0.1:0")
			for _, env := range []map[string]string{
				{harness.BindEnv: taken, "OSPROXY_SHUTDOWN_TIMEOUT": "-1s"},
				{harness.BindEnv: taken, "OSPROXY_UPSTREAM_TIMEOUT": "0s"},
				{harness.BindEnv: taken, "OSPROXY_PASSTHROUGH_CLUSTER": "lonely"},
			} {
				_, stderr, code := cfgRun(env)
				Expect(code).To(Equal(1), "env %v", env)
				Expect(stderr).To(HavePrefix("osproxy: config: `"), "env %v", env)
				Expect(stderr).NotTo(ContainSubstring("binding"), "env %v", env)
			}
			// On a free port, no readiness line: the socket was never bound.
			stdout, _, code := cfgRun(map[string]string{harness.BindEnv: harness.FreeAddr(), "OSPROXY_MAX_BODY_BYTES": "0"})
			Expect(code).To(Equal(1))
			Expect(stdout).To(BeEmpty())
		})

		It("CFG-6: prints only the first error, as one line, and exits 1", Label("rule:CFG-6", "profile:core"), func() {
			_, stderr, code := cfgRun(map[string]string{
				harness.BindEnv: "nonsense", "OSPROXY_INDEX": "UPPER", "OSPROXY_MAX_BODY_BYTES": "-5",
			})
			Expect(code).To(Equal(1))
			Expect(stderr).To(MatchRegexp("^osproxy: config: `(bind|index|max_body_bytes)`: [^\n]+\n$"))
		})

		It("CFG-7: reports a file line without = on field `file` with its line number", Label("rule:CFG-7", "profile:core"), func() {
			path := cfgWriteFile("# comment\n\nbind = 127.0.0.1:0\njust some words\nindex = fine\n")
			_, stderr, code := cfgRun(map[string]string{}, "--config", path)
			Expect(code).To(Equal(1))
			Expect(stderr).To(Equal("osproxy: config: `file`: line 4: expected `key = value`\n"))
		})

		It("CFG-7: reports an unreadable config file on field `config`", Label("rule:CFG-7", "profile:core"), func() {
			dir := GinkgoT().TempDir()
			missing := filepath.Join(dir, "absent.conf")
			cfgExpectError("config", map[string]string{}, "--config", missing)
			cfgExpectError("config", map[string]string{"OSPROXY_CONFIG": missing})
			cfgExpectError("config", map[string]string{}, "--config="+dir)
		})

		It("CFG-8: prints a usage text naming every key on --help and exits 0", Label("rule:CFG-8", "profile:core"), func() {
			stdout, stderr, code := cfgRun(map[string]string{}, "--help")
			Expect(code).To(Equal(0), "stderr: %s", stderr)
			for _, k := range cfgKeys {
				Expect(stdout).To(MatchRegexp(`(^|[^a-z_])`+k+`([^a-z_]|$)`), "usage text lacks %s:\n%s", k, stdout)
			}
		})

		It("CFG-8: prints `osproxy <version>` on --version and exits 0", Label("rule:CFG-8", "profile:core"), func() {
			stdout, stderr, code := cfgRun(map[string]string{}, "--version")
			Expect(code).To(Equal(0), "stderr: %s", stderr)
			Expect(stdout).To(MatchRegexp(`^osproxy \S+\n$`))
		})
	})

	Describe("keys", func() {
		It("CFG-9: binds an IPv4 literal and a host name", Label("rule:CFG-9", "profile:core", "upstream:mock"), func() {
			m := startMock()
			_, port, err := net.SplitHostPort(harness.FreeAddr())
			Expect(err).NotTo(HaveOccurred())
			for _, bind := range []string{harness.FreeAddr(), "localhost:" + port} {
				env := passthroughEnv(m.URL())
				env[harness.BindEnv] = bind
				p := startProxy(env)
				Expect(send("GET", p.URL+"/legacy/_doc/1", "").Status).To(Equal(200), "bind %s", bind)
			}
			Expect(m.Requests()).To(HaveLen(2))
		})

		It("CFG-9: binds a bracketed IPv6 literal", Label("rule:CFG-9", "profile:core", "upstream:mock"), func() {
			probe, err := net.Listen("tcp6", "[::1]:0")
			if err != nil {
				Skip("this machine has no IPv6 loopback: " + err.Error())
			}
			addr := probe.Addr().String()
			Expect(probe.Close()).To(Succeed())
			m := startMock()
			env := passthroughEnv(m.URL())
			env[harness.BindEnv] = addr
			p := startProxy(env)
			Expect(p.URL).To(Equal("http://" + addr))
			Expect(send("GET", p.URL+"/legacy/_doc/1", "").Status).To(Equal(200))
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
			p := startProxy(map[string]string{
				"OSPROXY_UPSTREAM":             "https://opensearch.example:9200",
				"OSPROXY_PASSTHROUGH_CLUSTER":  "legacy",
				"OSPROXY_PASSTHROUGH_ENDPOINT": "http://legacy.example:9200/base",
				"OSPROXY_PASSTHROUGH_INDICES":  "legacy-",
			})
			cfgAwaitStdout(p, cfgReadyLine(p.Addr, "passthrough+tenancy"))
		})

		It("CFG-11: rejects an index that is not a valid OpenSearch index name", Label("rule:CFG-11", "profile:core"), func() {
			for _, v := range []string{"Orders", "osproxy-Shared", `a\b`, "a/b", "a*b", "a?b", `a"b`, "a<b", "a>b", "a|b",
				"a,b", "a#b", "a:b", "a b", "-a", "_a", "+a", ".", "..", strings.Repeat("a", 256)} {
				cfgExpectError("index", map[string]string{"OSPROXY_INDEX": v})
			}
		})

		It("CFG-11: accepts a valid index name of up to 255 bytes and uses it", Label("rule:CFG-11", "profile:core", "upstream:mock"), func() {
			m := cfgSearchMock()
			for _, v := range []string{strings.Repeat("a", 255), "tenants.v2_shared-1"} {
				m.Reset()
				env := tenancyEnv(m.URL())
				env["OSPROXY_INDEX"] = v
				Expect(cfgSearch(startProxy(env)).Status).To(Equal(200), "index %q", v)
				Expect(onlyRequest(m).RawPath).To(Equal("/" + v + "/_search"))
			}
		})

		It("CFG-12: trims token entries and splits each at its first =", Label("rule:CFG-12", "profile:core", "upstream:mock"), func() {
			m := startMock()
			env := passthroughEnv(m.URL())
			env["OSPROXY_TOKENS"] = " alpha = svc-a ,, beta=svc=b , "
			p := startProxy(env)
			for _, auth := range []string{"Bearer alpha", "Bearer beta"} {
				Expect(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", auth).Status).To(Equal(200), auth)
			}
			for _, auth := range []string{"", "Bearer  alpha ", "Bearer beta=svc", "Bearer svc-a", "Bearer alpha = svc-a"} {
				r := send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", auth)
				expectError(r, 401, "authentication_required")
			}
			Expect(m.Requests()).To(HaveLen(2))
		})

		It("CFG-12: rejects an entry without = or with an empty side, naming `tokens`", Label("rule:CFG-12", "profile:core"), func() {
			for _, v := range []string{"alpha", "=svc", "alpha=", " = ", "alpha=svc,beta", "alpha=svc, =x"} {
				cfgExpectError("tokens", map[string]string{"OSPROXY_TOKENS": v})
			}
		})

		It("CFG-12: runs in open dev mode when the list yields no entry", Label("rule:CFG-12", "profile:core", "upstream:mock"), func() {
			m := startMock()
			env := passthroughEnv(m.URL())
			env["OSPROXY_TOKENS"] = " , ,"
			cfgProbe(startProxy(env), m)
		})

		It("CFG-13: rejects passthrough_cluster or passthrough_endpoint alone, naming `passthrough_cluster`", Label("rule:CFG-13", "profile:core"), func() {
			cfgExpectError("passthrough_cluster", map[string]string{"OSPROXY_PASSTHROUGH_CLUSTER": "legacy"})
			cfgExpectError("passthrough_cluster", map[string]string{"OSPROXY_PASSTHROUGH_ENDPOINT": "http://127.0.0.1:9201"})
		})

		It("CFG-14: trims passthrough_indices items and drops empty ones", Label("rule:CFG-14", "profile:core", "upstream:mock"), func() {
			pass, ten := startMock(), cfgSearchMock()
			env := passthroughEnv(pass.URL())
			env["OSPROXY_UPSTREAM"] = ten.URL()
			env["OSPROXY_PASSTHROUGH_INDICES"] = " legacy- ,, archive-, "
			p := startProxy(env)
			Expect(send("GET", p.URL+"/legacy-1/_doc/1", "").Status).To(Equal(200))
			Expect(send("GET", p.URL+"/archive-2/_doc/1", "").Status).To(Equal(200))
			Expect(cfgSearch(p).Status).To(Equal(200))
			uris := []string{}
			for _, r := range pass.Requests() {
				uris = append(uris, r.RequestURI)
			}
			Expect(uris).To(Equal([]string{"/legacy-1/_doc/1", "/archive-2/_doc/1"}))
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
				p := startProxy(map[string]string{"OSPROXY_MAX_BODY_BYTES": v})
				cfgAwaitStdout(p, cfgReadyLine(p.Addr, "tenancy"))
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
				p := startProxy(map[string]string{"OSPROXY_UPSTREAM_TIMEOUT": pair[0], "OSPROXY_SHUTDOWN_TIMEOUT": pair[1]})
				cfgAwaitStdout(p, cfgReadyLine(p.Addr, "tenancy"))
			}
		})
	})

	Describe("lifecycle", func() {
		It("CFG-17: on SIGTERM stops accepting, finishes the in-flight request and exits 0", Label("rule:CFG-17", "profile:core", "upstream:mock"), func() {
			cfgExpectDrain(syscall.SIGTERM)
		})

		It("CFG-17: on SIGINT stops accepting, finishes the in-flight request and exits 0", Label("rule:CFG-17", "profile:core", "upstream:mock"), func() {
			cfgExpectDrain(os.Interrupt)
		})

		It("CFG-17: stops draining after shutdown_timeout and exits 0", Label("rule:CFG-17", "profile:core", "upstream:mock"), func() {
			m := startMock()
			release := make(chan struct{})
			DeferCleanup(func() { close(release) })
			m.Handle("GET", "/legacy/_stuck", cfgGate(release))
			env := passthroughEnv(m.URL())
			env["OSPROXY_SHUTDOWN_TIMEOUT"] = "300ms"
			p := startProxy(env)
			done := cfgInFlight(p.URL + "/legacy/_stuck")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			Expect(m.WaitFor(ctx, func() bool { return len(m.Requests()) == 1 })).To(Succeed())
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
			Expect(send("POST", p.URL+"/orders/_search", `{"query":{"match":{"msg":"`+content+`"}}}`,
				"x-tenant", tenantID, "Authorization", auth).Status).To(Equal(200))
			Expect(send("PUT", p.URL+"/orders/_doc/1", `{"msg":"`+content+`"}`, "x-tenant", tenantID, "Authorization", auth).Status).To(Equal(502))
			Expect(send("GET", p.URL+"/orders/_doc/1", "", "x-tenant", tenantID, "Authorization", auth).Status).To(Equal(500))
			expectError(send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", tenantID, "Authorization", "Bearer "+wrong), 401, "authentication_required")
			expectError(send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", tenantID+":x", "Authorization", auth), 400, "tenant_invalid")
			expectError(send("GET", p.URL+"/legacy-1/_broken?q="+content, "", "Authorization", auth), 502, "upstream_unreachable")
			if resp, err := client.Get(p.URL + "/legacy-1/_reset"); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
			code, err := p.Stop(10 * time.Second)
			Expect(err).NotTo(HaveOccurred())
			Expect(code).To(Equal(0))
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
})

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
	"sync"
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
// binary that wrongly accepted the configuration would not take a shared port;
// such a binary fails the spec as soon as it accepts a connection.
func cfgExpectError(field string, env map[string]string, args ...string) string {
	stdout, stderr, code := cfgRunConfig(env, args...)
	ExpectWithOffset(1, code).NotTo(Equal(-1), "env %v args %v: the configuration was accepted (the process listened); want a refusal on `%s`", env, args, field)
	ExpectWithOffset(1, code).To(Equal(1), "env %v args %v\nstderr: %s", env, args, stderr)
	ExpectWithOffset(1, stdout).NotTo(ContainSubstring("listening"))
	line := regexp.MustCompile("^osproxy: config: `([^`]*)`: ([^\n]+)\n$").FindStringSubmatch(stderr)
	ExpectWithOffset(1, line).NotTo(BeNil(), "env %v args %v: stderr is not one config error line: %q", env, args, stderr)
	ExpectWithOffset(1, line[1]).To(Equal(field), "env %v args %v: stderr %q", env, args, stderr)
	return line[2]
}

// cfgRunConfig starts the binary with a configuration expected to be
// refused and returns once it has exited, or once it accepts a connection
// (exit code -1: the configuration was taken, and the process is stopped).
// Waiting for the exit alone would cost a full timeout per accepted value.
func cfgRunConfig(env map[string]string, args ...string) (stdout, stderr string, code int) {
	withBind := map[string]string{harness.BindEnv: harness.FreeAddr()}
	for k, v := range env {
		withBind[k] = v
	}
	p, err := harness.Spawn(withBind, args...)
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	defer func() { _, _ = p.Stop(5 * time.Second) }()
	accepted := false
	EventuallyWithOffset(2, func() bool {
		accepted = !p.Exited() && p.Addr != "" && cfgDialErr(p.Addr) == nil
		return accepted || p.Exited()
	}).WithTimeout(cfgRunTimeout).WithPolling(10*time.Millisecond).Should(BeTrue(),
		"the process neither exited nor listened within %s", cfgRunTimeout)
	if accepted {
		return p.Stdout(), p.Stderr(), -1
	}
	code, err = p.Wait(time.Second)
	ExpectWithOffset(2, err).NotTo(HaveOccurred(), "the process neither exited nor listened within %s", cfgRunTimeout)
	return p.Stdout(), p.Stderr(), code
}

// cfgPermissive is what a spec sets for the settings it does not study: the
// cleartext guard off, so a spec about where a setting comes from never
// depends on SEC-3 or on PT-11's exemption from it.
func cfgPermissive(env map[string]string) map[string]string {
	out := map[string]string{"OSPROXY_ALLOW_CLEARTEXT_MUTATION": "1"}
	for k, v := range env {
		out[k] = v
	}
	return out
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
// A complete other line announcing the listener ends the wait at once.
func cfgAwaitStdout(p *harness.Proxy, want string) {
	EventuallyWithOffset(1, func() string {
		out := p.Stdout()
		if !strings.Contains(out, want) {
			for _, line := range strings.SplitAfter(out, "\n") {
				if strings.HasSuffix(line, "\n") && strings.Contains(line, "listening") {
					StopTrying("stdout announces the listener otherwise: " + strings.TrimSpace(line)).Now()
				}
			}
		}
		return out
	}).WithTimeout(20*time.Second).WithPolling(10*time.Millisecond).
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

// cfgProbe sends one passthrough request and asserts which upstream received
// it; what the upstream answered is not this spec's business.
func cfgProbe(p *harness.Proxy, target *mockupstream.Server, others ...*mockupstream.Server) {
	send("GET", p.URL+"/legacy/_doc/probe", "")
	ExpectWithOffset(1, onlyRequest(target).RequestURI).To(Equal("/legacy/_doc/probe"))
	for _, o := range others {
		ExpectWithOffset(1, o.Requests()).To(BeEmpty())
	}
}

// cfgExpectTokenApplied asserts that token is the configured credential: a
// request without it is refused with 401 and reaches no upstream, a request
// with it reaches m. Only the status is judged: the body is SEC-1's and ERR-1's.
func cfgExpectTokenApplied(p *harness.Proxy, m *mockupstream.Server, token string) {
	expectRefused(send("GET", p.URL+"/legacy/_doc/1", ""), 401)
	expectNothingForwarded(m)
	send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer "+token)
	ExpectWithOffset(1, onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"))
}

// cfgListening asserts the process accepts connections on addr, which is how
// a spec sees that a configuration was taken without relying on CFG-18's line.
func cfgListening(addr string) {
	EventuallyWithOffset(1, func() error { return cfgDialErr(addr) }).WithTimeout(20 * time.Second).
		WithPolling(10 * time.Millisecond).Should(Succeed())
}

// cfgSearch sends a tenancy search for tenant acme on logical index orders.
func cfgSearch(p *harness.Proxy, headers ...string) response {
	return send("POST", p.URL+"/orders/_search", `{}`, append([]string{"x-tenant", "acme"}, headers...)...)
}

// cfgGate holds a request until release is closed, then answers it: 200
// {"drained":true} from the mock, or the real cluster's answer behind a
// recording proxy. If the client or the upstream goes away first it hangs
// up. It lets a spec hold a request in flight without sleeping.
func cfgGate(release <-chan struct{}) mockupstream.Responder {
	after := mockupstream.JSON(http.StatusOK, `{"drained":true}`)
	if upstreamMode != "mock" {
		after = forwardTo(clusterURL())
	}
	return mockupstream.ResponderFunc(func(w http.ResponseWriter, req *mockupstream.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		after.Respond(w, req)
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

// cfgStalled starts a passthrough proxy whose upstream holds path until
// release is called (or the spec ends), sends one GET to it and waits until the
// upstream has it, so the request is surely in flight.
func cfgStalled(path, shutdownTimeout string) (p *harness.Proxy, done <-chan response, release func()) {
	m := startUpstream()
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	DeferCleanup(release)
	m.Handle("GET", path, cfgGate(gate))
	env := passthroughEnv(m.URL())
	env["OSPROXY_SHUTDOWN_TIMEOUT"] = shutdownTimeout
	p = startProxy(env)
	done = cfgInFlight(p.URL + path)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ExpectWithOffset(1, m.WaitFor(ctx, func() bool { return len(m.Requests()) == 1 })).To(Succeed())
	return p, done, release
}

// cfgExpectDrain checks CFG-17 for one signal: the listener closes at once,
// the in-flight request still completes, then the process exits 0.
func cfgExpectDrain(sig os.Signal) {
	p, done, release := cfgStalled("/legacy/_slow", "1m")
	Expect(p.Signal(sig)).To(Succeed())
	Eventually(func() error { return cfgDialErr(p.Addr) }).WithTimeout(10*time.Second).WithPolling(10*time.Millisecond).
		Should(MatchError(syscall.ECONNREFUSED), "new connections must be refused once draining")
	Expect(p.Exited()).To(BeFalse(), "the process exited with a request in flight")
	Expect(done).NotTo(Receive(), "the in-flight request ended before the upstream answered")

	release()
	var r response
	Eventually(done).WithTimeout(20 * time.Second).Should(Receive(&r))
	Expect(r.Status).To(BeNumerically(">=", 100), "the in-flight request must complete: %s", r.Body)
	if upstreamMode == "mock" {
		Expect(string(r.Body)).To(Equal(`{"drained":true}`), "with the upstream's answer")
	}
	code, err := p.Wait(20 * time.Second)
	Expect(err).NotTo(HaveOccurred())
	Expect(code).To(Equal(0), "stderr: %s", p.Stderr())
}

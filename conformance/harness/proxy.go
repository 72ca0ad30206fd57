package harness

import (
	"fmt"
	"os"
	"time"

	"github.com/osproxy/osproxy/internal/proc"
)

// BindEnv is the variable through which the proxy is told where to listen.
const BindEnv = "OSPROXY_BIND"

const (
	// pollInterval paces WaitReady's connection attempts: short enough not
	// to slow specs, long enough not to load two shared cores.
	pollInterval = 10 * time.Millisecond
	// pipeGrace bounds how long the harness waits for output pipes held open
	// by grandchildren after the process itself has exited.
	pipeGrace = time.Second
	// stderrInErrors bounds how much stderr an error message quotes.
	stderrInErrors = 4 << 10
)

// Proxy is a running osproxy process.
type Proxy struct {
	PID int
	// Addr is the "host:port" a client dials: the bind address, with a
	// wildcard host replaced by loopback. It is empty when the bind address
	// could not be parsed, as in specs that test a malformed OSPROXY_BIND.
	Addr string
	// URL is "http://" + Addr, or empty with Addr.
	URL string

	proc   *proc.Process
	stdout *tailBuffer
	stderr *tailBuffer
}

// Spawn starts the binary under test with an environment built from scratch
// from env (see the package documentation) and args. When env has no
// OSPROXY_BIND, one is added with a free loopback port; the caller's map is
// not modified. Spawn returns once the process has started, not once it
// listens: call WaitReady for that.
func Spawn(env map[string]string, args ...string) (*Proxy, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	withBind := make(map[string]string, len(env)+1)
	for k, v := range env {
		withBind[k] = v
	}
	if _, ok := withBind[BindEnv]; !ok {
		withBind[BindEnv] = FreeAddr()
	}
	p, err := start(bin, withBind, args)
	if err != nil {
		return nil, err
	}
	if addr, err := dialAddr(withBind[BindEnv]); err == nil {
		p.Addr, p.URL = addr, "http://"+addr
	}
	return p, nil
}

func start(bin string, env map[string]string, args []string) (*Proxy, error) {
	p := &Proxy{stdout: newTailBuffer(outputLimit), stderr: newTailBuffer(outputLimit)}
	pr, err := proc.Start(proc.Spec{Argv: append([]string{bin}, args...), Env: buildEnv(env),
		Stdout: p.stdout, Stderr: p.stderr, WaitDelay: pipeGrace})
	if err != nil {
		return nil, err
	}
	p.proc, p.PID = pr, pr.PID()
	return p, nil
}

// Exited reports whether the process has exited and been reaped.
func (p *Proxy) Exited() bool { return p.proc.Exited() }

// Stdout returns the last MiB the process wrote to standard output.
func (p *Proxy) Stdout() string { return p.stdout.String() }

// Stderr returns the last MiB the process wrote to standard error.
func (p *Proxy) Stderr() string { return p.stderr.String() }

// Signal sends sig to the process (not its group).
func (p *Proxy) Signal(sig os.Signal) error { return p.proc.Signal(sig) }

// Wait waits up to timeout for the process to exit and returns its exit
// code; a process killed by signal N reports 128+N, as a shell would.
func (p *Proxy) Wait(timeout time.Duration) (exitCode int, err error) { return p.proc.Wait(timeout) }

// Stop sends SIGTERM and waits up to timeout for the process to exit; past
// that it kills the process group and reports an error, since a proxy that
// ignores SIGTERM fails any spec that stops it. Stopping an exited process
// just returns its exit code, so Stop is safe in DeferCleanup.
func (p *Proxy) Stop(timeout time.Duration) (exitCode int, err error) { return p.proc.Stop(timeout) }

// WaitReady waits until the bind address accepts a TCP connection. A TCP
// connect is enough: the spec's first request will say more than any probe
// the harness could make. It fails at once, quoting stderr, if the process
// exits first.
func (p *Proxy) WaitReady(timeout time.Duration) error {
	if p.Addr == "" {
		return fmt.Errorf("waiting for pid %d: no usable %s", p.PID, BindEnv)
	}
	if err := p.proc.WaitDial(p.Addr, pollInterval, timeout); err != nil {
		return fmt.Errorf("%w; stderr:\n%s", err, tail(p.Stderr(), stderrInErrors))
	}
	return nil
}

// Run starts the binary for a process expected to exit by itself (a
// configuration error, --help, --version) and waits up to timeout for it.
// A non-zero exit code is not an error; a process still running at timeout
// is killed and reported as one. Unlike Spawn, Run adds no OSPROXY_BIND.
func Run(env map[string]string, timeout time.Duration, args ...string) (stdout, stderr string, exitCode int, err error) {
	bin, err := Binary()
	if err != nil {
		return "", "", -1, err
	}
	p, err := start(bin, env, args)
	if err != nil {
		return "", "", -1, err
	}
	exitCode, err = p.Wait(timeout)
	if err != nil {
		p.proc.Kill()
		exitCode, _ = p.Wait(5 * time.Second)
		err = fmt.Errorf("running %s: no exit within %s, killed: %w", bin, timeout, err)
	}
	return p.Stdout(), p.Stderr(), exitCode, err
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

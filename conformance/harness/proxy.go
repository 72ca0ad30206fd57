package harness

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// BindEnv is the variable through which the proxy is told where to listen.
const BindEnv = "OSPROXY_BIND"

const (
	// pollInterval paces WaitReady's connection attempts: short enough not
	// to slow specs, long enough not to load two shared cores.
	pollInterval = 10 * time.Millisecond
	// killGrace bounds the wait after SIGKILL, which cannot be ignored but
	// can be delayed by a process stuck in the kernel.
	killGrace = 5 * time.Second
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

	cmd      *exec.Cmd
	stdout   *tailBuffer
	stderr   *tailBuffer
	done     chan struct{} // closed once the process has been reaped
	exitCode int           // valid once done is closed
	waitErr  error         // valid once done is closed
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
	p := &Proxy{
		stdout: newTailBuffer(outputLimit),
		stderr: newTailBuffer(outputLimit),
		done:   make(chan struct{}),
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = buildEnv(env)
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	cmd.WaitDelay = pipeGrace
	isolate(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	p.cmd, p.PID = cmd, cmd.Process.Pid
	go p.reap()
	return p, nil
}

// reap waits for the process and records how it ended.
func (p *Proxy) reap() {
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		// A non-zero exit is an observation for the spec, not a harness failure.
		err = nil
	}
	p.exitCode = p.cmd.ProcessState.ExitCode()
	if code, ok := signalExitCode(p.cmd.ProcessState.Sys()); ok {
		p.exitCode = code
	}
	p.waitErr = err
	close(p.done)
}

// Exited reports whether the process has exited and been reaped.
func (p *Proxy) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stdout returns the last MiB the process wrote to standard output.
func (p *Proxy) Stdout() string { return p.stdout.String() }

// Stderr returns the last MiB the process wrote to standard error.
func (p *Proxy) Stderr() string { return p.stderr.String() }

// Signal sends sig to the process (not its group).
func (p *Proxy) Signal(sig os.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signalling pid %d: %w", p.PID, err)
	}
	return nil
}

// Wait waits up to timeout for the process to exit and returns its exit
// code; a process killed by signal N reports 128+N, as a shell would.
func (p *Proxy) Wait(timeout time.Duration) (exitCode int, err error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.exitCode, p.waitErr
	case <-t.C:
		return -1, fmt.Errorf("waiting for pid %d: still running after %s", p.PID, timeout)
	}
}

// Stop sends SIGTERM and waits up to timeout for the process to exit; past
// that it kills the process group and reports an error, since a proxy that
// ignores SIGTERM fails any spec that stops it. Stopping an exited process
// just returns its exit code, so Stop is safe in DeferCleanup.
func (p *Proxy) Stop(timeout time.Duration) (exitCode int, err error) {
	if p.Exited() {
		return p.exitCode, p.waitErr
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return -1, fmt.Errorf("stopping pid %d: %w", p.PID, err)
	}
	if code, err := p.Wait(timeout); err == nil {
		return code, nil
	}
	p.kill()
	code, err := p.Wait(killGrace)
	if err != nil {
		return code, fmt.Errorf("stopping pid %d: no exit %s after SIGKILL: %w", p.PID, killGrace, err)
	}
	return code, fmt.Errorf("stopping pid %d: still running %s after SIGTERM, sent SIGKILL", p.PID, timeout)
}

// kill sends SIGKILL to the process group, or to the process alone where
// groups are unavailable.
func (p *Proxy) kill() {
	if err := killGroup(p.PID); err != nil {
		_ = p.cmd.Process.Kill()
	}
}

// WaitReady waits until the bind address accepts a TCP connection. A TCP
// connect is enough: the spec's first request will say more than any probe
// the harness could make. It fails at once, quoting stderr, if the process
// exits first.
func (p *Proxy) WaitReady(timeout time.Duration) error {
	if p.Addr == "" {
		return fmt.Errorf("waiting for pid %d: no usable %s", p.PID, BindEnv)
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	dialer := net.Dialer{Timeout: pollInterval * 10}
	for {
		select {
		case <-p.done:
			return fmt.Errorf("pid %d exited with code %d before accepting connections on %s; stderr:\n%s",
				p.PID, p.exitCode, p.Addr, tail(p.Stderr(), stderrInErrors))
		default:
		}
		if conn, err := dialer.Dial("tcp", p.Addr); err == nil {
			_ = conn.Close()
			return nil
		}
		select {
		case <-p.done: // reported at the top of the loop
		case <-tick.C:
		case <-deadline.C:
			return fmt.Errorf("pid %d not accepting connections on %s after %s; stderr:\n%s",
				p.PID, p.Addr, timeout, tail(p.Stderr(), stderrInErrors))
		}
	}
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
		p.kill()
		exitCode, _ = p.Wait(killGrace)
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

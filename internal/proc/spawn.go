package proc

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Spec says how to start a process.
type Spec struct {
	// Argv is the program and its arguments.
	Argv []string
	// Env is the process's whole environment: nothing is inherited.
	Env []string
	// Stdout and Stderr receive its output; nil discards it.
	Stdout, Stderr io.Writer
	// DeathSignal, when set, is sent to the process if this one dies first
	// (Linux), so a killed harness leaves no process behind.
	DeathSignal syscall.Signal
	// WaitDelay bounds the wait for output pipes that grandchildren keep
	// open after the process itself exited: 1 s when zero.
	WaitDelay time.Duration
}

// Process is a started child, in a process group of its own: a Ctrl-C at a
// terminal reaches only the parent, which stops its children on its own
// terms, and a final SIGKILL of the group takes grandchildren with it.
type Process struct {
	cmd      *exec.Cmd
	done     chan struct{} // closed once the process has been reaped
	exitCode int           // valid once done is closed
	waitErr  error         // valid once done is closed
}

// killGrace bounds the wait after SIGKILL, which cannot be ignored but can be
// delayed by a process stuck in the kernel.
const killGrace = 5 * time.Second

// Start starts s.
func Start(s Spec) (*Process, error) {
	if len(s.Argv) == 0 {
		return nil, errors.New("starting a process: no program")
	}
	cmd := exec.Command(s.Argv[0], s.Argv[1:]...)
	cmd.Env = s.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Stdout, cmd.Stderr = s.Stdout, s.Stderr
	cmd.WaitDelay = s.WaitDelay
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = time.Second
	}
	isolate(cmd, s.DeathSignal)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", s.Argv[0], err)
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	go p.reap()
	return p, nil
}

// reap waits for the process and records how it ended. A non-zero exit is an
// observation, not a failure of the harness.
func (p *Process) reap() {
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		err = nil
	}
	p.exitCode = p.cmd.ProcessState.ExitCode()
	if code, ok := signalExitCode(p.cmd.ProcessState.Sys()); ok {
		p.exitCode = code
	}
	p.waitErr = err
	close(p.done)
}

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed once the process has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited and been reaped.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ExitCode is the exit code of a process that has exited (Exited); a process
// killed by signal N reports 128+N, as a shell would.
func (p *Process) ExitCode() int { return p.exitCode }

// Signal sends sig to the process (not its group).
func (p *Process) Signal(sig os.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signalling pid %d: %w", p.PID(), err)
	}
	return nil
}

// Wait waits up to timeout for the process to exit and returns its exit code.
func (p *Process) Wait(timeout time.Duration) (exitCode int, err error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.exitCode, p.waitErr
	case <-t.C:
		return -1, fmt.Errorf("waiting for pid %d: still running after %s", p.PID(), timeout)
	}
}

// Stop sends SIGTERM and waits up to grace for the process to exit; past that
// it kills the process group and reports an error, since a process that
// ignores SIGTERM is a finding. Stopping an exited process just returns its
// exit code, so Stop is safe to call more than once.
func (p *Process) Stop(grace time.Duration) (exitCode int, err error) {
	if p.Exited() {
		return p.exitCode, p.waitErr
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return -1, fmt.Errorf("stopping pid %d: %w", p.PID(), err)
	}
	if code, err := p.Wait(grace); err == nil {
		return code, nil
	}
	p.Kill()
	code, err := p.Wait(killGrace)
	if err != nil {
		return code, fmt.Errorf("stopping pid %d: no exit %s after SIGKILL: %w", p.PID(), killGrace, err)
	}
	return code, fmt.Errorf("stopping pid %d: still running %s after SIGTERM, sent SIGKILL", p.PID(), grace)
}

// Kill sends SIGKILL to the process group, or to the process alone where
// groups are unavailable.
func (p *Process) Kill() {
	if err := killGroup(p.PID()); err != nil {
		_ = p.cmd.Process.Kill()
	}
}

// WaitDial waits until addr accepts a TCP connection, polling every interval,
// and fails at once when the process exits first.
func (p *Process) WaitDial(addr string, interval, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	dialer := net.Dialer{Timeout: interval * 10}
	for {
		if p.Exited() {
			return fmt.Errorf("pid %d exited with code %d before accepting connections on %s", p.PID(), p.exitCode, addr)
		}
		if conn, err := dialer.Dial("tcp", addr); err == nil {
			_ = conn.Close()
			return nil
		}
		select {
		case <-p.done: // reported at the top of the loop
		case <-tick.C:
		case <-deadline.C:
			return fmt.Errorf("pid %d not accepting connections on %s after %s", p.PID(), addr, timeout)
		}
	}
}

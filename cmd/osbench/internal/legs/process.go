package legs

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/osproxy/osproxy/internal/proc"
)

// Spec says how to start one child process.
type Spec struct {
	Name string
	// Addr is the host:port the process serves; readiness is a connect.
	Addr string
	Argv []string
	Env  []string
	// CPU is a taskset CPU list ("0", "1"); empty leaves the process unpinned.
	CPU    string
	LogDir string
}

// Proc is a running child.
type Proc struct {
	Name string
	Addr string
	cmd  *exec.Cmd
	// cpuPIDs are summed for CPU time (nginx: master and workers); memPID is
	// the process whose RSS is reported (nginx: the worker that serves).
	cpuPIDs []int
	memPID  int
	exited  chan struct{}
	log     *os.File
	stop    sync.Once
}

// Start launches s and waits until its address accepts connections.
func Start(s Spec) (*Proc, error) {
	argv := s.Argv
	if s.CPU != "" {
		// taskset execs the program, so the child's pid is the program's.
		argv = append([]string{"taskset", "-c", s.CPU}, argv...)
	}
	log, err := os.Create(filepath.Join(s.LogDir, s.Name+".log"))
	if err != nil {
		return nil, fmt.Errorf("creating log of %s: %w", s.Name, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = s.Env
	cmd.Stdout, cmd.Stderr = log, log
	// A process group of its own, so stopping it reaches what it forked;
	// and a death signal, so a killed osbench does not leave proxies behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("starting %s: %w", s.Name, err)
	}
	p := &Proc{Name: s.Name, Addr: s.Addr, cmd: cmd, exited: make(chan struct{}), log: log,
		cpuPIDs: []int{cmd.Process.Pid}, memPID: cmd.Process.Pid}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitReady(15 * time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// waitReady polls a TCP connect every 20 ms, bounded by limit.
func (p *Proc) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("waiting for %s: exited early (see %s)", p.Name, p.log.Name())
		default:
		}
		if c, err := net.DialTimeout("tcp", p.Addr, 200*time.Millisecond); err == nil {
			_ = c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("waiting for %s on %s: not ready after %s", p.Name, p.Addr, limit)
}

// PID is the main process id.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// MemPID is the process whose memory is reported.
func (p *Proc) MemPID() int { return p.memPID }

// CPU returns the CPU time used so far by the leg's processes.
func (p *Proc) CPU() (time.Duration, error) {
	var total time.Duration
	for _, pid := range p.cpuPIDs {
		t, err := proc.CPUTime(pid)
		if err != nil {
			return 0, err
		}
		total += t
	}
	return total, nil
}

// Memory reads the leg's resident set.
func (p *Proc) Memory() (proc.Memory, error) { return proc.ReadMemory(p.memPID) }

// Alive reports whether the process is still running.
func (p *Proc) Alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL after 3 s. It is
// safe to call more than once and from a signal handler's goroutine.
func (p *Proc) Stop() { p.stop.Do(p.terminate) }

func (p *Proc) terminate() {
	defer func() { _ = p.log.Close() }()
	pgid := p.cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
}

package legs

import (
	"fmt"
	"os"
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
	proc *proc.Process
	// cpuPIDs are summed for CPU time (nginx: master and workers); memPID is
	// the process whose RSS is reported (nginx: the worker that serves).
	cpuPIDs []int
	memPID  int
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
	// A death signal, so a killed osbench does not leave proxies behind.
	pr, err := proc.Start(proc.Spec{Argv: argv, Env: s.Env, Stdout: log, Stderr: log, DeathSignal: syscall.SIGTERM})
	if err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("starting %s: %w", s.Name, err)
	}
	p := &Proc{Name: s.Name, Addr: s.Addr, proc: pr, log: log, cpuPIDs: []int{pr.PID()}, memPID: pr.PID()}
	if err := pr.WaitDial(s.Addr, 20*time.Millisecond, 15*time.Second); err != nil {
		p.Stop()
		return nil, fmt.Errorf("waiting for %s (see %s): %w", s.Name, log.Name(), err)
	}
	return p, nil
}

// PID is the main process id.
func (p *Proc) PID() int { return p.proc.PID() }

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
func (p *Proc) Alive() bool { return !p.proc.Exited() }

// Stop sends SIGTERM, then SIGKILL to the process group after 3 s. It is safe
// to call more than once and from a signal handler's goroutine.
func (p *Proc) Stop() { p.stop.Do(p.terminate) }

func (p *Proc) terminate() {
	defer func() { _ = p.log.Close() }()
	_, _ = p.proc.Stop(3 * time.Second)
}

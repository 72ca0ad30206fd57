package runner

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/osproxy/osproxy/cmd/osbench/internal/legs"
	"github.com/osproxy/osproxy/cmd/osbench/internal/report"
	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
)

// runner is the state of one run.
type runner struct {
	opts   Options
	prof   profile
	cpu    cpus
	logDir string
	mock   *legs.Proc
	legs   map[workload.Leg]*leg
	res    *report.Results
	// unsupported mirrors res.Unsupported for quick lookups.
	unsupported map[string]bool
	log         func(format string, args ...any)
	deadline    time.Time
	skipped     map[string]bool
}

// Run performs a whole run and writes the report into opts.OutDir. It
// returns the Markdown brief.
func Run(opts Options) (string, error) {
	prof, err := profileFor(opts)
	if err != nil {
		return "", err
	}
	r := &runner{opts: opts, prof: prof, legs: map[workload.Leg]*leg{}, unsupported: map[string]bool{},
		logDir: filepath.Join(opts.OutDir, "logs"), log: logf, skipped: map[string]bool{}}
	if opts.Budget > 0 {
		r.deadline = time.Now().Add(opts.Budget)
	}
	if err := os.MkdirAll(r.logDir, 0o755); err != nil {
		return "", fmt.Errorf("creating run directory: %w", err)
	}
	if _, err := exec.LookPath("taskset"); err == nil && opts.Pin {
		r.cpu = cpus{gen: "0", proxy: "1"}
	}
	r.res = &report.Results{Profile: opts.Profile, Started: time.Now(), Unsupported: map[string]string{},
		Settings: report.Settings{Rounds: prof.rounds, WarmupS: prof.warmup.Seconds(), CellS: prof.cell.Seconds(),
			MaxCellS: prof.maxCell.Seconds(), MinRequests: prof.minReqs, MaxRequests: prof.maxReqs,
			Transfers: prof.transfers, SoakS: prof.soak.Seconds()}}
	r.res.Env = r.envInfo()
	defer r.stopAll()
	r.stopOnSignal()
	if err := r.startMock(); err != nil {
		return "", err
	}
	r.startProxies()
	r.phases()
	r.res.Finished = time.Now()
	return report.Write(opts.OutDir, r.res)
}

// phases runs every part of the run in an order that keeps each
// measurement clean: memory at rest before any load, the matrix, streams
// (on proxies started fresh for them), and last the cells that disturb the
// proxies most (connection storms) and the soak.
func (r *runner) phases() {
	if len(r.opts.Only) > 0 {
		r.probe()
		r.matrix()
		r.note("only the closed-loop cells of %d workload(s) ran (-only)", len(r.opts.Only))
		return
	}
	r.log("idle RSS: waiting 2 s after start")
	time.Sleep(2 * time.Second)
	r.idleRSS()
	r.idleConns()
	r.probe()
	r.matrix()
	r.openLoop()
	r.streams()
	r.connections()
	r.soaks()
}

func (r *runner) idleRSS() {
	for i := range r.res.Legs {
		l := &r.res.Legs[i]
		if lg, ok := r.legs[workload.Leg(l.Leg)]; ok && lg.proc != nil {
			if m, err := lg.proc.Memory(); err == nil {
				l.IdleRSS = m.RSS
			}
		}
	}
}

// stopOnSignal stops every child when osbench is interrupted, because the
// children run in process groups of their own and would not see the
// terminal's or CI's signal.
func (r *runner) stopOnSignal() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		r.log("%s: stopping every leg", s)
		r.stopAll()
		os.Exit(130)
	}()
}

// overBudget reports whether the run's time budget is spent, noting the
// first phase it cut short.
func (r *runner) overBudget(phase string) bool {
	if r.deadline.IsZero() || time.Now().Before(r.deadline) {
		return false
	}
	if !r.skipped[phase] {
		r.skipped[phase] = true
		r.note("%s cut short: the run's time budget of %s was spent", phase, r.opts.Budget)
	}
	return true
}

func (r *runner) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.res.Notes = append(r.res.Notes, msg)
	r.log("note: %s", msg)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s osbench: "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

package runner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/osproxy/osproxy/cmd/osbench/internal/legs"
	"github.com/osproxy/osproxy/cmd/osbench/internal/report"
	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
)

// leg is one way to reach the mock: directly (no process) or via a proxy.
type leg struct {
	id   workload.Leg
	name string
	addr string
	proc *legs.Proc // nil for the direct legs
}

// cpus are the taskset lists for the two sides; empty when
// pinning is off or impossible.
type cpus struct{ gen, proxy string }

func (r *runner) addr(offset int) string {
	return "127.0.0.1:" + strconv.Itoa(r.opts.BasePort+offset)
}

// Port offsets from BasePort.
const (
	offMock = iota
	offNginx
	offPass
	offTenant
	offRP
	offOrig
	offOrigTenant
	offFreshPass   = 12
	offFreshTenant = 13
)

// startMock starts the mock upstream on the generator's CPU.
func (r *runner) startMock() error {
	p, err := legs.Start(legs.Spec{Name: "upstream", Addr: r.addr(offMock), CPU: r.cpu.gen, LogDir: r.logDir,
		Env:  legs.Env("GOMAXPROCS=1"),
		Argv: []string{r.opts.Self, "upstream", "-listen", r.addr(offMock)}})
	if err != nil {
		return fmt.Errorf("starting mock upstream: %w", err)
	}
	r.mock = p
	r.legs["D"] = &leg{id: "D", name: "direct to the mock", addr: p.Addr}
	return nil
}

// startProxies starts N, P, T and R on the proxy CPU. A leg that cannot
// start is recorded as not available and the run goes on without it.
func (r *runner) startProxies() {
	r.tryLeg("N", "nginx 1 worker, keepalive upstream", func() (*legs.Proc, error) {
		return legs.StartNginx(r.opts.NginxTemplate, filepath.Join(r.opts.OutDir, "nginx"), r.logDir, r.cpu.proxy,
			legs.NginxConfig{Listen: r.addr(offNginx), Upstream: r.mock.Addr, Dir: filepath.Join(r.opts.OutDir, "nginx")})
	})
	r.tryLeg("P", "osproxy passthrough", func() (*legs.Proc, error) { return r.startOsproxy("P", offPass) })
	r.tryLeg("T", "osproxy tenancy", func() (*legs.Proc, error) { return r.startOsproxy("T", offTenant) })
	r.tryLeg("O", "original osproxy (Rust) passthrough", func() (*legs.Proc, error) { return r.startOriginal("O", offOrig) })
	r.tryLeg("OT", "original osproxy (Rust) tenancy", func() (*legs.Proc, error) { return r.startOriginal("OT", offOrigTenant) })
	if !r.prof.stockRP && !r.opts.Legs["R"] {
		r.legsDone()
		return
	}
	r.tryLeg("R", "stock httputil.ReverseProxy", func() (*legs.Proc, error) {
		return legs.Start(legs.Spec{Name: "rp", Addr: r.addr(offRP), CPU: r.cpu.proxy, LogDir: r.logDir,
			Env:  legs.Env("GOMAXPROCS=1"),
			Argv: []string{r.opts.Self, "rp", "-listen", r.addr(offRP), "-upstream", "http://" + r.mock.Addr}})
	})
	r.legsDone()
}

// legsDone adds the tenancy baseline DT once T runs.
func (r *runner) legsDone() {
	if _, ok := r.legs["T"]; ok {
		r.legs["DT"] = &leg{id: "DT", name: "direct, sending what T sends upstream", addr: r.mock.Addr}
	}
}

func (r *runner) tryLeg(id workload.Leg, name string, start func() (*legs.Proc, error)) {
	if len(r.opts.Legs) > 0 && !r.opts.Legs[string(id)] {
		return
	}
	info := report.LegInfo{Leg: string(id), Name: name}
	if (id == "P" || id == "T") && r.opts.Osproxy == "" {
		info.Reason = "no osproxy binary given (-osproxy)"
		r.res.Legs = append(r.res.Legs, info)
		return
	}
	if (id == "O" || id == "OT") && r.opts.Original == "" {
		info.Reason = "the original is unavailable: " + r.opts.OriginalMissing
		r.res.Legs = append(r.res.Legs, info)
		return
	}
	p, err := start()
	if err != nil {
		info.Reason = err.Error()
		r.res.Legs = append(r.res.Legs, info)
		return
	}
	info.Available, info.Addr = true, p.Addr
	r.res.Legs = append(r.res.Legs, info)
	r.legs[id] = &leg{id: id, name: name, addr: p.Addr, proc: p}
}

// startOsproxy starts the binary under test, configured only through its
// environment (CFG-1), in passthrough (P) or tenancy (T) mode.
func (r *runner) startOsproxy(id workload.Leg, off int) (*legs.Proc, error) {
	return r.startBinary(r.opts.Osproxy, "osproxy", id == "P", off, r.opts.OsproxyEnv...)
}

// startOriginal starts the original through the same environment contract,
// on the same CPU: passthrough (O) or tenancy (OT).
func (r *runner) startOriginal(id workload.Leg, off int) (*legs.Proc, error) {
	return r.startBinary(r.opts.Original, "original", id == "O", off)
}

func (r *runner) startBinary(bin, name string, passthrough bool, off int, extra ...string) (*legs.Proc, error) {
	upstream := "http://" + r.mock.Addr
	env := []string{"GOMAXPROCS=1", "OSPROXY_BIND=" + r.addr(off), "OSPROXY_UPSTREAM=" + upstream,
		"OSPROXY_INDEX=" + workload.Physical, "OSPROXY_TOKENS=", "OSPROXY_ALLOW_CLEARTEXT_MUTATION=1"}
	mode := "t"
	if passthrough {
		env = append(env, "OSPROXY_PASSTHROUGH_CLUSTER=bench", "OSPROXY_PASSTHROUGH_ENDPOINT="+upstream)
		mode = "p"
	}
	env = append(env, extra...)
	return legs.Start(legs.Spec{Name: name + "-" + mode + "-" + strconv.Itoa(off), Addr: r.addr(off), CPU: r.cpu.proxy,
		LogDir: r.logDir, Env: legs.Env(env...), Argv: []string{bin}})
}

func (r *runner) stopAll() {
	for _, id := range []workload.Leg{"N", "O", "OT", "P", "T", "R"} {
		if l, ok := r.legs[id]; ok && l.proc != nil {
			l.proc.Stop()
		}
	}
	if r.mock != nil {
		r.mock.Stop()
	}
}

// envInfo records the machine and versions.
func (r *runner) envInfo() report.Env {
	e := report.Env{GOGC: os.Getenv("GOGC"), GOMEMLIMIT: os.Getenv("GOMEMLIMIT"), GOMAXPROCS: "1"}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		e.Kernel = strings.TrimSpace(string(b))
	}
	e.Lscpu = output("lscpu")
	for _, line := range strings.Split(e.Lscpu, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "Model name" {
			e.CPU = strings.TrimSpace(v) + ", " + strconv.Itoa(numCPU()) + " CPUs"
		}
	}
	e.Go = output("go", "version")
	e.Nginx = strings.TrimPrefix(output("nginx", "-v"), "nginx version: ")
	if r.opts.Osproxy != "" {
		e.Osproxy = output(r.opts.Osproxy, "--version")
	}
	e.Pinning = "unpinned (taskset not found or -pin=false)"
	if r.cpu.proxy != "" {
		e.Pinning = "generator and mock on CPU " + r.cpu.gen + ", proxy under test on CPU " + r.cpu.proxy + " (taskset)"
	}
	return e
}

// output runs a short command and returns its combined output, trimmed;
// a missing tool yields "unknown" rather than failing the run.
func output(name string, args ...string) string {
	b, err := exec.Command(name, args...).CombinedOutput()
	s := strings.TrimSpace(string(b))
	if err != nil && s == "" {
		return "unknown"
	}
	return s
}

func numCPU() int {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return 0
	}
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, found := strings.Cut(part, "-")
		a, _ := strconv.Atoi(lo)
		z := a
		if found {
			z, _ = strconv.Atoi(hi)
		}
		n += z - a + 1
	}
	return n
}

package legs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"text/template"
	"time"

	"github.com/osproxy/osproxy/internal/proc"
)

// Env is the environment every child gets: nothing inherited but PATH and
// the GC settings the report records, so a developer's shell cannot change
// what is measured.
func Env(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// NginxConfig is what the nginx template is filled with.
type NginxConfig struct {
	Listen, Upstream, Dir string
}

// StartNginx renders tmplPath into dir and runs nginx in the foreground with
// that config only (not the packaged service), then finds its worker.
func StartNginx(tmplPath, dir, logDir, cpu string, cfg NginxConfig) (*Proc, error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		return nil, fmt.Errorf("finding nginx: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating nginx dir: %w", err)
	}
	tmpl, err := template.ParseFiles(tmplPath)
	if err != nil {
		return nil, fmt.Errorf("parsing nginx template: %w", err)
	}
	conf := filepath.Join(dir, "nginx.conf")
	f, err := os.Create(conf)
	if err != nil {
		return nil, fmt.Errorf("writing nginx config: %w", err)
	}
	err = tmpl.Execute(f, cfg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("rendering nginx config: %w", err)
	}
	p, err := Start(Spec{Name: "nginx", Addr: cfg.Listen, CPU: cpu, LogDir: logDir, Env: Env(),
		Argv: []string{bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log")}})
	if err != nil {
		return nil, err
	}
	// The worker is forked after the listener is up; give it a moment.
	for i := 0; i < 50; i++ {
		if kids := proc.Children(p.PID()); len(kids) > 0 {
			p.cpuPIDs = append([]int{p.PID()}, kids...)
			p.memPID = kids[0]
			return p, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Stop()
	return nil, fmt.Errorf("starting nginx: no worker process appeared")
}

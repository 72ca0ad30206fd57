package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/osproxy/osproxy/cmd/osbench/internal/report"
	"github.com/osproxy/osproxy/cmd/osbench/internal/runner"
)

// pinnedEnv marks a process that already re-executed itself under taskset.
const pinnedEnv = "OSBENCH_PINNED"

func runBench(args []string) error {
	o, err := parseRunFlags(args)
	if err != nil {
		return err
	}
	if err := pinSelf(o.Pin); err != nil {
		return err
	}
	if err := resolvePaths(&o); err != nil {
		return err
	}
	md, err := runner.Run(o)
	if err != nil {
		return err
	}
	fmt.Println(md)
	fmt.Printf("results: %s\n", o.OutDir)
	return nil
}

func parseRunFlags(args []string) (runner.Options, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	o := runner.Options{}
	fs.StringVar(&o.Profile, "profile", "quick", "quick (CI, ≤ 6 min) or full (manual)")
	fs.StringVar(&o.OutDir, "out", "", "run directory (default bench-results/<timestamp>)")
	fs.StringVar(&o.Osproxy, "osproxy", "bin/osproxy", "osproxy binary; empty or missing skips legs P and T")
	fs.StringVar(&o.Original, "original", "", "the original Rust osproxy's binary (legs O and OT); empty skips them")
	fs.StringVar(&o.OriginalMissing, "original-missing", "not given (-original)", "why -original is empty, for the report")
	fs.StringVar(&o.NginxTemplate, "nginx-template", "bench/nginx.conf.tmpl", "nginx config template")
	fs.IntVar(&o.BasePort, "base-port", 19200, "first of the loopback ports the legs use")
	fs.BoolVar(&o.Pin, "pin", true, "pin generator and mock to CPU 0 and proxies to CPU 1 with taskset")
	fs.IntVar(&o.Rounds, "rounds", 0, "rounds (0: the profile's)")
	fs.DurationVar(&o.CellTime, "cell", 0, "timed window per cell (0: the profile's)")
	fs.IntVar(&o.MinRequests, "min-requests", -1, "timed requests a cell waits for, up to its time cap (-1: the profile's)")
	fs.DurationVar(&o.Soak, "soak", 0, "soak per leg (0: the profile's; quick has none)")
	fs.DurationVar(&o.Budget, "budget", 0, "wall-clock bound of the run; later phases are skipped (0: none)")
	osproxyEnv := fs.String("osproxy-env", "", "comma list of KEY=VALUE settings added to legs P and T (e.g. OSPROXY_ACCESS_LOG=false)")
	legList := fs.String("legs", "", "comma list of proxy legs to run (N,O,OT,P,T,R); empty runs all")
	only := fs.String("only", "", "comma list of workloads (write-256B, ...) whose closed-loop cells alone run")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *osproxyEnv != "" {
		o.OsproxyEnv = strings.Split(*osproxyEnv, ",")
	}
	o.Legs = set(*legList, strings.ToUpper)
	o.Only = set(*only, func(s string) string { return s })
	return o, nil
}

// set reads a comma list into a set of norm(item); an empty list is nil.
func set(list string, norm func(string) string) map[string]bool {
	if list == "" {
		return nil
	}
	m := map[string]bool{}
	for _, item := range strings.Split(list, ",") {
		m[norm(strings.TrimSpace(item))] = true
	}
	return m
}

// resolvePaths makes every path absolute (nginx resolves paths against its
// -p prefix) and drops legs P and T when there is no binary to run.
func resolvePaths(o *runner.Options) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding own binary: %w", err)
	}
	o.Self = self
	if o.Osproxy != "" {
		if _, err := os.Stat(o.Osproxy); err != nil {
			fmt.Fprintf(os.Stderr, "osbench: %s not found: legs P and T will not run\n", o.Osproxy)
			o.Osproxy = ""
		} else if o.Osproxy, err = filepath.Abs(o.Osproxy); err != nil {
			return fmt.Errorf("resolving -osproxy: %w", err)
		}
	}
	if o.Original != "" {
		if _, err := os.Stat(o.Original); err != nil {
			o.Original, o.OriginalMissing = "", o.Original+" not found"
		}
	}
	if o.OutDir == "" {
		o.OutDir = filepath.Join("bench-results", time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", o.OutDir, err)
	}
	if o.OutDir, err = filepath.Abs(o.OutDir); err != nil {
		return fmt.Errorf("resolving -out: %w", err)
	}
	if o.NginxTemplate, err = filepath.Abs(o.NginxTemplate); err != nil {
		return fmt.Errorf("resolving -nginx-template: %w", err)
	}
	return nil
}

// pinSelf re-executes osbench under "taskset -c 0" once, so the generator
// (and the mock it starts, which inherits the mask) share CPU 0 and the Go
// runtime sizes GOMAXPROCS to it. Setting the affinity from inside would
// only move the calling thread.
func pinSelf(pin bool) error {
	if !pin || os.Getenv(pinnedEnv) != "" {
		return nil
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		return nil // the report says the run was unpinned
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding own binary: %w", err)
	}
	argv := append([]string{"taskset", "-c", "0", self}, os.Args[1:]...)
	env := append(os.Environ(), pinnedEnv+"=1")
	if err := syscall.Exec(taskset, argv, env); err != nil {
		return fmt.Errorf("re-executing under taskset: %w", err)
	}
	return nil
}

// runReport re-judges a results.json (for example after the targets
// changed) and prints the table.
func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	in := fs.String("in", "", "results.json of a run")
	write := fs.Bool("write", false, "rewrite results.json and results.md beside it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*in)
	if err != nil {
		return fmt.Errorf("reading results: %w", err)
	}
	var r report.Results
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("decoding results: %w", err)
	}
	if *write {
		md, err := report.Write(filepath.Dir(*in), &r)
		if err != nil {
			return err
		}
		fmt.Println(md)
		return nil
	}
	r.Targets, r.PeerTargets = report.Judge(&r), report.JudgePeers(&r)
	fmt.Println(report.Markdown(&r))
	return nil
}

package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/osproxy/osproxy/conformance/specrules"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process exit, so that flag handling and exit codes
// stay testable.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("speccheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specDir := fs.String("spec", "spec", "directory holding the spec/*.md files")
	testsDir := fs.String("tests", "conformance", "directory holding the conformance *_test.go files")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rules, err := specrules.Parse(*specDir)
	if err != nil {
		fmt.Fprintf(stderr, "spec-check: parsing spec: %v\n", err)
		return 2
	}
	uses, err := scanLabels(*testsDir)
	if err != nil {
		fmt.Fprintf(stderr, "spec-check: scanning tests: %v\n", err)
		return 2
	}
	res := check(rules, uses)
	for _, p := range res.Problems {
		fmt.Fprintln(stdout, p)
	}
	fmt.Fprintln(stdout, res.Summary())
	if len(res.Problems) > 0 {
		return 1
	}
	return 0
}

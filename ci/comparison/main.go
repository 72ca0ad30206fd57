package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/osproxy/osproxy/conformance/report"
	"github.com/osproxy/osproxy/conformance/specrules"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// column is one run: its heading and its results, nil when the file is absent.
type column struct {
	Name    string
	Results *report.Results
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("comparison", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specDir := fs.String("spec", "spec", "directory holding spec/*.md")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	spec, err := specrules.LoadDir(*specDir)
	if err != nil {
		fmt.Fprintf(stderr, "comparison: %v\n", err)
		return 2
	}
	var cols []column
	for _, a := range fs.Args() {
		c, err := readColumn(a)
		if err != nil {
			fmt.Fprintf(stderr, "comparison: %v\n", err)
			return 2
		}
		cols = append(cols, c)
	}
	text := render(spec, cols)
	if *out == "" {
		_, _ = io.WriteString(stdout, text)
		return 0
	}
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
		fmt.Fprintf(stderr, "comparison: %v\n", err)
		return 2
	}
	return 0
}

func readColumn(arg string) (column, error) {
	name, path, ok := strings.Cut(arg, "=")
	if !ok || name == "" || path == "" {
		return column{}, fmt.Errorf("argument %q: want COLUMN=PATH", arg)
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return column{Name: name}, nil
	}
	if err != nil {
		return column{}, fmt.Errorf("reading %s: %w", path, err)
	}
	var res report.Results
	if err := json.Unmarshal(data, &res); err != nil {
		return column{}, fmt.Errorf("parsing %s: %w", path, err)
	}
	return column{Name: name, Results: &res}, nil
}

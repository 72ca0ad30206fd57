package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

const usage = `usage: osbench <command> [flags]

commands:
  run       start every leg, drive the matrix, write results.json and results.md
  report    re-judge a results.json and print its Markdown table
  upstream  serve the lean mock OpenSearch
  rp        serve a stock httputil.ReverseProxy (leg R)
  realbulk  the same _bulk straight to a real OpenSearch and through osproxy, side by side

run "osbench <command> -h" for the flags of a command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runBench(os.Args[2:])
	case "report":
		err = runReport(os.Args[2:])
	case "upstream":
		err = runUpstream(os.Args[2:])
	case "rp":
		err = runRP(os.Args[2:])
	case "realbulk":
		err = runRealBulk(os.Args[2:])
	case "-h", "-help", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "osbench: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		return // the flag package already printed the usage
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "osbench: %v\n", err)
		os.Exit(1)
	}
}

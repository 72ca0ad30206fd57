// Command osbench benchmarks osproxy from the outside, side by side with
// nginx and a stock Go reverse proxy, against a lean mock OpenSearch.
//
// It is the project's primary load generator: it starts every
// leg as a child process pinned to its own CPU, drives each cell with raw
// HTTP/1.1 requests, reads CPU time and memory of each proxy from /proc and
// judges the results against the project's targets. It never imports the
// proxy's packages: the binary is judged the way an operator would see it.
//
// Subcommands: run, report, upstream (the mock), rp (leg R).
package main

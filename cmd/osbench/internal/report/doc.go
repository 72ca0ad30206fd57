// Package report holds the results of a benchmark run, reduces the rounds
// to medians, judges them against the benchmark targets
// and renders results.json and results.md.
//
// Judging is a pure function of the recorded results, so a results.json can
// be re-judged later (osbench report) without running anything.
package report

// Package runner drives a whole benchmark run: it starts the legs, probes
// what the binary under test supports, runs the matrix in interleaved
// rounds, then the open-loop, connection, streaming and soak cells, and
// hands the results to the report.
package runner

// Package legs starts, pins, watches and stops the processes of a benchmark
// run: the mock upstream, nginx, the osproxy binary in its two modes and the
// stock reverse proxy. Each runs as a child with an environment built from
// scratch, its output in a log file under the run directory.
package legs

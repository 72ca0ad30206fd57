// Package proc reads a process from outside, the way the conformance suite and
// the benchmarks judge a proxy: CPU time, resident memory and its peak, open
// descriptors and children from /proc (Linux), and starts and stops the
// processes it observes (Start). Both the suite and osbench use it, so there is
// one spawner and one memory reader; it imports nothing of the implementation
// they judge.
package proc

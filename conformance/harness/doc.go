// Package harness starts and observes an osproxy binary as a black box, so
// that conformance specs can judge any implementation by its process
// behaviour alone.
//
// The binary under test is OSPROXY_CONFORMANCE_BINARY when that is set;
// otherwise Binary builds ./cmd/osproxy of the module that contains the suite,
// once per test process.
//
// Every process gets an environment built from scratch: PATH, HOME and TMPDIR
// are copied from the suite's own environment when set (PATH so a wrapper
// script can find its tools, HOME and TMPDIR so runtimes that expect them do
// not fail for reasons unrelated to the spec), and everything else comes from
// the spec's env map. Nothing else is inherited, in particular no OSPROXY_*
// variable, so a developer's shell cannot change what a spec observes.
//
// Each process is started in its own process group. A Ctrl-C in the terminal
// running the suite then reaches only the suite, which stops its children on
// its own terms, and a final SIGKILL takes any grandchildren with it.
//
// The package imports nothing from the implementation; it must be able to
// judge a binary written in any language.
package harness

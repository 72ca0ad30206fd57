// Command speccheck fails the build when the spec and the conformance suite
// disagree about which rules are tested.
//
// Usage, from the module root:
//
//	go run ./ci/speccheck [-spec spec] [-tests conformance]
//
// It parses the rules in -spec (see package conformance/specrules) and finds
// every Go string literal of the form "rule:ID" in the *_test.go files under
// -tests, at any depth except testdata, vendor and directories whose names
// start with "." or "_" (the go tool's own exclusions). Literals are found
// with go/parser, so a rule id mentioned in a comment does not count as a
// test. Helper packages whose own tests need such strings build them by
// concatenation so that they are not mistaken for conformance tests.
//
// It prints one line per problem and exits 1 when:
//   - a MUST or SHOULD rule that is neither pending nor withdrawn has no test;
//   - a test names an id that spec/ lacks, or one that is withdrawn;
//   - a pending rule has a test (it is then no longer pending);
//   - a test naming a rule does not carry exactly one "profile:" label (on
//     itself or on a container around it: the Label(…) arguments of every
//     call enclosing the rule literal count), or carries one other than the
//     profile spec/ declares for that rule.
//
// MAY rules need no test. Otherwise it prints one summary line and exits 0.
// Exit status 2 means the inputs could not be read.
package main

// Package conformance is the black-box conformance suite of osproxy: it spawns
// any osproxy binary through its OSPROXY_* environment contract, against the
// mock upstream or a real OpenSearch, and checks the rules of spec/.
//
// Run it with `make conformance` (mock upstream) or `make conformance-real`.
// Environment:
//
//	OSPROXY_CONFORMANCE_BINARY         the binary under test (default: build ./cmd/osproxy)
//	OSPROXY_CONFORMANCE_PROFILES       comma list of profiles (default: all)
//	OSPROXY_CONFORMANCE_UPSTREAM       "mock" (default) or "opensearch"
//	OSPROXY_CONFORMANCE_OPENSEARCH_URL an existing cluster; else one is provided (see package cluster)
//	OSPROXY_CONFORMANCE_CLUSTER        force "local" (ci/opensearch.sh) or "testcontainers"
//	OSPROXY_CONFORMANCE_REPORT_DIR     where results.json and junit.xml go (default results/)
//	OSPROXY_CONFORMANCE_IMPLEMENTATION the name reported for the binary (default: its --version)
//	OSPROXY_CONFORMANCE_SPEC_DIR       judge against this spec/ instead of the checkout's (or the runner's embedded copy)
//
// A spec judges its own rule only. Where it needs another rule's behaviour to
// observe its own (a refusal showing which setting applied), it judges the
// refusal by its status (expectRefused), a rule naming a code by status and
// code (expectError), and only ERR-1's specs judge the error envelope
// (expectEnvelope); settings a spec does not study are set permissively.
// Specs that only judge what reached the upstream use startUpstream, which
// against a real cluster is a recording proxy in front of it, so they run in
// both modes; specs that script the upstream's answers carry upstream:mock.
package conformance

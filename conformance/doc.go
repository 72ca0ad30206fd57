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
package conformance

// Package cluster provides the real OpenSearch that the conformance suite's
// upstream:opensearch specs run against, choosing how to get one on each kind
// of machine.
//
// Choose picks the first that applies:
//
//   - existing: OSPROXY_CONFORMANCE_OPENSEARCH_URL names a cluster that someone
//     else runs (a third party judging its own deployment, a CI service
//     container). The suite uses it as it is and never stops it.
//   - OSPROXY_CONFORMANCE_CLUSTER=local or =testcontainers forces one of the two
//     providers below, skipping the Docker probe; any other value is reported
//     as an error by Start rather than silently ignored.
//   - testcontainers: a Docker engine answers within a few seconds (a
//     developer's laptop, a hosted CI runner). A throwaway
//     opensearchproject/opensearch container runs single-node with the
//     security plugin disabled; Stop removes it, and testcontainers' reaper
//     removes it if the process dies first.
//   - local: no engine answers (this project's own machines and CI, which have
//     a docker CLI but no daemon). ci/opensearch.sh runs a node from Maven
//     Central's integ-test-zip on a free port, and Stop stops it.
//
// OPENSEARCH_VERSION selects the version for both provisioning providers: a
// full version (2.19.6), a major alias (2, 3), or empty for the default. The
// local provider hands it to the script; the testcontainers provider resolves
// it through ci/opensearch-versions.env the way the script does, so both run
// the same pinned version.
//
// Like the rest of conformance/, this package imports nothing from osproxy/.
package cluster

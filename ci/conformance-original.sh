#!/usr/bin/env bash
# ci/conformance-original.sh VERSION runs the conformance suite, unmodified,
# against the original Rust osproxy (crate osproxy-server, built by
# ci/original.sh): once on the mock upstream and once on OpenSearch VERSION,
# into $RESULTS/original-mock/ and $RESULTS/original-opensearch-VERSION/, then
# regenerates docs/conformance-comparison.md from every run found in $RESULTS.
#
# It is informational and always exits 0: the original is expected to fail
# rules, and a machine that cannot build it (no cargo, no registry) says so
# and moves on. With OSPROXY_ORIGINAL_CACHED_ONLY=1 (what make test sets) it
# runs only when the original is already built in the cache, so CI never
# spends the few minutes of a cargo build on it.
set -uo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: ci/conformance-original.sh OPENSEARCH_VERSION}
results=${RESULTS:-results}
say() { printf 'conformance-original: %s\n' "$*"; }

orig_version=$(ci/original.sh version)
cached=${OSPROXY_CACHE:-/var/tmp/osproxy}/original/$orig_version/bin/osproxy
if [ -n "${OSPROXY_ORIGINAL_CACHED_ONLY:-}" ] && [ ! -x "$cached" ]; then
	say "the original osproxy $orig_version is not built here yet; skipped (make conformance-original builds it)"
	exit 0
fi
bin=$(ci/original.sh path)
rc=$?
if [ $rc -ne 0 ] || [ ! -x "$bin" ]; then
	say "the original osproxy is unavailable here (ci/original.sh exit $rc); skipped"
	exit 0
fi

mkdir -p "$results"
one_run() { # DIR [VAR=VALUE…]: one suite run against the original
	local dir=$1
	shift
	say "running the suite against $bin → $results/$dir/ (log $results/$dir.log)"
	env "$@" OSPROXY_CONFORMANCE_BINARY="$bin" \
		OSPROXY_CONFORMANCE_IMPLEMENTATION="osproxy-server $orig_version (the original, Rust)" \
		OSPROXY_CONFORMANCE_REPORT_DIR="$PWD/$results/$dir" \
		go test -count=1 -timeout 40m ./conformance/ >"$results/$dir.log" 2>&1
	ci/summary.sh "$results/$dir/results.json" || say "no results from the $dir run"
}
one_run original-mock
one_run "original-opensearch-$version" OSPROXY_CONFORMANCE_UPSTREAM=opensearch OPENSEARCH_VERSION="$version"

# Our runs on the other pinned line, when make conformance-real-all made one.
other=$(. ci/opensearch-versions.env && for v in "$OPENSEARCH_VERSION_2" "$OPENSEARCH_VERSION_3"; do [ "$v" != "$version" ] && echo "$v"; done | head -1)
mkdir -p docs
go run ./ci/comparison -spec spec -out docs/conformance-comparison.md \
	"ours, mock=$results/results.json" \
	"ours, OpenSearch $version=$results/opensearch-$version/results.json" \
	"ours, OpenSearch $other=$results/opensearch-$other/results.json" \
	"original, mock=$results/original-mock/results.json" \
	"original, OpenSearch $version=$results/original-opensearch-$version/results.json" &&
	say "wrote docs/conformance-comparison.md" || say "could not write the comparison table"
exit 0

#!/usr/bin/env bash
# ci/conformance-secured.sh runs the secured-upstream profile against a
# secured OpenSearch (ci/opensearch.sh start secured) on a free port, then
# stops that node. Results go to $1 (default results/opensearch-secured).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/opensearch-secured}

# free_port prints a loopback port nothing listens on (a node start on a
# port taken in between fails loudly rather than reaching a stranger).
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 12000)) # below the ephemeral range
		(: <>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	echo "no free port found" >&2
	return 1
}

port=$(free_port)
trap 'ci/opensearch.sh stop secured "$port" >/dev/null 2>&1 || true' EXIT
url=$(ci/opensearch.sh start secured "$port")
dir=$(ci/opensearch.sh secured-dir)
rc=0
OSPROXY_CONFORMANCE_UPSTREAM=opensearch-secured OSPROXY_CONFORMANCE_PROFILES=secured-upstream \
	OSPROXY_CONFORMANCE_SECURED_URL=$url OSPROXY_CONFORMANCE_SECURED_DIR=$dir \
	OSPROXY_CONFORMANCE_REPORT_DIR=$PWD/$out \
	${GO:-go} test -count=1 -timeout 30m ./conformance/ || rc=$?
ci/summary.sh "$out/results.json" || true
exit "$rc"

#!/usr/bin/env bash
# Side-by-side benchmarks of osproxy against nginx, the original Rust osproxy
# and a stock Go reverse proxy (bench/README.md).
#
#   ci/bench.sh quick   # CI profile, at most 6 minutes including the build
#   ci/bench.sh full    # manual profile, about an hour
#
# Installs what it needs on a fresh machine (nginx from Debian, taskset),
# builds osbench and osproxy, runs osbench, and leaves
# bench-results/<timestamp>/results.{json,md}. It prints the target table.
#
# Environment:
#   BENCH_ENFORCE=1   exit 3 when a gate is MISSED (default: report only,
#                     because a shared box makes single runs noisy)
#   BENCH_ARGS        extra flags for "osbench run" (e.g. "-rounds 5")
set -euo pipefail

profile="${1:-quick}"
case "$profile" in
quick) total=345 ;;   # 6 minutes, less a margin for writing the report
full) total=0 ;;
*) echo "usage: ci/bench.sh quick|full" >&2; exit 2 ;;
esac

start=$(date +%s)
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

need_apt_update=1
apt_install() {
	if [ "$(id -u)" -ne 0 ]; then
		log "need $* but not root: install it by hand"
		return 1
	fi
	if [ "$need_apt_update" = 1 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
		need_apt_update=0
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# nginx is started by osbench with its own config; the packaged service is
# not used (policy-rc.d on this image keeps it from starting at install).
command -v nginx >/dev/null || { log "installing nginx"; apt_install nginx; }
command -v taskset >/dev/null || { log "installing util-linux (taskset)"; apt_install util-linux || true; }
command -v go >/dev/null || { echo "bench: Go toolchain not found (go.mod needs $(sed -n 's/^go //p' go.mod))" >&2; exit 1; }

mkdir -p bin
log "building osbench"
go build -o bin/osbench ./cmd/osbench
osproxy_flag="-osproxy=bin/osproxy"
log "building osproxy"
if ! go build -o bin/osproxy ./cmd/osproxy; then
	log "osproxy does not build: running legs D, N and R only"
	rm -f bin/osproxy
	osproxy_flag="-osproxy="
fi

# The original Rust osproxy (legs O and OT), built from the crate registry and
# cached outside the clone; when it cannot be built the table says so.
original_flags=(-original-missing "ci/original.sh could not build it (see its output above)")
if original=$(ci/original.sh path); then
	original_flags=(-original "$original")
else
	log "the original osproxy is unavailable: legs O and OT will not run"
fi

# 1,000 and 5,000 concurrent connections need descriptors on every side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

out="bench-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
budget_flag=""
if [ "$total" -gt 0 ]; then
	left=$(( total - ($(date +%s) - start) - 45 ))
	[ "$left" -lt 60 ] && left=60
	budget_flag="-budget=${left}s"
fi

log "running the $profile profile into $out"
status=0
# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags on purpose
bin/osbench run -profile "$profile" $osproxy_flag "${original_flags[@]}" -nginx-template bench/nginx.conf.tmpl \
	-out "$out" $budget_flag ${BENCH_ARGS:-} || status=$?
if [ "$status" -ne 0 ]; then
	log "osbench failed with status $status"
	exit "$status"
fi

# The real-cluster ingest cell: a local node (ci/opensearch.sh), the same bulk
# straight to it and through osproxy. Skipped, and said so, when the node or the
# proxy is unavailable.
if [ -x bin/osproxy ] && os_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') &&
	os_url=$(ci/opensearch.sh start "" "$os_port" 2>"$out/opensearch.log"); then
	log "real-cluster bulk cell against $os_url"
	bin/osbench realbulk -opensearch "$os_url" -osproxy bin/osproxy -out "$out" || log "the real-cluster bulk cell failed"
	cat "$out/realbulk.md" >>"$out/results.md" 2>/dev/null || true
	ci/opensearch.sh stop "" "$os_port" 2>>"$out/opensearch.log" || true
else
	log "the real-cluster bulk cell was skipped: no OpenSearch node (see $out/opensearch.log)"
fi

missed=$(grep -c '| MISSED |' "$out/results.md" || true)
log "done in $(( $(date +%s) - start )) s: $missed gate(s) missed; see $out/results.md"
if [ "${BENCH_ENFORCE:-0}" = 1 ] && [ "$missed" -gt 0 ]; then
	exit 3
fi

#!/usr/bin/env bash
# ci/clients.sh proves that stock OpenSearch clients work unmodified through
# osproxy in tenancy mode, against a real OpenSearch node.
#
# Usage: ci/clients.sh
#
# It builds bin/osproxy, starts a throwaway node with ci/opensearch.sh on a free
# port, creates a fresh physical index with the reserved fields mapped
# (spec/03-tenancy.md), starts osproxy in front of it with two tokens bound to
# one tenant each (SEC-6), installs the pinned clients into ignored caches and
# runs the three client programs of clients/ in parallel:
#
#   clients/py  opensearch-py                  $OSPROXY_CACHE/clients/venv (requirements.txt)
#   clients/js  @opensearch-project/opensearch $OSPROXY_CACHE/clients/node (package-lock.json)
#   clients/go  opensearch-go/v4               its own module; go test -c
#
# Each program prints `N passed, M failed` last; this script prints every
# program's output, then `clients: N passed, M failed`, and exits non-zero if
# any program failed. Installs are skipped when the cache matches the pins.
#
# Environment (all optional):
#   OPENSEARCH_VERSION  the node to run (default: ci/opensearch-versions.env)
#   OSPROXY_CLIENTS     which programs to run, a subset of "py js go pyingest jsingest"
#                       (default all; an ingest program needs its client in the list)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT=$PWD
CACHE=${OSPROXY_CACHE:-/var/tmp/osproxy}/clients
CLIENTS=${OSPROXY_CLIENTS:-py js go pyingest jsingest}
ACME_TOKEN=tok-acme
GLOBEX_TOKEN=tok-globex
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

log() { printf 'clients.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/osproxy-clients.XXXXXX")
os_port='' os_pid='' proxy_pid='' PROXY_URL='' SUMMARY=''

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$proxy_pid" ]; then
		kill "$proxy_pid" 2>/dev/null || true
		wait "$proxy_pid" 2>/dev/null || true
	fi
	if [ -n "$os_port" ]; then
		# Waits for a start still in progress (it holds the node's lock).
		ci/opensearch.sh stop "" "$os_port" 2>>"$WORK/opensearch.log" || log "stopping OpenSearch failed"
	fi
	if [ -n "$os_pid" ]; then wait "$os_pid" 2>/dev/null || true; fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# apt_install installs Debian packages as root, refreshing the lists once.
apt_install() {
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
	log "installing $* with apt-get"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 && return 0
	apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

ensure_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if ! apt_install "$2" || ! command -v "$1" >/dev/null 2>&1; then
		die "'$1' is missing and installing '$2' failed"
	fi
}

# free_port prints a loopback TCP port nobody listens on right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stamp_matches reports whether cache dir $1 was installed from file $2 as it is now.
stamp_matches() {
	[ -f "$1/.osproxy-stamp" ] && [ "$(cat "$1/.osproxy-stamp")" = "$(sha256sum <"$2")" ]
}
write_stamp() { sha256sum <"$2" >"$1/.osproxy-stamp"; }

install_py() {
	local venv=$CACHE/venv req=clients/py/requirements.txt
	stamp_matches "$venv" "$req" && return 0
	log "installing opensearch-py into $venv"
	if ! python3 -m venv --clear "$venv" >&2; then
		apt_install python3-venv || die "python3 -m venv failed and python3-venv could not be installed"
		python3 -m venv --clear "$venv" >&2
	fi
	"$venv/bin/pip" install --disable-pip-version-check --no-input -q -r "$req" >&2
	write_stamp "$venv" "$req"
}

install_js() {
	local dir=$CACHE/node lock=clients/js/package-lock.json
	stamp_matches "$dir" "$lock" && return 0
	log "installing @opensearch-project/opensearch into $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp clients/js/package.json "$lock" "$dir/"
	# npm ci installs exactly the committed lock and fails if it is stale.
	npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
	write_stamp "$dir" "$lock"
}

install_go() {
	mkdir -p "$CACHE/go"
	(cd clients/go && GOFLAGS=-mod=readonly go test -c -o "$CACHE/go/stockclient.test" .)
}

run_py() { "$CACHE/venv/bin/python" clients/py/stock_client.py; }
run_js() { NODE_PATH=$CACHE/node/node_modules node clients/js/stock_client.js; }
# The ingest programs share their client's install; they own CLIENT_INDEX-ingest.
run_pyingest() { CLIENT_INDEX=$CLIENT_INDEX-ingest "$CACHE/venv/bin/python" clients/py/ingest_client.py; }
run_jsingest() { CLIENT_INDEX=$CLIENT_INDEX-ingest NODE_PATH=$CACHE/node/node_modules node clients/js/ingest_client.js; }
run_go() { "$CACHE/go/stockclient.test"; }

ensure_tools() {
	local c
	ensure_cmd curl curl
	ensure_cmd python3 python3
	for c in $CLIENTS; do
		case $c in
		py | pyingest) ;;
		js | jsingest) ensure_cmd node nodejs && ensure_cmd npm npm ;;
		go) ensure_cmd go golang-go ;;
		*) die "unknown client '$c' in OSPROXY_CLIENTS (want py, js, go)" ;;
		esac
	done
}

# install_clients runs the installs side by side: they wait on different
# things (PyPI, npm, the Go compiler).
install_clients() {
	local c rc
	declare -A pids=()
	for c in $CLIENTS; do
		[[ $c == *ingest ]] && continue # installed with its client
		"install_$c" 2>"$WORK/install-$c.log" &
		pids[$c]=$!
	done
	for c in $CLIENTS; do
		[[ $c == *ingest ]] && continue
		rc=0
		wait "${pids[$c]}" || rc=$?
		cat "$WORK/install-$c.log" >&2
		[ "$rc" = 0 ] || die "installing the $c client failed"
	done
}

# start_proxy starts osproxy in tenancy mode in front of $1, index $2, and
# sets PROXY_URL once it answers GET / (TEN-12).
start_proxy() {
	local port status=
	port=$(free_port)
	PROXY_URL=http://127.0.0.1:$port
	OSPROXY_BIND=127.0.0.1:$port OSPROXY_UPSTREAM=$1 OSPROXY_INDEX=$2 \
		OSPROXY_ALLOW_CLEARTEXT_MUTATION=true \
		OSPROXY_TOKENS="$ACME_TOKEN=svc:acme,$GLOBEX_TOKEN=svc2:globex" \
		bin/osproxy >"$WORK/osproxy.log" 2>&1 &
	proxy_pid=$!
	for _ in $(seq 1 100); do
		status=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $ACME_TOKEN" "$PROXY_URL/" || true)
		[ "$status" = 200 ] && return 0
		kill -0 "$proxy_pid" 2>/dev/null || { cat "$WORK/osproxy.log" >&2; die "osproxy exited"; }
		sleep 0.1
	done
	cat "$WORK/osproxy.log" >&2
	die "osproxy did not answer GET / with 200 (last: $status)"
}

# run_clients runs the programs side by side (each owns its logical index)
# against proxy $1 and upstream version $2, prints their output and the sum.
run_clients() {
	local c rc last p f passed=0 failed=0 failed_programs=()
	declare -A pids=()
	for c in $CLIENTS; do
		OSPROXY_URL=$1 OSPROXY_EXPECT_VERSION=$2 CLIENT_INDEX=clients-$c \
			ACME_TOKEN=$ACME_TOKEN GLOBEX_TOKEN=$GLOBEX_TOKEN \
			"run_$c" >"$WORK/$c.out" 2>&1 &
		pids[$c]=$!
	done
	for c in $CLIENTS; do
		rc=0
		wait "${pids[$c]}" || rc=$?
		printf '\n=== %s (exit %d)\n' "$c" "$rc"
		cat "$WORK/$c.out"
		last=$(tail -n 1 "$WORK/$c.out")
		if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
			p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
		else
			p=0 f=1 # no summary: the program crashed
		fi
		passed=$((passed + p)) failed=$((failed + f))
		if [ "$rc" != 0 ] || [ "$f" != 0 ]; then failed_programs+=("$c"); fi
	done
	echo
	if [ ${#failed_programs[@]} -gt 0 ]; then
		log "failed: ${failed_programs[*]}; osproxy log:"
		cat "$WORK/osproxy.log" >&2
	fi
	SUMMARY="clients: $passed passed, $failed failed"
	[ ${#failed_programs[@]} = 0 ]
}

main() {
	local started=$SECONDS url version index rc=0
	ensure_tools
	log "building bin/osproxy"
	go build -o bin/osproxy ./cmd/osproxy

	# The node boots (10 to 70 s here) while the clients install.
	os_port=$(free_port)
	log "starting OpenSearch on port $os_port"
	ci/opensearch.sh start "" "$os_port" >"$WORK/opensearch.url" 2>"$WORK/opensearch.log" &
	os_pid=$!
	install_clients
	log "clients ready after $((SECONDS - started)) s"
	wait "$os_pid" || rc=$?
	os_pid=
	if [ "$rc" != 0 ]; then
		cat "$WORK/opensearch.log" >&2
		die "OpenSearch did not start"
	fi
	url=$(cat "$WORK/opensearch.url")
	version=$(curl -fsS "$url/" | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"]["number"])')
	log "OpenSearch $version at $url after $((SECONDS - started)) s"

	# The operator's one-time step (spec/03-tenancy.md), on a fresh index.
	index=osproxy-clients-$(date +%s)-$$
	curl -fsS -XPUT "$url/$index" -H 'content-type: application/json' \
		-d '{"mappings":{"properties":{"_tenant":{"type":"keyword"},"_logical_index":{"type":"keyword"}}}}' >/dev/null
	start_proxy "$url" "$index"
	log "osproxy at $PROXY_URL in front of index $index"

	rc=0
	run_clients "$PROXY_URL" "$version" || rc=$?
	log "done in $((SECONDS - started)) s"
	echo "$SUMMARY"
	return "$rc"
}

main "$@"

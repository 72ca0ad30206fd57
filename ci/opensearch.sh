#!/usr/bin/env bash
# ci/opensearch.sh provisions a real single-node OpenSearch without Docker.
#
# Usage:
#   ci/opensearch.sh fetch  [VERSION]              download + unpack (idempotent), print its dir
#   ci/opensearch.sh start  [VERSION] [HTTP_PORT]  start, wait for yellow/green, print the URL
#   ci/opensearch.sh stop   [VERSION] [HTTP_PORT]  stop that node (idempotent)
#   ci/opensearch.sh stop   all                    stop every node this script started
#   ci/opensearch.sh status                        list running nodes
#   ci/opensearch.sh secured-dir                   print where the secured node's CA and passwords are
#
# VERSION is a full version (2.19.6), a major alias (2 or 3, resolved through
# ci/opensearch-versions.env), "default"/empty for OPENSEARCH_VERSION, or
# "secured": OPENSEARCH_VERSION_SECURED with the security plugin, HTTPS and
# users (ci/opensearch-secured.sh); its URL is https://.
# HTTP_PORT defaults to 9200 for 2.x, 9201 for 3.x and 9243 for secured.
#
# The distribution is Maven Central's integ-test-zip (no plugins, so no
# security plugin), fetched with mvn into $OSPROXY_CACHE/opensearch/<version>/; for
# 2.x, whose zip has no modules but transport-netty4, fetch adds reindex,
# lang-painless, analysis-common and mapper-extras from their Maven Central
# jars (ci/opensearch-install.sh). The distribution stays pristine after
# that: each start gets a fresh run-<version>-<port>/ with its own copy of
# config/, data/, logs/ and tmp/. OpenSearch refuses to run as root, so as
# root the node runs as an unprivileged system user created on demand.
#
# `start` prints exactly one line on stdout (the URL); all chatter goes to
# stderr, so `url=$(ci/opensearch.sh start)` works.
#
# Environment (all optional):
#   OPENSEARCH_VERSION, OPENSEARCH_VERSION_2, OPENSEARCH_VERSION_3  override the pins
#   OPENSEARCH_JAVA_HOME             Java to run the node (checked against the version's range)
#   OSPROXY_CACHE                    default /var/tmp/osproxy: caches shared by every
#                                    clone (CI clones afresh each run)
#   OSPROXY_OPENSEARCH_CACHE         default $OSPROXY_CACHE/opensearch
#   OSPROXY_OPENSEARCH_USER          default osproxy-os (used only when run as root)
#   OSPROXY_OPENSEARCH_HEAP          default 512m (-Xms and -Xmx)
#   OSPROXY_OPENSEARCH_JAVA_OPTS     more JVM options, default -XX:TieredStopAtLevel=1
#                                    (quick start); set it empty for the full JIT
#   OSPROXY_OPENSEARCH_START_TIMEOUT seconds to wait for health, default 180
#   OSPROXY_OPENSEARCH_STOP_TIMEOUT  seconds between SIGTERM and SIGKILL, default 60
#   OSPROXY_OPENSEARCH_MODULES=none  keep a 2.x distribution as its zip ships it
#                                    (without reindex, painless, analysis-common,
#                                    mapper-extras, which fetch otherwise adds)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
# useradd, runuser and friends live in sbin, which a CI PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
NODE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CLUSTER_NAME=osproxy-ci
OS_USER=${OSPROXY_OPENSEARCH_USER:-osproxy-os}
HEAP=${OSPROXY_OPENSEARCH_HEAP:-512m}
# C1 only: a test node starts on about half the CPU (3.8.0: 21 s instead of
# 40 s) and runs queries somewhat slower, which functional tests never notice.
JAVA_OPTS=${OSPROXY_OPENSEARCH_JAVA_OPTS--XX:TieredStopAtLevel=1}
START_TIMEOUT=${OSPROXY_OPENSEARCH_START_TIMEOUT:-180}
STOP_TIMEOUT=${OSPROXY_OPENSEARCH_STOP_TIMEOUT:-60}
CLEANUP=()
trap 'if [ ${#CLEANUP[@]} -gt 0 ]; then rm -rf "${CLEANUP[@]}"; fi' EXIT
# Tools, Java and the distribution; checked on its own by shellcheck.
# shellcheck source=ci/opensearch-install.sh disable=SC1091
. "$SCRIPT_DIR/opensearch-install.sh"
# shellcheck source=ci/opensearch-secured.sh disable=SC1091
. "$SCRIPT_DIR/opensearch-secured.sh"
# shellcheck source=ci/opensearch-health.sh disable=SC1091
. "$SCRIPT_DIR/opensearch-health.sh"
SECURED=     # set by main for VERSION "secured"
SCHEME=http  # https for the secured node
CURL_AUTH=() # the secured node's CA and admin user

log() { printf 'opensearch.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# load_versions reads ci/opensearch-versions.env; a variable already set in
# the environment wins, and ${NAME} references see the winning values.
load_versions() {
	local key value ref
	while IFS='=' read -r key value; do
		[[ $key =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
		[ -z "${!key-}" ] || continue
		while [[ $value =~ \$\{([A-Z][A-Z0-9_]*)\} ]]; do
			ref=${BASH_REMATCH[1]}
			value=${value//"\${$ref}"/${!ref-}}
		done
		printf -v "$key" '%s' "$value"
	done <"$SCRIPT_DIR/opensearch-versions.env"
	: "${OPENSEARCH_VERSION:?missing from ci/opensearch-versions.env}"
}

resolve_version() {
	local v
	case ${1:-default} in
	default) v=$OPENSEARCH_VERSION ;;
	2) v=${OPENSEARCH_VERSION_2:?} ;;
	3) v=${OPENSEARCH_VERSION_3:?} ;;
	secured) v=${OPENSEARCH_VERSION_SECURED:?} ;;
	*) v=$1 ;;
	esac
	[[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "not an OpenSearch version: '$v'"
	printf '%s\n' "$v"
}

# resolve_port prints the HTTP port: the argument, or 9200 + (major - 2).
resolve_port() {
	local v=$1 port=${2:-} major=${1%%.*}
	if [ -z "$port" ]; then
		port=$((9200 + (major > 2 ? major - 2 : 0)))
		[ -z "$SECURED" ] || port=9243
	fi
	if ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
		die "not a port: '$port'"
	fi
	printf '%s\n' "$port"
}

# reachable_by_others reports whether every directory from $1 up to / lets
# other users through, so the unprivileged node user can reach the cache.
reachable_by_others() {
	local d=$1 mode
	while [ "$d" != / ]; do
		mode=$(stat -c %A "$d") || return 1
		case ${mode:9:1} in x | t) ;; *) return 1 ;; esac
		d=$(dirname "$d")
	done
}

# resolve_cache sets CACHE. It lives outside the clone, so a fresh clone (CI
# makes one per run) and parallel worktrees reuse one unpacked distribution;
# /var/tmp because the node user must reach it (a cache under /root would not do).
resolve_cache() {
	if [ -n "${OSPROXY_OPENSEARCH_CACHE:-}" ]; then
		mkdir -p "$OSPROXY_OPENSEARCH_CACHE"
		CACHE=$(cd "$OSPROXY_OPENSEARCH_CACHE" && pwd)
		return 0
	fi
	CACHE=${OSPROXY_CACHE:-/var/tmp/osproxy}/opensearch
	mkdir -p "$CACHE"
	# Whatever the umask, the node user must get through the two levels we made.
	if is_root; then chmod a+rx "$CACHE" "$(dirname "$CACHE")"; fi
	if is_root && ! reachable_by_others "$CACHE"; then
		die "$CACHE is not reachable by the node user; set OSPROXY_OPENSEARCH_CACHE"
	fi
}

# pid_alive reports whether process $1 exists and is not a zombie.
pid_alive() {
	local state
	[[ ${1:-} =~ ^[0-9]+$ ]] || return 1
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# node_pid prints the pid of the node running from run dir $1: the JVM's own
# pid file first, then the launcher's. A pid counts only while its command
# line names the run dir, so a recycled pid is never signalled.
node_pid() {
	local run=$1 file pid cmdline
	for file in "$run/opensearch.pid" "$run/launcher.pid"; do
		pid=$(cat "$file" 2>/dev/null) || continue
		pid_alive "$pid" || continue
		cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
		if [[ $cmdline == *"$run/"* ]]; then
			printf '%s\n' "$pid"
			return 0
		fi
	done
	return 1
}

# prepare_run lays out a fresh run dir: config copied from the distribution
# with paths pointed into the run dir, so the distribution stays pristine.
prepare_run() {
	local v=$1 port=$2 run=$3 dist=$CACHE/$1
	rm -rf "$run"
	mkdir -p "$run/data" "$run/logs" "$run/tmp"
	cp -R "$dist/config" "$run/config"
	# jvm.options names logs/ and data/ relative to the working directory,
	# which must stay the distribution's home (3.x loads agent/ relative to it).
	sed -i -e "s#\([:=]\)logs/#\1$run/logs/#g" -e "s#HeapDumpPath=data#HeapDumpPath=$run/data#" \
		"$run/config/jvm.options"
	cat >"$run/config/opensearch.yml" <<-EOF
		# Written by ci/opensearch.sh for a throwaway single-node cluster.
		cluster.name: $CLUSTER_NAME
		node.name: osproxy-$v-$port
		path.data: $run/data
		path.logs: $run/logs
		discovery.type: single-node
		network.host: 127.0.0.1
		http.port: $port
		transport.port: 9300-9400
		cluster.routing.allocation.disk.threshold_enabled: false
	EOF
	printf 'VERSION=%s\nPORT=%s\n' "$v" "$port" >"$run/node.env"
	[ -z "$SECURED" ] || secured_configure "$run"
	if is_root; then chown -R "$OS_USER:" "$run"; fi
}

# launch starts the node of run dir $3 in its own session, detached from
# our stdio and locks, as the node user when we are root.
launch() {
	local v=$1 java_home=$2 run=$3 dist=$CACHE/$1 as_user=()
	if is_root; then
		as_user=(setpriv "--reuid=$OS_USER" "--regid=$OS_USER" --init-groups --)
	fi
	(
		cd "$dist"
		exec setsid "${as_user[@]}" env -i PATH="$NODE_PATH" HOME="$run" LANG=C.UTF-8 \
			OPENSEARCH_JAVA_HOME="$java_home" JAVA_HOME="$java_home" \
			OPENSEARCH_PATH_CONF="$run/config" OPENSEARCH_TMPDIR="$run/tmp" \
			OPENSEARCH_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP $JAVA_OPTS" \
			"$dist/bin/opensearch" -p "$run/opensearch.pid"
	) </dev/null >>"$run/logs/stdout.log" 2>&1 8>&- 9>&- &
	printf '%s\n' "$!" >"$run/launcher.pid"
}

# holder_of prints which of our run dirs holds port $1, if any.
holder_of() {
	local run
	for run in "$CACHE"/run-*-"$1"; do
		[ -d "$run" ] && node_pid "$run" >/dev/null && basename "$run" && return 0
	done
	return 1
}

ensure_port_free() {
	local holder
	port_open "$1" || return 0
	holder=$(holder_of "$1") || holder="a process this script did not start"
	die "port $1 is already in use by $holder"
}

start() {
	local v port dist run url java_home started launched
	v=$(resolve_version "${1:-}")
	port=$(resolve_port "$v" "${2:-}")
	dist=$v${SECURED:+-secured}
	run=$CACHE/run-$dist-$port url=$SCHEME://127.0.0.1:$port
	started=$(now_ms)
	ensure_cmd curl curl
	exec 8>"$CACHE/.node-$v-$port.lock"
	flock 8
	if node_pid "$run" >/dev/null; then
		if [ "$(served_version "$port")" = "$v" ] && [[ $(health "$port") =~ ^(green|yellow)$ ]]; then
			log "OpenSearch $v already running at $url"
		else
			wait_healthy "$run" "$port" "$started" || die "OpenSearch $v on port $port is not healthy"
		fi
		printf '%s\n' "$url"
		return 0
	fi
	ensure_port_free "$port"
	fetch "$v"
	ensure_port_free "$port"
	java_home=$(pick_java "$v")
	if [ -n "$SECURED" ]; then secured_fetch "$v" && secured_certs "$v" "$java_home"; fi
	ensure_user
	prepare_run "$dist" "$port" "$run"
	log "starting OpenSearch $dist on $url (Java $(java_major "$java_home") from $java_home, heap $HEAP, run dir $run)"
	launch "$dist" "$java_home" "$run"
	launched=$(now_ms)
	wait_healthy "$run" "$port" "$launched" || die "OpenSearch $v did not start"
	log "start took $(seconds_since "$started") s in all"
	printf '%s\n' "$url"
}

# stop_node sends SIGTERM, waits up to STOP_TIMEOUT, then SIGKILLs, and
# frees the run dir's data.
stop_node() {
	local run=$1 pid deadline
	pid=$(node_pid "$run") || { log "$(basename "$run"): not running"; return 0; }
	log "$(basename "$run"): stopping pid $pid"
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((SECONDS + STOP_TIMEOUT))
	while pid_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
	if pid_alive "$pid"; then
		log "$(basename "$run"): still alive after ${STOP_TIMEOUT} s, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		deadline=$((SECONDS + 10))
		while pid_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
	fi
	pid_alive "$pid" && die "$(basename "$run"): pid $pid survived SIGKILL"
	# Keep logs/ and config/ for a post-mortem; the next start lays a fresh dir.
	rm -rf "$run/opensearch.pid" "$run/launcher.pid" "$run/data" "$run/tmp"
	log "$(basename "$run"): stopped"
}

# stop_locked stops node $1 (a run dir) under that node's lock, so it never
# races a start of the same node.
stop_locked() {
	local run=$1 name
	name=$(basename "$run")
	exec 8>"$CACHE/.node-${name#run-}.lock"
	flock 8
	stop_node "$run"
	exec 8>&-
}

stop() {
	local v port run found=0
	if [ "${1:-}" = all ]; then
		for run in "$CACHE"/run-*; do
			node_pid "$run" >/dev/null || continue
			stop_locked "$run"
			found=1
		done
		[ "$found" = 1 ] || log "no node started by this script is running"
		return 0
	fi
	v=$(resolve_version "${1:-}")
	port=$(resolve_port "$v" "${2:-}")
	stop_locked "$CACHE/run-$v${SECURED:+-secured}-$port"
}

status() {
	local run pid found=0 VERSION PORT
	for run in "$CACHE"/run-*; do
		pid=$(node_pid "$run") || continue
		VERSION=$(sed -n 's/^VERSION=//p' "$run/node.env")
		PORT=$(sed -n 's/^PORT=//p' "$run/node.env")
		SCHEME=http CURL_AUTH=()
		if [[ $VERSION == *-secured ]]; then SCHEME=https CURL_AUTH=(-K "$(secured_dir)/admin.curlrc"); fi
		printf '%s\t%s\tpid=%s\thealth=%s\t'"$SCHEME"'://127.0.0.1:%s\t%s\n' \
			"$VERSION" "$PORT" "$pid" "$(health "$PORT")" "$PORT" "$run"
		found=1
	done
	[ "$found" = 1 ] || log "no node started by this script is running"
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

main() {
	local cmd=${1:-}
	shift || true
	case $cmd in fetch | start | stop | status | secured-dir) ;; *) usage ;; esac
	if [ "${1:-}" = secured ]; then SECURED=1 SCHEME=https; fi
	load_versions
	ensure_cmd flock util-linux
	ensure_cmd setsid util-linux
	resolve_cache
	[ -z "$SECURED" ] || CURL_AUTH=(-K "$(secured_dir)/admin.curlrc")
	case $cmd in
	fetch)
		local v
		v=$(resolve_version "${1:-}")
		fetch "$v"
		printf '%s\n' "$CACHE/$v"
		;;
	start) start "$@" ;;
	stop) stop "$@" ;;
	status) status ;;
	secured-dir) secured_dir ;;
	esac
}

main "$@"

# ci/opensearch-health.sh reads a node's health and waits for it: over
# $SCHEME (https for the secured node) with $CURL_AUTH. It is sourced by
# ci/opensearch.sh, whose helpers (log, node_pid, stop_node) it uses.
# shellcheck shell=bash

# health prints green/yellow/red for the node on port $1, or nothing.
health() {
	curl -fsS --max-time 3 "${CURL_AUTH[@]}" "$SCHEME://127.0.0.1:$1/_cluster/health" 2>/dev/null |
		sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p' || true
}

served_version() {
	curl -fsS --max-time 3 "${CURL_AUTH[@]}" "$SCHEME://127.0.0.1:$1/" 2>/dev/null |
		sed -n 's/.*"number" *: *"\([^"]*\)".*/\1/p' || true
}

port_open() { (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

print_logs() {
	local run=$1 f
	for f in "$run/logs/stdout.log" "$run/logs/$CLUSTER_NAME.log"; do
		[ -s "$f" ] || continue
		log "last 50 lines of $f:"
		tail -n 50 "$f" >&2
	done
}

# cpu_note prints ", node CPU N s" for the node of run dir $1: a figure that,
# unlike wall time, hardly moves with the load of other work on the machine.
cpu_note() {
	local pid ticks
	pid=$(node_pid "$1") || return 0
	ticks=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}') || return 0
	awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf ", node CPU %.1f s", t / hz }'
}

# wait_healthy waits until the node of run dir $1 on port $2 answers with
# yellow or green; if it dies or the timeout passes it prints the logs.
wait_healthy() {
	local run=$1 port=$2 started=$3 deadline=$((SECONDS + START_TIMEOUT)) status
	while :; do
		status=$(health "$port")
		case $status in green | yellow)
			log "healthy ($status) after $(seconds_since "$started") s$(cpu_note "$run")"
			return 0
			;;
		esac
		if ! node_pid "$run" >/dev/null; then
			log "the node exited before becoming healthy"
			print_logs "$run"
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "not healthy after ${START_TIMEOUT} s (last status: ${status:-no answer})"
			print_logs "$run"
			stop_node "$run"
			return 1
		fi
		sleep 0.5
	done
}

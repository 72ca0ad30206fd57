#!/usr/bin/env bash
# ci/bench-tls.sh measures what TLS to the cluster costs osproxy: the quick
# `make bench` profile for legs N, P and T twice in a row, first with the
# proxies' upstream over plain HTTP, then over TLS through an nginx stream
# front (certificates generated here) before the same mock, and prints the
# passthrough and tenancy cells side by side: proxy CPU per request, each
# against nginx's in the same run, and upstream connections opened ÷
# requests. osbench runs unchanged: the TLS run hands it a wrapper that
# points the osproxy it starts at the front.
#
# Usage: ci/bench-tls.sh   (results in bench-results/tls-<timestamp>/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
base=${BENCH_TLS_BASE_PORT:-29200} # osbench -base-port: the mock listens there (off make bench's 19200)
front=$((base + 30))
log() { printf '%s bench-tls: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

command -v nginx >/dev/null || { log "installing nginx"; apt-get install -y -qq nginx >/dev/null; }
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] ||
	{ log "installing nginx's stream module"; apt-get install -y -qq --no-install-recommends libnginx-mod-stream >/dev/null; }
mkdir -p bin
go build -o bin/osbench ./cmd/osbench
go build -o bin/osproxy ./cmd/osproxy
out=$root/bench-results/tls-$(date -u +%Y%m%dT%H%M%SZ)
work=$out/front
mkdir -p "$work"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 2 \
	-subj /CN=bench-ca -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/node.key" -out "$work/node.csr" -subj /CN=node 2>/dev/null
openssl x509 -req -in "$work/node.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
	-extfile <(echo subjectAltName=IP:127.0.0.1) -out "$work/node.pem" 2>/dev/null
printf '%s\n' "load_module /usr/lib/nginx/modules/ngx_stream_module.so;" "worker_processes 1;" "daemon off;" \
	"pid $work/nginx.pid;" "error_log $work/error.log;" "events { worker_connections 20000; }" "stream {" \
	"    log_format tls '\$ssl_protocol \$ssl_session_reused';" "    access_log $work/access.log tls;" \
	"    server {" "        listen 127.0.0.1:$front ssl;" "        ssl_certificate $work/node.pem;" \
	"        ssl_certificate_key $work/node.key;" "        ssl_protocols TLSv1.2 TLSv1.3;" \
	"        ssl_session_cache shared:tls:1m;" "        proxy_pass 127.0.0.1:$base;" "    }" "}" >"$work/nginx.conf"
# The front sits on the generator's CPU, beside the mock it stands for.
taskset -c 0 nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
front_pid=$!
trap 'kill "$front_pid" 2>/dev/null || true' EXIT
printf '%s\n' '#!/bin/sh' '# osproxy with its upstream (and passthrough endpoint) over TLS via the front.' \
	"export OSPROXY_UPSTREAM=https://127.0.0.1:$front OSPROXY_UPSTREAM_CA_FILE=$work/ca.pem" \
	'if [ -n "${OSPROXY_PASSTHROUGH_ENDPOINT:-}" ]; then' \
	"	export OSPROXY_PASSTHROUGH_ENDPOINT=https://127.0.0.1:$front OSPROXY_PASSTHROUGH_CA_FILE=$work/ca.pem" \
	'fi' "exec $root/bin/osproxy \"\$@\"" >"$work/osproxy-tls"
chmod +x "$work/osproxy-tls"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

for run in plain tls; do
	proxy=$root/bin/osproxy
	[ "$run" = plain ] || proxy=$work/osproxy-tls
	log "running the quick profile, legs N P T, upstream over $run"
	bin/osbench run -profile quick -legs N,P,T -base-port "$base" -osproxy "$proxy" -nginx-template bench/nginx.conf.tmpl \
		-out "$out/$run" -budget 300s >"$out/$run.log" 2>&1 || log "osbench ($run) failed: see $out/$run.log"
done
kill "$front_pid" 2>/dev/null || true
python3 "$root/ci/bench-tls-compare.py" "$out" | tee "$out/compare.md"

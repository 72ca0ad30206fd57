#!/usr/bin/env bash
# The main job (`make run`): a local real OpenSearch, the shared physical index
# with the mapping the proxy needs, and osproxy in front of it in tenancy mode,
# ready for curl. Ctrl-C stops both.
#
# With SECURED=1 the node runs its security plugin (HTTPS with a generated CA,
# users; ci/opensearch.sh start secured) and osproxy reaches it as a managed
# cluster is reached: https://, the CA file, a user and a password file.
#
# Usage: [SECURED=1] ci/run.sh [OPENSEARCH_VERSION] [PROXY_PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-}
port=${2:-8080}
index=osproxy-shared
admin=() # curl options for the node's administrator
proxy_env=()
if [ -n "${SECURED:-}" ] && [ "$SECURED" != 0 ]; then
	version=secured
	dir=$(ci/opensearch.sh secured-dir)
fi

url=$(ci/opensearch.sh start "$version")
cleanup() {
	trap - INT TERM EXIT
	[ -n "${proxy_pid:-}" ] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
	ci/opensearch.sh stop "$version" >/dev/null 2>&1 || true
	echo "stopped osproxy and OpenSearch"
}
trap cleanup INT TERM EXIT
if [ "$version" = secured ]; then
	admin=(-K "$dir/admin.curlrc")
	# The proxy's user may read and write documents of osproxy-* and nothing else.
	proxy_env=(OSPROXY_UPSTREAM_CA_FILE="$dir/ca.pem" OSPROXY_UPSTREAM_USER=osproxy
		OSPROXY_UPSTREAM_PASSWORD_FILE="$dir/osproxy.password")
fi

# The operator's one-time step (spec/03-tenancy.md): the proxy never creates
# indices, and the reserved fields must be keywords for the tenant filter.
status=$(curl -s "${admin[@]}" -o /dev/null -w '%{http_code}' "$url/$index")
if [ "$status" = 404 ]; then
	curl -sf "${admin[@]}" -XPUT "$url/$index" -H 'content-type: application/json' -d '{
	  "mappings": {"properties": {"_tenant": {"type": "keyword"}, "_logical_index": {"type": "keyword"}}}
	}' >/dev/null
	echo "created the shared index $index with the reserved fields mapped as keywords"
fi

# Open dev auth and cleartext allowed: this is a laptop demo on loopback. In
# production set OSPROXY_TOKENS (or a tokens file) and serve TLS.
env "${proxy_env[@]}" OSPROXY_BIND=127.0.0.1:$port OSPROXY_UPSTREAM=$url OSPROXY_INDEX=$index \
	OSPROXY_TOKENS= OSPROXY_ALLOW_CLEARTEXT_TENANCY=true bin/osproxy &
proxy_pid=$!
for _ in $(seq 1 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done

p=http://127.0.0.1:$port
direct="curl -s '$url/$index/_doc/acme:orders:1?routing=acme&pretty'"
[ "$version" != secured ] || direct="curl -s -K $dir/admin.curlrc '$url/$index/_doc/acme:orders:1?routing=acme&pretty'"
cat <<EOT

osproxy is listening on $p in front of OpenSearch at $url. Try:

  # index a document as tenant acme
  curl -s -XPUT '$p/orders/_doc/1?refresh=true' -H 'x-tenant: acme' -H 'content-type: application/json' -d '{"item":"anvil","qty":3}'

  # search as acme: one hit, logical _index and _id
  curl -s '$p/orders/_search?pretty' -H 'x-tenant: acme'

  # search as globex: nothing
  curl -s '$p/orders/_search?pretty' -H 'x-tenant: globex'

  # read it back, then see what OpenSearch really stored
  curl -s '$p/orders/_doc/1?pretty' -H 'x-tenant: acme'
  $direct

Press Ctrl-C to stop both.
EOT
wait "$proxy_pid"

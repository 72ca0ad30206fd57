#!/usr/bin/env bash
# Enforces the dependency direction of the house style with `go list -deps`:
# the core imports only the standard library, lower rooms never import higher
# ones, and the suite and the mock never import the core they judge.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=$(go list -m)
fail=0

deps() { go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' "$@" | grep -v '^$' || true; }

# The core: standard library plus its own packages only.
bad=$(deps ./osproxy/... | grep -v "^$mod/osproxy" || true)
if [ -n "$bad" ]; then echo "arch: osproxy/ imports outside the standard library: $bad"; fail=1; fi

# Lower rooms never import higher ones.
check_room() { # room, then the packages it may not import
  local room=$1; shift
  for forbidden in "$@"; do
    if deps "./$room" | grep -qx "$mod/$forbidden"; then
      echo "arch: $room imports $forbidden"; fail=1
    fi
  done
}
check_room osproxy/jsonstream osproxy osproxy/route osproxy/tenant osproxy/query osproxy/config
check_room osproxy/route osproxy osproxy/tenant osproxy/query osproxy/jsonstream
check_room osproxy/tenant osproxy osproxy/query osproxy/route
check_room osproxy/query osproxy osproxy/tenant osproxy/route
check_room osproxy/config osproxy osproxy/tenant osproxy/query osproxy/route osproxy/jsonstream \
  osproxy/identity osproxy/clusterauth
check_room osproxy/ndjson osproxy osproxy/tenant osproxy/query osproxy/route osproxy/jsonstream osproxy/config
check_room osproxy/identity osproxy osproxy/query osproxy/route osproxy/clusterauth
check_room osproxy/clusterauth osproxy osproxy/tenant osproxy/query osproxy/route osproxy/jsonstream osproxy/identity
# The wire format, the upstream client and the server loop know nothing of tenancy.
data_rooms="osproxy osproxy/tenant osproxy/query osproxy/route osproxy/jsonstream osproxy/config osproxy/ndjson osproxy/identity"
check_room osproxy/h1 $data_rooms osproxy/upstream osproxy/server
check_room osproxy/upstream $data_rooms osproxy/server
check_room osproxy/server $data_rooms osproxy/upstream

# The oracle never shares code with what it judges.
for pkg in ./conformance/... ./mockupstream/... ./cmd/osbench/... ./internal/...; do
  [ -d "${pkg%/...}" ] || continue
  if deps "$pkg" | grep -q "^$mod/osproxy"; then
    echo "arch: $pkg imports $mod/osproxy"; fail=1
  fi
done
# conformance test files are not in `go list -deps` of the package: check them too.
if go list -test -deps -f '{{.ImportPath}}' ./conformance/... 2>/dev/null | grep -q "^$mod/osproxy"; then
  echo "arch: conformance tests import $mod/osproxy"; fail=1
fi

[ "$fail" = 0 ] && echo "arch: ok"
exit "$fail"

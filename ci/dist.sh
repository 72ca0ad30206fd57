#!/usr/bin/env bash
# Builds the release binaries: static (no cgo, no interpreter), reproducible
# (-trimpath, no build id, no VCS stamp: the same source gives the same bytes
# on any machine with the same Go), stamped with the version and commit that
# `osproxy --version` prints, and their SHA-256 sums.
#
#   ci/dist.sh [OUTDIR]          # default dist/; linux amd64 and arm64
#   ci/dist.sh verify [OUTDIR]   # build again with an empty build cache and
#                                # compare with OUTDIR/SHA256SUMS
# Environment: DIST_PLATFORMS ("linux/amd64 linux/arm64"), VERSION, COMMIT.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=build
if [ "${1:-}" = verify ]; then mode=verify; shift; fi
out=${1:-dist}
platforms=${DIST_PLATFORMS:-linux/amd64 linux/arm64}
version=${VERSION:-$(sed -n 's/^var version = "\(.*\)"$/\1/p' cmd/osproxy/main.go)}
commit=${COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
if [ -z "${COMMIT:-}" ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit="$commit-dirty"
fi

build() { # into dir
	local dir=$1
	mkdir -p "$dir"
	for p in $platforms; do
		local os=${p%/*} arch=${p#*/}
		local bin="$dir/osproxy-$version-$os-$arch"
		CGO_ENABLED=0 GOOS=$os GOARCH=$arch GOFLAGS=-buildvcs=false \
			go build -trimpath -ldflags "-s -w -buildid= -X main.version=$version -X main.commit=$commit" \
			-o "$bin" ./cmd/osproxy
		echo "dist: $bin"
	done
	(cd "$dir" && sha256sum osproxy-"$version"-* > SHA256SUMS)
}

case $mode in
build)
	rm -f "$out"/osproxy-* "$out"/SHA256SUMS
	build "$out"
	cat "$out/SHA256SUMS"
	;;
verify)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	GOCACHE="$tmp/cache" build "$tmp/out" >/dev/null
	if diff -u "$out/SHA256SUMS" "$tmp/out/SHA256SUMS"; then
		echo "dist: reproducible: a rebuild from an empty cache gives the same bytes"
	else
		echo "dist: NOT reproducible (see the diff above)" >&2
		exit 1
	fi
	;;
esac

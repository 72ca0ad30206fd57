#!/usr/bin/env bash
# ci/original.sh builds the original Rust osproxy from the Rust crate registry,
# for side-by-side runs (benchmarks, the conformance suite). Its code is never
# vendored: cargo fetches the published crate by name and version.
#
# Usage:
#   ci/original.sh path     build if needed, print the binary's path (one stdout line)
#   ci/original.sh version  print the pinned version
#
# The build is cached outside the clone in $OSPROXY_CACHE/original/<version>
# (default /var/tmp/osproxy), so CI's fresh clones reuse it. Building needs
# Debian's protobuf-compiler, installed with apt when missing. Exit status 3
# means the original cannot be built here (no registry, no compiler): callers
# that treat it as optional say so and go on.
set -euo pipefail

VERSION=${OSPROXY_ORIGINAL_VERSION:-1.0.5}
ROOT=${OSPROXY_CACHE:-/var/tmp/osproxy}/original/$VERSION
BIN=$ROOT/bin/osproxy
PATH=$PATH:$HOME/.cargo/bin:/usr/local/sbin:/usr/sbin:/sbin

log() { printf 'original.sh: %s\n' "$*" >&2; }
unavailable() { log "unavailable: $*"; exit 3; }

build() {
	[ -x "$BIN" ] && return 0
	command -v cargo >/dev/null || unavailable "cargo is not installed"
	if ! command -v protoc >/dev/null; then
		log "installing protobuf-compiler (a build dependency of osproxy-server)"
		{ apt-get install -y -q protobuf-compiler >&2 ||
			{ apt-get update -q >&2 && apt-get install -y -q protobuf-compiler >&2; }; } ||
			unavailable "protobuf-compiler could not be installed"
	fi
	mkdir -p "$ROOT"
	exec 9>"$ROOT.lock"
	flock 9
	[ -x "$BIN" ] && return 0
	log "building osproxy-server $VERSION with cargo (several minutes on two cores)"
	local start=$SECONDS
	cargo install osproxy-server --version "$VERSION" --locked --root "$ROOT" >&2 ||
		unavailable "cargo install osproxy-server $VERSION failed"
	log "built in $((SECONDS - start)) s: $BIN"
}

case ${1:-} in
path)
	build
	printf '%s\n' "$BIN"
	;;
version) printf '%s\n' "$VERSION" ;;
*)
	echo "usage: ci/original.sh path|version" >&2
	exit 2
	;;
esac

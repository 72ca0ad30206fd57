#!/usr/bin/env bash
# ci/mutation.sh checks that the conformance suite blames the right rule: for
# each deliberate defect below, it builds a broken osproxy from a temporary
# copy of this checkout (nothing broken is ever committed), runs the suite on
# the mock upstream against it, and requires that exactly the defect's rule
# fails, no other. It prints one line per defect and exits 1 if any blamed the
# wrong rules.
#
# Usage: ci/mutation.sh          (about 20 s per defect on two cores)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/osproxy-mutation.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Each defect: the rule it breaks, the file, the text replaced, the replacement.
rules=(CFG-8 CFG-18 TEN-3 SEC-1 ERR-6 ERR-1)
files=(osproxy/config/load.go cmd/osproxy/main.go osproxy/tenancy.go osproxy/errors.go osproxy/errors.go osproxy/errors.go)
olds=(
	'case "--version", "-version":'
	'"osproxy listening on %s://%s (%s)\n"'
	'case len(values) > 1 || strings.Contains(values[0], ","):'
	'h.Set("WWW-Authenticate", `Bearer realm="osproxy"`)'
	'h.Set("Allow", "GET, HEAD, POST, PUT, DELETE")'
	'`},"status":`'
)
news=(
	'case "--no-version":'
	'"osproxy listening on %s://%s [%s]\n"'
	'case false:'
	'_ = h'
	'h.Set("Allow", "GET, POST")'
	'`},"http_status":`'
)

bad=0
for i in "${!rules[@]}"; do
	rule=${rules[$i]} file=${files[$i]} old=${olds[$i]} new=${news[$i]}
	src=$work/src-$rule
	mkdir -p "$src"
	git ls-files -z | xargs -0 cp --parents -t "$src" 2>/dev/null
	python3 - "$src/$file" "$old" "$new" <<'PY' || { echo "mutation $rule: text not found in $file"; bad=1; continue; }
import sys
path, old, new = sys.argv[1:]
s = open(path).read()
if s.count(old) != 1:
    sys.exit(1)
open(path, "w").write(s.replace(old, new))
PY
	(cd "$src" && go build -o "$work/osproxy-$rule" ./cmd/osproxy) || { echo "mutation $rule: does not build"; bad=1; continue; }
	OSPROXY_CONFORMANCE_BINARY=$work/osproxy-$rule OSPROXY_CONFORMANCE_REPORT_DIR=$work/results-$rule \
		go test -count=1 -timeout 20m ./conformance/ >"$work/log-$rule" 2>&1
	failed=$(python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(open(sys.argv[1]))["rules"] if r["status"]=="failed"))' \
		"$work/results-$rule/results.json" 2>/dev/null || echo "(no results)")
	if [ "$failed" = "$rule" ]; then
		echo "mutation $rule: ok, only $rule failed"
	else
		echo "mutation $rule: WRONG, failed rules: ${failed:-none}"
		bad=1
	fi
	rm -rf "$src"
done
exit $bad

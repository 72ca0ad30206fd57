#!/usr/bin/env bash
# ci/mutation.sh checks that the conformance suite blames the right rule: for
# each deliberate defect below, it builds a broken osproxy from a temporary
# copy of this checkout (nothing broken is ever committed), runs the suite on
# the mock upstream against it, and requires that exactly the defect's rule
# fails beyond what the unbroken build fails (normally nothing; work in
# progress may leave a rule failing, and that must not hide or blame). It
# prints one line per defect and exits 1 if any blamed the wrong rules.
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

# failed_rules BINARY NAME runs the suite on the mock against BINARY and
# prints the ids of the failed rules, space-separated.
failed_rules() {
	OSPROXY_CONFORMANCE_BINARY=$1 OSPROXY_CONFORMANCE_REPORT_DIR=$work/results-$2 \
		go test -count=1 -timeout 20m ./conformance/ >"$work/log-$2" 2>&1
	python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(open(sys.argv[1]))["rules"] if r["status"]=="failed"))' \
		"$work/results-$2/results.json" 2>/dev/null || echo "(no results: see the log)"
}

go build -o "$work/osproxy-unbroken" ./cmd/osproxy || exit 2
baseline=$(failed_rules "$work/osproxy-unbroken" unbroken)
echo "unbroken build: failed rules: ${baseline:-none}"

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
	failed=$(failed_rules "$work/osproxy-$rule" "$rule")
	extra=$(python3 -c 'import sys; b=set(sys.argv[1].split()); print(" ".join(r for r in sys.argv[2].split() if r not in b))' "$baseline" "$failed")
	if [ "$extra" = "$rule" ]; then
		echo "mutation $rule: ok, only $rule failed"
	else
		echo "mutation $rule: WRONG, newly failed rules: ${extra:-none} (log kept: $work/log-$rule)"
		bad=1
		trap - EXIT
	fi
	rm -rf "$src"
done
exit $bad

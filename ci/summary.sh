#!/usr/bin/env bash
# Prints the summary of a conformance results.json and every rule that did not pass.
set -euo pipefail
file=${1:-results/results.json}
python3 - "$file" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
print(f'conformance {d["implementation"]} on {d["upstream"]}: '
      f'{s["passed"]} rules passed, {s["failed"]} failed, {s["skipped"]} skipped, {s["not_claimed"]} not claimed')
for r in d["rules"]:
    if r["status"] not in ("passed",):
        print(f'  {r["id"]:<8} {r["status"]:<11} {r.get("reason", "")}')
for k, v in sorted(d.get("measurements", {}).items()):
    print(f'  measurement {k} = {v:,.0f}')
PY

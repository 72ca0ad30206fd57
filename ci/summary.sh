#!/usr/bin/env bash
# Prints the verdict of each profile in a conformance results.json, then every
# rule that did not pass, with its reason or the first line of its failure.
set -euo pipefail
file=${1:-results/results.json}
python3 - "$file" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
print(f'conformance {d["implementation"]} on {d["upstream"]} (suite {d["suite_version"]}, spec {d["spec_version"]}): '
      f'{s["passed"]} rules passed, {s["failed"]} failed, {s["skipped"]} skipped, '
      f'{s["not_run"]} not run, {s["not_claimed"]} not claimed')
for p in d["profiles"]:
    print(f'  profile {p["name"]:<12} {p["verdict"]:<11} '
          f'{p["passed"]} passed, {p["failed"]} failed, {p["skipped"]} skipped, {p["not_run"]} not run')
for r in d["rules"]:
    if r["status"] not in ("passed", "not_claimed"):
        why = r.get("message") or r.get("reason", "")
        print(f'  {r["id"]:<8} {r["status"]:<8} {why[:160]}')
for k, v in sorted(d.get("measurements", {}).items()):
    print(f'  measurement {k} = {v:,.0f}')
PY

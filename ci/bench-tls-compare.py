"""Compares the plain and TLS runs of ci/bench-tls.sh: proxy CPU per request
of the passthrough (P) and tenancy (T) closed-loop cells, each against nginx
(N) in the same run, and upstream connections opened per request."""
import collections
import json
import statistics
import sys

out = sys.argv[1]


def cells(run):
    res = json.load(open(f"{out}/{run}/results.json"))
    by = collections.defaultdict(list)
    for c in res["cells"]:
        if c.get("mode") == "closed" and c.get("cpu_us_per_req"):
            by[(c["workload"], c["conc"], c["leg"])].append(c)
    return by


def med(cs, k):
    return statistics.median(c.get(k, 0) for c in cs)


def vs_nginx(run, key, value):
    n = run.get((key[0], key[1], "N"))
    return f"{value / med(n, 'cpu_us_per_req'):.2f}×" if n else "—"


plain, tls = cells("plain"), cells("tls")
print("| cell | leg | CPU µs/req plain | ÷ nginx | CPU µs/req TLS | ÷ nginx | TLS ÷ plain | upstream opened / requests (TLS) |")
print("|---|---|---|---|---|---|---|---|")
for key in sorted(k for k in tls if k[2] in ("P", "T") and k in plain):
    p, t = med(plain[key], "cpu_us_per_req"), med(tls[key], "cpu_us_per_req")
    opened = sum(x.get("upstream_opened", 0) for x in tls[key])
    reqs = sum(x.get("upstream_requests", 0) for x in tls[key])
    reuse = f"{opened}/{reqs}" if reqs else "—"
    print(f"| {key[0]} c={key[1]} | {key[2]} | {p:.1f} | {vs_nginx(plain, key, p)} | {t:.1f} | "
          f"{vs_nginx(tls, key, t)} | {t / p:.2f}× | {reuse} |")
lines = [l.split() for l in open(f"{out}/front/access.log") if l.strip()]
resumed = sum(1 for l in lines if len(l) > 1 and l[1] == "r")
print(f"\nTLS front: {len(lines)} upstream connections ended, {resumed} of them resumed a session; "
      f"protocols {sorted(set(l[0] for l in lines))}")

"""Drives the stock opensearch-py client, unmodified, through osproxy in tenancy mode.

Each check prints `ok - NAME` or `FAIL - NAME: WHY`; the last line is
`N passed, M failed` and the exit status is non-zero when any check failed.
The checks run in order and build on each other (index, then read, then delete).

Environment (set by ci/clients.sh):
  OSPROXY_URL             the proxy's base URL
  OSPROXY_EXPECT_VERSION  the upstream's version.number, which info() must relay
  CLIENT_INDEX            the logical index this program owns (default clients-py)
  ACME_TOKEN, GLOBEX_TOKEN  bearer tokens bound to one tenant each
"""

import os
import sys

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import AuthorizationException, NotFoundError, RequestError

URL = os.environ["OSPROXY_URL"]
EXPECT_VERSION = os.environ["OSPROXY_EXPECT_VERSION"]
INDEX = os.environ.get("CLIENT_INDEX", "clients-py")
RESERVED = ("_tenant", "_logical_index")

ACME_DOCS = {"1": {"item": "anvil", "qty": 3}, "2": {"item": "rocket", "qty": 1}}
GLOBEX_DOC = {"item": "doomsday device", "qty": 7}


def client(token, **options):
    # The token is bound to one tenant (SEC-6), so the bearer header is all a
    # client sets: headers= is the client's standard way to add one. Sniffing is
    # on, as a client of a cluster would have it: the proxy answers
    # /_nodes/_all/http with its own address (READ-39), so the sniffed pool is the
    # proxy again.
    options.setdefault("sniff_on_start", True)
    options.setdefault("sniff_on_connection_fail", True)
    options.setdefault("sniffer_timeout", 60)
    return OpenSearch(hosts=[URL], headers={"Authorization": "Bearer " + token}, **options)


ACME_TOKEN = os.environ.get("ACME_TOKEN", "tok-acme")
acme = client(ACME_TOKEN)
globex = client(os.environ.get("GLOBEX_TOKEN", "tok-globex"))


class Check(Exception):
    pass


def expect(cond, why):
    if not cond:
        raise Check(why)


def expect_equal(got, want, what):
    expect(got == want, f"{what}: got {got!r}, want {want!r}")


def expect_raises(exc_class, status, error_type, call):
    """Runs call and checks it raises exc_class with status and error.type."""
    try:
        call()
    except exc_class as e:
        expect_equal(e.status_code, status, "status_code")
        if error_type is not None:
            expect_equal(e.error, error_type, "error (error.type)")
            expect_equal(e.info["error"]["type"], error_type, "info['error']['type']")
        return
    except Exception as e:  # noqa: BLE001 - report the wrong class, not a traceback
        raise Check(f"raised {type(e).__name__}({e}), want {exc_class.__name__}") from None
    raise Check(f"raised nothing, want {exc_class.__name__}")


def check_info():
    info = acme.info()
    expect_equal(info["version"]["number"], EXPECT_VERSION, "version.number")
    expect_equal(info["version"].get("distribution"), "opensearch", "version.distribution")


def check_ping():
    expect_equal(acme.ping(), True, "ping()")


def check_index():
    for doc_id, doc in ACME_DOCS.items():
        r = acme.index(index=INDEX, id=doc_id, body=doc, refresh=True)
        expect_equal(r["result"], "created", f"acme doc {doc_id} result")
        expect_equal((r["_index"], r["_id"]), (INDEX, doc_id), f"acme doc {doc_id} _index/_id")
    r = globex.index(index=INDEX, id="1", body=GLOBEX_DOC, refresh=True)
    expect_equal(r["result"], "created", "globex doc 1 result (same id as acme's)")
    expect_equal((r["_index"], r["_id"]), (INDEX, "1"), "globex doc 1 _index/_id")


def check_get():
    r = acme.get(index=INDEX, id="1")
    expect_equal((r["_index"], r["_id"], r["found"]), (INDEX, "1", True), "acme get _index/_id/found")
    expect_equal(r["_source"], ACME_DOCS["1"], "acme get _source")
    r = globex.get(index=INDEX, id="1")
    expect_equal(r["_source"], GLOBEX_DOC, "globex get _source")


def search_hits(c, body=None):
    r = c.search(index=INDEX, body=body or {"query": {"match_all": {}}})
    for h in r["hits"]["hits"]:
        expect_equal(h["_index"], INDEX, "hit _index")
        for f in RESERVED:
            expect(f not in h["_source"], f"hit {h['_id']} _source has {f}")
    return r["hits"]["total"]["value"], {h["_id"]: h["_source"] for h in r["hits"]["hits"]}


def check_search_isolation():
    total, hits = search_hits(acme)
    expect_equal(total, 2, "acme hits.total.value")
    expect_equal(hits, ACME_DOCS, "acme hits")
    total, hits = search_hits(globex)
    expect_equal(total, 1, "globex hits.total.value")
    expect_equal(hits, {"1": GLOBEX_DOC}, "globex hits")
    # A query naming the other tenant's values still sees only its own (SRCH-11);
    # one naming a reserved field is refused (ISO-8).
    total, _ = search_hits(globex, {"query": {"match": {"item": "anvil"}}})
    expect_equal(total, 0, "globex match item=anvil hits.total.value")
    expect_raises(RequestError, 400, "unsupported_query", lambda: globex.search(index=INDEX, body={"query": {"term": {"_tenant": "acme"}}}))


def check_exists():
    expect_equal(acme.exists(index=INDEX, id="2"), True, "acme exists 2")
    expect_equal(acme.exists(index=INDEX, id="3"), False, "acme exists 3")
    expect_equal(globex.exists(index=INDEX, id="2"), False, "globex exists acme's 2")


def check_sniffing():
    # sniff_on_start already ran in the constructor; sniff again and look at the pool.
    acme.transport.sniff_hosts()
    hosts = [c.host for c in acme.transport.connection_pool.connections]
    expect_equal(hosts, [URL.rstrip("/")], "connection pool after sniffing")


def check_count():
    expect_equal(acme.count(index=INDEX)["count"], 2, "acme count")
    expect_equal(globex.count(index=INDEX)["count"], 1, "globex count")
    body = {"query": {"match": {"item": "anvil"}}}
    expect_equal(acme.count(index=INDEX, body=body)["count"], 1, "acme count with a query")
    expect_equal(acme.count(index=INDEX, q="item:rocket")["count"], 1, "acme count with q")
    expect_equal(globex.count(index=INDEX, q="item:anvil")["count"], 0, "globex count of acme's item")


def check_msearch():
    body = [{"index": INDEX}, {"query": {"match_all": {}}}, {}, {"query": {"match": {"item": "rocket"}}}]
    r = acme.msearch(body=body, index=INDEX)
    items = r["responses"]
    expect_equal([i["status"] for i in items], [200, 200], "msearch statuses")
    expect_equal(sorted(h["_id"] for h in items[0]["hits"]["hits"]), ["1", "2"], "msearch item 0 ids")
    expect_equal([h["_id"] for h in items[1]["hits"]["hits"]], ["2"], "msearch item 1 ids")
    r = globex.msearch(body=[{}, {"query": {"match_all": {}}}], index=INDEX)
    expect_equal([h["_source"] for h in r["responses"][0]["hits"]["hits"]], [GLOBEX_DOC], "globex msearch")


def check_scan():
    # helpers.scan opens a scroll, continues it page by page (size=1), then clears it.
    seen = {h["_id"]: h["_source"] for h in helpers.scan(acme, index=INDEX, query={"query": {"match_all": {}}}, size=1)}
    expect_equal(seen, ACME_DOCS, "acme scan")
    seen = {h["_id"]: h["_source"] for h in helpers.scan(globex, index=INDEX, size=1)}
    expect_equal(seen, {"1": GLOBEX_DOC}, "globex scan")


def check_point_in_time():
    pit = acme.create_pit(index=INDEX, params={"keep_alive": "1m"})["pit_id"]
    seen, after = [], None
    for _ in range(5):
        body = {"size": 1, "pit": {"id": pit, "keep_alive": "1m"}, "sort": [{"qty": "asc"}]}
        if after is not None:
            body["search_after"] = after
        r = acme.search(body=body)
        hits = r["hits"]["hits"]
        if not hits:
            break
        seen += [(h["_index"], h["_id"]) for h in hits]
        after, pit = hits[-1]["sort"], r["pit_id"]
    expect_equal(seen, [(INDEX, "2"), (INDEX, "1")], "acme point-in-time pages")
    expect_raises(RequestError, 400, "invalid_cursor", lambda: globex.search(body={"pit": {"id": pit}}))
    r = acme.delete_pit(body={"pit_id": [pit]})
    expect_equal(r["pits"], [{"successful": True, "pit_id": pit}], "delete_pit")


def check_delete_by_query():
    for c in (acme, globex):
        c.index(index=INDEX, id="tmp", body={"item": "scrap", "qty": 0}, refresh=True)
    r = acme.delete_by_query(index=INDEX, body={"query": {"match": {"item": "scrap"}}}, refresh=True)
    expect_equal(r["deleted"], 1, "acme delete_by_query deleted")
    expect_equal(globex.exists(index=INDEX, id="tmp"), True, "globex's scrap survives acme's delete_by_query")
    r = globex.delete_by_query(index=INDEX, body={}, q="item:scrap", refresh=True)
    expect_equal(r["deleted"], 1, "globex delete_by_query with q deleted")
    expect_equal(acme.count(index=INDEX)["count"], 2, "acme count after delete_by_query")


def check_delete():
    r = acme.delete(index=INDEX, id="2", refresh=True)
    expect_equal((r["result"], r["_index"], r["_id"]), ("deleted", INDEX, "2"), "delete result/_index/_id")
    expect_equal(acme.exists(index=INDEX, id="2"), False, "acme exists 2 after delete")
    total, _ = search_hits(acme)
    expect_equal(total, 1, "acme hits.total.value after delete")


def check_get_missing():
    expect_raises(NotFoundError, 404, None, lambda: acme.get(index=INDEX, id="2"))


def check_refused_query():
    body = {"size": 0, "aggs": {"everything": {"global": {}}}}
    expect_raises(RequestError, 400, "unsupported_query", lambda: acme.search(index=INDEX, body=body))


def check_foreign_tenant():
    expect_raises(
        AuthorizationException,
        403,
        "tenant_forbidden",
        lambda: acme.search(index=INDEX, body={}, headers={"x-tenant": "globex"}),
    )


def check_compressed():
    # http_compress=True gzips request bodies (SRCH-5) and asks for gzip answers.
    gz = client(ACME_TOKEN, http_compress=True)
    index = INDEX + "-gzip"
    r = gz.index(index=index, id="1", body=ACME_DOCS["1"], refresh=True)
    expect_equal((r["result"], r["_index"], r["_id"]), ("created", index, "1"), "gzip index result/_index/_id")
    r = gz.search(index=index, body={"query": {"match": {"item": "anvil"}}})
    expect_equal(r["hits"]["total"]["value"], 1, "gzip search hits.total.value")
    expect_equal(r["hits"]["hits"][0]["_source"], ACME_DOCS["1"], "gzip search _source")
    expect_equal(gz.get(index=index, id="1")["_source"], ACME_DOCS["1"], "gzip get _source")


CHECKS = [
    ("info() relays the upstream version", check_info),
    ("ping() is true", check_ping),
    ("index() with an id and refresh, two tenants, same id", check_index),
    ("get() returns the logical document", check_get),
    ("search() sees only the tenant's documents", check_search_isolation),
    ("exists() is true and false", check_exists),
    ("sniffing finds the proxy itself", check_sniffing),
    ("count() sees only the tenant's documents", check_count),
    ("msearch() answers each item in the tenant's view", check_msearch),
    ("helpers.scan() scrolls the tenant's documents and clears the scroll", check_scan),
    ("create_pit(), search with search_after, delete_pit()", check_point_in_time),
    ("delete_by_query() deletes only the tenant's documents", check_delete_by_query),
    ("delete() removes the document", check_delete),
    ("get() of a missing document raises NotFoundError", check_get_missing),
    ("a global aggregation raises RequestError unsupported_query", check_refused_query),
    ("x-tenant of another tenant raises AuthorizationException tenant_forbidden", check_foreign_tenant),
    ("http_compress=True: gzip index, search and get", check_compressed),
]


def main():
    passed = failed = 0
    for name, fn in CHECKS:
        try:
            fn()
        except Check as e:
            failed += 1
            print(f"FAIL - {name}: {e}")
        except Exception as e:  # noqa: BLE001 - a client exception is a failed check
            failed += 1
            print(f"FAIL - {name}: {type(e).__name__}: {e}")
        else:
            passed += 1
            print(f"ok - {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

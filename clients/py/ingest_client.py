"""Drives opensearch-py's ingest paths, unmodified, through osproxy in tenancy mode.

helpers.bulk and helpers.streaming_bulk write each tenant's documents; every tenant
then sees exactly its own. Output and environment as stock_client.py; the logical
index is CLIENT_INDEX (set by ci/clients.sh).
"""

import os
import sys

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import RequestError

URL = os.environ["OSPROXY_URL"]
INDEX = os.environ.get("CLIENT_INDEX", "clients-py-ingest")
N_ACME, N_GLOBEX = 1200, 150


def client(token):
    return OpenSearch(hosts=[URL], headers={"Authorization": "Bearer " + token})


acme = client(os.environ.get("ACME_TOKEN", "tok-acme"))
globex = client(os.environ.get("GLOBEX_TOKEN", "tok-globex"))
passed = failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok - {name}")
    except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
        failed += 1
        print(f"FAIL - {name}: {e!r}")


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def create_if_missing():
    if not acme.indices.exists(index=INDEX):
        r = acme.indices.create(index=INDEX, body={"settings": {"number_of_shards": 1}})
        expect(r.get("acknowledged") is True, f"create: {r}")
    expect(not acme.indices.exists(index=INDEX), "a logical index without documents does not exist yet")


def helpers_bulk():
    actions = ({"_index": INDEX, "_id": f"d{i}", "_source": {"n": i, "who": "acme"}} for i in range(N_ACME))
    ok, errors = helpers.bulk(acme, actions, chunk_size=500)
    expect((ok, errors) == (N_ACME, []), f"acme: {ok}, {errors[:3]}")
    actions = ({"_index": INDEX, "_id": f"d{i}", "_source": {"n": i, "who": "globex"}} for i in range(N_GLOBEX))
    ok, errors = helpers.bulk(globex, actions)
    expect((ok, errors) == (N_GLOBEX, []), f"globex: {ok}, {errors[:3]}")


def streaming_bulk():
    actions = [{"_op_type": "update", "_index": INDEX, "_id": f"d{i}", "doc": {"seen": True}} for i in range(0, N_ACME, 3)]
    results = list(helpers.streaming_bulk(acme, actions, chunk_size=100, raise_on_error=False))
    bad = [r for ok, r in results if not ok]
    expect(len(results) == len(actions) and not bad, f"{len(results)} results, failures {bad[:3]}")
    refused = list(helpers.streaming_bulk(acme, [{"_index": INDEX, "_id": "x", "_source": {"_tenant": "globex"}}],
                                          raise_on_error=False))
    expect(len(refused) == 1 and not refused[0][0], f"a reserved field was not refused: {refused}")
    expect(refused[0][1]["index"]["error"]["type"] == "reserved_field", f"{refused}")


def each_sees_its_own():
    acme.indices.refresh(index=INDEX)
    expect(acme.indices.exists(index=INDEX), "the logical index exists once it has documents")
    for c, n, who in ((acme, N_ACME, "acme"), (globex, N_GLOBEX, "globex")):
        r = c.search(index=INDEX, body={"size": 0, "track_total_hits": True, "aggs": {"w": {"terms": {"field": "who.keyword"}}}})
        total = r["hits"]["total"]["value"]
        buckets = [b["key"] for b in r["aggregations"]["w"]["buckets"]]
        expect(total == n and buckets == [who], f"{who}: total {total}, buckets {buckets}")
    docs = acme.mget(index=INDEX, body={"ids": ["d0", "d3", "d1199", "missing"]})["docs"]
    expect([d["found"] for d in docs] == [True, True, True, False], f"mget: {docs}")
    expect(docs[1]["_source"] == {"n": 3, "who": "acme", "seen": True}, f"mget source: {docs[1]}")
    try:
        acme.indices.create(index=INDEX)
        raise AssertionError("creating an index that has documents succeeded")
    except RequestError as e:
        expect(e.error == "resource_already_exists_exception", f"{e.error}")


def delete_logical_index():
    globex.indices.delete(index=INDEX)
    globex.indices.refresh(index=INDEX)
    expect(not globex.indices.exists(index=INDEX), "globex's documents are gone")
    r = acme.search(index=INDEX, body={"size": 0, "track_total_hits": True})
    expect(r["hits"]["total"]["value"] == N_ACME, f"acme's documents were touched: {r['hits']['total']}")


check("indices.exists then create, as ingest tools start", create_if_missing)
check("helpers.bulk writes each tenant's documents", helpers_bulk)
check("helpers.streaming_bulk updates and reports a refused item in place", streaming_bulk)
check("each tenant sees exactly its own (search, aggs, mget, create refused)", each_sees_its_own)
check("indices.delete deletes only the tenant's documents", delete_logical_index)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

// Drives the stock @opensearch-project/opensearch client, unmodified, through
// osproxy in tenancy mode.
//
// Each check prints `ok - NAME` or `FAIL - NAME: WHY`; the last line is
// `N passed, M failed` and the exit status is non-zero when any check failed.
// The checks run in order and build on each other (index, then read, then delete).
//
// Environment (set by ci/clients.sh; NODE_PATH points at the installed client):
//   OSPROXY_URL             the proxy's base URL
//   OSPROXY_EXPECT_VERSION  the upstream's version.number, which info() must relay
//   CLIENT_INDEX            the logical index this program owns (default clients-js)
//   ACME_TOKEN, GLOBEX_TOKEN  bearer tokens bound to one tenant each
'use strict';

const { inspect, isDeepStrictEqual } = require('node:util');
const { Client, errors } = require('@opensearch-project/opensearch');

const URL = process.env.OSPROXY_URL;
const EXPECT_VERSION = process.env.OSPROXY_EXPECT_VERSION;
const INDEX = process.env.CLIENT_INDEX || 'clients-js';
const RESERVED = ['_tenant', '_logical_index'];

const ACME_DOCS = { 1: { item: 'anvil', qty: 3 }, 2: { item: 'rocket', qty: 1 } };
const GLOBEX_DOC = { item: 'doomsday device', qty: 7 };

// The token is bound to one tenant (SEC-6), so the bearer header is all a
// client sets; `headers` is the client's standard option for it. Sniffing is on,
// as a client of a cluster would have it: the proxy answers /_nodes/_all/http
// with its own address (READ-39), so the sniffed pool is the proxy again.
function client(token, extra = {}) {
  return new Client({
    node: URL,
    headers: { authorization: `Bearer ${token}` },
    sniffOnStart: true,
    sniffOnConnectionFault: true,
    ...extra,
  });
}

const ACME_TOKEN = process.env.ACME_TOKEN || 'tok-acme';
const acme = client(ACME_TOKEN);
// sniffOnStart runs right after construction; its outcome is checked below.
const acmeSniffed = new Promise((resolve) => {
  acme.on('sniff', (err, result) => resolve({ err, result }));
});
const globex = client(process.env.GLOBEX_TOKEN || 'tok-globex');

// expectEqual and expect fail a check with what was got and what was wanted.
function expectEqual(got, want, what) {
  if (!isDeepStrictEqual(got, want)) {
    throw new Error(`${what}: got ${inspect(got, { depth: 5 })}, want ${inspect(want, { depth: 5 })}`);
  }
}

function expect(cond, why) {
  if (!cond) throw new Error(why);
}

// expectResponseError runs call and checks it throws errors.ResponseError with
// status and, when given, error.type in the body. The JS client has one class
// for every HTTP error and tells them apart by statusCode.
async function expectResponseError(status, errorType, call) {
  let err;
  try {
    await call();
  } catch (e) {
    err = e;
  }
  expect(err, 'threw nothing, want ResponseError');
  expect(err instanceof errors.ResponseError, `threw ${err.name}: ${err.message}, want ResponseError`);
  expectEqual(err.statusCode, status, 'statusCode');
  expectEqual(err.meta.statusCode, status, 'meta.statusCode');
  if (errorType !== undefined) {
    expectEqual(err.body.error.type, errorType, 'body.error.type');
    expect(err.message.startsWith(`${errorType}:`), `message ${JSON.stringify(err.message)}`);
  }
}

async function searchHits(c, body = { query: { match_all: {} } }) {
  const { body: r } = await c.search({ index: INDEX, body });
  const hits = {};
  for (const h of r.hits.hits) {
    expectEqual(h._index, INDEX, 'hit _index');
    for (const f of RESERVED) expect(!(f in h._source), `hit ${h._id} _source has ${f}`);
    hits[h._id] = h._source;
  }
  return [r.hits.total.value, hits];
}

const checks = [
  ['info() relays the upstream version', async () => {
    const { body } = await acme.info();
    expectEqual(body.version.number, EXPECT_VERSION, 'version.number');
    expectEqual(body.version.distribution, 'opensearch', 'version.distribution');
  }],
  ['ping() is true', async () => {
    const { body } = await acme.ping();
    expectEqual(body, true, 'ping() body');
  }],
  ['index() with an id and refresh, two tenants, same id', async () => {
    for (const [id, doc] of Object.entries(ACME_DOCS)) {
      const { body: r, statusCode } = await acme.index({ index: INDEX, id, body: doc, refresh: true });
      expectEqual(statusCode, 201, `acme doc ${id} status`);
      expectEqual([r.result, r._index, r._id], ['created', INDEX, id], `acme doc ${id}`);
    }
    const { body: r } = await globex.index({ index: INDEX, id: '1', body: GLOBEX_DOC, refresh: true });
    expectEqual([r.result, r._index, r._id], ['created', INDEX, '1'], 'globex doc 1 (same id as acme\'s)');
  }],
  ['get() returns the logical document', async () => {
    const { body: r } = await acme.get({ index: INDEX, id: '1' });
    expectEqual([r._index, r._id, r.found], [INDEX, '1', true], 'acme get _index/_id/found');
    expectEqual(r._source, ACME_DOCS[1], 'acme get _source');
    const { body: g } = await globex.get({ index: INDEX, id: '1' });
    expectEqual(g._source, GLOBEX_DOC, 'globex get _source');
  }],
  ['search() sees only the tenant\'s documents', async () => {
    let [total, hits] = await searchHits(acme);
    expectEqual(total, 2, 'acme hits.total.value');
    expectEqual(hits, ACME_DOCS, 'acme hits');
    [total, hits] = await searchHits(globex);
    expectEqual(total, 1, 'globex hits.total.value');
    expectEqual(hits, { 1: GLOBEX_DOC }, 'globex hits');
    // A query naming the other tenant's values still sees only its own (SRCH-11);
    // one naming a reserved field is refused (ISO-8).
    [total] = await searchHits(globex, { query: { match: { item: 'anvil' } } });
    expectEqual(total, 0, 'globex match item=anvil hits.total.value');
    await expectResponseError(400, 'unsupported_query',
      () => globex.search({ index: INDEX, body: { query: { term: { _tenant: 'acme' } } } }));
  }],
  ['exists() is true and false', async () => {
    expectEqual((await acme.exists({ index: INDEX, id: '2' })).body, true, 'acme exists 2');
    expectEqual((await acme.exists({ index: INDEX, id: '3' })).body, false, 'acme exists 3');
    expectEqual((await globex.exists({ index: INDEX, id: '2' })).body, false, 'globex exists acme\'s 2');
  }],
  ['sniffOnStart finds the proxy itself', async () => {
    const { err, result } = await acmeSniffed;
    expect(err == null, `sniffing failed: ${err}`);
    const hosts = result.meta.sniff.hosts.map((h) => h.url.href);
    expectEqual(hosts, [new globalThis.URL(URL).href], 'sniffed hosts');
  }],
  ['count() sees only the tenant\'s documents', async () => {
    expectEqual((await acme.count({ index: INDEX })).body.count, 2, 'acme count');
    expectEqual((await globex.count({ index: INDEX })).body.count, 1, 'globex count');
    const { body } = await acme.count({ index: INDEX, body: { query: { match: { item: 'anvil' } } } });
    expectEqual(body.count, 1, 'acme count with a query');
    expectEqual((await acme.count({ index: INDEX, q: 'item:rocket' })).body.count, 1, 'acme count with q');
  }],
  ['msearch() and helpers.msearch answer in the tenant\'s view', async () => {
    const { body } = await acme.msearch({
      index: INDEX,
      body: [{ index: INDEX }, { query: { match_all: {} } }, {}, { query: { match: { item: 'rocket' } } }],
    });
    expectEqual(body.responses.map((r) => r.status), [200, 200], 'msearch statuses');
    expectEqual(body.responses[0].hits.hits.map((h) => h._id).sort(), ['1', '2'], 'msearch item 0');
    expectEqual(body.responses[1].hits.hits.map((h) => h._id), ['2'], 'msearch item 1');
    const m = globex.helpers.msearch({ operations: 2, flushInterval: 50 });
    try {
      const r = await m.search({ index: INDEX }, { query: { match_all: {} } });
      expectEqual(r.body.hits.hits.map((h) => h._source), [GLOBEX_DOC], 'globex helpers.msearch');
    } finally {
      m.stop();
    }
  }],
  ['helpers.scrollSearch scrolls the tenant\'s documents and clears the scroll', async () => {
    const seen = {};
    const pages = [];
    for await (const result of acme.helpers.scrollSearch({ index: INDEX, size: 1, body: { query: { match_all: {} } } })) {
      pages.push(result.body.hits.hits.length);
      for (const h of result.body.hits.hits) seen[h._id] = h._source;
    }
    expectEqual(seen, ACME_DOCS, 'acme scrollSearch');
    expectEqual(pages, [1, 1], 'acme scrollSearch pages');
  }],
  ['createPit(), search with search_after, deletePit()', async () => {
    let pit = (await acme.createPit({ index: INDEX, keep_alive: '1m' })).body.pit_id;
    const seen = [];
    let after;
    for (let i = 0; i < 5; i++) {
      const body = { size: 1, pit: { id: pit, keep_alive: '1m' }, sort: [{ qty: 'asc' }] };
      if (after) body.search_after = after;
      const { body: r } = await acme.search({ body });
      if (r.hits.hits.length === 0) break;
      for (const h of r.hits.hits) seen.push([h._index, h._id]);
      after = r.hits.hits[r.hits.hits.length - 1].sort;
      pit = r.pit_id;
    }
    expectEqual(seen, [[INDEX, '2'], [INDEX, '1']], 'acme point-in-time pages');
    await expectResponseError(400, 'invalid_cursor', () => globex.search({ body: { pit: { id: pit } } }));
    const { body } = await acme.deletePit({ body: { pit_id: [pit] } });
    expectEqual(body.pits, [{ successful: true, pit_id: pit }], 'deletePit');
  }],
  ['deleteByQuery() deletes only the tenant\'s documents', async () => {
    for (const c of [acme, globex]) await c.index({ index: INDEX, id: 'tmp', body: { item: 'scrap', qty: 0 }, refresh: true });
    const { body } = await acme.deleteByQuery({ index: INDEX, body: { query: { match: { item: 'scrap' } } }, refresh: true });
    expectEqual(body.deleted, 1, 'acme deleteByQuery deleted');
    expectEqual((await globex.exists({ index: INDEX, id: 'tmp' })).body, true, 'globex scrap survives');
    const { body: g } = await globex.deleteByQuery({ index: INDEX, q: 'item:scrap', refresh: true, body: {} });
    expectEqual(g.deleted, 1, 'globex deleteByQuery with q deleted');
  }],
  ['delete() removes the document', async () => {
    const { body: r } = await acme.delete({ index: INDEX, id: '2', refresh: true });
    expectEqual([r.result, r._index, r._id], ['deleted', INDEX, '2'], 'delete result/_index/_id');
    expectEqual((await acme.exists({ index: INDEX, id: '2' })).body, false, 'acme exists 2 after delete');
    const [total] = await searchHits(acme);
    expectEqual(total, 1, 'acme hits.total.value after delete');
  }],
  ['get() of a missing document throws ResponseError 404', async () => {
    await expectResponseError(404, undefined, () => acme.get({ index: INDEX, id: '2' }));
  }],
  ['a global aggregation throws ResponseError 400 unsupported_query', async () => {
    const body = { size: 0, aggs: { everything: { global: {} } } };
    await expectResponseError(400, 'unsupported_query', () => acme.search({ index: INDEX, body }));
  }],
  ['x-tenant of another tenant throws ResponseError 403 tenant_forbidden', async () => {
    await expectResponseError(403, 'tenant_forbidden',
      () => acme.search({ index: INDEX, body: {} }, { headers: { 'x-tenant': 'globex' } }));
  }],
  ['compression: \'gzip\': gzip index, search and get', async () => {
    // gzips request bodies (SRCH-5); suggestCompression asks for gzip answers.
    const gz = client(ACME_TOKEN, { compression: 'gzip', suggestCompression: true });
    const index = `${INDEX}-gzip`;
    try {
      const { body: r } = await gz.index({ index, id: '1', body: ACME_DOCS[1], refresh: true });
      expectEqual([r.result, r._index, r._id], ['created', index, '1'], 'gzip index');
      const { body: s } = await gz.search({ index, body: { query: { match: { item: 'anvil' } } } });
      expectEqual(s.hits.total.value, 1, 'gzip search hits.total.value');
      expectEqual(s.hits.hits[0]._source, ACME_DOCS[1], 'gzip search _source');
      expectEqual((await gz.get({ index, id: '1' })).body._source, ACME_DOCS[1], 'gzip get _source');
    } finally {
      await gz.close();
    }
  }],
];

async function main() {
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of checks) {
    try {
      await fn();
      passed++;
      console.log(`ok - ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL - ${name}: ${e.name}: ${e.message}`);
    }
  }
  await Promise.all([acme.close(), globex.close()]);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main();

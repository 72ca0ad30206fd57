'use strict';
// Drives opensearch-js's bulk helper, unmodified, through osproxy in tenancy mode:
// each tenant writes its documents and then sees exactly its own. Output and
// environment as stock_client.js; the logical index is CLIENT_INDEX.
const { Client } = require('@opensearch-project/opensearch');

const URL = process.env.OSPROXY_URL;
const INDEX = process.env.CLIENT_INDEX || 'clients-js-ingest';
const client = (token) => new Client({ node: URL, headers: { authorization: 'Bearer ' + token } });
const acme = client(process.env.ACME_TOKEN || 'tok-acme');
const globex = client(process.env.GLOBEX_TOKEN || 'tok-globex');
let passed = 0;
let failed = 0;

function expect(cond, why) {
  if (!cond) throw new Error(why);
}

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}: ${e.message}`);
  }
}

function docs(n, who) {
  return Array.from({ length: n }, (_, i) => ({ id: `d${i}`, n: i, who }));
}

async function bulkHelper(c, n, who) {
  const dropped = [];
  const stats = await c.helpers.bulk({
    datasource: docs(n, who),
    onDocument: (d) => ({ index: { _index: INDEX, _id: d.id } }),
    onDrop: (d) => dropped.push(d),
    flushBytes: 20000,
    refreshOnCompletion: INDEX,
  });
  expect(stats.successful === n && stats.failed === 0 && dropped.length === 0,
    `${who}: ${JSON.stringify(stats)} ${JSON.stringify(dropped.slice(0, 2))}`);
}

async function dropsRefused() {
  const dropped = [];
  const stats = await acme.helpers.bulk({
    datasource: [{ id: 'ok1', n: 1 }, { id: 'bad', _logical_index: 'x' }, { id: 'ok2', n: 2 }],
    onDocument: (d) => ({ index: { _index: INDEX, _id: d.id } }),
    onDrop: (d) => dropped.push(d),
    refreshOnCompletion: INDEX,
  });
  expect(stats.successful === 2 && stats.failed === 1, JSON.stringify(stats));
  expect(dropped.length === 1 && dropped[0].document.id === 'bad' && dropped[0].error.type === 'reserved_field',
    JSON.stringify(dropped));
}

async function eachSeesItsOwn() {
  for (const [c, n, who] of [[acme, 1002, 'acme'], [globex, 120, 'globex']]) {
    const { body } = await c.search({ index: INDEX, body: { size: 0, track_total_hits: true,
      aggs: { w: { terms: { field: 'who.keyword' } } } } });
    const keys = body.aggregations.w.buckets.map((b) => b.key);
    expect(body.hits.total.value === n && keys.join() === who, `${who}: ${body.hits.total.value} ${keys}`);
  }
}

(async () => {
  await check('indices.exists is false before any document', async () => {
    const { body } = await acme.indices.exists({ index: INDEX });
    expect(body === false, `exists: ${body}`);
  });
  await check('helpers.bulk writes each tenant\'s documents', async () => {
    await bulkHelper(acme, 1000, 'acme');
    await bulkHelper(globex, 120, 'globex');
  });
  await check('helpers.bulk drops a refused document through onDrop, in place', dropsRefused);
  await check('each tenant sees exactly its own', eachSeesItsOwn);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();

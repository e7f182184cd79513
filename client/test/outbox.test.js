import 'fake-indexeddb/auto';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import '../herald-outbox.js';

const O = globalThis.HeraldOutbox;
let db;
let n = 0;

beforeEach(async () => {
  db = await O.openDb(`test-${++n}`);
});

/** A server stand-in that applies each Idempotency-Key once and answers from a script. */
function server(script = () => 200) {
  const calls = [];
  const applied = new Map();
  const fetch = async (url, init) => {
    const body = typeof init.body === 'string' ? init.body : init.body ? new TextDecoder().decode(init.body) : null;
    const call = { url, method: init.method, headers: init.headers, body };
    calls.push(call);
    const status = script(call, calls.length);
    if (status === 'network') throw new TypeError('Failed to fetch');
    if (status >= 200 && status < 300 && !applied.has(init.headers['idempotency-key'])) applied.set(init.headers['idempotency-key'], body);
    return new Response(JSON.stringify(status === 200 ? { results: [{ status: 'applied' }] } : { detail: `status ${status}` }),
      { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls, applied };
}

function events() {
  const seen = [];
  return { seen, emit: (type, detail) => seen.push({ type, ...detail }) };
}

test('replays in queue order with the stored body, method and headers, then empties', async () => {
  await O.enqueue(db, { method: 'post', url: '/a', body: { text: 'first' } });
  await O.enqueue(db, { method: 'PUT', url: '/b', body: 'second', headers: { 'X-Extra': '1', Authorization: 'Bearer old' } });
  await O.enqueue(db, { method: 'DELETE', url: '/c' });
  const s = server();
  const r = await O.replay(db, { fetch: s.fetch, authorize: async () => ({ authorization: 'Bearer fresh' }) });
  assert.deepEqual(s.calls.map((c) => [c.method, c.url, c.body]), [['POST', '/a', '{"text":"first"}'], ['PUT', '/b', 'second'], ['DELETE', '/c', null]]);
  assert.equal(s.calls[0].headers['content-type'], 'application/json');
  assert.equal(s.calls[1].headers['x-extra'], '1');
  assert.equal(s.calls[1].headers.authorization, 'Bearer fresh', 'the token current at replay time, not the stored one');
  assert.deepEqual(r, { sent: 3, failed: 0, remaining: 0, retry: false, skipped: false });
});

test('idempotency keys are stable across replays, so the server applies each action once', async () => {
  await O.enqueue(db, { url: '/posts', body: { text: 'hello' } });
  const s = server((call, i) => (i === 1 ? 503 : i === 2 ? 'network' : 200));
  assert.equal((await O.replay(db, { fetch: s.fetch })).retry, true);
  assert.equal((await O.replay(db, { fetch: s.fetch })).retry, true);
  assert.equal((await O.replay(db, { fetch: s.fetch })).sent, 1);
  assert.equal(new Set(s.calls.map((c) => c.headers['idempotency-key'])).size, 1);
  assert.match(s.calls[0].headers['idempotency-key'], /^"[0-9a-f-]{36}"$/);
  assert.equal(s.applied.size, 1);
});

test('a retryable failure stops the replay so nothing overtakes an earlier action', async () => {
  await O.enqueue(db, { url: '/1' });
  await O.enqueue(db, { url: '/2' });
  const s = server((call) => (call.url === '/1' ? 500 : 200));
  const r = await O.replay(db, { fetch: s.fetch });
  assert.deepEqual(s.calls.map((c) => c.url), ['/1']);
  assert.equal(r.remaining, 2);
  const [first] = await O.list(db);
  assert.equal(first.attempts, 1);
  assert.equal(first.lastStatus, 500);
});

test('responses are classified: 2xx sent, 4xx that will never succeed failed, the rest retried', () => {
  for (const s of [200, 201, 204]) assert.equal(O.classify(s), 'sent');
  for (const s of [400, 403, 404, 410, 413, 415, 422]) assert.equal(O.classify(s), 'failed', String(s));
  for (const s of [401, 408, 409, 425, 429, 500, 502, 503]) assert.equal(O.classify(s), 'retry', String(s));
});

test('a 4xx from the server surfaces as failed and is not retried forever; the queue moves on', async () => {
  await O.enqueue(db, { url: '/bad', body: { text: '' }, }, { meta: { kind: 'post' } });
  await O.enqueue(db, { url: '/good' });
  const s = server((call) => (call.url === '/bad' ? 422 : 200));
  const ev = events();
  const r = await O.replay(db, { fetch: s.fetch, emit: ev.emit });
  assert.deepEqual(r, { sent: 1, failed: 1, remaining: 0, retry: false, skipped: false });
  assert.deepEqual(ev.seen.map((e) => [e.type, e.reason, e.status]), [['failed', 'rejected', 422], ['sent', undefined, 200]]);
  assert.deepEqual(ev.seen[0].entry.meta, { kind: 'post' });
  assert.equal(ev.seen[0].body.detail, 'status 422');
});

test('conflicts in a 2xx answer are reported', async () => {
  await O.enqueue(db, { url: '/m' });
  const ev = events();
  const fetch = async () => new Response(JSON.stringify({ results: [{ id: 'p1', status: 'conflict', version: 7 }] }), { status: 200 });
  await O.replay(db, { fetch, emit: ev.emit });
  assert.deepEqual(ev.seen.map((e) => e.type), ['sent', 'conflict']);
  assert.equal(ev.seen[1].conflicts[0].version, 7);
});

test('entries older than the retention are dropped as expired', async () => {
  let clock = 1_000_000;
  const now = () => clock;
  await O.enqueue(db, { url: '/old' }, { now });
  clock += 7 * 24 * 3600 * 1000 + 1;
  await O.enqueue(db, { url: '/new' }, { now });
  const s = server();
  const ev = events();
  const r = await O.replay(db, { fetch: s.fetch, emit: ev.emit, now });
  assert.deepEqual(s.calls.map((c) => c.url), ['/new']);
  assert.equal(ev.seen[0].reason, 'expired');
  assert.equal(r.failed, 1);
  const short = await O.openDb(`short-${n}`);
  await O.enqueue(short, { url: '/x' }, { now });
  clock += 61_000;
  assert.equal((await O.replay(short, { fetch: s.fetch, now, retentionMs: 60_000 })).failed, 1, 'retention is configurable');
});

test('attempts are capped', async () => {
  await O.enqueue(db, { url: '/flaky' });
  const s = server(() => 503);
  const ev = events();
  for (let i = 0; i < 3; i++) assert.equal((await O.replay(db, { fetch: s.fetch, maxAttempts: 3 })).retry, true);
  const r = await O.replay(db, { fetch: s.fetch, maxAttempts: 3, emit: ev.emit });
  assert.equal(s.calls.length, 3);
  assert.deepEqual([r.failed, r.remaining, ev.seen[0].reason], [1, 0, 'attempts']);
});

test('concurrent replays never send one entry twice at the same time', async () => {
  for (let i = 0; i < 5; i++) await O.enqueue(db, { url: `/${i}` });
  let inFlight = 0;
  let maxInFlight = 0;
  const s = server();
  const slow = async (url, init) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return s.fetch(url, init);
  };
  const results = await Promise.all([1, 2, 3, 4].map((i) => O.replay(db, { fetch: slow, owner: `replayer-${i}` })));
  assert.equal(maxInFlight, 1);
  assert.equal(s.calls.length, 5, 'each entry sent exactly once');
  assert.equal(results.filter((r) => r.skipped).length, 3);
  assert.equal(results.reduce((a, r) => a + r.sent, 0), 5);
});

test('a lock left by a replay that died is taken over after it lapses', async () => {
  let clock = 0;
  const now = () => clock;
  await O.kvSet(db, 'replay-lock', { owner: 'dead-tab', until: 60_000 });
  await O.enqueue(db, { url: '/x' }, { now });
  const s = server();
  assert.equal((await O.replay(db, { fetch: s.fetch, now })).skipped, true);
  clock = 60_001;
  assert.equal((await O.replay(db, { fetch: s.fetch, now })).sent, 1);
});

test('a corrupt entry is skipped and reported, not a stuck queue', async () => {
  await O.enqueue(db, { url: '/before' });
  await new Promise((resolve, reject) => {
    const t = db.transaction('outbox', 'readwrite');
    t.objectStore('outbox').add({ url: 42, method: null, body: 'not a buffer' });
    t.objectStore('outbox').add({ id: 'x', url: '/no-key', method: 'POST', headers: {}, queuedAt: 1, attempts: 0 });
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
  });
  await O.enqueue(db, { url: '/after' });
  const s = server();
  const ev = events();
  const r = await O.replay(db, { fetch: s.fetch, emit: ev.emit });
  assert.deepEqual(s.calls.map((c) => c.url), ['/before', '/after']);
  assert.deepEqual(ev.seen.filter((e) => e.type === 'failed').map((e) => [e.reason, e.detail]),
    [['corrupt', 'url is missing or not http(s)'], ['corrupt', 'idempotency key is missing']]);
  assert.equal(r.remaining, 0);
});

test('the change feed is pulled into IndexedDB page by page, deletes applied, and a 410 starts over', async () => {
  const pages = {
    '': { changes: [{ id: 'a', version: 1, deleted: false, doc: { t: 'A' } }, { id: 'b', version: 2, deleted: false, doc: { t: 'B' } }], cursor: 'c2', hasMore: true },
    c2: { changes: [{ id: 'a', version: 3, deleted: true, doc: null }], cursor: 'c3', hasMore: false },
  };
  const seen = [];
  let expired = false;
  const fetch = async (url) => {
    const since = new URL(url, 'http://x').searchParams.get('since') || '';
    seen.push(since);
    if (expired && since === 'c3') return new Response('{}', { status: 410 });
    return new Response(JSON.stringify(pages[since] || { changes: [], cursor: since, hasMore: false }), { status: 200 });
  };
  const r = await O.pullFeed(db, { fetch, server: 'http://h', collection: 'posts' });
  assert.deepEqual(r, { changes: 3, cursor: 'c3' });
  assert.deepEqual((await O.feedAll(db, 'posts')).map((d) => d.id), ['b']);
  expired = true;
  await O.pullFeed(db, { fetch, server: 'http://h', collection: 'posts' });
  assert.deepEqual(seen, ['', 'c2', 'c3', '', 'c2']);
  assert.deepEqual((await O.feedAll(db, 'posts')).map((d) => d.id), ['b'], 'rebuilt from the start');
});

test('a mutation refused as forbidden (a shared document another user owns) is reported with the conflicts', async () => {
  await O.enqueue(db, { url: '/api/v1/sync/posts/mutations', body: { mutations: [] } });
  const results = [{ id: 'a', status: 'applied', version: 2 }, { id: 'b', status: 'forbidden', version: 1, doc: { t: 1 }, owner: 'ann' },
    { id: 'c', status: 'conflict', version: 4, doc: { t: 2 }, owner: 'bob' }];
  const fetch = async () => new Response(JSON.stringify({ results }), { status: 200, headers: { 'content-type': 'application/json' } });
  const e = events();
  await O.replay(db, { fetch, emit: e.emit });
  assert.deepEqual(e.seen.find((x) => x.type === 'conflict').conflicts.map((c) => [c.id, c.status, c.owner]),
    [['b', 'forbidden', 'ann'], ['c', 'conflict', 'bob']]);
});

test('one subscription body for page and worker: the stored subscribe options, the current time zone', () => {
  const stored = O.subscribeOptions({ topics: ['posts'], tags: { theme: 'dark' } }, { language: 'fr-FR', userAgent: 'UA/2' });
  assert.deepEqual(stored, { topics: ['posts'], tags: { theme: 'dark' }, locale: 'fr-FR', userAgent: 'UA/2' });
  const sub = { toJSON: () => ({ endpoint: 'https://push.test/1', keys: { p256dh: 'p', auth: 'a' } }) };
  assert.deepEqual(O.subscriptionBody(sub, stored), { subscription: { endpoint: 'https://push.test/1', keys: { p256dh: 'p', auth: 'a' } },
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, topics: ['posts'], tags: { theme: 'dark' }, locale: 'fr-FR',
    userAgent: 'UA/2' });
  assert.deepEqual(Object.keys(O.subscriptionBody(sub, O.subscribeOptions({}, {}))), ['subscription', 'timezone'],
    'absent options are left out, so the server keeps what it has');
  assert.deepEqual(O.authorization('https://h.test', 'tok', '/api/v1/x', 'https://h.test/page'), { authorization: 'Bearer tok' });
  assert.deepEqual(O.authorization('https://h.test', 'tok', 'https://h.test.evil/api', 'https://h.test/'), {}, 'never to another host');
  assert.deepEqual([...O.base64UrlToBytes('AQID_-8')], [1, 2, 3, 255, 239]);
});

test('each replay attempt is reported for this device once the server can be told, and kept until then', async () => {
  const herald = 'https://herald.example';
  await O.kvSet(db, 'config', { subscriptionId: 'sub-1' });
  await O.enqueue(db, { url: `${herald}/api/v1/sync/posts/mutations?x=1`, body: { mutations: [] } });
  let online = false;
  const s = server((call) => (!online ? 'network' : call.url.endsWith('/replays') ? 202 : 200));
  const first = await O.replay(db, { fetch: s.fetch, server: herald, now: () => Date.parse('2026-11-23T10:00:00Z') });
  assert.equal(first.retry, true);
  assert.deepEqual(s.calls.map((c) => c.url), [`${herald}/api/v1/sync/posts/mutations?x=1`], 'offline: the report waits');
  online = true;
  await O.replay(db, { fetch: s.fetch, server: herald, now: () => Date.parse('2026-11-23T10:05:00Z'),
    authorize: async () => ({ authorization: 'Bearer t' }) });
  const reports = s.calls.filter((c) => c.url.endsWith('/replays'));
  assert.equal(reports.length, 1);
  assert.equal(reports[0].url, `${herald}/api/v1/subscriptions/sub-1/replays`);
  assert.equal(reports[0].headers.authorization, 'Bearer t');
  const { replays } = JSON.parse(reports[0].body);
  assert.deepEqual(replays.map((r) => [r.attempt, r.outcome, r.status, r.method, r.path, r.at]), [
    [1, 'network-error', undefined, 'POST', '/api/v1/sync/posts/mutations', '2026-11-23T10:00:00.000Z'],
    [2, 'sent', 200, 'POST', '/api/v1/sync/posts/mutations', '2026-11-23T10:05:00.000Z']]);
  assert.equal(replays[0].mutationId, replays[1].mutationId);
  assert.deepEqual(await O.kvGet(db, 'replay-reports'), [], 'told: nothing kept');
});

test('replay reports are not sent before the browser subscribed, nor paths of other hosts; a refusal drops them', async () => {
  const herald = 'https://herald.example';
  await O.enqueue(db, { url: 'https://api.app.example/orders', body: {} });
  const s = server((call) => (call.url.endsWith('/replays') ? 422 : 200));
  await O.replay(db, { fetch: s.fetch, server: herald });
  assert.equal(s.calls.length, 1, 'no subscription id: kept, not sent');
  const [kept] = await O.kvGet(db, 'replay-reports');
  assert.equal(kept.outcome, 'sent');
  assert.equal(kept.path, undefined, 'another host: no path');
  await O.kvSet(db, 'config', { subscriptionId: 'sub-1' });
  assert.equal(await O.flushReports(db, { fetch: s.fetch, server: herald }), 0);
  assert.deepEqual(await O.kvGet(db, 'replay-reports'), [], 'a 4xx will never succeed: dropped');
});

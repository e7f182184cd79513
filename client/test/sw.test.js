// herald-sw.js in a fake service-worker global: self with registration, clients, caches and a fetch that records.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../herald-outbox.js';

const O = globalThis.HeraldOutbox;
const ORIGIN = 'https://app.test';
const VAPID = 'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U';
let loaded = 0;

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/**
 * Loads a fresh herald-sw.js into a fake worker. answer(request) → {status, body} | 'hang' | 'network'.
 * Returns {self, log (what happened, in order), requests, dispatch(type, props) → the event's waitUntil promises, db}.
 */
async function worker({ answer = () => ({ status: 200, body: {} }), windows = [], config = {}, sync = true } = {}) {
  globalThis.indexedDB = new IDBFactory();
  const db = await O.openDb();
  await O.kvSet(db, 'config', Object.assign({ server: ORIGIN }, config));
  const log = [];
  const requests = [];
  const listeners = {};
  const self = {
    HeraldOutbox: O,
    location: { origin: ORIGIN },
    addEventListener: (type, fn) => { listeners[type] = fn; },
    registration: {
      shown: [],
      async showNotification(title, options) {
        log.push('show');
        await (this.gate || tick()); // showing takes a moment: nothing else may start before it is done
        this.shown.push({ title, options });
        log.push('shown');
      },
      async getNotifications() { return []; },
      pushManager: {
        calls: [],
        async subscribe(options) {
          this.calls.push(options);
          return { toJSON: () => ({ endpoint: 'https://push.test/new', keys: { p256dh: 'p', auth: 'a' } }) };
        },
      },
    },
    clients: {
      opened: [],
      async matchAll() { return windows; },
      async openWindow(url) { log.push(`open ${url}`); this.opened.push(url); return { url }; },
    },
    caches: {
      added: [],
      async open(name) { return { add: async (url) => { self.caches.added.push([name, url]); } }; },
    },
    fetch(url, init = {}) {
      const body = init.body == null ? null : typeof init.body === 'string' ? init.body : new TextDecoder().decode(init.body);
      const request = { url, method: init.method || 'GET', headers: init.headers || {}, body: body && JSON.parse(body) };
      requests.push(request);
      log.push(`fetch ${request.method} ${url.replace(ORIGIN, '')}`);
      const a = answer(request);
      if (a === 'hang') return new Promise(() => {});
      if (a === 'network') return Promise.reject(new TypeError('Failed to fetch'));
      return Promise.resolve(new Response(a.status === 204 ? null : JSON.stringify(a.body || {}),
        { status: a.status, headers: { 'content-type': 'application/json' } }));
    },
  };
  if (sync) self.SyncManager = function SyncManager() {};
  globalThis.self = self;
  globalThis.fetch = self.fetch; // a worker's fetch is self.fetch
  await import(`../herald-sw.js?worker=${++loaded}`);
  const dispatch = (type, props) => {
    const waits = [];
    listeners[type](Object.assign({ waitUntil: (p) => waits.push(Promise.resolve(p)) }, props));
    return waits;
  };
  return { self, log, requests, dispatch, db };
}

function pushEvent(message) {
  return { data: { json: () => message } };
}

const MESSAGE = {
  web_push: 8030,
  notification: { title: 'Goal!', body: '1:0', navigate: `${ORIGIN}/?post=42`, tag: 'match',
    actions: [{ action: 'reply', title: 'Reply', navigate: `${ORIGIN}/reply` }] },
  herald: { notificationId: 'n1', receipt: 'rcpt', category: 'news', data: { x: 1 } },
};

function events(requests) {
  return requests.filter((r) => r.url === `${ORIGIN}/api/v1/events`).map((r) => r.body.type + (r.body.action ? `:${r.body.action}` : ''));
}

test('push: the notification is shown before any request, and the reports follow it', async () => {
  const w = await worker();
  let showIt;
  w.self.registration.gate = new Promise((resolve) => { showIt = resolve; });
  const waits = w.dispatch('push', pushEvent(MESSAGE));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(w.requests, [], 'no request while the notification is being shown');
  showIt();
  await Promise.all(waits);
  assert.deepEqual(w.log.slice(0, 2), ['show', 'shown'], 'nothing went to the network before the notification was up');
  assert.deepEqual(w.log.slice(2).sort(), ['fetch POST /api/v1/events', 'fetch POST /api/v1/events']);
  const { title, options } = w.self.registration.shown[0];
  assert.equal(title, 'Goal!');
  assert.equal(options.tag, 'match');
  assert.deepEqual(options.actions, [{ action: 'reply', title: 'Reply', icon: undefined }]);
  assert.deepEqual(options.data.app, { x: 1 });
  assert.deepEqual(events(w.requests).sort(), ['received', 'shown']);
  assert.equal(w.requests[0].body.receipt, 'rcpt', 'the receipt proves it, no token needed');
  assert.equal(w.requests[0].headers.authorization, undefined);
});

test('push: a network that hangs never holds the show', async () => {
  const w = await worker({ answer: () => 'hang' });
  const waits = w.dispatch('push', pushEvent(MESSAGE));
  assert.ok(waits.length >= 2, 'the show and the reports are kept alive separately');
  const shown = await Promise.race([waits[0].then(() => 'shown'), tick().then(tick).then(tick).then(() => 'still waiting')]);
  assert.equal(shown, 'shown');
  assert.equal(w.self.registration.shown.length, 1);
});

test('push: an unreadable message still shows a notification, and reports nothing', async () => {
  const w = await worker();
  await Promise.all(w.dispatch('push', { data: { json: () => { throw new SyntaxError('bad'); } } }));
  assert.equal(w.self.registration.shown[0].title, 'New notification');
  assert.deepEqual(w.requests, []);
});

function shownNotification() {
  const n = { closed: false, close() { n.closed = true; },
    data: { herald: { notificationId: 'n1', receipt: 'rcpt', navigate: `${ORIGIN}/?post=42`, actionUrls: { reply: `${ORIGIN}/reply` } } } };
  return n;
}

test('notificationclick: focuses an open window on the URL and reports clicked', async () => {
  const navigated = [];
  const win = { url: `${ORIGIN}/`, focus: async () => win, navigate: async (u) => { navigated.push(u); return win; }, postMessage() {} };
  const w = await worker({ windows: [win] });
  const notification = shownNotification();
  await Promise.all(w.dispatch('notificationclick', { notification, action: '' }));
  assert.equal(notification.closed, true);
  assert.deepEqual(navigated, [`${ORIGIN}/?post=42`]);
  assert.deepEqual(w.self.clients.opened, []);
  assert.deepEqual(events(w.requests), ['clicked']);
});

test('notificationclick on an action: opens its URL when no window is open and reports the action', async () => {
  const w = await worker();
  await Promise.all(w.dispatch('notificationclick', { notification: shownNotification(), action: 'reply' }));
  assert.deepEqual(w.self.clients.opened, [`${ORIGIN}/reply`]);
  assert.deepEqual(events(w.requests), ['action:reply']);
});

test('notificationclose reports closed; offline, the report waits in the outbox', async () => {
  const w = await worker({ answer: () => 'network' });
  await Promise.all(w.dispatch('notificationclose', { notification: shownNotification() }));
  assert.deepEqual(events(w.requests), ['closed']);
  const queued = await O.list(w.db);
  assert.equal(queued.length, 1);
  assert.deepEqual(queued[0].meta, { kind: 'event', type: 'closed' });
});

test('pushsubscriptionchange: re-subscribes with the topics, tags, locale and user agent the page subscribed with', async () => {
  const subscribeOptions = O.subscribeOptions({ topics: ['posts'], tags: { theme: 'dark' } },
    { language: 'de-DE', userAgent: 'PageBrowser/1' });
  const w = await worker({
    config: { userToken: 'tok', vapidPublicKey: VAPID, subscriptionId: 'old', subscribeOptions },
    answer: (r) => (r.method === 'POST' ? { status: 201, body: { id: 'new' } } : { status: 204 }),
  });
  await Promise.all(w.dispatch('pushsubscriptionchange', {}));
  assert.deepEqual([...w.self.registration.pushManager.calls[0].applicationServerKey], [...O.base64UrlToBytes(VAPID)]);
  assert.equal(w.self.registration.pushManager.calls[0].applicationServerKey.length, 65);
  const [post, del] = w.requests;
  assert.equal(post.url, `${ORIGIN}/api/v1/subscriptions`);
  assert.equal(post.headers.authorization, 'Bearer tok');
  assert.deepEqual(post.body, { subscription: { endpoint: 'https://push.test/new', keys: { p256dh: 'p', auth: 'a' } },
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, topics: ['posts'], tags: { theme: 'dark' }, locale: 'de-DE',
    userAgent: 'PageBrowser/1' });
  assert.deepEqual([del.method, del.url], ['DELETE', `${ORIGIN}/api/v1/subscriptions/old`]);
  assert.equal((await O.kvGet(w.db, 'config')).subscriptionId, 'new');
});

test('pushsubscriptionchange uses the browser\'s new subscription when the event carries one', async () => {
  const w = await worker({ config: { vapidPublicKey: VAPID, subscribeOptions: { tags: { theme: 'dark' } } },
    answer: () => ({ status: 201, body: { id: 's2' } }) });
  const newSubscription = { toJSON: () => ({ endpoint: 'https://push.test/given', keys: { p256dh: 'p', auth: 'a' } }) };
  await Promise.all(w.dispatch('pushsubscriptionchange', { newSubscription }));
  assert.deepEqual(w.self.registration.pushManager.calls, []);
  assert.equal(w.requests[0].body.subscription.endpoint, 'https://push.test/given');
  assert.deepEqual(w.requests[0].body.tags, { theme: 'dark' });
});

test('sync: a failed replay rejects so the browser retries, except on its last chance; then it drains', async () => {
  let status = 503;
  const w = await worker({ config: { userToken: 'tok' }, answer: () => ({ status, body: { results: [] } }) });
  await O.enqueue(w.db, { url: `${ORIGIN}/api/v1/sync/posts/mutations`, body: { mutations: [] } });

  const [retry] = w.dispatch('sync', { tag: O.SYNC_TAG, lastChance: false });
  await assert.rejects(retry, /outbox not drained/);
  const [last] = w.dispatch('sync', { tag: O.SYNC_TAG, lastChance: true });
  await last; // resolves: a rejection on the last chance would change nothing
  assert.equal((await O.list(w.db)).length, 1, 'kept for the page\'s fallback');

  status = 200;
  await Promise.all(w.dispatch('sync', { tag: O.SYNC_TAG, lastChance: false }));
  assert.deepEqual(await O.list(w.db), []);
  assert.equal(w.requests.length, 3);
  assert.equal(new Set(w.requests.map((r) => r.headers['idempotency-key'])).size, 1);
  assert.equal(w.requests[2].headers.authorization, 'Bearer tok');
  assert.deepEqual(w.dispatch('sync', { tag: 'someone-elses' }), [], 'other tags are not Herald\'s');
});

test('periodicsync pulls the configured feeds (with owners) into IndexedDB and warms the cache', async () => {
  const w = await worker({ config: { feedCollections: ['posts'], userToken: 'tok' },
    answer: () => ({ status: 200, body: { changes: [{ id: 'p1', version: 3, deleted: false, doc: { text: 'hi' }, owner: 'bob' }],
      cursor: 'c3', hasMore: false } }) });
  w.self.HeraldSW.configure({ warmUrls: ['/'] });
  await Promise.all(w.dispatch('periodicsync', { tag: O.FEED_TAG }));
  assert.equal(w.requests[0].url, `${ORIGIN}/api/v1/sync/posts/changes?limit=200`);
  assert.equal(w.requests[0].headers.authorization, 'Bearer tok');
  assert.deepEqual(await O.feedAll(w.db, 'posts'), [{ collection: 'posts', id: 'p1', version: 3, doc: { text: 'hi' }, owner: 'bob' }]);
  assert.deepEqual(w.self.caches.added, [['herald-warm', '/']]);
  assert.deepEqual(w.dispatch('periodicsync', { tag: 'other' }), []);
});

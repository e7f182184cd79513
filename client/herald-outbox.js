/*
 * Herald outbox and feed store: the IndexedDB core shared by the page SDK (herald.js) and the service worker
 * (herald-sw.js). A classic script with no import/export, so a service worker can run it through importScripts and
 * a page module can import it for its side effect; it defines globalThis.HeraldOutbox.
 *
 * The outbox holds requests a user made while offline. Each is stamped with an Idempotency-Key when queued, so
 * however often it is replayed (sync event, 'online', page load, a second tab) the server applies it once.
 * Replays run in queue order, one at a time across page and service worker (a lease in IndexedDB), stop at the
 * first failure that may succeed later (so nothing overtakes an earlier action), and drop an entry only after
 * the server answered it: 2xx (sent) or a 4xx that can never succeed (failed).
 */
(function (global) {
  'use strict';

  const DB_NAME = 'herald';
  const SYNC_TAG = 'herald-outbox'; // the Background Sync tag of the outbox replay
  const FEED_TAG = 'herald-feed'; // the Periodic Background Sync tag of the feed refresh
  const DB_VERSION = 1;
  const LOCK_KEY = 'replay-lock';
  const REPORTS_KEY = 'replay-reports'; // replay outcomes not yet told to the server
  const MAX_REPORTS = 200; // kept while the server cannot be told (oldest dropped first)
  const REPORT_BATCH = 50; // per request: the server's limit
  const REPORT_MAX_AGE_MS = 30 * 24 * 3600 * 1000; // the server refuses older reports
  const DEFAULTS = Object.freeze({
    retentionMs: 7 * 24 * 3600 * 1000, // how long an action may wait for connectivity
    maxAttempts: 10, // sends before an entry is given up
    lockMs: 60 * 1000, // a replay that died (tab closed) frees the lock after this
  });

  function request(r) {
    return new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }

  function openDb(name) {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(name || DB_NAME, DB_VERSION);
      open.onupgradeneeded = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
        if (!db.objectStoreNames.contains('feed')) db.createObjectStore('feed', { keyPath: ['collection', 'id'] });
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }

  /** Runs body(stores) in one transaction; resolves with its result once the transaction commits. */
  function run(db, names, mode, body) {
    return new Promise((resolve, reject) => {
      const t = db.transaction(names, mode);
      const stores = {};
      for (const n of [].concat(names)) stores[n] = t.objectStore(n);
      let result;
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('transaction aborted'));
      Promise.resolve()
        .then(() => body(stores))
        .then((r) => { result = r; }, (e) => { try { t.abort(); } catch (_) { /* already finished */ } reject(e); });
    });
  }

  function uuid() {
    if (global.crypto && typeof global.crypto.randomUUID === 'function') return global.crypto.randomUUID();
    const b = global.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---- shared by page and service worker: keys, tokens, the subscription body ----------------------------

  /** A base64url string (a VAPID public key) as bytes, for pushManager.subscribe. */
  function base64UrlToBytes(s) {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }

  /** The Herald server's base URL without a trailing slash (default: the given origin). */
  function serverUrl(server, origin) {
    return (server || origin).replace(/\/$/, '');
  }

  /** The user token as an Authorization header, only for requests to the Herald server (never to another host). */
  function authorization(server, token, url, base) {
    const absolute = new URL(url, base).href;
    return token && absolute.startsWith(`${server}/`) ? { authorization: `Bearer ${token}` } : {};
  }

  /**
   * What the page passed to subscribe() that the server should keep for this browser: stored (config
   * 'subscribeOptions') so that the service worker re-subscribes with the same topics, tags, locale and user agent
   * after pushsubscriptionchange.
   */
  function subscribeOptions(options, nav) {
    const o = options || {};
    const n = nav || global.navigator || {};
    return { topics: o.topics || null, tags: o.tags || null, locale: o.locale || n.language || null,
      userAgent: o.userAgent || n.userAgent || null };
  }

  /** The POST /api/v1/subscriptions body for a PushSubscription and the stored subscribe options; one for page and worker. */
  function subscriptionBody(subscription, stored) {
    const o = stored || {};
    const body = { subscription: typeof subscription.toJSON === 'function' ? subscription.toJSON() : subscription,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    for (const k of ['topics', 'tags', 'locale', 'userAgent']) if (o[k] != null) body[k] = o[k];
    return body;
  }

  /** A plain object or array: sent as JSON (everything else is sent as it is). */
  function isJsonBody(body) {
    return body != null && typeof body === 'object' && !(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body)
      && !(typeof Blob !== 'undefined' && body instanceof Blob);
  }

  async function bodyBytes(body) {
    if (body == null) return null;
    if (body instanceof ArrayBuffer) return body.slice(0);
    if (ArrayBuffer.isView(body)) return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
    if (typeof body === 'string') return new TextEncoder().encode(body).buffer;
    if (typeof Blob !== 'undefined' && body instanceof Blob) return body.arrayBuffer();
    return new TextEncoder().encode(JSON.stringify(body)).buffer; // a plain object: sent as JSON
  }

  function plainHeaders(headers) {
    const out = {};
    if (!headers) return out;
    const entries = typeof headers.forEach === 'function' && !Array.isArray(headers) && !(headers.constructor === Object)
      ? (() => { const list = []; headers.forEach((v, k) => list.push([k, v])); return list; })()
      : Array.isArray(headers) ? headers : Object.entries(headers);
    for (const [k, v] of entries) {
      const name = String(k).toLowerCase();
      if (name === 'authorization' || name === 'idempotency-key') continue; // added fresh at each replay
      out[name] = String(v);
    }
    return out;
  }

  /**
   * Stores {method, url, headers, body} with a fresh Idempotency-Key. Authorization is not stored: a replay adds
   * the token current at that time. A plain-object body is JSON.
   */
  async function enqueue(db, req, options) {
    const opts = options || {};
    const now = (opts.now || Date.now)();
    const headers = plainHeaders(req.headers);
    if (isJsonBody(req.body) && !headers['content-type']) {
      headers['content-type'] = 'application/json';
    }
    const entry = {
      id: uuid(),
      idempotencyKey: opts.idempotencyKey || `"${uuid()}"`,
      method: String(req.method || 'POST').toUpperCase(),
      url: String(req.url),
      headers,
      body: await bodyBytes(req.body),
      queuedAt: now,
      attempts: 0,
      lastStatus: null,
      lastError: null,
      meta: opts.meta === undefined ? null : opts.meta,
    };
    entry.seq = await run(db, 'outbox', 'readwrite', (s) => request(s.outbox.add(entry)));
    return entry;
  }

  function list(db) {
    return run(db, 'outbox', 'readonly', (s) => request(s.outbox.getAll()));
  }

  function remove(db, seq) {
    return run(db, 'outbox', 'readwrite', (s) => request(s.outbox.delete(seq)));
  }

  function update(db, seq, changes) {
    return run(db, 'outbox', 'readwrite', async (s) => {
      const e = await request(s.outbox.get(seq));
      if (e) await request(s.outbox.put(Object.assign(e, changes)));
    });
  }

  /** Why an entry cannot be sent as stored, or null. Corrupt entries are dropped and reported, never retried. */
  function validate(e) {
    if (!e || typeof e !== 'object') return 'not an object';
    if (typeof e.url !== 'string' || !/^https?:\/\//.test(e.url) && !e.url.startsWith('/')) return 'url is missing or not http(s)';
    if (typeof e.method !== 'string' || !/^[A-Z]+$/.test(e.method)) return 'method is missing';
    if (typeof e.idempotencyKey !== 'string' || e.idempotencyKey.length < 3) return 'idempotency key is missing';
    if (e.headers == null || typeof e.headers !== 'object') return 'headers are not an object';
    if (e.body != null && !(e.body instanceof ArrayBuffer)) return 'body is not an ArrayBuffer';
    if (typeof e.queuedAt !== 'number') return 'queuedAt is missing';
    return null;
  }

  /**
   * What a response means for the entry: 'sent' (2xx), 'retry' (408, 409 = the first attempt is still in
   * flight, 425, 429, 5xx, and 401, which a fresh token fixes), or 'failed' (any other 4xx: it will never
   * succeed, so retrying would only block the queue).
   */
  function classify(status) {
    if (status >= 200 && status < 300) return 'sent';
    if (status === 401 || status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) return 'retry';
    return 'failed';
  }

  async function acquire(db, owner, now, lockMs) {
    return run(db, 'kv', 'readwrite', async (s) => {
      const lock = await request(s.kv.get(LOCK_KEY));
      if (lock && lock.owner !== owner && lock.until > now) return false;
      await request(s.kv.put({ owner, until: now + lockMs }, LOCK_KEY));
      return true;
    });
  }

  async function release(db, owner) {
    return run(db, 'kv', 'readwrite', async (s) => {
      const lock = await request(s.kv.get(LOCK_KEY));
      if (lock && lock.owner === owner) await request(s.kv.delete(LOCK_KEY));
    });
  }

  async function readBody(response) {
    try {
      const text = await response.text();
      if (!text) return null;
      try { return JSON.parse(text); } catch (_) { return text; }
    } catch (_) {
      return null;
    }
  }

  /**
   * What an answer means for an action: {kind ('sent' | 'retry' | 'failed', see classify), status, body (parsed
   * JSON when it is JSON), conflicts (sync mutations the server refused, in a 2xx answer: status 'conflict', or
   * 'forbidden' for a shared document another user owns; each with the server's version, doc and owner)}.
   */
  async function settle(response) {
    const kind = classify(response.status);
    const body = await readBody(response);
    // forbidden: a shared document another user owns; like a conflict, the answer carries the server's document.
    const conflicts = kind === 'sent' && body && Array.isArray(body.results)
      ? body.results.filter((r) => r && (r.status === 'conflict' || r.status === 'forbidden')) : [];
    return { kind, status: response.status, body, conflicts };
  }

  /** What one attempt came to, as POST /api/v1/subscriptions/{id}/replays takes it. */
  function replayReport(e, attempt, outcome, status, server, at) {
    const r = { mutationId: String(e && e.id || 'unknown').replace(/[^A-Za-z0-9_.:-]/g, '').slice(0, 64) || 'unknown',
      attempt: Math.max(0, Math.min(1000, attempt | 0)), outcome, at: new Date(at).toISOString() };
    if (status) r.status = status;
    if (e && typeof e.method === 'string' && /^[A-Z]{1,10}$/.test(e.method)) r.method = e.method;
    try {
      // Only the path of requests to the Herald server; where else the app sends its actions is not Herald's business.
      const url = new URL(e.url, server ? `${server}/` : undefined);
      if (server && url.href.startsWith(`${server}/`)) r.path = url.pathname.slice(0, 512);
    } catch (_) { /* no path */ }
    return r;
  }

  function reportKey(r) {
    return `${r.mutationId} ${r.attempt} ${r.outcome}`;
  }

  /** Keeps replay outcomes for the server (bounded; the oldest go first). */
  async function keepReports(db, reports) {
    if (!reports.length) return;
    await run(db, 'kv', 'readwrite', async (s) => {
      const pending = ((await request(s.kv.get(REPORTS_KEY))) || []).concat(reports);
      await request(s.kv.put(pending.slice(-MAX_REPORTS), REPORTS_KEY));
    });
  }

  /**
   * Tells the server what the replays came to, for this device's timeline in the console: POSTs the kept reports
   * to /api/v1/subscriptions/{subscriptionId}/replays (the id the page stored when it subscribed). Reports stay
   * until the server answered (a repeat is ignored there); an answer that will never succeed drops them. Never
   * throws. options: fetch, server, authorize(url), now(). Resolves how many were told.
   */
  async function flushReports(db, options) {
    const o = options || {};
    const now = (o.now || Date.now)();
    let told = 0;
    try {
      const cfg = (await kvGet(db, 'config')) || {};
      if (!cfg.subscriptionId || !o.server || !o.fetch) return 0;
      const url = `${o.server}/api/v1/subscriptions/${encodeURIComponent(cfg.subscriptionId)}/replays`;
      for (;;) {
        const pending = ((await kvGet(db, REPORTS_KEY)) || [])
          .filter((r) => r && now - Date.parse(r.at) < REPORT_MAX_AGE_MS - 3600 * 1000);
        if (!pending.length) break;
        const batch = pending.slice(0, REPORT_BATCH);
        const headers = Object.assign({ 'content-type': 'application/json' }, (o.authorize && (await o.authorize(url))) || {});
        const response = await o.fetch(url, { method: 'POST', headers, body: JSON.stringify({ replays: batch }) });
        await readBody(response);
        if (classify(response.status) === 'retry') break;
        const done = new Set(batch.map(reportKey));
        await run(db, 'kv', 'readwrite', async (s) => {
          const left = ((await request(s.kv.get(REPORTS_KEY))) || [])
            .filter((r) => r && !done.has(reportKey(r)) && now - Date.parse(r.at) < REPORT_MAX_AGE_MS - 3600 * 1000);
          await request(s.kv.put(left, REPORTS_KEY));
        });
        if (response.ok) told += batch.length;
      }
    } catch (_) { /* offline or storage trouble: the reports wait for the next replay */ }
    return told;
  }

  function summary(e) {
    return { id: e && e.id, seq: e && e.seq, method: e && e.method, url: e && e.url, meta: e ? e.meta : null,
      attempts: e && e.attempts, queuedAt: e && e.queuedAt };
  }

  /**
   * Replays the outbox once. options: fetch, authorize(url) → headers to add, emit(type, detail), now(),
   * owner (lock holder id), retentionMs, maxAttempts, lockMs, server (Herald's URL: each attempt's outcome is
   * reported there for this device, see flushReports). Resolves {sent, failed, remaining, retry, skipped}:
   * retry = something is left that may succeed later; skipped = another replay holds the lock.
   */
  async function replay(db, options) {
    const o = Object.assign({}, DEFAULTS, options);
    const now = o.now || Date.now;
    const emit = o.emit || (() => {});
    const owner = o.owner || uuid();
    const result = { sent: 0, failed: 0, remaining: 0, retry: false, skipped: false };
    const reports = [];
    let offline = false;
    const outcome = (e, attempt, what, status) => reports.push(replayReport(e, attempt, what, status, o.server, now()));
    if (!(await acquire(db, owner, now(), o.lockMs))) {
      result.skipped = true;
      result.remaining = (await list(db)).length;
      return result;
    }
    try {
      for (const e of await list(db)) {
        const problem = validate(e);
        const drop = problem ? { reason: 'corrupt', detail: problem }
          : now() - e.queuedAt > o.retentionMs ? { reason: 'expired', detail: 'queued longer than the retention' }
          : e.attempts >= o.maxAttempts ? { reason: 'attempts', detail: `gave up after ${e.attempts} attempts` }
          : null;
        if (drop) {
          outcome(e, e && e.attempts, { corrupt: 'corrupt', expired: 'expired', attempts: 'gave-up' }[drop.reason]);
          await remove(db, e.seq);
          result.failed++;
          emit('failed', Object.assign({ entry: summary(e) }, drop));
          continue;
        }
        // Counted before sending, so a replay cut off mid-request still moves towards the cap.
        await update(db, e.seq, { attempts: e.attempts + 1 });
        const headers = Object.assign({}, e.headers, (o.authorize && (await o.authorize(e.url))) || {},
          { 'idempotency-key': e.idempotencyKey });
        let response;
        try {
          response = await o.fetch(e.url, { method: e.method, headers, body: e.body == null ? undefined : e.body });
        } catch (err) {
          outcome(e, e.attempts + 1, 'network-error');
          offline = true;
          await update(db, e.seq, { lastError: String(err && err.message || err) });
          result.retry = true;
          break;
        }
        const { kind, status, body, conflicts } = await settle(response);
        outcome(e, e.attempts + 1, kind === 'retry' ? 'retry' : kind === 'failed' ? 'rejected' : conflicts.length ? 'conflict' : 'sent',
          status);
        if (kind === 'retry') {
          await update(db, e.seq, { lastStatus: status, lastError: body && body.detail || null });
          result.retry = true;
          break;
        }
        await remove(db, e.seq);
        if (kind === 'sent') {
          result.sent++;
          emit('sent', { entry: summary(e), status, body });
          if (conflicts.length) emit('conflict', { entry: summary(e), conflicts });
        } else {
          result.failed++;
          emit('failed', { entry: summary(e), reason: 'rejected', status, body });
        }
      }
    } finally {
      await release(db, owner);
      await keepReports(db, reports).catch(() => null);
    }
    result.remaining = (await list(db)).length;
    // After a network error the server is out of reach: the reports wait for the next replay.
    if (o.server && !offline) await flushReports(db, { fetch: o.fetch, server: o.server, authorize: o.authorize, now });
    return result;
  }

  // ---- key/value and the change-feed store ----------------------------------------------------------

  function kvGet(db, key) {
    return run(db, 'kv', 'readonly', (s) => request(s.kv.get(key)));
  }

  function kvSet(db, key, value) {
    return run(db, 'kv', 'readwrite', (s) => request(value === undefined ? s.kv.delete(key) : s.kv.put(value, key)));
  }

  function feedAll(db, collection) {
    return run(db, 'feed', 'readonly', (s) => request(s.feed.getAll(IDBKeyRange.bound([collection, ''], [collection, '\uffff']))));
  }

  /**
   * Pulls a collection's change feed into IndexedDB from the stored cursor. A 410 (cursor older than the
   * server's tombstone horizon) drops the local copy and starts over. Resolves {changes, cursor}.
   */
  async function pullFeed(db, options) {
    const { fetch, server, collection, authorize } = options;
    const cursorKey = `cursor:${collection}`;
    let cursor = (await kvGet(db, cursorKey)) || '';
    let changes = 0;
    for (let page = 0; page < 100; page++) {
      const url = `${server}/api/v1/sync/${encodeURIComponent(collection)}/changes?limit=200${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`;
      const response = await fetch(url, { headers: Object.assign({ accept: 'application/json' }, (authorize && (await authorize(url))) || {}) });
      if (response.status === 410) {
        if (!cursor) throw new Error('change feed answered 410 without a cursor');
        await run(db, ['feed', 'kv'], 'readwrite', async (s) => {
          await request(s.feed.delete(IDBKeyRange.bound([collection, ''], [collection, '\uffff'])));
          await request(s.kv.delete(cursorKey));
        });
        cursor = '';
        continue;
      }
      if (!response.ok) throw new Error(`change feed answered ${response.status}`);
      const body = await response.json();
      await run(db, ['feed', 'kv'], 'readwrite', async (s) => {
        for (const c of body.changes) {
          if (c.deleted) await request(s.feed.delete([collection, c.id]));
          else await request(s.feed.put({ collection, id: c.id, version: c.version, doc: c.doc, owner: c.owner || null }));
        }
        await request(s.kv.put(body.cursor, cursorKey));
      });
      changes += body.changes.length;
      cursor = body.cursor;
      if (!body.hasMore) break;
    }
    return { changes, cursor };
  }

  global.HeraldOutbox = Object.freeze({
    DEFAULTS, SYNC_TAG, FEED_TAG, openDb, enqueue, list, remove, replay, classify, settle, readBody, isJsonBody, validate,
    kvGet, kvSet, feedAll, pullFeed, flushReports, uuid, base64UrlToBytes, serverUrl, authorization, subscribeOptions, subscriptionBody,
  });
})(typeof globalThis !== 'undefined' ? globalThis : self);

/**
 * Herald for the page: push subscription, preferences, an offline outbox and the change feed.
 *
 *     import { Herald } from '/sdk/herald.js';
 *     const herald = await Herald.init({ userToken, serviceWorker: '/sw.js' });
 *     button.onclick = () => herald.subscribe({ topics: ['posts'] });   // asks permission only from a click
 *     await herald.outbox.send({ method: 'POST', url: '/api/v1/sync/posts/mutations', body: {...} });
 *
 * Events (addEventListener): queued, sent, failed, conflict, subscription-changed, feed-updated, push, replayed.
 * @module herald
 */
import './herald-outbox.js';

const O = globalThis.HeraldOutbox;

/**
 * @typedef {{server?: string, userToken?: string, serviceWorker?: string | ServiceWorkerRegistration,
 *   feedCollections?: string[], retentionMs?: number, maxAttempts?: number, warmUrls?: string[]}} InitOptions
 * @typedef {{method?: string, url: string, headers?: Record<string, string>, body?: any, meta?: any}} OutboxRequest
 * @typedef {{status: 'sent', response: Response, body: any} | {status: 'queued', entry: object} |
 *   {status: 'failed', response: Response, body: any}} SendResult
 */

/** An error carrying the server's problem+json. */
export class HeraldError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem && problem.code;
  }
}

export class Herald extends EventTarget {
  /** @param {InitOptions} options */
  static async init(options = {}) {
    const herald = new Herald(options);
    await herald.#start();
    return herald;
  }

  #server;
  #token;
  #options;
  #db;
  #registration = null;
  #config = null;
  #replaying = null;

  constructor(options) {
    super();
    this.#options = options;
    this.#server = O.serverUrl(options.server, location.origin);
    this.#token = options.userToken || null;
    /** The outbox: actions that must reach the server exactly once, even when made offline. */
    this.outbox = {
      /** @param {OutboxRequest} request @returns {Promise<SendResult>} */
      send: (request) => this.#send(request),
      list: async () => (await O.list(this.#db)).map((e) => ({ id: e.id, seq: e.seq, method: e.method, url: e.url, meta: e.meta,
        queuedAt: e.queuedAt, attempts: e.attempts, lastStatus: e.lastStatus })),
      replay: () => this.#replay(),
    };
    this.preferences = {
      get: () => this.#api('GET', '/api/v1/me/preferences'),
      /** Changes the members given; the others are kept. */
      set: (changes) => this.#api('PUT', '/api/v1/me/preferences', changes),
    };
    this.feed = {
      /** Pulls a collection's changes into IndexedDB. */
      pull: async (collection) => {
        const r = await O.pullFeed(this.#db, { fetch: (u, i) => fetch(u, i), server: this.#server, collection,
          authorize: async (url) => this.#auth(url) });
        this.#emit('feed-updated', { collection, changes: r.changes });
        return r;
      },
      /** The collection's documents as stored locally. */
      all: async (collection) => (await O.feedAll(this.#db, collection))
        .map((r) => ({ id: r.id, version: r.version, doc: r.doc, owner: r.owner || null })),
    };
  }

  async #start() {
    this.#db = await O.openDb();
    await this.#saveConfig({});
    if ('serviceWorker' in navigator && this.#options.serviceWorker !== false) {
      const sw = this.#options.serviceWorker || '/sw.js';
      this.#registration = typeof sw === 'string' ? await navigator.serviceWorker.register(sw) : sw;
      navigator.serviceWorker.addEventListener('message', (event) => {
        const m = event.data;
        if (m && typeof m.herald === 'string') this.#emit(m.herald, m.detail);
      });
    }
    // Without SyncManager (Firefox, Safari) the page replays: now, when the network returns, when shown again.
    if (!this.isSupported().sync) {
      addEventListener('online', () => this.#replay());
      document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') this.#replay(); });
      this.#replay();
    }
  }

  /** The browser's capabilities, and the notification permission ('default', 'granted', 'denied'). */
  isSupported() {
    const sw = 'serviceWorker' in navigator;
    return {
      serviceWorker: sw,
      push: sw && 'PushManager' in globalThis,
      notifications: 'Notification' in globalThis,
      permission: 'Notification' in globalThis ? Notification.permission : 'unsupported',
      sync: sw && 'SyncManager' in globalThis,
      periodicSync: sw && 'PeriodicSyncManager' in globalThis,
      indexedDB: 'indexedDB' in globalThis,
    };
  }

  /** Uses a new user token (after sign-in or refresh); the service worker gets it too. */
  async setUserToken(token) {
    this.#token = token;
    await this.#saveConfig({});
  }

  /** The server's public config: VAPID key, categories, features. */
  async config() {
    if (!this.#config) this.#config = await this.#api('GET', '/api/v1/config');
    return this.#config;
  }

  /**
   * Subscribes this browser to push. Asks for notification permission, so call it from a user gesture (a click);
   * without one, and with permission not yet given, it refuses rather than prompting on load.
   * The topics and tags are stored for the service worker, which re-subscribes with them after pushsubscriptionchange.
   * @param {{topics?: string[], tags?: Record<string,string>}} [options]
   */
  async subscribe(options = {}) {
    const support = this.isSupported();
    if (!support.push || !support.notifications) throw new Error('push is not supported in this browser');
    if (Notification.permission === 'default') {
      if (navigator.userActivation && !navigator.userActivation.isActive) {
        throw new Error('subscribe() asks for notification permission: call it from a click or another user gesture');
      }
      await Notification.requestPermission();
    }
    if (Notification.permission !== 'granted') throw new Error(`notification permission is ${Notification.permission}`);
    const { vapidPublicKey } = await this.config();
    const registration = await this.#ready();
    let subscription = await registration.pushManager.getSubscription();
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true,
        applicationServerKey: O.base64UrlToBytes(vapidPublicKey) });
    }
    const stored = O.subscribeOptions(options);
    const saved = await this.#api('POST', '/api/v1/subscriptions', O.subscriptionBody(subscription, stored));
    await this.#saveConfig({ subscriptionId: saved.id, subscribeOptions: stored, vapidPublicKey });
    this.#emit('subscription-changed', { subscribed: true, subscriptionId: saved.id });
    return saved;
  }

  /** Unsubscribes this browser, on the server and in the push service. */
  async unsubscribe() {
    const registration = await this.#ready();
    const subscription = await registration.pushManager.getSubscription();
    const cfg = (await O.kvGet(this.#db, 'config')) || {};
    if (cfg.subscriptionId) {
      await this.#api('DELETE', `/api/v1/subscriptions/${cfg.subscriptionId}`).catch((e) => { if (e.status !== 404) throw e; });
    }
    if (subscription) await subscription.unsubscribe();
    await this.#saveConfig({ subscriptionId: null });
    this.#emit('subscription-changed', { subscribed: false });
  }

  /**
   * For an in-app list of the notifications shown (registration.getNotifications()): a click there is handled
   * and reported like a click on the system notification (closes it, reports clicked or action, opens its URL).
   */
  async notificationClicked(notificationId, action) {
    const registration = await this.#ready();
    registration.active.postMessage({ herald: 'notification-clicked', notificationId, action: action || '' });
  }

  /** Whether this browser has a push subscription. */
  async subscribed() {
    if (!this.isSupported().push) return false;
    const registration = await this.#ready();
    return !!(await registration.pushManager.getSubscription());
  }

  /**
   * Keeps a collection's feed fresh in the background: registers periodic background sync when the browser
   * supports it and the 'periodic-background-sync' permission is granted; otherwise refreshes on open and when the
   * page becomes visible. Resolves {mode: 'periodic-sync' | 'on-open', permission}.
   */
  async enableFeedRefresh({ collections = ['posts'], minInterval = 12 * 3600 * 1000 } = {}) {
    await this.#saveConfig({ feedCollections: collections });
    let permission = 'unsupported';
    if (this.isSupported().periodicSync) {
      try {
        permission = (await navigator.permissions.query({ name: 'periodic-background-sync' })).state;
      } catch (_) { permission = 'unsupported'; }
      if (permission === 'granted') {
        const registration = await this.#ready();
        await registration.periodicSync.register(O.FEED_TAG, { minInterval });
        return { mode: 'periodic-sync', permission };
      }
    }
    const refresh = () => Promise.all(collections.map((c) => this.feed.pull(c))).catch(() => null);
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') refresh(); });
    await refresh();
    return { mode: 'on-open', permission };
  }

  /** Stops background feed refresh. */
  async disableFeedRefresh() {
    if (this.isSupported().periodicSync) await (await this.#ready()).periodicSync.unregister(O.FEED_TAG);
  }

  // ---- internals ---------------------------------------------------------------------------------------

  async #ready() {
    return this.#registration ? navigator.serviceWorker.ready : Promise.reject(new Error('no service worker'));
  }

  async #saveConfig(changes) {
    const cfg = (await O.kvGet(this.#db, 'config')) || {};
    Object.assign(cfg, { server: this.#server, userToken: this.#token, retentionMs: this.#options.retentionMs,
      maxAttempts: this.#options.maxAttempts, warmUrls: this.#options.warmUrls }, changes);
    await O.kvSet(this.#db, 'config', cfg);
  }

  #auth(url) {
    return O.authorization(this.#server, this.#token, url, location.href);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  async #api(method, path, body) {
    const url = this.#server + path;
    const headers = Object.assign({ accept: 'application/json' }, this.#auth(url));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const payload = await O.readBody(r);
    if (!r.ok) throw new HeraldError(r.status, payload);
    return payload;
  }

  /** Network first; on a network error, offline, or an answer worth retrying, into the outbox. */
  async #send(request) {
    const url = new URL(request.url, location.href).href;
    const pending = await O.list(this.#db);
    // The key goes with the entry if this attempt ends in the outbox: an answer lost on the way back cannot
    // make the action happen twice.
    const key = `"${O.uuid()}"`;
    if (navigator.onLine && pending.length === 0) {
      const isJson = O.isJsonBody(request.body);
      const headers = Object.assign({}, isJson ? { 'content-type': 'application/json' } : {}, request.headers || {},
        this.#auth(url), { 'idempotency-key': key });
      try {
        const response = await fetch(url, { method: request.method || 'POST', headers,
          body: isJson ? JSON.stringify(request.body) : request.body });
        const { kind, status, body, conflicts } = await O.settle(response);
        const sent = { url, meta: request.meta };
        if (kind === 'sent') {
          this.#emit('sent', { request: sent, status, body });
          if (conflicts.length) this.#emit('conflict', { request: sent, conflicts });
          return { status: 'sent', response, body };
        }
        if (kind === 'failed') {
          this.#emit('failed', { request: sent, reason: 'rejected', status, body });
          return { status: 'failed', response, body };
        }
      } catch (_) { /* the network failed: queue it */ }
    }
    const entry = await O.enqueue(this.#db, Object.assign({}, request, { url }), { meta: request.meta, idempotencyKey: key });
    this.#emit('queued', { entry: { id: entry.id, seq: entry.seq, url, meta: entry.meta } });
    await this.#scheduleReplay();
    return { status: 'queued', entry: { id: entry.id, seq: entry.seq, meta: entry.meta } };
  }

  async #scheduleReplay() {
    if (this.isSupported().sync) {
      try {
        await (await this.#ready()).sync.register(O.SYNC_TAG);
        return;
      } catch (_) { /* sync refused (permission): fall back */ }
    }
    if (navigator.onLine) this.#replay();
  }

  /** One replay at a time in this page; the IndexedDB lock keeps other tabs and the service worker out. */
  #replay() {
    if (!this.#replaying) {
      this.#replaying = O.replay(this.#db, {
        fetch: (u, i) => fetch(u, i), authorize: async (url) => this.#auth(url), owner: `page-${O.uuid()}`, server: this.#server,
        emit: (type, detail) => this.#emit(type, detail),
        retentionMs: this.#options.retentionMs || O.DEFAULTS.retentionMs,
        maxAttempts: this.#options.maxAttempts || O.DEFAULTS.maxAttempts,
      }).then((r) => { this.#emit('replayed', r); return r; }).finally(() => { this.#replaying = null; });
    }
    return this.#replaying;
  }
}

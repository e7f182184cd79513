/*
 * Herald for the service worker. Add one line to your own service worker:
 *
 *     importScripts('/sdk/herald-sw.js');
 *
 * The server serves this file with herald-outbox.js in front of it, so that one import brings everything. A
 * classic script rather than a module: importScripts works in every browser's service worker, module service
 * workers do not (Firefox ESR). Handles push, notificationclick/close, pushsubscriptionchange, sync, periodicsync
 * and the outbox fallback at service-worker start. The page (herald.js) stores the server URL and user token in
 * IndexedDB for it. Optional: self.HeraldSW.configure({warmUrls, warmCache, feedCollections}).
 */
(function (sw) {
  'use strict';
  const O = sw.HeraldOutbox;
  const { SYNC_TAG, FEED_TAG } = O;
  const options = { warmUrls: [], warmCache: 'herald-warm', feedCollections: null };
  let dbPromise = null;

  function db() {
    if (!dbPromise) dbPromise = O.openDb();
    return dbPromise;
  }

  async function config() {
    return (await O.kvGet(await db(), 'config')) || {};
  }

  function serverOf(cfg) {
    return O.serverUrl(cfg.server, sw.location.origin);
  }

  /** The user token, only for requests to the Herald server. */
  async function authorize(url) {
    const cfg = await config();
    return O.authorization(serverOf(cfg), cfg.userToken, url, sw.location.origin);
  }

  /** Through self, so that it is the worker's fetch (and a test's stand-in). */
  function send(url, init) {
    return sw.fetch(url, init);
  }

  async function broadcast(type, detail) {
    const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const w of windows) w.postMessage({ herald: type, detail });
  }

  async function replayNow(lastChance) {
    const result = await O.replay(await db(), {
      fetch: send, authorize, owner: `sw-${O.uuid()}`, server: serverOf(await config()),
      emit: (type, detail) => broadcast(type, detail),
      retentionMs: (await config()).retentionMs || O.DEFAULTS.retentionMs,
      maxAttempts: (await config()).maxAttempts || O.DEFAULTS.maxAttempts,
    });
    await broadcast('replayed', Object.assign({ lastChance: !!lastChance }, result));
    return result;
  }

  // ---- events reported to the server -----------------------------------------------------------------

  /** Reports an engagement event; when offline it goes through the outbox, so it is not lost. */
  async function report(meta, type, action) {
    if (!meta || !meta.notificationId) return;
    const cfg = await config();
    const body = { notificationId: meta.notificationId, type, at: new Date().toISOString() };
    if (action) body.action = action;
    if (meta.receipt) body.receipt = meta.receipt;
    const url = `${serverOf(cfg)}/api/v1/events`;
    const headers = Object.assign({ 'content-type': 'application/json' }, meta.receipt ? {} : await authorize(url));
    try {
      const r = await send(url, { method: 'POST', headers, body: JSON.stringify(body) });
      if (O.classify(r.status) !== 'retry') return;
    } catch (_) { /* offline: queue it below */ }
    await O.enqueue(await db(), { method: 'POST', url, body }, { meta: { kind: 'event', type } });
  }

  // ---- push ------------------------------------------------------------------------------------------

  function parse(event) {
    if (!event.data) return null;
    try { return event.data.json(); } catch (_) { return null; }
  }

  /**
   * Shows the push's notification at once, with nothing before it: no network, no IndexedDB (Safari has revoked
   * subscriptions whose push handler went to the network before showing). Resolves the shown notification's meta,
   * or null when the message could not be read.
   */
  async function show(event) {
    const message = parse(event);
    const n = message && message.notification;
    if (!n || typeof n.title !== 'string') {
      // A push must show something (userVisibleOnly); say what arrived rather than nothing.
      await sw.registration.showNotification('New notification', { body: 'The message could not be read.' });
      return null;
    }
    const h = message.herald || {};
    const actionUrls = {};
    for (const a of n.actions || []) if (a.navigate) actionUrls[a.action] = a.navigate;
    const meta = { notificationId: h.notificationId, receipt: h.receipt, category: h.category, navigate: n.navigate, actionUrls };
    await sw.registration.showNotification(n.title, {
      body: n.body, icon: n.icon, badge: n.badge, image: n.image, tag: n.tag, lang: n.lang, dir: n.dir,
      silent: n.silent, requireInteraction: n.require_interaction, renotify: n.renotify,
      actions: (n.actions || []).map((a) => ({ action: a.action, title: a.title, icon: a.icon })),
      data: { herald: meta, app: h.data === undefined ? null : h.data },
    });
    return { meta, title: n.title };
  }

  /** After the notification is shown: report received and shown, tell the pages. */
  async function afterShown(shown) {
    if (!shown) return;
    await Promise.all([report(shown.meta, 'received'), report(shown.meta, 'shown'),
      broadcast('push', { notificationId: shown.meta.notificationId, title: shown.title })]);
  }

  function onPush(event) {
    const shown = show(event);
    event.waitUntil(shown);
    // Kept alive separately, so a slow or hanging network never holds the show (which has already happened).
    event.waitUntil(shown.then(afterShown, () => null));
  }

  function onClick(event) {
    return clicked(event.notification, event.action);
  }

  /** A click on the notification or one of its actions: report it, then focus the app or open the URL. */
  async function clicked(notification, action) {
    const meta = (notification.data && notification.data.herald) || {};
    notification.close();
    const target = new URL((action && meta.actionUrls && meta.actionUrls[action]) || meta.navigate || '/',
      sw.location.origin).href;
    const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const same = windows.find((w) => w.url === target) || windows.find((w) => new URL(w.url).origin === new URL(target).origin);
    const opening = same
      ? same.focus().then((w) => (w && w.url !== target && 'navigate' in w ? w.navigate(target) : w))
      : sw.clients.openWindow(target);
    await Promise.all([opening.catch(() => null), action ? report(meta, 'action', action) : report(meta, 'clicked')]);
  }

  /** The page's in-app list of notifications reports a click the same way (herald.js: notificationClicked). */
  async function clickedInPage(data) {
    const shown = await sw.registration.getNotifications();
    const n = shown.find((x) => x.data && x.data.herald && x.data.herald.notificationId === data.notificationId);
    if (n) await clicked(n, data.action || '');
  }

  // ---- subscription changes, periodic sync -----------------------------------------------------------

  /** The browser replaced the subscription: send the new one with what the page subscribed with (topics, tags, …). */
  async function resubscribe(event) {
    const cfg = await config();
    if (!cfg.vapidPublicKey) return;
    const sub = event.newSubscription || (await sw.registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: O.base64UrlToBytes(cfg.vapidPublicKey) }));
    const url = `${serverOf(cfg)}/api/v1/subscriptions`;
    const stored = cfg.subscribeOptions || O.subscribeOptions({ topics: cfg.topics }); // stored by an older page: topics only
    const r = await send(url, { method: 'POST', headers: Object.assign({ 'content-type': 'application/json' }, await authorize(url)),
      body: JSON.stringify(O.subscriptionBody(sub, stored)) });
    const saved = r.ok ? await r.json() : null;
    if (saved) {
      if (cfg.subscriptionId && cfg.subscriptionId !== saved.id) {
        await send(`${serverOf(cfg)}/api/v1/subscriptions/${cfg.subscriptionId}`, { method: 'DELETE', headers: await authorize(url) })
          .catch(() => null);
      }
      await O.kvSet(await db(), 'config', Object.assign(cfg, { subscriptionId: saved.id }));
    }
    await broadcast('subscription-changed', { subscriptionId: saved && saved.id, status: r.status });
  }

  async function refreshFeed() {
    const cfg = await config();
    const collections = options.feedCollections || cfg.feedCollections || [];
    let changes = 0;
    for (const collection of collections) {
      changes += (await O.pullFeed(await db(), { fetch: send, server: serverOf(cfg), collection, authorize })).changes;
    }
    const warm = options.warmUrls.concat(cfg.warmUrls || []);
    if (warm.length && sw.caches) {
      const cache = await sw.caches.open(options.warmCache);
      await Promise.all(warm.map((u) => cache.add(u).catch(() => null)));
    }
    await broadcast('feed-updated', { changes });
    return changes;
  }

  sw.addEventListener('push', onPush);
  sw.addEventListener('notificationclick', (event) => event.waitUntil(onClick(event)));
  sw.addEventListener('notificationclose', (event) => {
    event.waitUntil(report((event.notification.data && event.notification.data.herald) || {}, 'closed'));
  });
  sw.addEventListener('pushsubscriptionchange', (event) => event.waitUntil(resubscribe(event)));
  sw.addEventListener('sync', (event) => {
    if (event.tag !== SYNC_TAG) return;
    // Rejecting asks the browser to retry later; on its last chance we keep the entries for the page's fallback
    // (load, online) instead and resolve, since a rejection would change nothing.
    event.waitUntil(replayNow(event.lastChance).then((r) => {
      if (r.retry && !event.lastChance) throw new Error('herald: outbox not drained; the browser will retry');
    }));
  });
  sw.addEventListener('periodicsync', (event) => {
    if (event.tag === FEED_TAG) event.waitUntil(refreshFeed());
  });
  sw.addEventListener('message', (event) => {
    const what = event.data && event.data.herald;
    if (what === 'replay') event.waitUntil(replayNow(false));
    if (what === 'refresh-feed') event.waitUntil(refreshFeed());
    if (what === 'notification-clicked') event.waitUntil(clickedInPage(event.data));
  });

  // Browsers without SyncManager (Firefox, Safari) get no sync event: replay whenever the worker starts.
  if (!('SyncManager' in sw)) replayNow(false).catch(() => null);

  sw.HeraldSW = Object.freeze({
    configure(o) { Object.assign(options, o || {}); },
    replay: () => replayNow(false),
    refreshFeed,
    SYNC_TAG,
    FEED_TAG,
  });
})(self);

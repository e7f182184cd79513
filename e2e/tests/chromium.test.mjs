// The demo and the SDK in headless Chromium: service worker, offline outbox with CDP-dispatched sync (exactly once),
// push shown and reported, a localised template shown in German, periodic sync into IndexedDB, and a refused action surfaced as failed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startHerald, eventually } from '../lib/herald.mjs';
import { launchChromium, registrationOf, setOffline } from '../lib/chromium.mjs';
import { startPushCapture } from '../lib/pushcapture.mjs';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
let herald;
let browser;
let page;
let cdp;
let swSession;
let registrationId;
let session;

async function posts() {
  const r = await herald.api('GET', '/api/v1/sync/posts/changes?limit=500', undefined, session.token);
  assert.equal(r.status, 200);
  return r.body.changes;
}

async function outbox() {
  return page.evaluate(() => window.herald.outbox.list());
}

async function dispatchSync(lastChance = false) {
  return cdp.send('ServiceWorker.dispatchSyncEvent', { origin: herald.url, registrationId, tag: 'herald-outbox', lastChance });
}

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  herald = await startHerald();
  browser = await launchChromium();
  const browserSession = await browser.target().createCDPSession();
  await browserSession.send('Browser.grantPermissions', { origin: herald.url,
    permissions: ['notifications', 'backgroundSync', 'periodicBackgroundSync'] });
  page = await browser.newPage();
  await page.setViewport({ width: 420, height: 820, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  cdp = await page.createCDPSession();
});

after(async () => {
  await browser?.close();
  await herald?.stop();
});

test('the demo signs in and its service worker registers and takes control', async () => {
  const registration = registrationOf(cdp, `${herald.url}/`);
  await page.goto(herald.url, { waitUntil: 'load' });
  await page.type('#name', 'Ada Lovelace');
  await page.click('#signin button');
  await page.waitForSelector('#view-feed:not([hidden])');
  registrationId = await registration;
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null || window.herald);
  const active = await page.evaluate(async () => (await navigator.serviceWorker.ready).active.scriptURL);
  assert.equal(active, `${herald.url}/sw.js`);
  session = await page.evaluate(() => JSON.parse(localStorage.getItem('herald-chat-session')));
  assert.equal(session.userId, 'demo:ada-lovelace');
  const sw = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().endsWith('/sw.js'));
  swSession = await sw.createCDPSession();
  swSession.on('Runtime.exceptionThrown', (e) => console.error('service worker:', e.exceptionDetails.exception?.description));
  swSession.on('Runtime.consoleAPICalled', (e) => console.error('service worker console:', e.args.map((a) => a.value ?? a.description).join(' ')));
  await swSession.send('Runtime.enable');
});

test('a post made offline is queued, then applied exactly once by sync events dispatched twice and with lastChance', async () => {
  await setOffline([cdp, swSession], true);
  await page.evaluate(() => window.dispatchEvent(new Event('offline')));
  await page.type('#text', 'Written on the train, no signal 🚆');
  await page.click('#composer button');
  await page.waitForSelector('.post.pending');
  assert.equal((await outbox()).length, 1);
  assert.deepEqual(await posts(), [], 'nothing reached the server while offline');

  await setOffline([cdp, swSession], false);
  await Promise.all([dispatchSync(), dispatchSync()]); // two at once: the outbox lock lets one send
  await dispatchSync(true);
  await eventually('the post on the server', async () => (await posts()).length === 1);
  await eventually('the outbox drained', async () => (await outbox()).length === 0);
  await dispatchSync(); // one more replay after the fact sends nothing
  const onServer = await posts();
  assert.equal(onServer.length, 1, 'exactly once');
  assert.equal(onServer[0].doc.text, 'Written on the train, no signal 🚆');
  assert.equal(onServer[0].doc.author, 'Ada Lovelace');
  assert.equal(onServer[0].owner, 'demo:ada-lovelace', 'the server records who posted');
  await page.waitForSelector('.post:not(.pending)');
  await page.screenshot({ path: `${ARTIFACTS}chromium-feed.png` });
});

test('a second offline post replays on a lastChance sync alone', async () => {
  await setOffline([cdp, swSession], true);
  await page.type('#text', 'One more from the tunnel');
  await page.click('#composer button');
  await page.waitForSelector('.post.pending');
  await setOffline([cdp, swSession], false);
  await dispatchSync(true);
  await eventually('two posts on the server', async () => (await posts()).length === 2);
  await eventually('the outbox drained', async () => (await outbox()).length === 0);
});

test('an action the server refuses (4xx) is surfaced as failed and dropped, not retried forever', async () => {
  await page.evaluate(() => {
    window.__failed = [];
    window.herald.addEventListener('failed', (e) => window.__failed.push(e.detail));
  });
  await setOffline([cdp, swSession], true);
  const queued = await page.evaluate(() => window.herald.outbox.send({ method: 'POST', url: '/api/v1/sync/posts/mutations',
    body: { mutations: [{ id: 'not a valid id!', op: 'upsert', doc: { text: 'x' } }] }, meta: { kind: 'bad' } }).then((r) => r.status));
  assert.equal(queued, 'queued');
  await setOffline([cdp, swSession], false);
  await dispatchSync();
  const failed = await eventually('a failed event', () => page.evaluate(() => window.__failed[0]));
  assert.equal(failed.reason, 'rejected');
  assert.equal(failed.status, 422);
  assert.equal(failed.body.code, 'invalid-field');
  assert.equal((await outbox()).length, 0);
  assert.equal((await posts()).length, 2);
});

test('a push delivered through the DevTools protocol shows the notification and the server records received and shown', async () => {
  const capture = await startPushCapture();
  try {
    const device = capture.browser('/push/ada');
    const subscribed = await herald.api('POST', '/api/v1/subscriptions', { subscription: device.subscription, topics: ['posts'] },
      session.token);
    assert.equal(subscribed.status, 201);
    const sent = await herald.api('POST', '/api/v1/notifications', { audience: { userIds: [session.userId] }, category: 'mentions',
      payload: { title: 'Grüße, Ada 👋', body: 'Charles mentioned you: «analytical engine»', url: '/?post=42', tag: 'mention' } });
    assert.equal(sent.status, 202);
    await eventually('the push at the push service', () => capture.received.length === 1);
    const plaintext = device.decrypt(capture.received[0].body); // Herald's RFC 8291 output, decrypted by http_ece
    assert.equal(JSON.parse(plaintext).notification.title, 'Grüße, Ada 👋');

    await cdp.send('ServiceWorker.deliverPushMessage', { origin: herald.url, registrationId, data: plaintext });
    const counts = await eventually('received and shown recorded', async () => {
      const n = (await herald.api('GET', `/api/v1/notifications/${sent.body.id}`)).body;
      return n.counts.delivered === 1 && n.counts.shown === 1 ? n.counts : null;
    });
    const shown = await eventually('the notification', async () => {
      const list = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
        .map((n) => ({ title: n.title, body: n.body, tag: n.tag, navigate: n.data.herald.navigate })));
      return list.length ? list : null;
    });
    assert.deepEqual(shown, [{ title: 'Grüße, Ada 👋', body: 'Charles mentioned you: «analytical engine»', tag: 'mention',
      navigate: `${herald.url}/?post=42` }]);
    assert.equal(counts.sent, 1);
  } finally {
    await capture.close();
  }
});

test('a German user (locale de) sees the German text of a localised template, filled with their name', async () => {
  const capture = await startPushCapture();
  try {
    const template = await herald.api('POST', '/api/v1/templates', { name: 'e2e-new-post',
      payload: { title: 'New post from {{author}}', body: 'Hi {{user.name}}, {{count}} new post{{#count.other}}s{{/count.other}}',
        url: '/?post={{postId}}', tag: 'post-{{postId}}' },
      localized: { de: { title: 'Neuer Beitrag von {{author}}',
        body: 'Hallo {{user.name}}, {{count}} neue{{#count.one}}r Beitrag{{/count.one}}{{#count.other}} Beiträge{{/count.other}}' } } });
    assert.equal(template.status, 201);
    const prefs = await herald.api('PUT', '/api/v1/me/preferences', { locale: 'de' }, session.token);
    assert.equal(prefs.status, 200);
    assert.equal(prefs.body.locale, 'de');
    assert.equal((await herald.api('PUT', `/api/v1/users/${session.userId}/attributes`, { attributes: { name: 'Ada' } })).status, 200);
    const device = capture.browser('/push/ada-de');
    const subscribed = await herald.api('POST', '/api/v1/subscriptions', { subscription: device.subscription, locale: 'en-GB' },
      session.token);
    assert.equal(subscribed.status, 201);

    const sent = await herald.api('POST', '/api/v1/notifications', { audience: { subscriptionIds: [subscribed.body.id] },
      category: 'mentions', template: 'e2e-new-post', data: { author: 'Charles', count: 2, postId: 7 } });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    await eventually('the push at the push service', () => capture.received.length === 1);
    const plaintext = device.decrypt(capture.received[0].body);
    assert.equal(JSON.parse(plaintext).notification.lang, 'de');

    await cdp.send('ServiceWorker.deliverPushMessage', { origin: herald.url, registrationId, data: plaintext });
    // What the worker is handed is the German text; the worker reports 'shown' only after showNotification
    // resolved. (Headless Chromium's getNotifications() sometimes answers empty for a shown notification.)
    const message = JSON.parse(plaintext).notification;
    assert.deepEqual({ title: message.title, body: message.body, lang: message.lang },
      { title: 'Neuer Beitrag von Charles', body: 'Hallo Ada, 2 neue Beiträge', lang: 'de' });
    await eventually('the German notification shown by the worker', async () =>
      (await herald.api('GET', `/api/v1/notifications/${sent.body.id}`)).body.counts.shown === 1, 60_000);
    const n = (await herald.api('GET', `/api/v1/notifications/${sent.body.id}`)).body;
    assert.deepEqual(n.locales, { de: 1 });
    assert.deepEqual(n.template, { name: 'e2e-new-post', version: 1 });
  } finally {
    await capture.close();
  }
});

test('a periodic sync pulls new posts of others into IndexedDB', async () => {
  const bob = await herald.signIn('Bob');
  const r = await herald.api('POST', '/api/v1/sync/posts/mutations', { mutations: [{ id: 'from-bob', op: 'upsert', baseVersion: 0,
    doc: { text: 'Posted while Ada was away', author: 'Bob', at: new Date().toISOString() } }] }, bob.token);
  assert.equal(r.status, 200);
  await cdp.send('ServiceWorker.dispatchPeriodicSyncEvent', { origin: herald.url, registrationId, tag: 'herald-feed' });
  const stored = await eventually('bob\'s post in IndexedDB', () => page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('herald');
    open.onsuccess = () => {
      const get = open.result.transaction('feed').objectStore('feed').get(['posts', 'from-bob']);
      get.onsuccess = () => resolve(get.result ? { doc: get.result.doc, owner: get.result.owner } : null);
      get.onerror = () => reject(get.error);
    };
    open.onerror = () => reject(open.error);
  })));
  assert.equal(stored.doc.author, 'Bob');
  assert.equal(stored.owner, 'demo:bob');
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('#post-from-bob');
  assert.equal(await page.$eval('#post-from-bob .owner', (e) => e.textContent), 'demo:bob');
  await page.screenshot({ path: `${ARTIFACTS}chromium-feed-after-sync.png` });
});

test('the settings page shows permission, categories, quiet hours and background updates', async () => {
  await page.goto(`${herald.url}/#/settings`, { waitUntil: 'load' });
  await page.waitForSelector('#categories li');
  const labels = await page.$$eval('#categories li label span', (s) => s.map((x) => x.textContent));
  assert.deepEqual(labels, ['New posts', 'Mentions', 'Product news', 'Account and security']);
  assert.equal(await page.$eval('#permission', (e) => e.textContent), 'granted');
  assert.equal(await page.$eval('#cat-account', (e) => e.disabled), true, 'critical categories cannot be turned off');
  await page.click('#cat-mentions');
  await eventually('mentions off on the server', async () =>
    (await herald.api('GET', '/api/v1/me/preferences', undefined, session.token)).body.categories.mentions === false);
  await page.click('#quiet-on');
  await page.click('#quiet button');
  await eventually('quiet hours on the server', async () =>
    (await herald.api('GET', '/api/v1/me/preferences', undefined, session.token)).body.quietHours?.start === '22:00');
  await page.setViewport({ width: 420, height: 1300, deviceScaleFactor: 1 });
  await page.evaluate(() => { window.scrollTo(0, 0); document.getElementById('toast').hidden = true; });
  await page.screenshot({ path: `${ARTIFACTS}chromium-settings.png` });
});

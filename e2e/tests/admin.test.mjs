// The admin console in headless Chromium: sign in with an admin key, compose to a browser subscribed through the SDK
// (the push captured, decrypted and delivered to its service worker over the DevTools protocol), "send to my
// browser" (the console subscribes the operator's own browser), watch the funnel count it, open the device's
// timeline with the delivery, what the worker reported and the outbox's replays, revoke a key, sign out, and the
// pages on a phone-sized screen. Every page is screenshotted to artifacts/admin-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startHerald, eventually, JAR, JAVA } from '../lib/herald.mjs';
import { launchChromium, registrationOf, setOffline } from '../lib/chromium.mjs';
import { startPushCapture } from '../lib/pushcapture.mjs';
import { fakePushManager } from '../lib/fakepush.mjs';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
let herald;
let browser;
let app; // the demo PWA: the subscribed browser
let appCdp;
let registrationId;
let consolePage;
let capture;
let adminKey;
let ada;
let notificationId;
let deviceId;
let appSw; // the demo's service worker (a DevTools session), for offline emulation
let consoleCdp;
const pageErrors = [];

async function shot(name) {
  await consolePage.evaluate(() => { document.getElementById('status').hidden = true; });
  await consolePage.screenshot({ path: `${ARTIFACTS}admin-${name}.png`, fullPage: true });
}

async function go(hash, selector) {
  await consolePage.evaluate((h) => { location.hash = h; }, hash);
  await consolePage.waitForSelector(selector);
}

const text = (selector) => consolePage.$eval(selector, (e) => e.textContent);

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  herald = await startHerald();
  adminKey = execFileSync(JAVA, ['-jar', JAR, 'keys', 'create', '--scope', 'admin', '--name', 'console', '--data-dir', herald.dataDir,
    '--vapid-subject', 'mailto:e2e@herald.example'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  capture = await startPushCapture();
  capture.ada = capture.browser('/push/ada');
  capture.operator = capture.browser('/push/operator');
  browser = await launchChromium();
  const browserSession = await browser.target().createCDPSession();
  await browserSession.send('Browser.grantPermissions', { origin: herald.url, permissions: ['notifications', 'backgroundSync'] });
  app = await browser.newPage();
  appCdp = await app.createCDPSession();
  await fakePushManager(app, capture.ada.subscription);
  app.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await capture?.close();
  await herald?.stop();
});

test('a browser signs in to the demo and subscribes through the SDK', async () => {
  const registration = registrationOf(appCdp, `${herald.url}/`);
  await app.goto(herald.url, { waitUntil: 'load' });
  await app.type('#name', 'Ada Lovelace');
  await app.click('#signin button');
  await app.waitForSelector('#view-feed:not([hidden])');
  registrationId = await registration;
  ada = await app.evaluate(() => JSON.parse(localStorage.getItem('herald-chat-session')));
  // The demo's own "Turn on notifications" calls the SDK's subscribe(): permission, VAPID key, POST /api/v1/subscriptions,
  // and the subscription id kept for the service worker. (Chromium's push subscriptions need FCM, so PushManager
  // answers with a subscription on the test's push capture; everything after that is the real path.)
  await app.goto(`${herald.url}/#/settings`, { waitUntil: 'load' });
  await app.waitForFunction(() => !document.getElementById('toggle-push').disabled);
  await app.click('#toggle-push');
  await app.waitForFunction(() => document.getElementById('toggle-push').textContent === 'Turn off notifications');
  deviceId = await app.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('herald');
    open.onsuccess = () => {
      const get = open.result.transaction('kv').objectStore('kv').get('config');
      get.onsuccess = () => resolve(get.result.subscriptionId);
      get.onerror = () => reject(get.error);
    };
  }));
  assert.match(deviceId, /^[0-9A-Za-z]{20,}$/);
  const sw = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url() === `${herald.url}/sw.js`);
  appSw = await sw.createCDPSession();
});

test('the console refuses a key without the admin scope, then signs in with an admin key', async () => {
  consolePage = await browser.newPage();
  consoleCdp = await consolePage.createCDPSession();
  await fakePushManager(consolePage, capture.operator.subscription);
  await consolePage.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
  consolePage.on('pageerror', (e) => pageErrors.push(e.message));
  consolePage.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await consolePage.goto(`${herald.url}/admin`, { waitUntil: 'load' });
  await consolePage.waitForSelector('#signin:not([hidden])');
  await shot('signin');
  await consolePage.type('#apikey', herald.key);
  await consolePage.click('#signin button');
  await eventually('the refusal', async () => (await text('#signin-error')).includes('admin scope'));
  await consolePage.$eval('#apikey', (e) => { e.value = ''; });
  await consolePage.type('#apikey', adminKey);
  await consolePage.click('#signin button');
  await consolePage.waitForSelector('#overview-top .stats');
  const cookies = await consolePage.cookies(`${herald.url}/api/v1/admin/overview`);
  const session = cookies.find((c) => c.name === 'herald_admin');
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(await consolePage.evaluate(() => document.cookie), '', 'the page cannot read it');
  assert.match(await text('#overview-top .stats'), /1\s*devices/);
  await shot('overview-empty');
});

test('compose counts the audience, previews, and sends to the subscribed browser', async () => {
  await go('#/compose', '#compose');
  await consolePage.type('#title', 'Hello from the console');
  await consolePage.type('#body', 'Your analytical engine is ready.');
  await consolePage.type('#url', '/?from=console');
  await consolePage.type('#action1-id', 'open');
  await consolePage.type('#action1-title', 'Open');
  await consolePage.select('#audience-kind', 'users');
  await consolePage.type('#audience-value', ada.userId);
  await eventually('the live count', async () => (await text('#audience-count')) === '1');
  assert.equal(await text('#preview .note-title'), 'Hello from the console');
  assert.equal(await text('#preview .note-body'), 'Your analytical engine is ready.');
  await shot('compose');
  await consolePage.click('#send');
  await consolePage.waitForFunction(() => location.hash.startsWith('#/notification/'));
  notificationId = await consolePage.evaluate(() => location.hash.split('/')[2]);

  await eventually('the push at the push service', () => capture.received.length === 1);
  const plaintext = capture.ada.decrypt(capture.received.find((r) => r.path === '/push/ada').body);
  assert.equal(JSON.parse(plaintext).notification.title, 'Hello from the console');
  await appCdp.send('ServiceWorker.deliverPushMessage', { origin: herald.url, registrationId, data: plaintext });
});

test('"send to my browser" subscribes the operator\'s own browser from the console, and the test push arrives', async () => {
  const registration = registrationOf(consoleCdp, `${herald.url}/admin/`);
  await go('#/compose', '#compose');
  await consolePage.type('#title', 'Test from the console');
  await consolePage.type('#body', 'Only to this browser.');
  await consolePage.click('#send-mine');
  await consolePage.waitForFunction(() => location.hash.startsWith('#/notification/'));
  const id = await consolePage.evaluate(() => location.hash.split('/')[2]);
  const push = await eventually('the push at the operator\'s endpoint', () => capture.received.find((r) => r.path === '/push/operator'));
  const plaintext = capture.operator.decrypt(push.body);
  assert.equal(JSON.parse(plaintext).notification.title, 'Test from the console');
  await consoleCdp.send('ServiceWorker.deliverPushMessage', { origin: herald.url, registrationId: await registration, data: plaintext });
  const shown = await eventually('the test notification shown by the console\'s worker', async () => {
    const titles = await consolePage.evaluate(async () => (await (await navigator.serviceWorker.getRegistration('/admin/'))
      .getNotifications()).map((n) => n.title));
    return titles.length ? titles : null;
  });
  assert.deepEqual(shown, ['Test from the console']);
  const counts = await eventually('delivered and shown', async () => {
    const n = (await herald.api('GET', `/api/v1/notifications/${id}`)).body;
    return n.counts.delivered === 1 && n.counts.shown === 1 ? n.counts : null;
  });
  assert.equal(counts.targeted, 1, 'only this browser');
  const mine = await herald.api('GET', `/api/v1/admin/devices?endpoint=${encodeURIComponent(capture.operator.subscription.endpoint)}`,
    undefined, adminKey);
  assert.match(mine.body.items[0].userId, /^console:/, 'a device of the operator, not of an app user');
  await go('#/notifications', 'table');
  await go(`#/notification/${id}`, '.funnel');
  await shot('send-to-my-browser');
});

test('a post made offline in the demo is replayed when back online, and the outbox reports each attempt', async () => {
  await app.bringToFront(); // a background tab gets no animation frames, which clicks wait for
  await app.goto(herald.url, { waitUntil: 'load' });
  await app.waitForSelector('#view-feed:not([hidden])');
  const sync = () => appCdp.send('ServiceWorker.dispatchSyncEvent', { origin: herald.url, registrationId, tag: 'herald-outbox',
    lastChance: false }).catch(() => null);
  try {
    await setOffline([appCdp, appSw], true);
    await app.evaluate(() => window.dispatchEvent(new Event('offline')));
    await app.type('#text', 'Queued in the console test');
    await app.click('#composer button');
    await app.waitForSelector('.post.pending');
    await sync(); // offline (Chromium may hold the event back until the network returns)
  } finally {
    await setOffline([appCdp, appSw], false);
  }
  await sync();
  await app.waitForSelector('.post:not(.pending)');
  await consolePage.bringToFront();
  await eventually('the sent attempt reported', async () => {
    const d = await herald.api('GET', `/api/v1/admin/devices/${deviceId}`, undefined, adminKey);
    return d.body.timeline.some((e) => e.kind === 'replay' && e.outcome === 'sent');
  });
});

test('the notification page and the list show the funnel counting the delivery', async () => {
  await go(`#/notification/${notificationId}`, '.funnel');
  const count = (k) => consolePage.$eval(`.funnel [data-count="${k}"]`, (e) => Number(e.textContent)).catch(() => -1);
  await eventually('delivered and shown in the funnel', async () => {
    await go(`#/notification/${notificationId}`, '.funnel');
    return (await count('delivered')) === 1 && (await count('shown')) === 1;
  });
  assert.equal(await count('targeted'), 1);
  assert.equal(await count('sent'), 1);
  assert.match(await text('table'), /sent\s*201/);
  await shot('notification');
  await go('#/notifications', 'table');
  assert.match(await text('table tbody'), /Hello from the console/);
  await shot('notifications');
  await go('#/overview', '#chart .uplot');
  await eventually('the delivery in the chart', async () => /sent 2/.test(await text('#chart-summary')));
  await shot('overview');
});

test('the device search finds the browser and its timeline shows the delivery and what the worker reported', async () => {
  await go('#/devices', '#device-search');
  await consolePage.type('#f-user', ada.userId);
  await consolePage.click('#device-search button');
  await consolePage.waitForFunction(() => !document.querySelector('#device-search button').disabled);
  const users = await consolePage.$$eval('tbody tr th', (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(users, [ada.userId]);
  await shot('devices');
  await consolePage.$eval(`a[href="#/device/${deviceId}"]`, (a) => a.click());
  await consolePage.waitForSelector('#timeline');
  const timeline = await text('#timeline');
  assert.match(timeline, /Delivery\s*sent push service 201/);
  assert.match(timeline, /Shown/);
  assert.match(timeline, /Received/);
  assert.match(timeline, /Subscribed/);
  assert.match(timeline, /Outbox replay\s*sent attempt \d server 200\s*POST \/api\/v1\/sync\/posts\/mutations/);
  await shot('device');
});

test('sync lists the demo\'s collection and a refused (stale) mutation', async () => {
  const stale = await app.evaluate(async () => {
    const r = await fetch('/api/v1/sync/posts/mutations', { method: 'POST', headers: { 'content-type': 'application/json',
      authorization: `Bearer ${JSON.parse(localStorage.getItem('herald-chat-session')).token}` },
      body: JSON.stringify({ mutations: [{ id: 'e2e-stale-post', op: 'upsert', baseVersion: 9, doc: { text: 'stale' } }] }) });
    return (await r.json()).results[0].status;
  });
  assert.equal(stale, 'conflict');
  await go('#/sync', 'table');
  assert.match(await text('table'), /posts/);
  const tables = await consolePage.$$eval('table', (ts) => ts.map((t) => t.textContent).join('\n'));
  assert.match(tables, /e2e-stale-post.*posts.*conflict/);
  await shot('sync');
});

test('keys: a new key is shown once and works; revoking it stops it', async () => {
  await go('#/keys', '#new-key');
  await consolePage.type('#key-name', 'backend');
  await consolePage.click('#new-key button[type=submit]');
  await consolePage.waitForSelector('#new-key-secret');
  const key = await consolePage.$eval('#new-key-secret', (e) => e.value);
  assert.match(key, /^hk_/);
  assert.equal((await herald.api('GET', `/api/v1/notifications/${notificationId}`, undefined, key)).status, 200, 'the new key works');
  assert.ok(await consolePage.$eval('#vapid', (e) => e.value.length > 80));
  await shot('keys');
  await consolePage.waitForSelector('button[aria-label="Revoke backend"]');
  const id = await consolePage.$$eval('button[data-key]', (bs) => bs.find((b) => b.getAttribute('aria-label') === 'Revoke backend').dataset.key);
  consolePage.once('dialog', (d) => d.accept());
  await consolePage.click(`button[data-key="${id}"]`);
  await eventually('revoked on the server', async () => (await herald.api('GET', `/api/v1/notifications/${notificationId}`, undefined, key)).status === 401);
  await consolePage.waitForFunction(() => !document.querySelector('button[aria-label="Revoke backend"]'));
});

test('the console works on a phone-sized screen', async () => {
  await consolePage.setViewport({ width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await go('#/overview', '#overview-top .stats');
  const overflow = await consolePage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
  await shot('overview-phone');
  await go('#/compose', '#compose');
  await consolePage.waitForFunction(() => document.getElementById('audience-count').textContent !== '…');
  await shot('compose-phone');
  await consolePage.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
});

test('signing out ends the session', async () => {
  await consolePage.click('#signout');
  await consolePage.waitForSelector('#signin:not([hidden])');
  const r = await consolePage.evaluate(async () => (await fetch('/api/v1/admin/overview')).status);
  assert.equal(r, 401);
  // The refused sign-in (403) and the signed-out probe (401) are expected answers, not errors of the page.
  assert.deepEqual(pageErrors.filter((e) => !e.startsWith('Failed to load resource')), [], 'no script errors');
});

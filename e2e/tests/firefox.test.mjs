// Firefox end to end with Herald's own push service: a real push subscription, Herald's RFC 8291 output decrypted
// by Firefox and shown by the SDK's service worker; delivery after the browser was closed; a browser-side
// unsubscribe seen by Herald as 410; and the outbox fallback (Firefox has no SyncManager) delivering exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHerald, eventually } from '../lib/herald.mjs';
import { launchFirefox } from '../lib/firefox.mjs';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
let herald;
let profile;
let browser;
let page;
let session;

async function open(path = '/', signedIn = true) {
  page = await browser.newPage();
  await page.setViewport({ width: 420, height: 820 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(herald.url + path, { waitUntil: 'load' });
  if (signedIn) await page.waitForFunction(() => window.herald !== undefined);
  return page;
}

async function shownNotifications() {
  return page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
    .map((n) => ({ title: n.title, body: n.body, id: n.data && n.data.herald && n.data.herald.notificationId })));
}

async function send(title, body) {
  const r = await herald.api('POST', '/api/v1/notifications', { audience: { userIds: [session.userId] }, category: 'mentions',
    payload: { title, body, url: '/#/feed' } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body;
}

async function notification(id) {
  return (await herald.api('GET', `/api/v1/notifications/${id}`)).body;
}

async function posts() {
  return (await herald.api('GET', '/api/v1/sync/posts/changes?limit=500', undefined, session.token)).body.changes;
}

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  herald = await startHerald();
  profile = await mkdtemp(join(tmpdir(), 'herald-firefox-'));
  browser = await launchFirefox(herald.url, profile);
});

after(async () => {
  await browser?.close();
  await herald?.stop();
});

test('the demo subscribes through the SDK on Herald\'s push service, and a unicode notification is decrypted and shown', async () => {
  await open('/', false);
  await page.type('#name', 'Flo Nightingale');
  await page.click('#signin button');
  await page.waitForSelector('#view-feed:not([hidden])');
  session = await page.evaluate(() => JSON.parse(localStorage.getItem('herald-chat-session')));
  await page.evaluate(() => { location.hash = '#/settings'; });
  await page.waitForSelector('#categories li');
  await page.click('#toggle-push');
  const endpoint = await eventually('a push subscription', () => page.evaluate(async () => {
    const s = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
    return s && s.endpoint;
  }), 30_000);
  assert.match(endpoint, new RegExp(`^${herald.url}/wpush/v2/`), 'Firefox subscribed with Herald\'s push service');
  await page.waitForFunction(() => document.getElementById('toggle-push').textContent === 'Turn off notifications');

  const sent = await send('Grüße, Flo 👋 — ça va?', 'Ünïcödé body: 日本語, emoji 🎉, and "quotes"');
  await eventually('the notification shown by the service worker', async () => (await shownNotifications()).length === 1, 30_000);
  assert.deepEqual(await shownNotifications(), [{ title: 'Grüße, Flo 👋 — ça va?',
    body: 'Ünïcödé body: 日本語, emoji 🎉, and "quotes"', id: sent.id }]);
  await eventually('received and shown recorded', async () => {
    const n = await notification(sent.id);
    return n.counts.sent === 1 && n.counts.delivered === 1 && n.counts.shown === 1;
  });

  await page.evaluate((id) => window.herald.notificationClicked(id), sent.id);
  await eventually('the click recorded', async () => (await notification(sent.id)).counts.clicked === 1);
  assert.equal((await notification(sent.id)).clickThroughRate, 1);
  assert.deepEqual(await shownNotifications(), [], 'a click closes it');
});

test('a post by someone else notifies Flo (topic posts) with a link to it; Flo\'s own post does not', async () => {
  const bob = await herald.signIn('Bob');
  const r = await herald.api('POST', '/api/v1/sync/posts/mutations', { mutations: [{ id: 'bobs-hello', op: 'upsert', baseVersion: 0,
    doc: { text: 'Hallo zusammen! 🎈', author: 'Security Team', at: new Date().toISOString() } }] }, bob.token);
  assert.equal(r.status, 200);
  await page.evaluate(() => { location.hash = '#/feed'; });
  await page.type('#text', 'My own post: no notification for me');
  await page.click('#composer button');
  const shown = await eventually('bob\'s post notified', async () => {
    const list = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
      .map((n) => ({ title: n.title, body: n.body, navigate: n.data.herald.navigate })));
    return list.length ? list : null;
  }, 30_000);
  assert.deepEqual(shown, [{ title: 'New post from demo:bob', body: 'Hallo zusammen! 🎈', navigate: `${herald.url}/?post=bobs-hello` }]);
  await eventually('the feed shows both', async () => (await posts()).length === 2);
  const own = await eventually('flo\'s post notification fanned out', async () => {
    const list = (await herald.api('GET', '/api/v1/stats')).body.categories;
    return list.find((c) => c.category === 'posts' && c.notifications === 2);
  });
  assert.equal(own.targeted, 1, 'each post reached only the other person: Bob has no subscription, Flo got Bob\'s');
  await page.evaluate((id) => window.herald.notificationClicked(id),
    await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())[0].data.herald.notificationId));
});

test('a notification sent while the browser is closed is delivered when it comes back', async () => {
  await browser.close();
  const sent = await send('While you were away', 'stored by the push service until hello');
  await eventually('accepted by the push service', async () => (await notification(sent.id)).counts.sent === 1);
  browser = await launchFirefox(herald.url, profile);
  await open('/');
  await eventually('delivered after the restart', async () => (await shownNotifications()).some((n) => n.id === sent.id), 30_000);
  await eventually('reported', async () => (await notification(sent.id)).counts.delivered === 1);
});

test('a subscription the browser dropped is found gone by Herald\'s next send (410) and deleted', async () => {
  await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription()).unsubscribe());
  const sent = await send('Anyone there?', 'this browser unsubscribed');
  await eventually('gone', async () => (await notification(sent.id)).counts.gone === 1);
  const again = await send('Still there?', 'the subscription was deleted');
  await eventually('nobody targeted', async () => (await notification(again.id)).status === 'completed');
  assert.equal((await notification(again.id)).counts.targeted, 0);
});

test('without SyncManager, posts made while the server is unreachable are replayed on load exactly once', async () => {
  assert.equal(await page.evaluate(() => 'SyncManager' in window), false, 'Firefox has no Background Sync');
  await page.evaluate(() => { location.hash = '#/feed'; });
  await page.waitForSelector('#view-feed:not([hidden])');
  await herald.halt();
  await page.type('#text', 'Sent from a Firefox with no network 🦊');
  await page.click('#composer button');
  await page.waitForSelector('.post.pending');
  await page.type('#text', 'And a second one, in order');
  await page.click('#composer button');
  await eventually('two queued', async () => (await page.evaluate(() => window.herald.outbox.list())).length === 2);
  await herald.resume();

  // Two tabs load at once: both replay (load fallback) and the IndexedDB lock lets one send each post.
  const second = await browser.newPage();
  await Promise.all([page.reload({ waitUntil: 'load' }), second.goto(`${herald.url}/#/feed`, { waitUntil: 'load' })]);
  await eventually('both posts on the server', async () => (await posts()).length === 4, 30_000);
  await eventually('the outbox drained', () => page.evaluate(() => window.herald && window.herald.outbox.list().then((l) => l.length === 0)));
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => window.herald !== undefined);
  const onServer = await posts();
  assert.deepEqual(onServer.slice(2).map((p) => p.doc.text), ['Sent from a Firefox with no network 🦊', 'And a second one, in order']);
  await page.waitForSelector('.post:not(.pending)');
  await page.screenshot({ path: `${ARTIFACTS}firefox-feed.png` });
  await second.close();
});

// The SDK as an app team installs it: the packed npm tarball (npm pack of client/, installed with npm into a
// separate app) serves a small PWA on another origin (its own port), which uses Herald through cors-origins with a
// user token its own backend signs: subscribe through the SDK, receive a push, queue a mutation offline, replay it
// when back online (exactly once), and the device's timeline in the console shows the replay. Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHerald, eventually, freePort, JAR, JAVA } from '../lib/herald.mjs';
import { launchChromium, registrationOf, setOffline } from '../lib/chromium.mjs';
import { startPushCapture } from '../lib/pushcapture.mjs';
import { fakePushManager } from '../lib/fakepush.mjs';

const CLIENT = fileURLToPath(new URL('../../client/', import.meta.url));
const APP = fileURLToPath(new URL('../fixtures/other-origin-app/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.webmanifest': 'application/manifest+json' };
const USER = 'notes:grace';

let work;
let tarball;
let installed; // node_modules/herald-client of the app
let herald;
let appServer;
let appUrl;
let capture;
let device; // the capture's browser side
let browser;
let page;
let cdp;
let swSession;
let registrationId;
let subscriptionId;
let adminKey;
const served = [];

/** What the app's backend does: an HS256 user token signed with Herald's user-token secret (keys.json, as is). */
async function userToken(dataDir) {
  const { userTokenSecret } = JSON.parse(await readFile(join(dataDir, 'keys.json'), 'utf8'));
  const key = userTokenSecret.startsWith('base64url:') ? Buffer.from(userTokenSecret.slice(10), 'base64url') : Buffer.from(userTokenSecret);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: USER, iat: now, exp: now + 3600 })}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

async function startApp(port) {
  const token = await userToken(herald.dataDir);
  appServer = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    served.push(path);
    if (path === '/herald-token') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, herald: herald.url }));
      return;
    }
    const file = path.startsWith('/vendor/herald/') ? join(installed, path.slice('/vendor/herald/'.length))
      : join(APP, path === '/' ? 'index.html' : path.slice(1));
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
    } catch (_) {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((r) => appServer.listen(port, '127.0.0.1', r));
}

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'herald-sdk-app-'));
  // ./test packs client/ and names the tarball in HERALD_SDK_TARBALL; run alone, this test packs it itself.
  tarball = process.env.HERALD_SDK_TARBALL;
  if (!tarball) {
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: CLIENT }).toString().trim().split('\n').pop();
    tarball = join(work, name);
  }
  const appDir = join(work, 'app');
  await mkdir(appDir);
  await writeFile(join(appDir, 'package.json'), JSON.stringify({ name: 'notes-app', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', '--loglevel=error', tarball], { cwd: appDir, stdio: 'ignore' });
  installed = join(appDir, 'node_modules', 'herald-client');

  const appPort = await freePort();
  appUrl = `http://127.0.0.1:${appPort}`;
  herald = await startHerald(['--cors-origins', appUrl, '--sync-collections', 'posts:shared:notify,notes:private']);
  await startApp(appPort);
  adminKey = execFileSync(JAVA, ['-jar', JAR, 'keys', 'create', '--scope', 'admin', '--name', 'sdk-e2e', '--data-dir', herald.dataDir,
    '--vapid-subject', 'mailto:e2e@herald.example'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  capture = await startPushCapture();
  device = capture.browser('/push/grace');
  browser = await launchChromium();
  const browserSession = await browser.target().createCDPSession();
  await browserSession.send('Browser.grantPermissions', { origin: appUrl, permissions: ['notifications', 'backgroundSync'] });
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  cdp = await page.createCDPSession();
  await fakePushManager(page, device.subscription);
});

after(async () => {
  await browser?.close();
  await capture?.close();
  await new Promise((r) => (appServer ? appServer.close(r) : r()));
  await herald?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the packed tarball installs as herald-client with the page module, the worker scripts and their types', async () => {
  const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
  const source = JSON.parse(await readFile(join(CLIENT, 'package.json'), 'utf8'));
  assert.equal(pkg.version, source.version);
  for (const f of ['herald.js', 'herald-sw.js', 'herald-outbox.js', 'herald-worker.js', 'types/herald.d.ts', 'types/herald-sw.d.ts',
    'types/herald-outbox.d.ts', 'README.md']) {
    await readFile(join(installed, f)); // throws when the package lacks it
  }
  await assert.rejects(readFile(join(installed, 'test', 'outbox.test.js')), 'tests are not shipped');
  // The same source as the copy the jar serves at /sdk/.
  assert.equal(await readFile(join(installed, 'herald.js'), 'utf8'), await (await fetch(`${herald.url}/sdk/herald.js`)).text());
});

test('a PWA on another origin starts the SDK from the package and subscribes through it', async () => {
  const registration = registrationOf(cdp, `${appUrl}/`);
  await page.goto(appUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('status').textContent === 'Ready');
  registrationId = await registration;
  const sw = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url() === `${appUrl}/sw.js`);
  swSession = await sw.createCDPSession();
  swSession.on('Runtime.exceptionThrown', (e) => console.error('service worker:', e.exceptionDetails.exception?.description));
  swSession.on('Runtime.consoleAPICalled', (e) => console.error('service worker console:', e.args.map((a) => a.value ?? a.description).join(' ')));
  await swSession.send('Runtime.enable');
  await page.click('#notify');
  const status = await eventually('subscribed', async () => {
    const t = await page.$eval('#status', (e) => e.textContent);
    return t.startsWith('Subscribed') || t.startsWith('Could not') ? t : null;
  });
  assert.match(status, /^Subscribed \(/);
  subscriptionId = status.slice('Subscribed ('.length, -1);
  const devices = await herald.api('GET', `/api/v1/admin/devices?user=${encodeURIComponent(USER)}`, undefined, adminKey);
  assert.deepEqual(devices.body.items.map((d) => d.id), [subscriptionId]);
  assert.ok(served.includes('/vendor/herald/herald.js') && served.includes('/vendor/herald/herald-sw.js'),
    'the page and the worker load the package from the app');
});


test('a push to the user arrives at the app\'s service worker, is shown, and the worker reports it across origins', async () => {
  const sent = await herald.api('POST', '/api/v1/notifications', { audience: { userIds: [USER] },
    payload: { title: 'Your note was shared', body: 'Ada commented', url: '/?note=1' } });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  await eventually('the push at the push service', () => capture.received.length === 1);
  const plaintext = device.decrypt(capture.received[0].body);
  await cdp.send('ServiceWorker.deliverPushMessage', { origin: appUrl, registrationId, data: plaintext });
  // The worker tells the pages ('push') only after showNotification resolved. (Headless Chromium's
  // getNotifications() sometimes comes back empty for a notification that was shown, so it is not the proof here.)
  const log = await eventually('the worker showed the notification', async () => {
    const text = await page.$eval('#log', (l) => l.textContent);
    return text.includes('"title":"Your note was shared"') ? text : null;
  }, 60_000);
  assert.match(log, new RegExp(`push \\{"notificationId":"${sent.body.id}"`));
  await eventually('received and shown on the server (a cross-origin POST from the worker)', async () => {
    const n = (await herald.api('GET', `/api/v1/notifications/${sent.body.id}`)).body;
    return n.counts.delivered === 1 && n.counts.shown === 1;
  });
});

async function notes() {
  const r = await herald.api('GET', '/api/v1/sync/notes/changes?limit=100', undefined, await userToken(herald.dataDir));
  assert.equal(r.status, 200);
  return r.body.changes;
}

test('a mutation made offline is queued, then replayed once when back online; the console shows the replays', async () => {
  await setOffline([cdp, swSession], true);
  await page.evaluate(() => window.dispatchEvent(new Event('offline')));
  await page.$eval('#text', (e) => { e.value = 'Written in the lift'; });
  await page.click('#note button');
  await eventually('queued', async () => (await page.evaluate(() => window.herald.outbox.list())).length === 1);
  const sync = (lastChance) => cdp.send('ServiceWorker.dispatchSyncEvent', { origin: appUrl, registrationId, tag: 'herald-outbox', lastChance });
  await sync(false).catch(() => null); // still offline: the replay fails on the network and keeps the entry
  assert.equal((await page.evaluate(() => window.herald.outbox.list())).length, 1);
  assert.deepEqual(await notes(), [], 'nothing reached the server while offline');

  await setOffline([cdp, swSession], false);
  await Promise.all([sync(false), sync(false)]);
  await eventually('the note on the server', async () => (await notes()).length === 1);
  await eventually('the outbox drained', async () => (await page.evaluate(() => window.herald.outbox.list())).length === 0);
  await sync(true);
  const onServer = await notes();
  assert.equal(onServer.length, 1, 'exactly once');
  assert.equal(onServer[0].doc.text, 'Written in the lift');

  const replays = await eventually('the replays in the device timeline', async () => {
    const d = await herald.api('GET', `/api/v1/admin/devices/${subscriptionId}`, undefined, adminKey);
    const r = d.body.timeline.filter((e) => e.kind === 'replay');
    return r.some((e) => e.outcome === 'sent') ? r : null;
  });
  // Newest first: the sent attempt, after any that failed on the network while offline.
  assert.deepEqual([replays[0].outcome, replays[0].status, replays[0].method, replays[0].path],
    ['sent', 200, 'POST', '/api/v1/sync/notes/mutations']);
  assert.equal(replays[0].attempt, replays.length);
  assert.ok(replays.slice(1).every((r) => r.outcome === 'network-error' && r.mutationId === replays[0].mutationId));
  await page.screenshot({ path: `${ARTIFACTS}sdk-package-app.png` });
});

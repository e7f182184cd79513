// The production deployment, tested: Debian's nginx runs the repository's site file (deploy/nginx/herald.conf,
// only ports, certificate paths and upstream replaced) with TLS and HTTP/2 in front of the built jar. Chromium
// trusts the throw-away certificate by its key's pin; the demo loads over https, its service worker is active and
// a post made offline is replayed through the proxy. 600 clients behind the proxy each get their own per-address
// cap (trusted-proxies), one client past it gets 429. Firefox, trusting the test CA through its own certificate
// store (cert9.db made by certutil), connects to the embedded push service over wss:// through nginx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JAVA, startHerald, eventually, freePort } from '../lib/herald.mjs';
import { launchChromium, registrationOf, setOffline } from '../lib/chromium.mjs';
import { launchFirefox } from '../lib/firefox.mjs';
import { makeCertificates, spkiHash, startNginx } from '../lib/nginx.mjs';
import { httpsJson, http2Get, mintUserToken } from '../lib/tls.mjs';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const UNIT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../deploy/systemd/herald.service');
const CAP = 100; // max-subscriptions-per-ip for this run: 600 clients are six times what one address may hold
let dir;
let certs;
let ca;
let origin;
let herald;
let nginx;

const viaProxy = (method, path, options = {}) => httpsJson(origin, method, path, { ca, ...options });

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'herald-deploy-'));
  certs = makeCertificates(dir);
  ca = await readFile(certs.ca);
  const httpsPort = await freePort();
  const httpPort = await freePort();
  origin = `https://localhost:${httpsPort}`;
  // Herald delivers to its own push service's endpoints at the public URL, through nginx: its HTTP client trusts
  // the test CA as an operator's JVM would trust a private CA.
  const trustStore = join(dir, 'truststore.p12');
  execFileSync(join(dirname(JAVA), 'keytool'), ['-importcert', '-noprompt', '-alias', 'herald-e2e-ca', '-file', certs.ca,
    '-keystore', trustStore, '-storetype', 'PKCS12', '-storepass', 'e2e-only'], { stdio: 'pipe' });
  herald = await startHerald(['--trusted-proxies', '127.0.0.1/32', '--max-subscriptions-per-ip', String(CAP)], {
    publicUrl: origin,
    jvmArgs: [`-Djavax.net.ssl.trustStore=${trustStore}`, '-Djavax.net.ssl.trustStorePassword=e2e-only', '-Djavax.net.ssl.trustStoreType=PKCS12'],
  });
  nginx = await startNginx({ dir, httpsPort, httpPort, upstreamPort: herald.port, certs });
  nginx.httpPort = httpPort;
});

after(async () => {
  await nginx?.stop();
  await herald?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the systemd unit is one systemd accepts', { skip: !existsSync('/usr/bin/systemd-analyze') && 'no systemd-analyze' }, async () => {
  execFileSync('systemd-analyze', ['verify', '--man=no', '--generators=no', UNIT], { stdio: 'pipe' }); // throws with systemd's complaint
  const unit = await readFile(UNIT, 'utf8');
  for (const line of ['User=herald', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/herald',
    'PrivateTmp=yes', 'StateDirectoryMode=0700', 'UMask=0077', 'Restart=on-failure']) {
    assert.match(unit, new RegExp(`^${line}$`, 'm'));
  }
});

test('nginx speaks TLS and HTTP/2, redirects http, and refuses bodies over Herald\'s max-body-bytes itself', async () => {
  const ready = await http2Get(origin, '/readyz', ca);
  assert.equal(ready.alpn, 'h2');
  assert.equal(ready.status, 200);
  assert.match(ready.headers['strict-transport-security'], /max-age=\d+/);

  const plain = await fetch(`http://127.0.0.1:${nginx.httpPort}/healthz`, { redirect: 'manual' });
  assert.equal(plain.status, 301);
  assert.equal(plain.headers.get('location'), 'https://127.0.0.1/healthz');

  const limit = 65536; // max-body-bytes' default, which the site's client_max_body_size matches
  const over = await viaProxy('POST', '/api/v1/sync/posts/mutations', { body: 'x'.repeat(limit + 1) });
  assert.equal(over.status, 413);
  assert.match(over.text, /nginx/, 'refused by nginx, before Herald');
  const at = await viaProxy('POST', '/api/v1/sync/posts/mutations', { body: 'x'.repeat(limit) });
  assert.equal(at.status, 401, 'a body at the limit reaches Herald (which wants a user token)');
  assert.equal(at.body.code, 'unauthenticated');
});

test('the demo loads over https through nginx, its service worker is active, and a post made offline is replayed through the proxy', async () => {
  const browser = await launchChromium([`--ignore-certificate-errors-spki-list=${await spkiHash(certs.server)}`]);
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    const protocols = new Map();
    cdp.on('Network.responseReceived', ({ response }) => protocols.set(response.url, response.protocol));
    const registration = registrationOf(cdp, `${origin}/`);

    const response = await page.goto(origin, { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    assert.ok(response.securityDetails(), 'the page came over TLS');
    assert.equal(protocols.get(`${origin}/`), 'h2');
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    await page.type('#name', 'Grace Hopper');
    await page.click('#signin button');
    await page.waitForSelector('#view-feed:not([hidden])');
    const registrationId = await registration;
    const worker = await page.evaluate(async () => {
      const { active } = await navigator.serviceWorker.ready; // resolves once there is an active worker, maybe still activating
      await new Promise((resolve) => {
        const settled = () => active.state === 'activated' && resolve();
        active.addEventListener('statechange', settled);
        settled();
      });
      return { url: active.scriptURL, state: active.state };
    });
    assert.deepEqual(worker, { url: `${origin}/sw.js`, state: 'activated' });
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem('herald-chat-session')));
    const sw = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url() === `${origin}/sw.js`);
    const swSession = await sw.createCDPSession();

    await setOffline([cdp, swSession], true);
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await page.type('#text', 'Sent from behind the proxy 🔒');
    await page.click('#composer button');
    await page.waitForSelector('.post.pending');
    const posts = async () => (await herald.api('GET', '/api/v1/sync/posts/changes?limit=500', undefined, session.token)).body.changes;
    assert.deepEqual(await posts(), []);
    await setOffline([cdp, swSession], false);
    await cdp.send('ServiceWorker.dispatchSyncEvent', { origin, registrationId, tag: 'herald-outbox', lastChance: false });
    await eventually('the post on the server', async () => (await posts()).length === 1);
    assert.equal((await posts())[0].doc.text, 'Sent from behind the proxy 🔒');
    await page.waitForSelector('.post:not(.pending)');
    await page.screenshot({ path: `${ARTIFACTS}deploy-chromium-feed.png` });
    const log = await nginx.accessLog();
    assert.match(log, /"POST \/api\/v1\/sync\/posts\/mutations HTTP\/2\.0" 200 /, 'the replay went through nginx');
  } finally {
    await browser.close();
  }
});

test('600 subscriptions from distinct clients behind the proxy are all accepted; one client past its cap gets 429', async () => {
  // The value in keys.json is the secret as an app backend uses it: its text is the HMAC key.
  const secret = JSON.parse(await readFile(join(herald.dataDir, 'keys.json'), 'utf8')).userTokenSecret;
  const p256dh = createECDH('prime256v1');
  p256dh.generateKeys();
  const subscribe = (i, user, localAddress) => viaProxy('POST', '/api/v1/subscriptions', {
    localAddress,
    bearer: mintUserToken(secret, user),
    body: { subscription: { endpoint: `http://127.0.0.1:9/push/${user}`, keys: { p256dh: p256dh.getPublicKey('base64url'),
      auth: randomBytes(16).toString('base64url') } } },
  });
  const clients = Array.from({ length: 600 }, (_, i) => `127.0.${10 + Math.floor(i / 200)}.${1 + (i % 200)}`);
  const statuses = new Array(clients.length);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < clients.length) {
      const i = next++;
      const r = await subscribe(i, `crowd-${i}`, clients[i]);
      statuses[i] = r.status === 201 ? 201 : `${r.status} ${r.text}`;
    }
  }));
  const refused = statuses.filter((s) => s !== 201);
  assert.deepEqual(refused, [], `every client behind the proxy is its own address${refused.length ? `; Herald's log:\n${herald.log()
    .split('\n').filter((l) => /ERROR|Exception|Caused by/.test(l)).slice(0, 20).join('\n')}` : ''}`);

  const one = '127.0.99.99';
  for (let i = 0; i < CAP; i++) {
    const r = await subscribe(i, `busy-${i}`, one);
    assert.equal(r.status, 201, r.text);
  }
  const over = await subscribe(CAP, `busy-${CAP}`, one);
  assert.equal(over.status, 429, over.text);
  assert.equal(over.body.code, 'subscription-limit');
  assert.equal((await subscribe(0, 'after-the-busy-one', '127.0.98.98')).status, 201, 'another client is not affected');
  assert.match(await nginx.accessLog(), /^127\.0\.99\.99 .*"POST \/api\/v1\/subscriptions HTTP\/1\.1" 429 /m);
});

test('Firefox, trusting the test CA in its certificate store, uses the embedded push service over wss:// through nginx', async () => {
  const profile = await mkdtemp(join(tmpdir(), 'herald-firefox-tls-'));
  // NSS's own tool (Debian's libnss3-tools) writes the profile's cert9.db with the CA trusted for TLS servers.
  execFileSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password'], { stdio: 'pipe' });
  execFileSync('certutil', ['-A', '-d', `sql:${profile}`, '-n', 'Herald e2e test CA', '-t', 'C,,', '-i', certs.ca], { stdio: 'pipe' });
  const browser = await launchFirefox(origin, profile);
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(origin, { waitUntil: 'load' });
    await page.type('#name', 'Ida Tarbell');
    await page.click('#signin button');
    await page.waitForSelector('#view-feed:not([hidden])');
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem('herald-chat-session')));
    await page.evaluate(() => { location.hash = '#/settings'; });
    await page.waitForSelector('#categories li');
    await page.click('#toggle-push');
    const endpoint = await eventually('a push subscription from Herald over wss', () => page.evaluate(async () => {
      const s = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
      return s && s.endpoint;
    }), 30_000);
    assert.match(endpoint, new RegExp(`^${origin}/wpush/v2/`));

    const sent = await herald.api('POST', '/api/v1/notifications', { audience: { userIds: [session.userId] }, category: 'mentions',
      payload: { title: 'Through the proxy', body: 'wss all the way', url: '/#/feed' } });
    assert.equal(sent.status, 202);
    const shown = await eventually('the notification shown', async () => {
      const list = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => n.title));
      return list.length ? list : null;
    }, 30_000);
    assert.deepEqual(shown, ['Through the proxy']);
    assert.match(await nginx.accessLog(), /"POST \/wpush\/v2\/[A-Za-z0-9_-]+ HTTP\/2\.0" 201 .*Java-http-client/,
      'Herald delivered to its endpoint at the public URL, through nginx');
  } finally {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  }
  // nginx logs a WebSocket when it ends: Firefox's push connection closed with the browser.
  await eventually('the push WebSocket in nginx\'s access log', async () =>
    /"GET \/wpush\/connect HTTP\/1\.1" 101 .*Firefox/.test(await nginx.accessLog()));
});

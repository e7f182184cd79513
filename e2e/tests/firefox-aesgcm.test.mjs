// Firefox end to end with Herald's own push service, for senders that still use the legacy "aesgcm" encoding and
// the older VAPID forms. Each message is encrypted here (npm http_ece) and POSTed to the push endpoint exactly as
// such senders write it: salt and dh quoted, padded with "=", both, with keyids, with the VAPID key in Crypto-Key
// and "WebPush"/"Bearer" authorization. Firefox decodes salt and dh as base64url with padding rejected and picks dh
// by keyid, so each form reaches the service worker only if the push service forwards the headers normalised.
// The push service forwards no p256ecdsa key at all: every message here shows that Firefox does not need it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ece from 'http_ece';
import { startHerald, eventually } from '../lib/herald.mjs';
import { launchFirefox } from '../lib/firefox.mjs';

let herald;
let browser;
let page;
let subscription;

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const padded = (buf) => Buffer.from(buf).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

// The application server's VAPID key: the subscription is restricted to it (a /wpush/v2/ endpoint).
const vapid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const vapidJwk = vapid.publicKey.export({ format: 'jwk' });
const vapidPublic = Buffer.concat([Buffer.from([4]), Buffer.from(vapidJwk.x, 'base64url'), Buffer.from(vapidJwk.y, 'base64url')]);

function vapidToken(audience) {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256' }));
  const claims = b64url(JSON.stringify({ aud: audience, exp: Math.floor(Date.now() / 1000) + 3600, sub: 'mailto:e2e@herald.example' }));
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: vapid.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${header}.${claims}.${b64url(signature)}`;
}

/** An aesgcm message for the subscription: the body, and the salt and sender key for the headers. */
function aesgcm(title) {
  const sender = createECDH('prime256v1');
  sender.generateKeys();
  const salt = randomBytes(16);
  const payload = Buffer.from(JSON.stringify({ web_push: 8030, notification: { title } }));
  const body = ece.encrypt(payload, { version: 'aesgcm', dh: subscription.keys.p256dh, privateKey: sender, salt,
    authSecret: subscription.keys.auth });
  return { body, salt, dh: sender.getPublicKey() };
}

async function shownTitles() {
  return page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => n.title));
}

before(async () => {
  herald = await startHerald();
  browser = await launchFirefox(herald.url, await mkdtemp(join(tmpdir(), 'herald-firefox-aesgcm-')));
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${herald.url}/`, { waitUntil: 'load' });
  subscription = await page.evaluate(async (key) => {
    const registration = await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
    const s = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: new Uint8Array(key) });
    return s.toJSON();
  }, [...vapidPublic]);
  assert.match(subscription.endpoint, new RegExp(`^${herald.url}/wpush/v2/`));
});

after(async () => {
  await browser?.close();
  await herald?.stop();
});

test('aesgcm with salt and dh quoted, padded, both, and with keyids reaches the service worker in every form', async () => {
  const token = vapidToken(herald.url);
  const forms = [
    ['plain', (m) => ({ encryption: `salt=${b64url(m.salt)}`, cryptoKey: `dh=${b64url(m.dh)}` })],
    ['padded salt', (m) => ({ encryption: `salt=${padded(m.salt)}`, cryptoKey: `dh=${b64url(m.dh)}` })],
    ['padded dh', (m) => ({ encryption: `salt=${b64url(m.salt)}`, cryptoKey: `dh=${padded(m.dh)}` })],
    ['quoted', (m) => ({ encryption: `salt="${b64url(m.salt)}"`, cryptoKey: `dh="${b64url(m.dh)}"` })],
    ['quoted and padded', (m) => ({ encryption: `salt="${padded(m.salt)}"`, cryptoKey: `dh="${padded(m.dh)}"` })],
    ['keyid, quoted and padded', (m) => ({ encryption: `keyid="p256dh";salt="${padded(m.salt)}"`,
      cryptoKey: `keyid="p256dh";dh="${padded(m.dh)}"` })],
    ['keyid on Encryption only', (m) => ({ encryption: `keyid="p256dh";salt="${padded(m.salt)}"`,
      cryptoKey: `dh="${padded(m.dh)}"` })],
  ];
  const schemes = ['WebPush', 'Bearer'];
  const titles = [];
  for (const [i, [name, headersFor]] of forms.entries()) {
    const title = `aesgcm: ${name}`;
    const m = aesgcm(title);
    const { encryption, cryptoKey } = headersFor(m);
    const r = await fetch(subscription.endpoint, {
      method: 'POST',
      headers: { TTL: '60', 'Content-Encoding': 'aesgcm', Encryption: encryption,
        // The older VAPID form: the JWT in Authorization, the key as p256ecdsa beside dh.
        'Crypto-Key': `${cryptoKey};p256ecdsa=${padded(vapidPublic)}`, Authorization: `${schemes[i % 2]} ${token}` },
      body: m.body,
    });
    assert.equal(r.status, 201, `${name}: ${await r.text()}`);
    titles.push(title);
  }
  await eventually('every form shown by the service worker', async () => (await shownTitles()).length === titles.length, 30_000)
    .catch(async (e) => {
      throw new Error(`${e.message}; shown: ${JSON.stringify(await shownTitles())}`);
    });
  assert.deepEqual((await shownTitles()).sort(), titles.sort());
});

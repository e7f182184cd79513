// Throughput loop for npm web-push, run by Herald's H2Throughput bench: sends N notifications to
// <origin>/p/<i> with sendNotification (encryption + VAPID + HTTPS POST), a keep-alive agent and a bounded
// number in flight, and prints one JSON line {sent, failed, seconds}. web-push speaks HTTP/1.1 (node's https).
// Trust the stand-in's self-signed certificate with NODE_EXTRA_CA_CERTS.
//   node h2-loop.mjs <origin> <n> [inFlight=256]
import crypto from 'node:crypto';
import https from 'node:https';
import webpush from 'web-push';

const [origin, nArg, inFlightArg] = process.argv.slice(2);
const n = Number(nArg);
const inFlight = Number(inFlightArg ?? 256);
const browser = crypto.createECDH('prime256v1');
browser.generateKeys();
const keys = { p256dh: browser.getPublicKey().toString('base64url'), auth: crypto.randomBytes(16).toString('base64url') };
const vapid = webpush.generateVAPIDKeys();
const agent = new https.Agent({ keepAlive: true, maxSockets: inFlight });
const payload = Buffer.from(JSON.stringify({ title: 'New post from Ada', body: 'Has anyone tried the offline composer yet?', url: '/posts/42' }));
const options = {
  agent, TTL: 60, contentEncoding: 'aes128gcm',
  vapidDetails: { subject: 'mailto:bench@herald.example', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
};

let next = 0;
let sent = 0;
let failed = 0;
const start = process.hrtime.bigint();
async function worker() {
  while (next < n) {
    const i = next++;
    try {
      await webpush.sendNotification({ endpoint: `${origin}/p/${i}`, keys }, payload, options);
      sent++;
    } catch {
      failed++;
    }
  }
}
await Promise.all(Array.from({ length: inFlight }, worker));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
agent.destroy();
process.stdout.write(JSON.stringify({ sent, failed, seconds }) + '\n');

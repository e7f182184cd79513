// A stand-in push service for Chromium, whose real subscriptions need FCM: Herald sends to it over HTTP like to
// any push service; the test decrypts what arrived with the npm http_ece library (code we did not write) and
// hands the plaintext to the browser through the DevTools protocol.
import { createServer } from 'node:http';
import { createECDH, randomBytes } from 'node:crypto';
import ece from 'http_ece';

export async function startPushCapture() {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201, { location: `/m/${received.length}` }).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    received,
    /** A browser-side key pair and the subscription JSON for an endpoint on this service. */
    browser(path) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      return {
        subscription: { endpoint: origin + path, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
        decrypt: (body) => ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8'),
      };
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

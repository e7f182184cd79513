// Runs Web Push operations with npm packages we did not write (web-push, http_ece), for Herald's
// interop tests. Reads a JSON array of operations on stdin, writes a JSON array of results on stdout.
// Binary values travel as base64url strings.
import crypto from 'node:crypto';
import ece from 'http_ece';
import webpush from 'web-push';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const unb64u = (s) => Buffer.from(s, 'base64url');

function receiver(uaPrivate, uaPublic) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(unb64u(uaPrivate));
  if (uaPublic && !ecdh.getPublicKey().equals(unb64u(uaPublic))) {
    throw new Error('uaPublic does not match uaPrivate');
  }
  return ecdh;
}

const ops = {
  // Decrypt a body the way a browser does, with http_ece.
  decrypt(op) {
    const params = {
      version: op.encoding,
      privateKey: receiver(op.uaPrivate, op.uaPublic),
      authSecret: op.auth,
    };
    if (op.encoding === 'aesgcm') {
      params.dh = op.dh;
      params.salt = op.salt;
    }
    return { plaintext: b64u(ece.decrypt(unb64u(op.body), params)) };
  },

  // Decrypt an RFC 8188 body given the input keying material directly.
  decryptWithKey(op) {
    return { plaintext: b64u(ece.decrypt(unb64u(op.body), { version: 'aes128gcm', key: op.key })) };
  },

  // Build a complete push request with npm web-push.
  webpushEncrypt(op) {
    const details = webpush.generateRequestDetails(
      { endpoint: op.endpoint, keys: { p256dh: op.p256dh, auth: op.auth } },
      unb64u(op.payload),
      {
        vapidDetails: { subject: op.vapidSubject, publicKey: op.vapidPublic, privateKey: op.vapidPrivate },
        TTL: op.ttl ?? 60,
        contentEncoding: op.encoding,
        ...(op.urgency ? { urgency: op.urgency } : {}),
        ...(op.topic ? { topic: op.topic } : {}),
      },
    );
    return { body: b64u(details.body), headers: details.headers };
  },

  // Verify an ES256 JWT (a VAPID token) with node's own crypto.
  verifyJwt(op) {
    const [h, c, s] = op.token.split('.');
    const raw = unb64u(op.publicKey);
    const key = crypto.createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33, 65)) },
      format: 'jwk',
    });
    const valid = crypto.verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, unb64u(s));
    return { valid, header: JSON.parse(unb64u(h)), claims: JSON.parse(unb64u(c)) };
  },
};

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((op) => {
    try {
      return ops[op.op](op);
    } catch (e) {
      return { error: String(e && e.message ? e.message : e) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});

// Requests to Herald through the TLS proxy, trusting only the test's certificate authority, optionally from a
// chosen loopback source address (127.0.0.0/8 is all local on Linux), so each caller is a distinct client to nginx.
import { request } from 'node:https';
import { connect } from 'node:http2';
import { createHmac } from 'node:crypto';

export function httpsJson(origin, method, path, { body, bearer, headers = {}, ca, localAddress } = {}) {
  const url = new URL(path, origin);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', servername: url.hostname, port: url.port, method, path: url.pathname + url.search,
      ca, localAddress, agent: false, headers: { host: url.host, ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch (_) { /* nginx's own HTML pages */ }
        resolve({ status: res.statusCode, headers: res.headers, text, body: json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** One GET over HTTP/2 (ALPN h2): status, headers and the negotiated protocol. */
export function http2Get(origin, path, ca) {
  return new Promise((resolve, reject) => {
    const session = connect(origin, { ca });
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let text = '';
    let headers;
    req.on('response', (h) => { headers = h; });
    req.setEncoding('utf8');
    req.on('data', (d) => { text += d; });
    req.on('end', () => {
      resolve({ status: headers[':status'], headers, text, alpn: session.alpnProtocol });
      session.close();
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A user token as an app backend mints one: HS256 with the user-token secret used as its UTF-8 bytes, exactly
 * as the value stands in keys.json.
 */
export function mintUserToken(secret, userId, ttlSeconds = 3600) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: userId, iat: now, exp: now + ttlSeconds })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

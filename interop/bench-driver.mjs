// Benchmark driver for npm web-push, run by Herald's JMH benchmark in the same run as the Java code.
// First stdin line: JSON {endpoint, p256dh, auth, payload(base64url), vapidSubject, vapidPublic, vapidPrivate}.
// Each further line: a count N; the driver builds N complete push requests with generateRequestDetails
// (encryption + VAPID headers, what web-push's sendNotification does before the network) and answers "ok".
import readline from 'node:readline';
import webpush from 'web-push';

const lines = readline.createInterface({ input: process.stdin });
let config;
let sink = 0;
for await (const line of lines) {
  if (!config) {
    const c = JSON.parse(line);
    config = {
      subscription: { endpoint: c.endpoint, keys: { p256dh: c.p256dh, auth: c.auth } },
      payload: Buffer.from(c.payload, 'base64url'),
      options: {
        vapidDetails: { subject: c.vapidSubject, publicKey: c.vapidPublic, privateKey: c.vapidPrivate },
        TTL: 60,
        contentEncoding: 'aes128gcm',
      },
    };
    process.stdout.write('ready\n');
    continue;
  }
  const n = Number(line);
  for (let i = 0; i < n; i++) {
    sink += webpush.generateRequestDetails(config.subscription, config.payload, config.options).body.length;
  }
  process.stdout.write(`ok ${sink}\n`);
}

// Debian's nginx in front of Herald, configured by the repository's own site file (deploy/nginx/herald.conf) with
// only its ports, certificate paths and upstream replaced, and a throw-away certificate authority and server
// certificate made with openssl for this run.
import { spawn, execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX = process.env.NGINX || '/usr/sbin/nginx';
export const SITE = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../deploy/nginx/herald.conf');

/** A CA and a server certificate for localhost and 127.0.0.1 signed by it, in {@code dir}. */
export function makeCertificates(dir) {
  const file = (name) => join(dir, name);
  const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=Herald e2e test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=localhost', '-keyout', file('server.key'), '-out', file('server.csr'));
  execFileSync('bash', ['-c', `printf '%s\\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' > '${file('server.ext')}'`]);
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', file('server.ext'), '-out', file('server.pem'));
  execFileSync('bash', ['-c', `cat '${file('server.pem')}' '${file('ca.pem')}' > '${file('fullchain.pem')}'`]);
  return { ca: file('ca.pem'), chain: file('fullchain.pem'), key: file('server.key'), server: file('server.pem') };
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo: what Chromium's --ignore-certificate-errors-spki-list takes. */
export async function spkiHash(pemFile) {
  const spki = new X509Certificate(await readFile(pemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Replaces {@code from} in {@code text}, insisting that it is there exactly {@code times} times. */
function replace(text, from, to, times) {
  const found = text.split(from).length - 1;
  if (found !== times) throw new Error(`deploy/nginx/herald.conf: expected ${times}× '${from}', found ${found}`);
  return text.split(from).join(to);
}

/** The shipped site with this run's ports, certificates and upstream: nothing else changes. */
export async function siteFor({ httpsPort, httpPort, upstreamPort, certs }) {
  let site = await readFile(SITE, 'utf8');
  site = replace(site, 'listen 443 ssl http2;', `listen ${httpsPort} ssl http2;`, 1);
  site = replace(site, 'listen [::]:443 ssl http2;', `listen [::]:${httpsPort} ssl http2;`, 1);
  site = replace(site, 'listen 80;', `listen ${httpPort};`, 1);
  site = replace(site, 'listen [::]:80;', `listen [::]:${httpPort};`, 1);
  site = replace(site, 'server 127.0.0.1:8080;', `server 127.0.0.1:${upstreamPort};`, 1);
  site = replace(site, '/etc/letsencrypt/live/push.example.com/fullchain.pem', certs.chain, 1);
  site = replace(site, '/etc/letsencrypt/live/push.example.com/privkey.pem', certs.key, 1);
  return site;
}

function listening(port) {
  return new Promise((ok) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); ok(true); });
    s.on('error', () => ok(false));
  });
}

/**
 * Runs nginx in the foreground with a temp prefix: pid, logs and temp files in {@code dir}, which also holds the
 * certificates. Returns its access log reader and stop().
 */
export async function startNginx({ dir, httpsPort, httpPort, upstreamPort, certs }) {
  const prefix = await mkdtemp(join(dir, 'nginx-'));
  await writeFile(join(prefix, 'herald.conf'), await siteFor({ httpsPort, httpPort, upstreamPort, certs }));
  const p = (name) => join(prefix, name);
  await writeFile(p('nginx.conf'), `
daemon off;
user root root;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} info;
events { worker_connections 4096; }
http {
  access_log ${p('access.log')};
  client_body_temp_path ${p('body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
  include ${p('herald.conf')};
}
`);
  execFileSync(NGINX, ['-t', '-p', prefix, '-c', p('nginx.conf'), '-e', p('error.log')], { stdio: 'pipe' });
  let output = '';
  const proc = spawn(NGINX, ['-p', prefix, '-c', p('nginx.conf'), '-e', p('error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const deadline = Date.now() + 15_000;
  while (!(await listening(httpsPort))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`nginx did not start (${proc.exitCode}): ${output}\n${await readFile(p('error.log'), 'utf8').catch(() => '')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    accessLog: () => readFile(p('access.log'), 'utf8'),
    errorLog: () => readFile(p('error.log'), 'utf8'),
    async stop() {
      proc.kill('SIGQUIT'); // graceful: finish open requests, close WebSockets
      await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', r)));
      await rm(prefix, { recursive: true, force: true });
    },
  };
}

// Starts the built herald.jar on a free port with a fresh data dir, as a user would run it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const JAR = process.env.HERALD_JAR || resolve(here, '../../server/target/herald.jar');
// The same JDK (>= 21) the build uses, found by the repository's script when JAVA_HOME is not set.
export const JAVA = join(process.env.JAVA_HOME
  || execFileSync('bash', ['-c', `. '${resolve(here, '../../scripts/find-jdk.sh')}' >/dev/null && printf %s "$JAVA_HOME"`]).toString(),
'bin', 'java');

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    }).on('error', fail);
  });
}

/** A running Herald with the demo, an API key (send, manage) and helpers for its HTTP API. */
export async function startHerald(extraArgs = [], { publicUrl, jvmArgs = [] } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const common = ['--data-dir', dataDir, '--vapid-subject', 'mailto:e2e@herald.example'];
  const key = execFileSync(JAVA, ['-jar', JAR, 'keys', 'create', '--scope', 'send,manage', '--name', 'e2e', ...common],
    { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  let log = '';
  let proc;
  async function launch() {
    proc = spawn(JAVA, [...jvmArgs, '-jar', JAR, 'serve', '--demo=true', '--port', String(port), '--host', '127.0.0.1', '--public-url', publicUrl || url,
      '--allow-private-endpoints=true', ...common, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`herald exited (${proc.exitCode}):\n${log}`);
      try {
        if ((await fetch(`${url}/readyz`)).ok) break;
      } catch (_) { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`herald did not become ready:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  async function halt() {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
  }
  await launch();
  async function api(method, path, body, bearer = key) {
    const headers = { authorization: `Bearer ${bearer}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
  async function signIn(name) {
    const r = await fetch(`${url}/demo/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }) });
    return r.json();
  }
  return {
    url, port, key, dataDir, api, signIn, log: () => log,
    /** Takes the server down (the browser sees no network to it) and brings it back on the same port and data. */
    halt,
    resume: launch,
    async stop() {
      await halt();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until fn() is truthy (or throws the last reason after timeoutMs). */
export async function eventually(what, fn, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

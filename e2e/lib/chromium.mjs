// Debian's Chromium, headless, driven over the DevTools protocol by puppeteer-core (which never downloads a browser).
import puppeteer from 'puppeteer-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launchChromium(extraArgs = []) {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: await mkdtemp(join(tmpdir(), 'herald-chromium-')),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-quic', '--no-first-run', '--disable-dev-shm-usage', ...extraArgs],
  });
}

/** The page's service-worker registration id, as the ServiceWorker domain reports it. */
export async function registrationOf(cdp, scope) {
  const found = new Promise((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const r = registrations.find((x) => x.scopeURL === scope && !x.isDeleted);
      if (r) resolve(r.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  return found;
}

/** Offline or online for the page and for its service worker (each has its own network stack to emulate). */
export async function setOffline(sessions, offline) {
  for (const s of sessions) {
    await s.send('Network.enable');
    await s.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  }
}

// Herald Chat's service worker: Herald's handlers (one import) plus an offline app shell.
importScripts('/sdk/herald-sw.js');

const SHELL = 'herald-chat-shell-v1';
const ASSETS = ['/', '/app.js', '/styles.css', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png',
  '/icons/icon-512.png', '/sdk/herald.js', '/sdk/herald-outbox.js'];

self.HeraldSW.configure({ feedCollections: ['posts'], warmUrls: ['/'], warmCache: SHELL });

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('herald-chat-shell-') && k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The shell: network first (so a new version shows at once), the cache when offline. The API is never cached.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || url.pathname.startsWith('/api/')
      || url.pathname.startsWith('/demo/api/')) {
    return;
  }
  const key = event.request.mode === 'navigate' ? '/' : url.pathname;
  event.respondWith(fetch(event.request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(SHELL).then((c) => c.put(key, copy));
      }
      return response;
    })
    .catch(() => caches.match(key).then((hit) => hit || Response.error())));
});

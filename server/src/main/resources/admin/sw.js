// The console's service worker, only for "send to my browser": it lets the console subscribe this browser, and
// Herald's own handlers show the test push and report it (received, shown, clicked), like any app's worker.
importScripts('/sdk/herald-sw.js');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

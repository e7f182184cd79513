// A service worker built from an ES module (a bundler's input) that loads Herald's handlers, checked by tsc --noEmit
// against the package's declarations. A classic worker does the same with importScripts (see the README).
import 'herald-client/worker';

declare const self: ServiceWorkerGlobalScope;

self.HeraldSW.configure({ feedCollections: ['posts'], warmUrls: ['/'], warmCache: 'app-shell-v1' });
const tag: string = self.HeraldSW.SYNC_TAG;
self.addEventListener('message', (event) => {
  if (event.data === 'replay-now') {
    event.waitUntil(self.HeraldSW.replay().then((r) => console.log(tag, r.sent, r.remaining, r.skipped)));
  }
  if (event.data === 'refresh') event.waitUntil(self.HeraldSW.refreshFeed().then((n: number) => console.log(n)));
});
// The outbox core is there too, for an app that wants to read it.
self.HeraldOutbox.openDb().then((db) => self.HeraldOutbox.list(db)).then((entries) => console.log(entries.length));
// @ts-expect-error configure takes options, not a string
self.HeraldSW.configure('posts');

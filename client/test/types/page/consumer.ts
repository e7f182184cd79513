// A small app that uses the page SDK the way the README's quick start does; `tsc --noEmit` checks it against the
// package's declarations (imported by the package's own name, through package.json "exports"). The @ts-expect-error
// lines must stay errors: they prove the declarations are not just `any`.
import { Herald, HeraldError, type SendResult, type Subscription, type Preferences } from 'herald-client';

interface Post { text: string; author: string }

export async function start(userToken: string, button: HTMLButtonElement): Promise<Herald> {
  const herald = await Herald.init({ server: 'https://push.example.com', userToken, serviceWorker: '/sw.js',
    retentionMs: 24 * 3600e3, maxAttempts: 5, feedCollections: ['posts'] });
  const support = herald.isSupported();
  const permission: NotificationPermission | 'unsupported' = support.permission;
  button.disabled = !support.push || permission === 'denied';
  button.onclick = async () => {
    try {
      const saved: Subscription = await herald.subscribe({ topics: ['posts'], tags: { plan: 'pro' } });
      console.log(saved.id, saved.topics.join(','), saved.createdAt);
    } catch (e) {
      if (e instanceof HeraldError && e.code === 'subscription-limit') console.log(e.status, e.problem?.detail);
    }
  };
  await herald.setUserToken('fresh-token');
  const config = await herald.config();
  console.log(config.vapidPublicKey, config.categories.map((c) => `${c.id}:${c.default}`));
  const prefs: Preferences = await herald.preferences.get();
  await herald.preferences.set({ categories: { promo: false }, quietHours: { start: '22:00', end: '07:00' } });
  console.log(prefs.quietHours?.start, prefs.maxPerDay);

  const result: SendResult = await herald.outbox.send({ method: 'POST', url: '/api/v1/sync/posts/mutations',
    body: { mutations: [{ id: 'p1', op: 'upsert', doc: { text: 'hi', author: 'ada' } }] }, meta: { kind: 'post' } });
  if (result.status === 'queued') console.log(result.entry.seq);
  else console.log(result.response.status, result.body);
  for (const e of await herald.outbox.list()) console.log(e.id, e.attempts, e.lastStatus, e.meta);
  const replayed = await herald.outbox.replay();
  console.log(replayed.sent, replayed.remaining, replayed.retry);

  await herald.feed.pull('posts');
  const posts = await herald.feed.all<Post>('posts');
  console.log(posts.map((p) => `${p.doc.author}: ${p.doc.text} (${p.version}, ${p.owner ?? 'shared'})`));
  const refresh = await herald.enableFeedRefresh({ collections: ['posts'], minInterval: 3600e3 });
  if (refresh.mode === 'on-open') console.log(refresh.permission);
  await herald.disableFeedRefresh();
  await herald.notificationClicked('01JAB', 'reply');
  console.log(await herald.subscribed());

  herald.addEventListener('queued', (e) => console.log(e.detail.entry.url));
  herald.addEventListener('sent', (e) => console.log(e.detail.status, e.detail.entry?.id ?? e.detail.request?.url));
  herald.addEventListener('failed', (e) => {
    if (e.detail.reason === 'rejected') console.log(e.detail.status, e.detail.body);
  });
  herald.addEventListener('conflict', (e) => {
    for (const c of e.detail.conflicts) console.log(c.id, c.status === 'forbidden' ? c.owner : c.version, c.doc);
  });
  herald.addEventListener('push', (e) => console.log(e.detail.notificationId, e.detail.title));
  herald.addEventListener('replayed', (e) => console.log(e.detail.sent, e.detail.lastChance));
  herald.addEventListener('subscription-changed', (e) => console.log(e.detail.subscribed));
  herald.addEventListener('feed-updated', (e) => console.log(e.detail.changes));
  await herald.unsubscribe();

  // @ts-expect-error the constructor is private: Herald.init() starts the SDK
  new Herald({});
  // @ts-expect-error topics is a list of strings
  await herald.subscribe({ topics: 'posts' });
  // @ts-expect-error an outbox request needs a url
  await herald.outbox.send({ method: 'POST', body: {} });
  // @ts-expect-error no such event
  herald.addEventListener('sent', (e) => e.detail.nope.toString());
  return herald;
}

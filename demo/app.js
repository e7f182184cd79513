// Herald Chat: the demo PWA. Everything Herald-specific goes through /sdk/herald.js.
import { Herald } from '/sdk/herald.js';

const $ = (id) => document.getElementById(id);
const SESSION = 'herald-chat-session';
const POSTS = '/api/v1/sync/posts/mutations';
let herald = null;
let session = JSON.parse(localStorage.getItem(SESSION) || 'null');
const highlight = new URLSearchParams(location.search).get('post');

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 3500);
}

function show(view) {
  for (const v of ['signin', 'feed', 'settings']) $(`view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === view);
  $('nav').hidden = view === 'signin';
  if (view === 'settings') renderSettings();
  if (view === 'feed') renderFeed();
}

function route() {
  if (!session || session.expiresAt < new Date().toISOString()) return show('signin');
  show(location.hash === '#/settings' ? 'settings' : 'feed');
}

async function updateNet() {
  const pending = herald ? (await herald.outbox.list()).filter((e) => e.meta && e.meta.kind === 'post').length : 0;
  const net = $('net');
  net.textContent = navigator.onLine ? (pending ? `Online · sending ${pending}` : 'Online') : `Offline${pending ? ` · ${pending} waiting` : ''}`;
  net.classList.toggle('offline', !navigator.onLine);
  $('pending').textContent = pending ? `${pending} post${pending > 1 ? 's' : ''} waiting for the network` : '';
}

// ---- feed ---------------------------------------------------------------------------------------------

function initials(name) {
  return (name || '?').split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
}

function hue(text) {
  let h = 0;
  for (const c of text || '') h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}

/** One post. owner: the user the server says created it (a post's own author field is whatever its writer typed). */
function postItem(doc, { pending = false, id = '', owner = null } = {}) {
  const li = document.createElement('li');
  li.className = `post${pending ? ' pending' : ''}${id && id === highlight ? ' highlight' : ''}`;
  li.id = id ? `post-${id}` : '';
  const avatar = document.createElement('div');
  avatar.className = 'avatar';
  avatar.style.background = `hsl(${hue(owner || doc.author)} 60% 45%)`;
  avatar.textContent = initials(doc.author);
  const meta = document.createElement('div');
  meta.className = 'meta';
  const who = document.createElement('strong');
  who.textContent = doc.author || owner || 'Someone';
  const by = document.createElement('span');
  by.className = 'owner';
  by.textContent = owner || '';
  by.title = 'Posted by this account (as the server recorded it)';
  const when = document.createElement('time');
  when.dateTime = doc.at || '';
  when.textContent = doc.at ? new Date(doc.at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '';
  meta.append(who, by, when);
  if (pending) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'Pending';
    meta.append(badge);
  }
  const text = document.createElement('div');
  text.className = 'text';
  text.textContent = doc.text || '';
  li.append(avatar, meta, text);
  return li;
}

async function renderFeed() {
  if (!herald) return;
  const [docs, queued] = await Promise.all([herald.feed.all('posts'), herald.outbox.list()]);
  const list = $('posts');
  list.replaceChildren();
  const pendingIds = new Set();
  for (const e of queued.filter((q) => q.meta && q.meta.kind === 'post')) {
    pendingIds.add(e.meta.id);
    list.append(postItem(e.meta.doc, { pending: true, id: e.meta.id, owner: session.userId }));
  }
  docs.filter((d) => !pendingIds.has(d.id)).sort((a, b) => (b.doc.at || '').localeCompare(a.doc.at || ''))
    .forEach((d) => list.append(postItem(d.doc, { id: d.id, owner: d.owner })));
  $('empty').hidden = list.children.length > 0;
  if (highlight) document.getElementById(`post-${highlight}`)?.scrollIntoView({ block: 'center' });
  updateNet();
}

async function refresh() {
  if (!navigator.onLine) return;
  try {
    await herald.feed.pull('posts');
  } catch (e) {
    console.warn('feed refresh failed', e);
  }
  renderFeed();
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  const id = crypto.randomUUID();
  const doc = { text, author: session.name, authorId: session.userId, at: new Date().toISOString() };
  $('text').value = '';
  const result = await herald.outbox.send({ method: 'POST', url: POSTS,
    body: { mutations: [{ id, op: 'upsert', doc, baseVersion: 0 }] }, meta: { kind: 'post', id, doc } });
  if (result.status === 'queued') toast('You are offline: your post will be sent when the connection returns.');
  if (result.status === 'failed') toast(`The post was refused: ${(result.body && result.body.detail) || result.response.status}`);
  if (result.status === 'sent') await refresh();
  else renderFeed();
});

// ---- settings -----------------------------------------------------------------------------------------

async function renderSettings() {
  if (!herald) return;
  const support = herald.isSupported();
  $('permission').textContent = support.notifications ? Notification.permission : 'not supported';
  const subscribed = await herald.subscribed().catch(() => false);
  const button = $('toggle-push');
  button.textContent = subscribed ? 'Turn off notifications' : 'Turn on notifications';
  button.disabled = !support.push || (support.permission === 'denied' && !subscribed);
  $('push-help').textContent = !support.push ? 'This browser cannot receive push notifications.'
    : support.permission === 'denied' ? 'Notifications are blocked for this site in the browser settings.'
    : subscribed ? 'You will hear about new posts from others, even when the app is closed.'
    : 'Get a notification when someone else posts. Your browser will ask for permission.';

  const [config, prefs] = await Promise.all([herald.config(), herald.preferences.get().catch(() => null)]);
  const list = $('categories');
  list.replaceChildren();
  for (const c of config.categories) {
    const li = document.createElement('li');
    const label = document.createElement('label');
    label.htmlFor = `cat-${c.id}`;
    label.innerHTML = '<span></span><small></small>';
    label.querySelector('span').textContent = c.label;
    label.querySelector('small').textContent = c.critical ? `${c.description} (always on)` : c.description;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = `cat-${c.id}`;
    box.checked = prefs ? prefs.categories[c.id] : c.default;
    box.disabled = c.critical;
    box.addEventListener('change', async () => {
      try {
        await herald.preferences.set({ categories: { [c.id]: box.checked } });
        toast(`${c.label}: ${box.checked ? 'on' : 'off'}`);
      } catch (e) {
        box.checked = !box.checked;
        toast(e.message);
      }
    });
    li.append(label, box);
    list.append(li);
  }
  const zone = (prefs && prefs.timezone) || Intl.DateTimeFormat().resolvedOptions().timeZone;
  $('zone').textContent = zone;
  $('quiet-on').checked = !!(prefs && prefs.quietHours);
  if (prefs && prefs.quietHours) {
    $('quiet-start').value = prefs.quietHours.start;
    $('quiet-end').value = prefs.quietHours.end;
  }

  let bgPermission = 'not supported';
  if (support.periodicSync) {
    try { bgPermission = (await navigator.permissions.query({ name: 'periodic-background-sync' })).state; } catch (_) { /* unknown */ }
  }
  $('bg-permission').textContent = bgPermission;
  $('bg-on').checked = localStorage.getItem('herald-chat-bg') === 'on';
  $('me').textContent = `${session.name} (${session.userId})`;
}

$('toggle-push').addEventListener('click', async () => {
  try {
    if (await herald.subscribed()) {
      await herald.unsubscribe();
      toast('Notifications are off.');
    } else {
      await herald.subscribe({ topics: ['posts'] });
      toast('Notifications are on.');
    }
  } catch (e) {
    toast(e.message);
  }
  renderSettings();
});

$('quiet').addEventListener('submit', async (event) => {
  event.preventDefault();
  const on = $('quiet-on').checked;
  try {
    await herald.preferences.set({ quietHours: on ? { start: $('quiet-start').value, end: $('quiet-end').value,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone } : null });
    toast(on ? `Quiet from ${$('quiet-start').value} to ${$('quiet-end').value}.` : 'Quiet hours are off.');
  } catch (e) {
    toast(e.message);
  }
});

$('bg-on').addEventListener('change', async () => {
  const on = $('bg-on').checked;
  localStorage.setItem('herald-chat-bg', on ? 'on' : 'off');
  if (on) {
    const r = await herald.enableFeedRefresh({ collections: ['posts'] });
    $('bg-mode').textContent = r.mode === 'periodic-sync' ? '· refreshing in the background' : '· refreshing when you open the app';
  } else {
    await herald.disableFeedRefresh().catch(() => null);
    $('bg-mode').textContent = '';
  }
});

$('signout').addEventListener('click', () => {
  localStorage.removeItem(SESSION);
  session = null;
  location.hash = '';
  location.reload();
});

// ---- start --------------------------------------------------------------------------------------------

$('signin').addEventListener('submit', async (event) => {
  event.preventDefault();
  const r = await fetch('/demo/api/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: $('name').value }) });
  const body = await r.json();
  if (!r.ok) return toast(body.detail || 'Sign-in failed');
  session = body;
  localStorage.setItem(SESSION, JSON.stringify(session));
  await start();
  location.hash = '#/feed';
  route();
});

async function start() {
  herald = await Herald.init({ userToken: session.token, serviceWorker: '/sw.js', feedCollections: ['posts'] });
  window.herald = herald; // for the curious, and for the end-to-end tests
  for (const type of ['queued', 'sent', 'failed', 'conflict', 'feed-updated', 'replayed']) {
    herald.addEventListener(type, () => (type === 'sent' ? refresh() : renderFeed()));
  }
  herald.addEventListener('failed', (e) => {
    if (e.detail && e.detail.entry && e.detail.entry.meta && e.detail.entry.meta.kind === 'post') {
      toast(`A post could not be sent: ${(e.detail.body && e.detail.body.detail) || e.detail.reason}`);
    }
  });
  herald.addEventListener('push', () => refresh());
  if (localStorage.getItem('herald-chat-bg') === 'on') herald.enableFeedRefresh({ collections: ['posts'] }).catch(() => null);
  await refresh();
}

addEventListener('online', () => { updateNet(); refresh(); });
addEventListener('offline', updateNet);
addEventListener('hashchange', route);
if (session && session.expiresAt > new Date().toISOString()) await start();
route();
updateNet();

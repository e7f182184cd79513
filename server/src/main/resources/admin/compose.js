// Compose: the message, who gets it (with a live device count), when, a preview drawn like a system notification,
// and "send to my browser" for a quick test on this browser's own subscription.
import { get, post } from '/admin/api.js';
import { h, mount, title, field, busy, toast } from '/admin/ui.js';

const input = (id, attrs = {}) => h(`input#${id}`, { name: id, ...attrs });

function actionRow(i) {
  return h('div.row', {},
    field(`Action ${i} id`, input(`action${i}-id`, { placeholder: 'open', maxlength: 64, pattern: '[A-Za-z0-9_-]+' })),
    field(`Action ${i} title`, input(`action${i}-title`, { placeholder: 'Open', maxlength: 100 })));
}

function list(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export default async function compose() {
  const settings = (await get('/settings')).settings;
  const category = h('select#category', { name: 'category' },
    settings.categories.map((c) => h('option', { value: c.id }, `${c.label || c.id}${c.critical ? ' (critical)' : ''}`)));
  const urgency = h('select#urgency', { name: 'urgency' },
    ['very-low', 'low', 'normal', 'high'].map((u) => h('option', { value: u, selected: u === 'normal' }, u)));
  const kind = h('select#audience-kind', { name: 'audience-kind' },
    [['all', 'Everyone'], ['topic', 'A topic'], ['tags', 'Devices with tags'], ['users', 'Users']].map(([v, l]) => h('option', { value: v }, l)));
  const audienceValue = input('audience-value', { placeholder: '', disabled: true, 'aria-describedby': 'audience-hint' });
  const audienceHint = h('small.muted#audience-hint', {}, 'Everyone subscribed.');
  const except = input('except', { placeholder: 'user ids, comma-separated' });
  const count = h('output#audience-count', { for: 'audience-value except', 'aria-live': 'polite' }, '…');
  const when = h('select#when', { name: 'when' },
    [['now', 'Now'], ['at', 'At a time (yours)'], ['local', 'At a local time (each device\'s zone)']].map(([v, l]) => h('option', { value: v }, l)));
  const at = input('send-at', { type: 'datetime-local', disabled: true });
  const local = input('send-at-local', { placeholder: '09:00 or 2026-12-01T09:00', disabled: true });
  const error = h('p.error#compose-error', { role: 'alert' });
  const send = h('button#send', { type: 'submit' }, 'Send');
  const mine = h('button.secondary#send-mine', { type: 'button' }, 'Send to my browser');
  const preview = h('div.preview#preview', { 'aria-label': 'Preview' });

  const form = h('form#compose.card', { novalidate: true },
    h('fieldset', {}, h('legend', {}, 'Message'),
      field('Title', input('title', { required: true, maxlength: 250, placeholder: 'Your order shipped' })),
      field('Body', h('textarea#body', { name: 'body', rows: 3, maxlength: 2000 })),
      field('Opens (URL)', input('url', { placeholder: '/orders/42' }), 'Relative to the public URL, or absolute.'),
      h('div.row', {}, field('Icon URL', input('icon', { placeholder: '/icon.png' })), field('Image URL', input('image'))),
      actionRow(1), actionRow(2)),
    h('fieldset', {}, h('legend', {}, 'Delivery'),
      h('div.row', {}, field('Category', category), field('Urgency', urgency)),
      h('div.row', {}, field('TTL (seconds)', input('ttl', { type: 'number', min: 0, max: 2419200, value: 86400 })),
        field('Topic', input('topic', { maxlength: 32, pattern: '[A-Za-z0-9_-]{1,32}' }), 'A newer message with the same Topic replaces an undelivered one.'))),
    h('fieldset', {}, h('legend', {}, 'Audience'),
      h('div.row', {}, field('Who', kind), h('div.field', {}, h('label', { for: 'audience-value' }, 'Value'), audienceValue, audienceHint)),
      field('Except users', except),
      h('p', {}, 'Reaches ', count, ' device(s) now (before users\' preferences and quiet hours).')),
    h('fieldset', {}, h('legend', {}, 'Schedule'),
      h('div.row', {}, field('When', when), field('Send at', at), field('Local time', local))),
    error, h('div.actions', {}, send, mine));

  mount(title('Compose'), h('div.compose', {}, form, h('aside', { 'aria-label': 'Preview' }, h('h2', {}, 'Preview'), preview,
    h('p.muted.small', {}, 'Roughly as a desktop system notification shows it; each platform differs.'))));

  const val = (id) => document.getElementById(id).value.trim();

  function audience() {
    const v = audienceValue.value.trim();
    let a;
    switch (kind.value) {
      case 'topic': a = { topic: v }; break;
      case 'tags': a = { tags: Object.fromEntries(list(v).map((p) => p.split('=')).map(([k, ...r]) => [k, r.join('=')])) }; break;
      case 'users': a = { userIds: list(v) }; break;
      default: a = { all: true };
    }
    const x = list(except.value);
    if (x.length) a.exceptUserIds = x;
    return a;
  }

  function message() {
    const payload = { title: val('title') };
    for (const k of ['body', 'url', 'icon', 'image']) if (val(k)) payload[k] = val(k);
    const actions = [1, 2].filter((i) => val(`action${i}-id`) && val(`action${i}-title`))
      .map((i) => ({ action: val(`action${i}-id`), title: val(`action${i}-title`) }));
    if (actions.length) payload.actions = actions;
    const body = { payload, category: category.value, urgency: urgency.value, ttl: Number(val('ttl') || 86400) };
    if (val('topic')) body.collapseKey = val('topic');
    if (when.value === 'at' && at.value) body.sendAt = new Date(at.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (when.value === 'local' && local.value) body.sendAtLocal = local.value.trim();
    return body;
  }

  function drawPreview() {
    const m = message().payload;
    const origin = location.host;
    preview.replaceChildren(h('div.note', {},
      h('div.note-head', {}, h('span.note-app', {}, 'Herald'), h('span.muted', {}, ` · ${origin} · now`)),
      h('div.note-main', {},
        m.icon ? h('img.note-icon', { src: m.icon, alt: '' }) : h('div.note-icon.placeholder', { 'aria-hidden': 'true' }, 'H'),
        h('div', {}, h('strong.note-title', {}, m.title || 'Title'), m.body ? h('p.note-body', {}, m.body) : null)),
      m.image ? h('img.note-image', { src: m.image, alt: '' }) : null,
      m.actions ? h('div.note-actions', {}, m.actions.map((a) => h('span', {}, a.title))) : null));
  }

  let countTimer;
  function recount() {
    clearTimeout(countTimer);
    countTimer = setTimeout(async () => {
      try {
        count.textContent = String((await post('/audience', { audience: audience() })).devices);
      } catch (e) {
        count.textContent = '?';
        audienceHint.textContent = e.message;
      }
    }, 250);
  }

  kind.addEventListener('change', () => {
    audienceValue.disabled = kind.value === 'all';
    audienceValue.value = '';
    audienceValue.placeholder = { all: '', topic: 'news', tags: 'plan=pro, lang=de', users: 'ann, ben' }[kind.value];
    audienceHint.textContent = { all: 'Everyone subscribed.', topic: 'A topic name.', tags: 'name=value pairs; devices need all of them.',
      users: 'Your app\'s user ids, comma-separated.' }[kind.value];
    recount();
  });
  when.addEventListener('change', () => { at.disabled = when.value !== 'at'; local.disabled = when.value !== 'local'; });
  audienceValue.addEventListener('input', recount);
  except.addEventListener('input', recount);
  form.addEventListener('input', drawPreview);
  drawPreview();
  recount();

  async function submit(aud) {
    if (!val('title')) throw new Error('A title is needed.');
    const r = await post('/notifications', { ...message(), audience: aud });
    toast(`Notification ${r.status}`);
    location.hash = `#/notification/${r.id}`;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(send, error, () => submit(audience()));
  });
  mine.addEventListener('click', () => busy(mine, error, async () => {
    if (!val('title')) throw new Error('A title is needed.');
    await submit({ subscriptionIds: await myDevices() });
  }));
}

/** This browser's devices: its subscriptions on this origin that Herald knows, or else a new one made here. */
async function myDevices() {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) throw new Error('This browser cannot receive push notifications.');
  const registrations = await navigator.serviceWorker.getRegistrations();
  const subs = (await Promise.all(registrations.map((r) => r.pushManager.getSubscription()))).filter(Boolean);
  const ids = [];
  for (const s of subs) {
    const found = await get(`/devices?endpoint=${encodeURIComponent(s.endpoint)}`);
    ids.push(...found.items.map((d) => d.id));
  }
  return ids.length ? ids : [await subscribeThisBrowser()];
}

/**
 * Subscribes the operator's browser the way an app's page does: the console's service worker (Herald's handlers,
 * so the test push is shown and reported), the VAPID key from /api/v1/config, and POST /api/v1/subscriptions with a
 * short-lived user token for this admin key's operator.
 */
async function subscribeThisBrowser() {
  if (Notification.permission !== 'granted' && (await Notification.requestPermission()) !== 'granted') {
    throw new Error('Notifications are blocked for this site; allow them in the browser\'s site settings to test here.');
  }
  const registration = await navigator.serviceWorker.register('/admin/sw.js', { scope: '/admin/' });
  await activated(registration);
  const { vapidPublicKey } = await (await fetch('/api/v1/config')).json();
  const subscription = (await registration.pushManager.getSubscription())
    || (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(vapidPublicKey) }));
  const { userToken } = await post('/my-browser/token', {});
  const r = await fetch('/api/v1/subscriptions', { method: 'POST', headers: { 'content-type': 'application/json',
    authorization: `Bearer ${userToken}` }, body: JSON.stringify({ subscription: subscription.toJSON(), userAgent: navigator.userAgent,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, locale: navigator.language }) });
  const saved = await r.json();
  if (!r.ok) throw new Error(saved.detail || saved.title || `HTTP ${r.status}`);
  toast('This browser is subscribed as a device of its own');
  return saved.id;
}

function activated(registration) {
  const worker = registration.installing || registration.waiting || registration.active;
  if (!worker || worker.state === 'activated') return Promise.resolve();
  return new Promise((resolve) => worker.addEventListener('statechange', () => { if (worker.state === 'activated') resolve(); }));
}

function bytes(base64url) {
  const bin = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

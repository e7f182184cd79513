// Notifications: the newest with their funnel (targeted → sent → delivered → shown → clicked) and one in detail.
import { get, del } from '/admin/api.js';
import { h, mount, title, table, when, badge, percent, busy, toast } from '/admin/ui.js';

const FUNNEL = ['targeted', 'sent', 'delivered', 'shown', 'clicked'];

function funnel(counts, ctr) {
  const top = Math.max(1, counts.targeted);
  return h('ol.funnel', { 'aria-label': 'Funnel' }, FUNNEL.map((k) => h('li', {},
    h('span.funnel-label', {}, k), h('span.bar', { style: null, 'data-w': Math.round((100 * counts[k]) / top) }),
    h('span.funnel-n', { 'data-count': k }, String(counts[k])))),
  h('li.ctr', {}, h('span.funnel-label', {}, 'CTR'), h('span'), h('span.funnel-n', {}, percent(ctr))));
}

// Bar widths without inline styles (the CSP forbids them): a class per 5 % step.
function widthBars(root) {
  for (const b of root.querySelectorAll('.bar[data-w]')) b.classList.add(`w${Math.min(20, Math.round(Number(b.dataset.w) / 5))}`);
}

export async function list() {
  const view = mount(title('Notifications'));
  let before = null;
  const holder = h('div');
  const more = h('button.secondary', { type: 'button' }, 'Older');
  view.append(holder, more);
  const rows = [];

  async function page() {
    const r = await get(`/notifications${before ? `?before=${before}` : ''}`);
    for (const item of r.items) {
      const n = item.notification;
      rows.push([h('a', { href: `#/notification/${n.id}` }, item.title || n.id), badge(n.status), when(n.createdAt),
        n.category || '—', funnel(n.counts, n.clickThroughRate)]);
    }
    holder.replaceChildren(table('Notifications, newest first', ['Title', 'Status', 'Created', 'Category', 'Funnel'], rows,
      'No notifications yet. Compose one.'));
    widthBars(holder);
    before = r.next;
    more.hidden = !before;
  }

  more.addEventListener('click', () => busy(more, null, page));
  await page();
  const timer = setInterval(async () => { rows.length = 0; before = null; await page().catch(() => {}); }, 10_000);
  return () => clearInterval(timer);
}

export async function detail(id) {
  const box = h('div');
  mount(title('Notification'), box);

  async function draw() {
    const d = await get(`/notifications/${encodeURIComponent(id)}`);
    const n = d.notification;
    const cancel = h('button.danger#cancel', { type: 'button', disabled: ['cancelled', 'completed'].includes(n.status) }, 'Cancel');
    cancel.addEventListener('click', () => busy(cancel, null, async () => {
      if (!confirm('Cancel what is not yet sent?')) return;
      await del(`/notifications/${encodeURIComponent(id)}`);
      toast('Cancelled');
      await draw();
    }));
    box.replaceChildren(
      h('section.card', {}, h('h2', {}, d.title || '(no title)'), d.message.body ? h('p', {}, d.message.body) : null,
        h('dl.facts', {},
          h('dt', {}, 'Id'), h('dd', {}, h('code', {}, n.id)),
          h('dt', {}, 'Status'), h('dd#status-badge', {}, badge(n.status)),
          h('dt', {}, 'Audience'), h('dd', {}, h('code', {}, JSON.stringify(n.audience))),
          h('dt', {}, 'Category'), h('dd', {}, n.category || '—'),
          h('dt', {}, 'Urgency / TTL'), h('dd', {}, `${n.urgency} / ${n.ttl} s`),
          h('dt', {}, 'Send at'), h('dd', {}, n.sendAtLocal ? `${n.sendAtLocal} local` : when(n.sendAt)),
          h('dt', {}, 'Created'), h('dd', {}, when(n.createdAt)),
          h('dt', {}, 'Opens'), h('dd', {}, d.message.navigate || '—')),
        h('div.actions', {}, cancel)),
      h('section.card', {}, h('h2', {}, 'Funnel'), funnel(n.counts, n.clickThroughRate),
        h('p.muted.small', {}, `Also: queued ${n.counts.queued}, failed ${n.counts.failed}, expired ${n.counts.expired}, gone ${n.counts.gone}, `
          + `suppressed ${n.counts.suppressed}, cancelled ${n.counts.cancelled}, closed ${n.counts.closed}.`)),
      h('section.card', {}, h('h2', {}, 'Push-service answers'),
        table('Deliveries by outcome', ['Outcome', 'Status', 'Error', 'Deliveries'],
          d.results.map((r) => [badge(r.state), r.status ?? '—', r.error ?? '—', r.count]), 'No deliveries yet.')));
    widthBars(box);
  }

  await draw();
  const timer = setInterval(() => draw().catch(() => {}), 5_000);
  return () => clearInterval(timer);
}
